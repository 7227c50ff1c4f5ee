// SPDX-License-Identifier: GPL-2.0
/*
 * Parity with the in-tree C nullfs: the same battery of syscalls runs against
 * a nullfs_rs mount and against the C nullfs, which is the root of a mount
 * namespace made by unshare(UNSHARE_EMPTY_MNTNS).  Every return value, errno,
 * stat and statfs field must match; each difference is listed.
 *
 * Not compared, on purpose: st_dev, the values of timestamps (the C root
 * is made at boot, nullfs_rs's at its mount), and the mount flags in
 * statfs's f_flags, which belong to the mount and not to the filesystem.
 * What the timestamps are made of is compared: set, one time for all
 * three, with nanoseconds.
 */
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/openat2.h>
#include <linux/stat.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"
#include "battery.h"
#include "io_uring.h"

#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS 0x00100000
#endif


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
	/* Both roots set their times when made, at nanosecond granularity. */
	VALUE(b, "mtime set", st.st_mtim.tv_sec > 0);
	VALUE(b, "mtime has nanoseconds", st.st_mtim.tv_nsec != 0);
	VALUE(b, "atime is mtime", st.st_atim.tv_sec == st.st_mtim.tv_sec &&
				   st.st_atim.tv_nsec == st.st_mtim.tv_nsec);
	VALUE(b, "ctime is mtime", st.st_ctim.tv_sec == st.st_mtim.tv_sec &&
				   st.st_ctim.tv_nsec == st.st_mtim.tv_nsec);
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
	/* No owner change, so past the immutable check to ->setattr. */
	CALL(b, "chown -1 -1", chown(dir, -1, -1));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CALL(b, "fchownat empty -1 -1", fchownat(fd, "", -1, -1, AT_EMPTY_PATH));
	CALL(b, "fchown -1 -1", fchown(fd, -1, -1));
	close(fd);
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

/*
 * The calls that create a name or remove one, each on a name that is
 * missing.  With @remember, a lookup of the name comes first, so that
 * nullfs_rs holds the miss as a negative dentry when the call comes.
 */
static void run_on_missing_name(const char *dir, bool remember,
				struct battery *b)
{
	char path[64], other[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/missing", strcmp(dir, "/") ? dir : "");
	snprintf(other, sizeof(other), "%s/other", strcmp(dir, "/") ? dir : "");
#define AFTER_LOOKUP(what, expr) do {				\
	if (remember)						\
		VALUE(b, "lookup fails", stat(path, &st) < 0 && errno == ENOENT); \
	CALL(b, what, expr);					\
} while (0)
	AFTER_LOOKUP("mkdir", mkdir(path, 0755));
	AFTER_LOOKUP("mknod fifo", mknod(path, S_IFIFO | 0644, 0));
	AFTER_LOOKUP("mknod reg", mknod(path, S_IFREG | 0644, 0));
	AFTER_LOOKUP("symlink", symlink("/", path));
	AFTER_LOOKUP("link", link(dir, path));
	AFTER_LOOKUP("open creat", open(path, O_CREAT | O_WRONLY, 0644));
	AFTER_LOOKUP("open creat excl",
		     open(path, O_CREAT | O_EXCL | O_WRONLY, 0644));
	AFTER_LOOKUP("rename onto", rename(other, path));
	AFTER_LOOKUP("rename noreplace onto",
		     renameat2(AT_FDCWD, other, AT_FDCWD, path, RENAME_NOREPLACE));
	AFTER_LOOKUP("rename from", rename(path, other));
	AFTER_LOOKUP("unlink", unlink(path));
	AFTER_LOOKUP("rmdir", rmdir(path));
	AFTER_LOOKUP("open", open(path, O_RDONLY));
	AFTER_LOOKUP("stat", stat(path, &st));
#undef AFTER_LOOKUP
}

/*
 * Names longer than NAME_MAX (255): a component of 256 bytes and one of
 * 4,000, within PATH_MAX.  No directory can hold such a name, so both
 * filesystems answer as for any missing name; nullfs_rs must also keep
 * nothing of it (see long_names_are_not_remembered).
 */
