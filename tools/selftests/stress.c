// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: worker threads mount nullfs_rs and rootfs_rs (mount(2), and
 * fsopen/fsconfig/fsmount/move_mount), clone their mounts (open_tree),
 * unmount, look up (each worker up to 256 names, which the instances
 * remember as missing, and again with openat2(RESOLVE_CACHED), which
 * revalidates a remembered miss in RCU-walk and gives up), read, statfs,
 * open and try to write, while one more thread unloads and reloads the
 * module in a loop and another drops the dentry and inode caches, so that
 * the superblocks' shrinkers race the lookups and unmounts.  Nothing
 * serialises the
 * two: a mount races delete_module() and must end as a working mount (the
 * statfs of its root gives the type's magic), as a clean ENODEV (the type
 * was not registered), or keep the rmmod from succeeding.  Every tenth try
 * of the unloader comes after a quiet phase in which the workers drop their
 * mounts, and another tenth with a mount of its own held, which must be
 * refused.
 *
 * The run lasts until what it asserts has been seen, however fast the
 * machine is: NULLFS_RS_STRESS_REFUSED refused unloads (default 10),
 * NULLFS_RS_STRESS_UNLOADS successful ones (5; an rmmod after which the
 * module is gone from /sys/module), NULLFS_RS_STRESS_RACES
 * mounts that lost the race with an unload (5) and 100 working mounts; and
 * at least NULLFS_RS_STRESS_SECONDS (default 0).  If it has not seen them
 * in NULLFS_RS_STRESS_MAX_SECONDS (600), it fails, naming what is short.
 * NULLFS_RS_STRESS_THREADS (default 4) workers.  It logs how often each
 * operation ran and how each failed, and fails if a mount succeeded while
 * the module was unloaded from before the call to after it, if a working
 * mount was not one, if a write-ish operation succeeded, if an operation
 * failed with an errno outside its expected set, if rmmod succeeded with
 * the unloader's own mount held, or if the module does not unload at the
 * end.  (No modprobe may load the module behind the unloader's back: the
 * guest has no module tree for it while this runs.)
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#define ROOT_FS_MAGIC 0x524f4f54

enum op {
	OP_MOUNT_NULLFS, OP_MOUNT_ROOTFS, OP_FSMOUNT, OP_CLONE, OP_UMOUNT, OP_LOOKUP,
	OP_READDIR, OP_STATFS, OP_OPEN, OP_MKDIR, OP_CHMOD, OP_RMMOD, OP_INSMOD,
	OP_LOOKUP_CACHED, OP_DROP_CACHES,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"mount nullfs_rs", "mount rootfs_rs", "fsmount nullfs_rs", "open_tree clone",
	"umount", "lookup", "readdir", "statfs", "open", "mkdir", "chmod", "rmmod",
	"insmod", "lookup cached", "drop_caches",
};

/* Names a worker looks up, and so has remembered as missing, at most. */
#define NAMES_PER_WORKER 256

#define MAX_ERRNO 134
static atomic_long calls[NR_OPS], errors[NR_OPS][MAX_ERRNO + 1];
static atomic_long unexpected, write_successes, rmmod_while_held;
static atomic_long working_mounts, broken_mounts, mounts_while_unloaded;
/* rmmods after which the module was gone from /sys/module. */
static atomic_long real_unloads;
static atomic_int mounted_workers;
static atomic_bool stop, quiet;
/*
 * Odd while the module is unloaded: the unloader makes it odd after a
 * successful rmmod and even again before it calls insmod.  A mount that
 * succeeded with the same odd value before and after the call was made of a
 * type that was not registered at any time during it.
 */
static atomic_long unload_epoch;

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
	case OP_LOOKUP_CACHED:
		/* See the lookup in worker(). */
		return err == EAGAIN || err == ENOENT;
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

/* A mount of @dir by operation @op, started in unload epoch @before. */
static void mounted_by(enum op op, const char *dir, long before)
{
	long after = atomic_load(&unload_epoch);
	unsigned long magic = op == OP_MOUNT_ROOTFS ? ROOT_FS_MAGIC : NULL_FS_MAGIC;
	struct statfs sfs;

	if (before == after && (before & 1)) {
		atomic_fetch_add(&mounts_while_unloaded, 1);
		fprintf(stderr, "# %s succeeded while the module was unloaded\n",
			op_names[op]);
	}
	if (statfs(dir, &sfs) || (unsigned long)sfs.f_type != magic)
		atomic_fetch_add(&broken_mounts, 1);
	else
		atomic_fetch_add(&working_mounts, 1);
}

