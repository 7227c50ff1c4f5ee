/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the nullfs_rs kselftests: loading the module under test
 * and the mount API syscalls, called directly because the C library may be
 * older than the 7.3 uapi.
 */
#ifndef NULLFS_RS_SELFTEST_H
#define NULLFS_RS_SELFTEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>

#define NULLFS_RS_MODULE "nullfs_rs"

/*
 * The harness kills a test after 30 seconds, which under TCG on a shared
 * machine a test that loads the module 50 times can take with nothing
 * wrong.  TEST() reads this where it is used, so every test of a binary
 * that includes this header after the harness gets 300; the runner's
 * timeout (settings) still bounds the binary.
 */
#ifdef TEST_TIMEOUT_DEFAULT
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#endif

#ifndef MNT_DETACH
#define MNT_DETACH 2	/* from <sys/mount.h>, which clashes with <linux/mount.h> */
#endif

/* From <sys/mount.h>, which clashes with <linux/mount.h>. */
#ifndef MS_REC
#define MS_REC 16384
#endif
#ifndef MS_PRIVATE
#define MS_PRIVATE (1 << 18)
#endif
#ifndef MS_BIND
#define MS_BIND 4096
#endif

/*
 * In a child: if @cond does not hold, say where and why on stderr (as a TAP
 * comment), with the errno of a call in @cond that failed, and fail the
 * child.
 */
#define CHECK(cond, ...)							\
	do {									\
		errno = 0;							\
		if (!(cond)) {							\
			int err_ = errno;					\
			fprintf(stderr, "# child, line %d: ", __LINE__);	\
			fprintf(stderr, __VA_ARGS__);				\
			if (err_)						\
				fprintf(stderr, " (errno: %s)", strerror(err_));	\
			fputc('\n', stderr);					\
			return 1;						\
		}								\
	} while (0)

/* Whether a call returned -1 with errno @err. */
#define FAILS_WITH(call, err) ((call) == -1 && errno == (err))

static inline int sys_fsopen(const char *fsname, unsigned int flags)
{
	return syscall(__NR_fsopen, fsname, flags);
}

static inline int sys_fsconfig(int fd, unsigned int cmd, const char *key,
			       const void *value, int aux)
{
	return syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned int flags, unsigned int attrs)
{
	return syscall(__NR_fsmount, fd, flags, attrs);
}

static inline int sys_move_mount(int from_dfd, const char *from_path,
				 int to_dfd, const char *to_path,
				 unsigned int flags)
{
	return syscall(__NR_move_mount, from_dfd, from_path, to_dfd, to_path,
		       flags);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return syscall(__NR_pivot_root, new_root, put_old);
}

static inline int sys_mount(const char *src, const char *dst, const char *type,
			    unsigned long flags, const void *data)
{
	return syscall(__NR_mount, src, dst, type, flags, data);
}

static inline int sys_umount2(const char *dst, int flags)
{
	return syscall(__NR_umount2, dst, flags);
}

/* A new superblock of @fsname, as a detached mount (fsmount @flags). */
static inline int fs_new_mount(const char *fsname, unsigned int flags)
{
	int fsfd, mntfd, err;

	fsfd = sys_fsopen(fsname, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -1;
	if (sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = errno;
		close(fsfd);
		errno = err;
		return -1;
	}
	mntfd = sys_fsmount(fsfd, flags, 0);
	err = errno;
	close(fsfd);
	errno = err;
	return mntfd;
}

/*
 * Moves the calling process into a new user namespace where it is root
 * (mapped to the caller's ids) and into a new mount namespace owned by it.
 */
static inline int enter_userns(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int fd, n;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -1;
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		return -1;
	close(fd);
	n = snprintf(map, sizeof(map), "0 %d 1", uid);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, n) != n)
		return -1;
	close(fd);
	n = snprintf(map, sizeof(map), "0 %d 1", gid);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, n) != n)
		return -1;
	close(fd);
	return 0;
}

/*
 * Runs @fn in a child process and returns its exit status, or -1 if it did
 * not exit.  Namespace changes stay in the child.
 */
static inline int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * A private tmpfs on @dir, made anew: for everything a test creates, which
 * goes when the tmpfs is unmounted.
 */
static inline int private_tmpfs_at(const char *dir)
{
	sys_umount2(dir, MNT_DETACH);
	rmdir(dir);
	if (mkdir(dir, 0755) || sys_mount("tmpfs", dir, "tmpfs", 0, NULL))
		return -1;
	return sys_mount(NULL, dir, NULL, MS_PRIVATE, NULL);
}

/* Loads the module from $NULLFS_RS_KO; loaded already counts as success. */
static inline int load_module(void)
{
	const char *path = getenv("NULLFS_RS_KO");
	int fd, ret;

	if (!path) {
		errno = ENOENT;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	if (ret && errno == EEXIST)
		ret = 0;
	return ret;
}

static inline int unload_module(void)
{
	return syscall(__NR_delete_module, NULLFS_RS_MODULE, O_NONBLOCK);
}

/* Whether /proc/filesystems lists @name as a nodev type. */
static inline int fs_registered(const char *name)
{
	char line[256], want[128];
	int found = 0;
	FILE *f;

	snprintf(want, sizeof(want), "nodev\t%s\n", name);
	f = fopen("/proc/filesystems", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, want))
			found = 1;
	fclose(f);
	return found;
}

/* How many entries readdir yields for @dir, or -1. */
static inline int dir_entries(const char *dir)
{
	int entries = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while (readdir(d))
		entries++;
	closedir(d);
	return entries;
}

/* Whether reading @dir leaves its atime as it was (1), or not (0), or -1. */
static inline int readdir_keeps_atime(const char *dir)
{
	struct stat before, after;

	if (stat(dir, &before))
		return -1;
	usleep(20000);
	if (dir_entries(dir) < 0 || stat(dir, &after))
		return -1;
	return before.st_atim.tv_sec == after.st_atim.tv_sec &&
	       before.st_atim.tv_nsec == after.st_atim.tv_nsec;
}

/*
 * Inodes in use, from the inode slab (its constructor keeps SLUB from
 * merging it with any other cache).  Reclaimable dentries and inodes of
 * the other filesystems are dropped first, the slab is shrunk (which also
 * empties KASAN's quarantine of freed inodes), and RCU-freed inodes are
 * waited for until the count is below @below (if @below is positive) or
 * five seconds have passed.
 */
static inline long inodes_in_use(long below)
{
	char line[512], name[64];
	long active, n;
	int fd, i;
	FILE *f;

	for (i = 0; i < 250; i++) {
		active = -1;
		/* Both are best effort: without them the count is only higher. */
		fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, "2", 1);
			close(fd);
		}
		fd = open("/sys/kernel/slab/inode_cache/shrink", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, "1", 1);
			close(fd);
		}
		f = fopen("/proc/slabinfo", "re");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %ld", name, &n) == 2 &&
			    !strcmp(name, "inode_cache"))
				active = n;
		fclose(f);
		if (below <= 0 || active < below)
			break;
		usleep(20000);
	}
	return active;
}

#endif /* NULLFS_RS_SELFTEST_H */