static void run_long_names(const char *dir, struct battery *b)
{
	static const size_t lengths[] = { 256, 4000 };
	static char path[PATH_MAX];
	struct stat st;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(lengths); i++) {
		n = snprintf(path, sizeof(path), "%s/", strcmp(dir, "/") ? dir : "");
		memset(path + n, 'x', lengths[i]);
		path[n + lengths[i]] = '\0';
		CALL(b, "long stat", stat(path, &st));
		CALL(b, "long stat again", stat(path, &st));
		CALL(b, "long open", open(path, O_RDONLY));
		CALL(b, "long mkdir", mkdir(path, 0755));
		CALL(b, "long open creat", open(path, O_CREAT | O_WRONLY, 0644));
		CALL(b, "long symlink", symlink("/", path));
		CALL(b, "long unlink", unlink(path));
		CALL(b, "long rmdir", rmdir(path));
		/* As a middle component too. */
		strcat(path, "/name");
		CALL(b, "long middle stat", stat(path, &st));
	}
}

static void run_fresh(const char *dir, struct battery *b)
{
	run_on_missing_name(dir, false, b);
}

static void run_remembered(const char *dir, struct battery *b)
{
	run_on_missing_name(dir, true, b);
}

/*
 * @run against the C nullfs, the root of a new empty mount namespace; made
 * in a new user namespace (in the child) if @userns, as a container's
 * runtime would.
 */
static int run_on_c_nullfs(void (*run)(const char *dir, struct battery *b),
			   bool userns, struct battery *b)
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
		if ((userns && enter_userns()) || unshare(UNSHARE_EMPTY_MNTNS))
			_exit(1);
		run("/", &mine);
		_exit(write(pipefd[1], &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
	}
	close(pipefd[1]);
	n = read(pipefd[0], b, sizeof(*b));
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return n == sizeof(*b) && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * The results of @b against those of @a, call by call (the lookups that
 * only remember a name are left out); logs and counts the differences.
 */
static int compare(struct __test_metadata *_metadata,
		   const struct battery *a, const char *a_name,
		   const struct battery *b, const char *b_name)
{
	const struct result *x = a->r, *y = b->r;
	const struct result *x_end = x + a->count, *y_end = y + b->count;
	int differences = 0;

	for (;; x++, y++) {
		while (x < x_end && !strcmp(x->what, "lookup fails"))
			x++;
		while (y < y_end && !strcmp(y->what, "lookup fails")) {
			/* The lookup before each call must have failed. */
			differences += y->value != 1;
			y++;
		}
		if (x == x_end || y == y_end)
			break;
		if (x->value == y->value && x->err == y->err)
			continue;
		differences++;
		TH_LOG("%s: %s %lld (%s), %s %lld (%s)", x->what, a_name,
		       x->value, strerror(x->err), b_name, y->value,
		       strerror(y->err));
	}
	return differences + (x != x_end) + (y != y_end);
}

TEST(same_results_as_c_nullfs)
{
	static struct battery c_side, rust_side;
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	int differences;

	ASSERT_EQ(0, run_on_c_nullfs(run_battery, false, &c_side))
		TH_LOG("unshare(UNSHARE_EMPTY_MNTNS) did not give a C nullfs root");
	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));
	run_battery(dir, &rust_side);
	sys_umount2(dir, 0);
	rmdir(dir);

	differences = compare(_metadata, &c_side, "C nullfs", &rust_side, "nullfs_rs");
	TH_LOG("%d results compared", c_side.count);
	EXPECT_EQ(0, differences);
}

/* @run on a new nullfs_rs mount on a new directory; in a new user namespace
 * (in a child) if @userns. */
static int run_on_nullfs_rs(void (*run)(const char *dir, struct battery *b),
			    bool userns, struct battery *b)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	int pipefd[2], status, ok;
	pid_t pid;

	if (!mkdtemp(dir) || pipe(pipefd))
		return -1;
	pid = userns ? fork() : 0;
	if (pid < 0)
		return -1;
	if (pid == 0) {
		ok = (!userns || !enter_userns()) &&
		     !sys_mount("none", dir, "nullfs_rs", 0, NULL);
		if (ok) {
			run(dir, b);
			sys_umount2(dir, 0);
		}
		if (userns)
			_exit(ok && write(pipefd[1], b, sizeof(*b)) == sizeof(*b) ? 0 : 1);
	} else {
		ok = read(pipefd[0], b, sizeof(*b)) == sizeof(*b) &&
		     waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		     !WEXITSTATUS(status);
	}
	close(pipefd[0]);
	close(pipefd[1]);
	rmdir(dir);
	return ok ? 0 : -1;
}

