// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: worker threads mount and unmount nullfs_rs and rootfs_rs, look
 * up, read, statfs, open and try to write, for a bounded time, while one
 * more thread unloads and reloads the module in a loop.  Every tenth try of
 * the unloader comes after a quiet phase in which the workers drop their
 * mounts, and another tenth with a mount of its own held, so rmmod is seen
 * both succeeding and refused.
 *
 * NULLFS_RS_STRESS_SECONDS (default 5) and NULLFS_RS_STRESS_THREADS
 * (default 4) size the run.  It logs how often each operation ran and how
 * each failed, and fails if the module unloaded while a worker held a
 * mount, if a write-ish operation succeeded, if an operation failed with an
 * errno outside its expected set, or if the module does not unload at the
 * end.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

enum op {
	OP_MOUNT_NULLFS, OP_MOUNT_ROOTFS, OP_FSMOUNT, OP_UMOUNT, OP_LOOKUP,
	OP_READDIR, OP_STATFS, OP_OPEN, OP_MKDIR, OP_CHMOD, OP_RMMOD, OP_INSMOD,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"mount nullfs_rs", "mount rootfs_rs", "fsmount nullfs_rs", "umount",
	"lookup", "readdir", "statfs", "open", "mkdir", "chmod", "rmmod", "insmod",
};

#define MAX_ERRNO 134
static atomic_long calls[NR_OPS], errors[NR_OPS][MAX_ERRNO + 1];
static atomic_long unexpected, write_successes, rmmod_while_mounted;
static atomic_int mounted_workers;
static atomic_bool stop, quiet;
/*
 * Workers hold it for reading from the start of a mount until they count
 * it, and from uncounting a mount until it is unmounted; the unloader holds
 * it for writing around rmmod.  So while rmmod runs, mounted_workers is
 * exactly the number of mounts.
 */
static pthread_rwlock_t mount_state;

static void count(enum op op, int ret, int err)
{
	atomic_fetch_add(&calls[op], 1);
	if (ret < 0 && err > 0 && err <= MAX_ERRNO)
		atomic_fetch_add(&errors[op][err], 1);
}

/* Errnos an operation may legitimately fail with here. */
static int expected(enum op op, int err)
{
	switch (op) {
	case OP_MOUNT_NULLFS: case OP_MOUNT_ROOTFS: case OP_FSMOUNT:
		return err == ENODEV;	/* the module is being reloaded */
	case OP_LOOKUP: case OP_MKDIR:
		return err == ENOENT;
	case OP_CHMOD:
		return err == EPERM;
	case OP_RMMOD:
		return err == EWOULDBLOCK;
	default:
		return 0;
	}
}

static void check(enum op op, int ret)
{
	int err = errno;

	count(op, ret, err);
	if (ret < 0 && !expected(op, err)) {
		atomic_fetch_add(&unexpected, 1);
		fprintf(stderr, "# unexpected: %s: %s\n", op_names[op], strerror(err));
	}
}

