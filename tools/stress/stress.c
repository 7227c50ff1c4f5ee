// SPDX-License-Identifier: GPL-2.0
/*
 * Stress for nullfs_rs.ko: worker threads mount and unmount nullfs_rs and
 * rootfs_rs, look up, read, statfs, open and try to write, for a bounded
 * time, while one more thread unloads and reloads the module in a loop.
 *
 *	stress MODULE.ko SECONDS THREADS
 *
 * Prints how often each operation ran and how each failed, then one line
 * per pass criterion.  Exits non-zero if the module unloaded while a worker
 * held a mount, if a write-ish operation succeeded, if an operation failed
 * with an errno outside its expected set, or if the module does not unload
 * at the end.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/mount.h>

#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif

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
static atomic_bool stop;
static const char *module_path;

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
		return err == EWOULDBLOCK || err == ENOENT || err == EBUSY;
	case OP_INSMOD:
		return err == EEXIST || err == EBUSY;
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
		fprintf(stderr, "unexpected: %s: %s\n", op_names[op], strerror(err));
	}
}

static int insmod(void)
{
	int fd = open(module_path, O_RDONLY | O_CLOEXEC), ret;

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

		if (!mounted) {
			switch (next_random(&seed) % 3) {
			case 0:
				ret = mount("none", dir, "nullfs_rs", 0, NULL);
				check(OP_MOUNT_NULLFS, ret);
				break;
			case 1:
				ret = mount("none", dir, "rootfs_rs", 0, NULL);
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
			continue;
		}

		switch (next_random(&seed) % 8) {
		case 0:
			/* Not mounted from here on, as far as rmmod is concerned. */
			atomic_fetch_sub(&mounted_workers, 1);
			mounted = 0;
			check(OP_UMOUNT, umount2(dir, MNT_DETACH));
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
		atomic_fetch_sub(&mounted_workers, 1);
		check(OP_UMOUNT, umount2(dir, MNT_DETACH));
	}
	rmdir(dir);
	return NULL;
}

static void *unloader(void *unused)
{
	while (!atomic_load(&stop)) {
		int held = atomic_load(&mounted_workers);
		int ret = syscall(__NR_delete_module, "nullfs_rs", O_NONBLOCK);

		check(OP_RMMOD, ret);
		/* Workers count themselves in only once their mount exists. */
		if (!ret && held && atomic_load(&mounted_workers))
			atomic_fetch_add(&rmmod_while_mounted, 1);
		if (!ret)
			check(OP_INSMOD, insmod());
		usleep(1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t threads[64], unload;
	long total = 0, errs = 0;
	int seconds, nthreads, i, op, err, final;

	if (argc != 4) {
		fprintf(stderr, "usage: %s MODULE.ko SECONDS THREADS\n", argv[0]);
		return 2;
	}
	module_path = argv[1];
	seconds = atoi(argv[2]);
	nthreads = atoi(argv[3]);
	if (nthreads < 1 || nthreads > 64)
		return 2;
	if (insmod() && errno != EEXIST) {
		perror("insmod");
		return 1;
	}
	for (i = 0; i < nthreads; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(long)i);
	pthread_create(&unload, NULL, unloader, NULL);
	sleep(seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_join(unload, NULL);

	/* With every mount gone, the module must unload. */
	final = syscall(__NR_delete_module, "nullfs_rs", O_NONBLOCK);
	if (final && errno == ENOENT)
		final = 0;	/* the unloader's last rmmod was not followed by insmod */

	for (op = 0; op < NR_OPS; op++) {
		printf("%-18s %8ld", op_names[op], atomic_load(&calls[op]));
		total += atomic_load(&calls[op]);
		for (err = 1; err <= MAX_ERRNO; err++) {
			long n = atomic_load(&errors[op][err]);

			if (n) {
				printf("  %s %ld", strerrorname_np(err), n);
				errs += n;
			}
		}
		printf("\n");
	}
	printf("operations: %ld\n", total);
	printf("errors: %ld\n", errs);
	printf("unexpected errors: %ld\n", atomic_load(&unexpected));
	printf("write-ish successes: %ld\n", atomic_load(&write_successes));
	printf("rmmod successes while mounted: %ld\n", atomic_load(&rmmod_while_mounted));
	printf("final rmmod: %s\n", final ? strerror(errno) : "ok");
	return atomic_load(&unexpected) || atomic_load(&write_successes) ||
	       atomic_load(&rmmod_while_mounted) || final ? 1 : 0;
}