/*
 * A name looked up first, so remembered as missing, fails every creation and
 * removal as a fresh name does, and as on the C nullfs: as root and in a user
 * namespace.
 */
TEST(remembered_misses_answer_as_fresh_names)
{
	static struct battery c_fresh, fresh, remembered, c_userns_fresh,
			      userns_fresh, userns_remembered;
	int differences;

	ASSERT_EQ(0, run_on_c_nullfs(run_fresh, false, &c_fresh));
	ASSERT_EQ(0, run_on_c_nullfs(run_fresh, true, &c_userns_fresh));
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, run_on_nullfs_rs(run_fresh, false, &fresh));
	ASSERT_EQ(0, run_on_nullfs_rs(run_remembered, false, &remembered));
	ASSERT_EQ(0, run_on_nullfs_rs(run_fresh, true, &userns_fresh));
	ASSERT_EQ(0, run_on_nullfs_rs(run_remembered, true, &userns_remembered));

	differences = compare(_metadata, &c_fresh, "C nullfs", &fresh, "nullfs_rs");
	differences += compare(_metadata, &c_fresh, "C nullfs", &remembered,
			       "nullfs_rs, remembered");
	differences += compare(_metadata, &c_userns_fresh, "C nullfs in a userns",
			       &userns_fresh, "nullfs_rs in a userns");
	differences += compare(_metadata, &c_userns_fresh, "C nullfs in a userns",
			       &userns_remembered, "nullfs_rs in a userns, remembered");
	TH_LOG("%d calls compared", c_fresh.count);
	EXPECT_EQ(0, differences);
}

/* Names over NAME_MAX get C nullfs's answers, as root and in a user
 * namespace. */
TEST(long_names_as_c_nullfs)
{
	static struct battery c_side, c_userns_side, rust_side, userns_side;
	int differences;


	ASSERT_EQ(0, run_on_c_nullfs(run_long_names, false, &c_side));
	ASSERT_EQ(0, run_on_c_nullfs(run_long_names, true, &c_userns_side));
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, run_on_nullfs_rs(run_long_names, false, &rust_side));
	ASSERT_EQ(0, run_on_nullfs_rs(run_long_names, true, &userns_side));

	differences = compare(_metadata, &c_side, "C nullfs", &rust_side, "nullfs_rs");
	differences += compare(_metadata, &c_userns_side, "C nullfs in a userns",
			       &userns_side, "nullfs_rs in a userns");
	TH_LOG("%d calls compared", c_side.count);
	EXPECT_EQ(0, differences);
}

/* The kernel's count of dentries in use (/proc/sys/fs/dentry-state). */
static long nr_dentries(void)
{
	long nr = -1;
	FILE *f = fopen("/proc/sys/fs/dentry-state", "r");

	if (f) {
		if (fscanf(f, "%ld", &nr) != 1)
			nr = -1;
		fclose(f);
	}
	return nr;
}

/*
 * @count lookups of distinct missing names of @length bytes under @dir;
 * returns how many dentries they left.
 */
static long dentries_left_by(const char *dir, size_t length, int count)
{
	static char path[PATH_MAX];
	struct stat st;
	long before;
	size_t n;
	int i;

	n = snprintf(path, sizeof(path), "%s/", dir);
	memset(path + n, 'y', length);
	path[n + length] = '\0';
	before = nr_dentries();
	for (i = 0; i < count; i++) {
		/* A distinct name each time: the first bytes count up. */
		snprintf(path + n, 9, "%08d", i);
		path[n + 8] = 'y';
		stat(path, &st);
	}
	return nr_dentries() - before;
}

/*
 * A miss of a name over NAME_MAX is not remembered: distinct long names
 * leave no dentries behind, where as many short ones leave one each (the
 * control, which shows that the count sees remembered misses).
 */
