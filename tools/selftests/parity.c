// SPDX-License-Identifier: GPL-2.0
/*
 * Parity with the in-tree C nullfs: the same battery of syscalls runs against
 * a nullfs_rs mount and against the C nullfs, which is the root of a mount
 * namespace made by unshare(UNSHARE_EMPTY_MNTNS).  Every return value, errno,
 * stat and statfs field must match; each difference is listed.
 *
 * Not compared, on purpose: st_dev, timestamps, and the mount flags in
 * statfs's f_flags, which belong to the mount and not to the filesystem.
 */
#include <dirent.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/stat.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS 0x00100000
#endif

#define MAX_RESULTS 96

struct result {
	char what[40];
	long long value;
	int err;
};

struct battery {
	int count;
	struct result r[MAX_RESULTS];
};

static void record(struct battery *b, const char *what, long long value, int err)
{
	struct result *r;

	if (b->count == MAX_RESULTS)
		return;
	r = &b->r[b->count++];
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->value = value;
	r->err = value < 0 ? err : 0;
}

/* A call: its return value and, if it failed, its errno. */
#define CALL(b, what, expr) do {				\
	long long __v;						\
	errno = 0;						\
	__v = (long long)(expr);				\
	record(b, what, __v, errno);				\
} while (0)
/* A value that is not a return code. */
#define VALUE(b, what, expr) record(b, what, (long long)(expr), 0)

static void run_battery(const char *dir, struct battery *b)
{
	struct timespec times[2] = { { 0, 0 }, { 0, 0 } };
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct file_handle *fh;
	char path[64], other[64], buf[64];
	struct stat st, st2;
	struct statx stx;
	struct statfs sfs;
	struct dirent *de;
	int fd, ifd, mount_id, n;
	DIR *d;

	snprintf(path, sizeof(path), "%s/name", strcmp(dir, "/") ? dir : "");
	snprintf(other, sizeof(other), "%s/other", strcmp(dir, "/") ? dir : "");

	CALL(b, "stat", stat(dir, &st));
	VALUE(b, "st_mode", st.st_mode);
	VALUE(b, "st_nlink", st.st_nlink);
	VALUE(b, "st_uid", st.st_uid);
	VALUE(b, "st_gid", st.st_gid);
	VALUE(b, "st_ino", st.st_ino);
	VALUE(b, "st_size", st.st_size);
	VALUE(b, "st_blocks", st.st_blocks);
	VALUE(b, "st_blksize", st.st_blksize);
	VALUE(b, "st_rdev", st.st_rdev);
	CALL(b, "statx", statx(AT_FDCWD, dir, 0, STATX_BASIC_STATS, &stx));
	VALUE(b, "stx_attributes", stx.stx_attributes & stx.stx_attributes_mask);

	CALL(b, "statfs", statfs(dir, &sfs));
	VALUE(b, "f_type", sfs.f_type);
	VALUE(b, "f_bsize", sfs.f_bsize);
	VALUE(b, "f_frsize", sfs.f_frsize);
	VALUE(b, "f_namelen", sfs.f_namelen);
	VALUE(b, "f_blocks", sfs.f_blocks);
	VALUE(b, "f_bfree", sfs.f_bfree);
	VALUE(b, "f_files", sfs.f_files);
	VALUE(b, "f_ffree", sfs.f_ffree);

	d = opendir(dir);
	n = 0;
	while (d && (de = readdir(d)))
		n += (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) &&
		     de->d_type == DT_DIR ? 1 : 1000;
	VALUE(b, "readdir entries", n);
	if (d)
		closedir(d);

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CALL(b, "open dir", fd < 0 ? -1 : 0);
	CALL(b, "lseek 1 SET", lseek(fd, 1, SEEK_SET));
	CALL(b, "lseek 0 END", lseek(fd, 0, SEEK_END));
	CALL(b, "lseek 3 SET", lseek(fd, 3, SEEK_SET));
	CALL(b, "lseek -1 SET", lseek(fd, -1, SEEK_SET));
	CALL(b, "lseek 1 CUR", lseek(fd, 1, SEEK_CUR));
	CALL(b, "lseek 0 DATA", lseek(fd, 0, SEEK_DATA));
	CALL(b, "read", read(fd, buf, sizeof(buf)));
	CALL(b, "write", write(fd, buf, 1));
	CALL(b, "fsync", fsync(fd));
	CALL(b, "fdatasync", fdatasync(fd));
	CALL(b, "flock SH", flock(fd, LOCK_SH));
	CALL(b, "flock EX|NB", flock(fd, LOCK_EX | LOCK_NB));
	CALL(b, "flock UN", flock(fd, LOCK_UN));
	CALL(b, "F_SETLK", fcntl(fd, F_SETLK, &fl));
	CALL(b, "F_GETLK", fcntl(fd, F_GETLK, &fl));
	CALL(b, "F_OFD_SETLK", fcntl(fd, F_OFD_SETLK, &fl));
	CALL(b, "fallocate", fallocate(fd, 0, 0, 4096));
	CALL(b, "ftruncate", ftruncate(fd, 0));
	CALL(b, "fchmod", fchmod(fd, 0700));
	CALL(b, "mmap", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) ==
			MAP_FAILED ? -1 : 0);
	CALL(b, "openat name", openat(fd, "name", O_RDONLY));
	CALL(b, "mkdirat name", mkdirat(fd, "name", 0755));
	close(fd);

	CALL(b, "stat name", stat(path, &st2));
	CALL(b, "open name", open(path, O_RDONLY));
	CALL(b, "open creat", open(path, O_CREAT | O_WRONLY, 0644));
	CALL(b, "open creat excl", open(path, O_CREAT | O_EXCL | O_WRONLY, 0644));
	CALL(b, "open tmpfile", open(dir, O_TMPFILE | O_WRONLY, 0600));
	CALL(b, "open dir wronly", open(dir, O_WRONLY));
	CALL(b, "open dir rdwr", open(dir, O_RDWR));
	CALL(b, "mkdir", mkdir(path, 0755));
	CALL(b, "mknod fifo", mknod(path, S_IFIFO | 0644, 0));
	CALL(b, "mknod chr", mknod(path, S_IFCHR | 0644, makedev(1, 3)));
	CALL(b, "symlink", symlink("/", path));
	CALL(b, "link dir", link(dir, path));
	CALL(b, "rename", rename(path, other));
	CALL(b, "unlink", unlink(path));
	CALL(b, "rmdir name", rmdir(path));
	CALL(b, "readlink", readlink(path, buf, sizeof(buf)));
	CALL(b, "chmod", chmod(dir, 0777));
	CALL(b, "chown", chown(dir, 1, 1));
	CALL(b, "chown same", chown(dir, 0, 0));
	CALL(b, "utimensat zero", utimensat(AT_FDCWD, dir, times, 0));
	CALL(b, "utimensat now", utimensat(AT_FDCWD, dir, NULL, 0));
	CALL(b, "truncate", truncate(dir, 0));
	CALL(b, "access W", access(dir, W_OK));
	CALL(b, "access RX", access(dir, R_OK | X_OK));
	CALL(b, "setxattr", setxattr(dir, "user.x", "1", 1, 0));
	CALL(b, "setxattr trusted", setxattr(dir, "trusted.x", "1", 1, 0));
	CALL(b, "getxattr", getxattr(dir, "user.x", buf, sizeof(buf)));
	CALL(b, "listxattr", listxattr(dir, buf, sizeof(buf)));
	CALL(b, "listxattr size", listxattr(dir, NULL, 0));
	CALL(b, "removexattr", removexattr(dir, "user.x"));

	ifd = inotify_init1(IN_CLOEXEC);
	CALL(b, "inotify_add_watch", inotify_add_watch(ifd, dir, IN_ALL_EVENTS));
	close(ifd);

	fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
	if (fh) {
		fh->handle_bytes = MAX_HANDLE_SZ;
		CALL(b, "name_to_handle_at",
		     name_to_handle_at(AT_FDCWD, dir, fh, &mount_id, 0));
		free(fh);
	}

	/* Reading the directory leaves its atime as it was. */
	stat(dir, &st);
	usleep(20000);
	d = opendir(dir);
	while (d && readdir(d))
		;
	if (d)
		closedir(d);
	stat(dir, &st2);
	VALUE(b, "atime unchanged", st.st_atim.tv_sec == st2.st_atim.tv_sec &&
				    st.st_atim.tv_nsec == st2.st_atim.tv_nsec);
}