/* fsopen, fsconfig(CREATE), fsmount, move_mount onto @dir. */
static int fsmount_on(const char *dir)
{
	int fd, mnt = -1, ret = -1;

	fd = syscall(__NR_fsopen, "nullfs_rs", FSOPEN_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!syscall(__NR_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt = syscall(__NR_fsmount, fd, FSMOUNT_CLOEXEC, 0);
	if (mnt >= 0)
		ret = syscall(__NR_move_mount, mnt, "", AT_FDCWD, dir,
			      MOVE_MOUNT_F_EMPTY_PATH);
	if (mnt >= 0)
		close(mnt);
	close(fd);
	return ret;
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(long)arg * 2654435761u + 1;
	char dir[64], name[80];
	struct statfs sfs;
	struct stat st;
	int mounted = 0;

	snprintf(dir, sizeof(dir), "/tmp/stress.%ld", (long)arg);
	mkdir(dir, 0755);

	while (!atomic_load(&stop)) {
		enum op op;
		long before;
		int ret, fd;

		/* A quiet phase: no mounts, so that rmmod can succeed. */
		if (atomic_load(&quiet)) {
			if (mounted) {
				atomic_fetch_sub(&mounted_workers, 1);
				mounted = 0;
				check(OP_UMOUNT, sys_umount2(dir, MNT_DETACH));
			}
			usleep(100);
			continue;
		}
		if (!mounted) {
			before = atomic_load(&unload_epoch);
			switch (next_random(&seed) % 3) {
			case 0:
				op = OP_MOUNT_NULLFS;
				ret = sys_mount("none", dir, "nullfs_rs", 0, NULL);
				break;
			case 1:
				op = OP_MOUNT_ROOTFS;
				ret = sys_mount("none", dir, "rootfs_rs", 0, NULL);
				break;
			default:
				op = OP_FSMOUNT;
				ret = fsmount_on(dir);
			}
			check(op, ret);
			if (!ret) {
				mounted_by(op, dir, before);
				mounted = 1;
				atomic_fetch_add(&mounted_workers, 1);
			}
			continue;
		}

		/* One of many names, so that each worker keeps many misses. */
		snprintf(name, sizeof(name), "%s/name%u", dir,
			 next_random(&seed) % NAMES_PER_WORKER);
		switch (next_random(&seed) % 10) {
		case 0:
			atomic_fetch_sub(&mounted_workers, 1);
			mounted = 0;
			check(OP_UMOUNT, sys_umount2(dir, MNT_DETACH));
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
		case 6:
			/* A detached clone: one more holder of the superblock. */
			fd = syscall(__NR_open_tree, AT_FDCWD, dir,
				     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
			check(OP_CLONE, fd < 0 ? -1 : 0);
			if (fd >= 0) {
				if (fstatfs(fd, &sfs))
					atomic_fetch_add(&broken_mounts, 1);
				close(fd);
			}
			break;
		case 7: {
			/*
			 * A name just remembered, which a cached-only walk finds
			 * and must not take: EAGAIN.  An unmount between the two
			 * leaves the walk in the directory beneath, whose own
			 * remembered miss may answer ENOENT.
			 */
			struct open_how how = { .flags = O_PATH, .resolve = RESOLVE_CACHED };

			check(OP_LOOKUP, stat(name, &st));
			fd = syscall(__NR_openat2, AT_FDCWD, name, &how, sizeof(how));
			check(OP_LOOKUP_CACHED, fd);
			if (fd >= 0)
				close(fd);
			break;
		}
		default:
			ret = chmod(dir, 0777);
			if (!ret)
				atomic_fetch_add(&write_successes, 1);
			check(OP_CHMOD, ret);
			break;
		}
	}
	if (mounted) {
		atomic_fetch_sub(&mounted_workers, 1);
		check(OP_UMOUNT, sys_umount2(dir, MNT_DETACH));
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
		ret = syscall(__NR_delete_module, "nullfs_rs", O_NONBLOCK);
		check(OP_RMMOD, ret);
		if (!ret) {
			atomic_fetch_add(&unload_epoch, 1);
			if (access("/sys/module/nullfs_rs", F_OK))
				atomic_fetch_add(&real_unloads, 1);
			if (holding)
				atomic_fetch_add(&rmmod_while_held, 1);
		}
		if (holding)
			sys_umount2(own, 0);
		if (!ret) {
			/* A moment unloaded, for mounts to race into. */
			usleep(1000);
			atomic_fetch_add(&unload_epoch, 1);
			check(OP_INSMOD, insmod());
		}
		atomic_store(&quiet, 0);
		usleep(1000);
	}
	rmdir(own);
	return NULL;
}

/*
 * Drops the dentry and inode caches over and over: the superblocks'
 * shrinkers race the workers' lookups, remembered misses and unmounts.
 */
static void *dropper(void *unused)
{
	while (!atomic_load(&stop)) {
		int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		int ret = fd < 0 || write(fd, "2", 1) != 1 ? -1 : 0;

		check(OP_DROP_CACHES, ret);
		if (fd >= 0)
			close(fd);
		usleep(20000);
	}
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

/* What the run must have seen before it may stop; names what is short. */
static const char *short_of(long refused, long unloads, long races)
{
	if (atomic_load(&errors[OP_RMMOD][EWOULDBLOCK]) < refused)
		return "refused unloads";
	if (atomic_load(&real_unloads) < unloads)
		return "successful unloads";
	if (atomic_load(&errors[OP_MOUNT_NULLFS][ENODEV]) +
	    atomic_load(&errors[OP_MOUNT_ROOTFS][ENODEV]) +
	    atomic_load(&errors[OP_FSMOUNT][ENODEV]) < races)
		return "mounts that lost the race with an unload";
	if (atomic_load(&working_mounts) < 100)
		return "working mounts";
	return NULL;
}

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Long runs (make stress) outlast the harness's default of 30 seconds. */
TEST_F_TIMEOUT(run, stress, 3600)
{
	int seconds = env_int("NULLFS_RS_STRESS_SECONDS", 0);
	int max_seconds = env_int("NULLFS_RS_STRESS_MAX_SECONDS", 600);
	int nthreads = env_int("NULLFS_RS_STRESS_THREADS", 4);
	long refused = env_int("NULLFS_RS_STRESS_REFUSED", 10);
	long unloads = env_int("NULLFS_RS_STRESS_UNLOADS", 5);
	long races = env_int("NULLFS_RS_STRESS_RACES", 5);
	pthread_t threads[64], unload, drop;
	long total = 0, errs = 0;
	int i, op, err, final;
	const char *missing;
	char line[1024];
	time_t start;

	ASSERT_LE(nthreads, 64);
	ASSERT_EQ(0, load_module());
	TH_LOG("%d threads until %ld refused and %ld successful unloads, %ld lost races, "
	       "100 working mounts, and at least %d seconds (at most %d)",
	       nthreads, refused, unloads, races, seconds, max_seconds);
	start = now();
	for (i = 0; i < nthreads; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, worker, (void *)(long)i));
	ASSERT_EQ(0, pthread_create(&unload, NULL, unloader, NULL));
	ASSERT_EQ(0, pthread_create(&drop, NULL, dropper, NULL));
	do {
		usleep(100000);
		missing = short_of(refused, unloads, races);
	} while ((missing || now() - start < seconds) && now() - start < max_seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_join(unload, NULL);
	pthread_join(drop, NULL);

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
	TH_LOG("seconds: %ld", (long)(now() - start));
	TH_LOG("operations: %ld", total);
	TH_LOG("errors: %ld", errs);
	TH_LOG("working mounts: %ld", atomic_load(&working_mounts));
	TH_LOG("real unloads: %ld", atomic_load(&real_unloads));
	TH_LOG("unexpected errors: %ld", atomic_load(&unexpected));
	TH_LOG("write-ish successes: %ld", atomic_load(&write_successes));
	TH_LOG("broken mounts: %ld", atomic_load(&broken_mounts));
	TH_LOG("mounts while unloaded: %ld", atomic_load(&mounts_while_unloaded));
	TH_LOG("rmmod successes with a mount held: %ld", atomic_load(&rmmod_while_held));
	EXPECT_EQ(NULL, missing) TH_LOG("not enough %s in %d seconds", missing, max_seconds);
	EXPECT_EQ(0, atomic_load(&unexpected));
	EXPECT_EQ(0, atomic_load(&write_successes));
	EXPECT_EQ(0, atomic_load(&broken_mounts));
	EXPECT_EQ(0, atomic_load(&mounts_while_unloaded));
	EXPECT_EQ(0, atomic_load(&rmmod_while_held));
	EXPECT_EQ(0, final) TH_LOG("final rmmod: %s", strerror(errno));
}

TEST_HARNESS_MAIN