TEST(long_names_are_not_remembered)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	const int count = 5000;
	long short_left, long_left, huge_left;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));
	short_left = dentries_left_by(dir, 255, count);
	long_left = dentries_left_by(dir, 256, count);
	huge_left = dentries_left_by(dir, 4000, count);
	EXPECT_EQ(0, sys_umount2(dir, 0));
	rmdir(dir);

	TH_LOG("dentries left by %d misses: 255 bytes %ld, 256 bytes %ld, 4000 bytes %ld",
	       count, short_left, long_left, huge_left);
	EXPECT_GE(short_left, count * 9 / 10);
	EXPECT_LT(long_left, count / 10);
	EXPECT_LT(huge_left, count / 10);
}

/*
 * Whether reading the root of a new @type mount moves its atime, with
 * MS_STRICTATIME so that every read would (under relatime only the first
 * read after a change does, which an earlier read may have used up).
 * Returns 1 if it moved, 0 if not, -1 on error.
 */
static int readdir_moves_atime(const char *type)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	struct stat before, after;
	int moved = -1;
	DIR *d;

	if (!mkdtemp(dir))
		return -1;
	if (!sys_mount("none", dir, type, MS_STRICTATIME, NULL)) {
		if (!stat(dir, &before)) {
			/* Past the timestamp granularity of any filesystem. */
			usleep(20000);
			d = opendir(dir);
			while (d && readdir(d))
				;
			if (d)
				closedir(d);
			if (!stat(dir, &after))
				moved = before.st_atim.tv_sec != after.st_atim.tv_sec ||
					before.st_atim.tv_nsec != after.st_atim.tv_nsec;
		}
		sys_umount2(dir, 0);
	}
	rmdir(dir);
	return moved;
}

/*
 * A read leaves no trace on nullfs_rs (S_NOATIME), as on the C nullfs,
 * even with strictatime; on tmpfs, the control, the same read moves the
 * atime, so the check sees a change when there is one.
 */
TEST(reading_leaves_atime_alone)
{
	ASSERT_EQ(0, load_module());
	EXPECT_EQ(1, readdir_moves_atime("tmpfs"));
	EXPECT_EQ(0, readdir_moves_atime("nullfs_rs"));
}

/* openat2() of @path that only answers from the dcache (RESOLVE_CACHED). */
static long open_cached(const char *path)
{
	struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_CACHED };

	return syscall(__NR_openat2, AT_FDCWD, path, &how, sizeof(how));
}

static void run_cached(const char *dir, struct battery *b)
{
	char path[64];
	struct stat st;
	long fd;

	snprintf(path, sizeof(path), "%s/cached", strcmp(dir, "/") ? dir : "");
	fd = open_cached(dir);
	CALL(b, "cached open of the root", fd < 0 ? fd : 0);
	if (fd >= 0)
		close(fd);
	CALL(b, "cached open, fresh name", open_cached(path));
	CALL(b, "lookup", stat(path, &st));
	CALL(b, "cached open, name looked up", open_cached(path));
}

/*
 * openat2(RESOLVE_CACHED) of a missing name, fresh and looked up before.
 * The C nullfs keeps nothing, so the walk must leave the dcache: EAGAIN
 * both times.  nullfs_rs remembers the miss, but does not let a cached-only
 * walk take it (its d_revalidate sends LOOKUP_CACHED out of RCU-walk):
 * EAGAIN both times too, so that whoever shares an instance cannot tell
 * which names someone else looked up (mntns_instance's
 * no_channel_between_containers).
 */
TEST(resolve_cached_does_not_tell_remembered_misses)
{
	static struct battery c_side, rust_side;

	ASSERT_EQ(0, run_on_c_nullfs(run_cached, false, &c_side));
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, run_on_nullfs_rs(run_cached, false, &rust_side));
	ASSERT_EQ(4, c_side.count);
	ASSERT_EQ(4, rust_side.count);
	EXPECT_EQ(0, compare(_metadata, &c_side, "C nullfs", &rust_side, "nullfs_rs"));

	/* The root is in the dcache; a missing name never answers from it. */
	EXPECT_EQ(0, rust_side.r[0].value);
	EXPECT_EQ(EAGAIN, rust_side.r[1].err);
	EXPECT_EQ(ENOENT, rust_side.r[2].err);
	EXPECT_EQ(EAGAIN, rust_side.r[3].err);
}