/* The battery against the C nullfs, the root of a new empty mount namespace. */
static int run_on_c_nullfs(struct battery *b)
{
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct battery mine = { 0 };

		close(pipefd[0]);
		if (unshare(UNSHARE_EMPTY_MNTNS))
			_exit(1);
		run_battery("/", &mine);
		_exit(write(pipefd[1], &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
	}
	close(pipefd[1]);
	n = read(pipefd[0], b, sizeof(*b));
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return n == sizeof(*b) && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

TEST(same_results_as_c_nullfs)
{
	static struct battery c_side, rust_side;
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	int i, differences = 0;

	ASSERT_EQ(0, run_on_c_nullfs(&c_side))
		TH_LOG("unshare(UNSHARE_EMPTY_MNTNS) did not give a C nullfs root");
	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));
	run_battery(dir, &rust_side);
	sys_umount2(dir, 0);
	rmdir(dir);

	ASSERT_EQ(c_side.count, rust_side.count);
	for (i = 0; i < c_side.count; i++) {
		struct result *c = &c_side.r[i], *r = &rust_side.r[i];

		if (c->value == r->value && c->err == r->err)
			continue;
		differences++;
		TH_LOG("%s: C nullfs %lld (%s), nullfs_rs %lld (%s)", c->what,
		       c->value, strerror(c->err), r->value, strerror(r->err));
	}
	TH_LOG("%d results compared", c_side.count);
	EXPECT_EQ(0, differences);
}

TEST_HARNESS_MAIN