static int insmod(void)
{
	const char *path = getenv("NULLFS_RS_KO");
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1, ret;

	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static unsigned int next_random(unsigned int *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(long)arg * 2654435761u + 1;
	char dir[64], name[80];
	struct statfs sfs;
	struct stat st;
	int mounted = 0;

	snprintf(dir, sizeof(dir), "/tmp/stress.%ld", (long)arg);
	snprintf(name, sizeof(name), "%s/name", dir);
	mkdir(dir, 0755);

	while (!atomic_load(&stop)) {
		int ret, fd;

		/* A quiet phase: no mounts, so that rmmod can succeed. */
		if (atomic_load(&quiet)) {
			if (mounted) {
				pthread_rwlock_rdlock(&mount_state);
				atomic_fetch_sub(&mounted_workers, 1);
				mounted = 0;
				check(OP_UMOUNT, sys_umount2(dir, MNT_DETACH));
				pthread_rwlock_unlock(&mount_state);
			}
			usleep(100);
			continue;
		}
		if (!mounted) {
			pthread_rwlock_rdlock(&mount_state);
			switch (next_random(&seed) % 3) {
			case 0:
				ret = sys_mount("none", dir, "nullfs_rs", 0, NULL);
				check(OP_MOUNT_NULLFS, ret);
				break;
			case 1:
				ret = sys_mount("none", dir, "rootfs_rs", 0, NULL);
				check(OP_MOUNT_ROOTFS, ret);
				break;
			default:
				fd = syscall(__NR_fsopen, "nullfs_rs", FSOPEN_CLOEXEC);
				ret = fd < 0 ? -1 : 0;
				if (!ret) {
					int mnt = -1;

					if (!syscall(__NR_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
						mnt = syscall(__NR_fsmount, fd, FSMOUNT_CLOEXEC, 0);
					ret = mnt < 0 ? -1 : 0;
					if (!ret)
						ret = syscall(__NR_move_mount, mnt, "", AT_FDCWD, dir,
							      MOVE_MOUNT_F_EMPTY_PATH);
					if (mnt >= 0)
						close(mnt);
					close(fd);
				}
				check(OP_FSMOUNT, ret);
			}
			if (!ret) {
				mounted = 1;
				atomic_fetch_add(&mounted_workers, 1);
			}
			pthread_rwlock_unlock(&mount_state);
			continue;
		}

		switch (next_random(&seed) % 8) {
		case 0:
			pthread_rwlock_rdlock(&mount_state);
			atomic_fetch_sub(&mounted_workers, 1);
			mounted = 0;
			check(OP_UMOUNT, sys_umount2(dir, MNT_DETACH));
			pthread_rwlock_unlock(&mount_state);
			break;
		case 1:
			check(OP_LOOKUP, stat(name, &st));
			break;
		case 2: {
			DIR *d = opendir(dir);
			int entries = 0;

			while (d && readdir(d))
				entries++;
			if (d)
				closedir(d);
			check(OP_READDIR, d && entries == 2 ? 0 : -1);
			break;
		}
		case 3:
			check(OP_STATFS, statfs(dir, &sfs));
			break;
		case 4:
			fd = open(dir, O_RDONLY | O_DIRECTORY);
			check(OP_OPEN, fd < 0 ? -1 : 0);
			if (fd >= 0)
				close(fd);
			break;
		case 5:
			ret = mkdir(name, 0755);
			if (!ret)
				atomic_fetch_add(&write_successes, 1);
			check(OP_MKDIR, ret);
			break;
		default:
			ret = chmod(dir, 0777);
			if (!ret)
				atomic_fetch_add(&write_successes, 1);
			check(OP_CHMOD, ret);
			break;
		}
	}
	if (mounted) {
		pthread_rwlock_rdlock(&mount_state);
		atomic_fetch_sub(&mounted_workers, 1);
		check(OP_UMOUNT, sys_umount2(dir, MNT_DETACH));
		pthread_rwlock_unlock(&mount_state);
	}
	rmdir(dir);
	return NULL;
}

static void *unloader(void *unused)
{
	char own[] = "/tmp/stress.unloader";

	mkdir(own, 0755);
	for (int round = 1; !atomic_load(&stop); round++) {
		/* Every tenth try, offset by five, with a mount of its own held. */
		int holding = round % 10 == 5 && !sys_mount("none", own, "nullfs_rs", 0, NULL);
		int ret;

		/* Every tenth try, let the workers drain their mounts first. */
		if (round % 10 == 0) {
			atomic_store(&quiet, 1);
			for (int i = 0; i < 1000 && atomic_load(&mounted_workers); i++)
				usleep(100);
		}
		pthread_rwlock_wrlock(&mount_state);
		ret = syscall(__NR_delete_module, "nullfs_rs", O_NONBLOCK);
		check(OP_RMMOD, ret);
		if (!ret && (holding || atomic_load(&mounted_workers)))
			atomic_fetch_add(&rmmod_while_mounted, 1);
		pthread_rwlock_unlock(&mount_state);
		if (holding)
			sys_umount2(own, 0);
		if (!ret)
			check(OP_INSMOD, insmod());
		atomic_store(&quiet, 0);
		usleep(1000);
	}
	rmdir(own);
	return NULL;
}

static int env_int(const char *name, int fallback)
{
	const char *value = getenv(name);

	return value && atoi(value) > 0 ? atoi(value) : fallback;
}

FIXTURE(run) {
	int unused;
};

FIXTURE_SETUP(run)
{
}

FIXTURE_TEARDOWN(run)
{
}

/* Long runs (make stress) outlast the harness's default of 30 seconds. */
TEST_F_TIMEOUT(run, stress, 3600)
{
	int seconds = env_int("NULLFS_RS_STRESS_SECONDS", 5);
	int nthreads = env_int("NULLFS_RS_STRESS_THREADS", 4);
	pthread_t threads[64], unload;
	long total = 0, errs = 0;
	int i, op, err, final;
	char line[1024];

	pthread_rwlockattr_t attr;

	ASSERT_LE(nthreads, 64);
	/* Busy workers must not starve the unloader. */
	ASSERT_EQ(0, pthread_rwlockattr_init(&attr));
	ASSERT_EQ(0, pthread_rwlockattr_setkind_np(&attr,
						   PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP));
	ASSERT_EQ(0, pthread_rwlock_init(&mount_state, &attr));
	ASSERT_EQ(0, load_module());
	TH_LOG("%d threads for %d seconds", nthreads, seconds);
	for (i = 0; i < nthreads; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, worker, (void *)(long)i));
	ASSERT_EQ(0, pthread_create(&unload, NULL, unloader, NULL));
	sleep(seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_join(unload, NULL);

	/* With every mount gone, the module (reloaded after each rmmod) unloads. */
	final = syscall(__NR_delete_module, "nullfs_rs", O_NONBLOCK);

	for (op = 0; op < NR_OPS; op++) {
		int len = snprintf(line, sizeof(line), "%-18s %8ld", op_names[op],
				   atomic_load(&calls[op]));

		total += atomic_load(&calls[op]);
		for (err = 1; err <= MAX_ERRNO; err++) {
			long n = atomic_load(&errors[op][err]);

			if (n && len < (int)sizeof(line))
				len += snprintf(line + len, sizeof(line) - len, "  %s %ld",
						strerrorname_np(err), n);
			errs += n;
		}
		TH_LOG("%s", line);
	}
	TH_LOG("operations: %ld", total);
	TH_LOG("errors: %ld", errs);
	TH_LOG("unexpected errors: %ld", atomic_load(&unexpected));
	TH_LOG("write-ish successes: %ld", atomic_load(&write_successes));
	TH_LOG("rmmod successes while mounted: %ld", atomic_load(&rmmod_while_mounted));
	EXPECT_GT(total, 0);
	/* rmmod was refused while mounted and succeeded in quiet phases. */
	EXPECT_GT(atomic_load(&errors[OP_RMMOD][EWOULDBLOCK]), 0);
	EXPECT_GT(atomic_load(&calls[OP_INSMOD]), 0);
	EXPECT_EQ(0, atomic_load(&unexpected));
	EXPECT_EQ(0, atomic_load(&write_successes));
	EXPECT_EQ(0, atomic_load(&rmmod_while_mounted));
	EXPECT_EQ(0, final) TH_LOG("final rmmod: %s", strerror(errno));
}

TEST_HARNESS_MAIN