/* The whole battery again, both sides in a user namespace of their own. */
TEST(same_results_as_c_nullfs_in_a_user_namespace)
{
	static struct battery c_side, rust_side;
	int differences;

	ASSERT_EQ(0, run_on_c_nullfs(run_battery, true, &c_side))
		TH_LOG("no C nullfs root in a user namespace");
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, run_on_nullfs_rs(run_battery, true, &rust_side));

	differences = compare(_metadata, &c_side, "C nullfs in a userns", &rust_side,
			      "nullfs_rs in a userns");
	TH_LOG("%d results compared", c_side.count);
	EXPECT_EQ(0, differences);
}

/*
 * One io_uring request, recorded as CALL records a syscall: the fd an open
 * gives counts as 0 (and is closed), a failure as -1 with its errno.
 */
static void uring_call(struct battery *b, const char *what, struct uring *ring,
		       const struct io_uring_sqe *sqe, bool gives_fd)
{
	int res;

	if (uring_run(ring, sqe, &res)) {
		record(b, what, -1, errno);
		return;
	}
	if (res >= 0 && gives_fd) {
		close(res);
		res = 0;
	}
	record(b, what, res < 0 ? -1 : res, -res);
}

static void uring_openat(struct battery *b, const char *what, struct uring *ring,
			 const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	struct io_uring_sqe sqe;

	if (flags & (O_CREAT | O_TMPFILE))
		how.mode = 0600;
	uring_prep_openat(&sqe, AT_FDCWD, path, &how);
	uring_call(b, what, ring, &sqe, true);
}

static void uring_statx(struct battery *b, const char *what, struct uring *ring,
			const char *path)
{
	struct io_uring_sqe sqe;
	struct statx stx;

	memset(&stx, 0, sizeof(stx));
	uring_prep_statx(&sqe, AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx);
	uring_call(b, what, ring, &sqe, false);
	VALUE(b, "stx_mode", stx.stx_mode);
	VALUE(b, "stx_nlink", stx.stx_nlink);
	VALUE(b, "stx_uid", stx.stx_uid);
	VALUE(b, "stx_gid", stx.stx_gid);
	VALUE(b, "stx_size", stx.stx_size);
	VALUE(b, "stx_attributes", stx.stx_attributes & stx.stx_attributes_mask);
}

/*
 * IORING_OP_OPENAT and IORING_OP_STATX on the root, on fresh missing
 * names and on a name looked up before, which nullfs_rs remembers as
 * missing.  io_uring first tries an open without blocking, walking the
 * dcache only (LOOKUP_CACHED), and hands it to a worker if that walk gives
 * up; so a remembered miss fails at once on nullfs_rs and in the worker
 * on the C nullfs, with the same ENOENT.
 */
static void run_io_uring(const char *dir, struct battery *b)
{
	char fresh[64], fresh2[64], remembered[64];
	struct uring ring;
	struct stat st;

	snprintf(fresh, sizeof(fresh), "%s/fresh", strcmp(dir, "/") ? dir : "");
	snprintf(fresh2, sizeof(fresh2), "%s/fresh2", strcmp(dir, "/") ? dir : "");
	snprintf(remembered, sizeof(remembered), "%s/remembered", strcmp(dir, "/") ? dir : "");
	if (uring_init(&ring)) {
		record(b, "io_uring_setup", -1, errno);
		return;
	}
	uring_openat(b, "openat root", &ring, dir, O_RDONLY | O_DIRECTORY, 0);
	uring_openat(b, "openat root wronly", &ring, dir, O_WRONLY, 0);
	uring_openat(b, "openat root tmpfile", &ring, dir, O_TMPFILE | O_WRONLY, 0);
	uring_statx(b, "statx root", &ring, dir);
	uring_openat(b, "openat fresh", &ring, fresh, O_RDONLY, 0);
	uring_openat(b, "openat fresh again", &ring, fresh, O_RDONLY, 0);
	uring_statx(b, "statx fresh2", &ring, fresh2);
	uring_statx(b, "statx fresh2 again", &ring, fresh2);
	uring_openat(b, "openat creat", &ring, fresh, O_CREAT | O_WRONLY, 0);
	VALUE(b, "lookup fails", stat(remembered, &st) < 0 && errno == ENOENT);
	uring_openat(b, "openat remembered", &ring, remembered, O_RDONLY, 0);
	uring_statx(b, "statx remembered", &ring, remembered);
	uring_openat(b, "openat remembered, creat", &ring, remembered, O_CREAT | O_WRONLY, 0);
	uring_openat(b, "openat2 remembered, beneath", &ring, remembered, O_RDONLY,
		     RESOLVE_BENEATH);
	uring_openat(b, "openat2 root, cached", &ring, dir, O_RDONLY, RESOLVE_CACHED);
	uring_exit(&ring);
}

/* io_uring's openat and statx as the C nullfs answers them: as root and in a userns. */
TEST(io_uring_same_results_as_c_nullfs)
{
	static struct battery c_side, c_userns_side, rust_side, userns_side;
	int differences;

	ASSERT_EQ(0, run_on_c_nullfs(run_io_uring, false, &c_side));
	ASSERT_EQ(0, run_on_c_nullfs(run_io_uring, true, &c_userns_side));
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, run_on_nullfs_rs(run_io_uring, false, &rust_side));
	ASSERT_EQ(0, run_on_nullfs_rs(run_io_uring, true, &userns_side));

	differences = compare(_metadata, &c_side, "C nullfs", &rust_side, "nullfs_rs");
	differences += compare(_metadata, &c_userns_side, "C nullfs in a userns",
			       &userns_side, "nullfs_rs in a userns");
	TH_LOG("%d results compared", c_side.count);
	EXPECT_EQ(0, differences);
	/* The rows ran on every side: the ring was set up and the root opened. */
	ASSERT_LT(0, c_side.count);
	EXPECT_STREQ("openat root", c_side.r[0].what);
	EXPECT_EQ(0, c_side.r[0].value);
	ASSERT_LT(0, c_userns_side.count);
	EXPECT_STREQ("openat root", c_userns_side.r[0].what);
	EXPECT_EQ(0, c_userns_side.r[0].value);
	ASSERT_LT(0, rust_side.count);
	EXPECT_STREQ("openat root", rust_side.r[0].what);
	EXPECT_EQ(0, rust_side.r[0].value);
	ASSERT_LT(0, userns_side.count);
	EXPECT_STREQ("openat root", userns_side.r[0].what);
	EXPECT_EQ(0, userns_side.r[0].value);
}

static void run_io_uring_cached(const char *dir, struct battery *b)
{
	char path[64];
	struct uring ring;
	struct stat st;

	snprintf(path, sizeof(path), "%s/cached", strcmp(dir, "/") ? dir : "");
	if (uring_init(&ring)) {
		record(b, "io_uring_setup", -1, errno);
		return;
	}
	uring_openat(b, "cached openat, fresh name", &ring, path, O_RDONLY, RESOLVE_CACHED);
	CALL(b, "lookup", stat(path, &st));
	uring_openat(b, "cached openat, name looked up", &ring, path, O_RDONLY, RESOLVE_CACHED);
	uring_openat(b, "openat, name looked up", &ring, path, O_RDONLY, 0);
	uring_exit(&ring);
}

/*
 * openat2(RESOLVE_CACHED) through io_uring: EAGAIN for a missing name on
 * both, looked up before or not, which io_uring passes on when the caller
 * asked for RESOLVE_CACHED.  Without it, the caller sees ENOENT on both:
 * io_uring's own cached attempt is retried in a worker.
 */
TEST(io_uring_resolve_cached_does_not_tell_remembered_misses)
{
	static struct battery c_side, rust_side;

	ASSERT_EQ(0, run_on_c_nullfs(run_io_uring_cached, false, &c_side));
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, run_on_nullfs_rs(run_io_uring_cached, false, &rust_side));
	ASSERT_EQ(4, c_side.count);
	ASSERT_EQ(4, rust_side.count);
	EXPECT_EQ(0, compare(_metadata, &c_side, "C nullfs", &rust_side, "nullfs_rs"));

	EXPECT_EQ(EAGAIN, rust_side.r[0].err);
	EXPECT_EQ(ENOENT, rust_side.r[1].err);
	EXPECT_EQ(EAGAIN, rust_side.r[2].err);
	EXPECT_EQ(ENOENT, rust_side.r[3].err);
}

TEST_HARNESS_MAIN
