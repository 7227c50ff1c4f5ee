// SPDX-License-Identifier: GPL-2.0
/*
 * nullfs_rs's file masks (mount option "file"): an empty regular file that
 * keeps the contract of C nullfs's nullfs_new_file().
 *
 * The C file is reachable from userspace: it stands in for a file mount
 * that an unmounted parent left covered (__lookup_mnt() in 7.3's
 * fs/namespace.c).  A child process mounts a tmpfs P in a mount namespace
 * of its own and binds a file over P/file; this process holds P through
 * /proc/CHILD/root and removes P's mountpoint in its own namespace, which
 * unmounts P and leaves the cover.  openat(P, "file") then opens C's file.
 *
 * same_answers_as_c_file: one battery of syscalls on C's file and on a
 * nullfs_rs file mask; every answer must be the same.
 * answers_against_dev_null: the same battery on /dev/null, the runtimes'
 * file mask today; the answers that differ are named, each with its
 * reason, and no other may differ.
 * mounts_over_files: mount(2), fsmount() and move_mount(), in a user
 * namespace too, and the options' errors through the context's log.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/magic.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"
#include "battery.h"

#define BASE "/tmp/nullfs_rs_file_mask"

static long long ns_of(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* An open of @name under @dfd; the fd, or -1. */
static int open_at(struct battery *b, const char *what, int dfd, const char *name,
		   int flags)
{
	int fd;

	errno = 0;
	fd = openat(dfd, name, flags | O_CLOEXEC);
	record(b, what, fd < 0 ? -1 : 0, errno);
	return fd;
}

/*
 * The battery: @dfd and @name name the file.  What is not recorded: the
 * device and inode numbers, the owner (a device node belongs to whoever
 * made it) and the timestamps' values; whether a call moved them is.
 */
static void run_file_battery(int dfd, const char *name, struct battery *b)
{
	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st, st2;
	struct statfs sfs;
	char buf[16], path[64];
	int fd, pipefd[2], out;
	void *map;

	fd = open_at(b, "open O_RDONLY", dfd, name, O_RDONLY);
	if (fd < 0)
		return;
	CALL(b, "fstat", fstat(fd, &st));
	VALUE(b, "file type", st.st_mode & S_IFMT);
	VALUE(b, "permission bits", st.st_mode & 07777);
	VALUE(b, "links", st.st_nlink);
	VALUE(b, "size", st.st_size);
	VALUE(b, "blocks", st.st_blocks);
	VALUE(b, "rdev", st.st_rdev);
	CALL(b, "read", read(fd, buf, sizeof(buf)));
	CALL(b, "pread at 4096", pread(fd, buf, sizeof(buf), 4096));
	CALL(b, "fstat after reads", fstat(fd, &st2));
	VALUE(b, "atime moved by reads", ns_of(&st2.st_atim) != ns_of(&st.st_atim));
	CALL(b, "lseek SEEK_SET 100", lseek(fd, 100, SEEK_SET));
	CALL(b, "lseek SEEK_CUR 5", lseek(fd, 5, SEEK_CUR));
	CALL(b, "lseek SEEK_END 0", lseek(fd, 0, SEEK_END));
	CALL(b, "lseek SEEK_DATA 0", lseek(fd, 0, SEEK_DATA));
	CALL(b, "lseek SEEK_HOLE 0", lseek(fd, 0, SEEK_HOLE));
	CALL(b, "ioctl FIONREAD", ioctl(fd, FIONREAD, &out));
	CALL(b, "flock LOCK_EX", flock(fd, LOCK_EX | LOCK_NB));
	CALL(b, "flock LOCK_SH", flock(fd, LOCK_SH | LOCK_NB));
	fl.l_type = F_RDLCK;
	CALL(b, "F_SETLK read lock", fcntl(fd, F_SETLK, &fl));
	CALL(b, "F_OFD_SETLK read lock", fcntl(fd, F_OFD_SETLK, &fl));
	CALL(b, "F_SETLEASE F_RDLCK", fcntl(fd, F_SETLEASE, F_RDLCK));
	fcntl(fd, F_SETLEASE, F_UNLCK);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CALL(b, "mmap", map == MAP_FAILED ? -1 : 0);
	if (map != MAP_FAILED)
		munmap(map, 4096);
	CALL(b, "fgetxattr user.x", fgetxattr(fd, "user.x", buf, sizeof(buf)));
	CALL(b, "flistxattr", flistxattr(fd, buf, sizeof(buf)));
	CALL(b, "fstatfs", fstatfs(fd, &sfs));
	VALUE(b, "f_type", sfs.f_type);
	CALL(b, "openat below it", openat(fd, "x", O_RDONLY | O_CLOEXEC));
	CALL(b, "fchmod 0600", fchmod(fd, 0600));
	CALL(b, "fchown 0 0", fchown(fd, 0, 0));
	CALL(b, "fchown -1 -1", fchown(fd, -1, -1));
	CALL(b, "fstat before futimens", fstat(fd, &st));
	CALL(b, "futimens now", futimens(fd, NULL));
	CALL(b, "fstat after futimens", fstat(fd, &st2));
	VALUE(b, "mtime moved by futimens", ns_of(&st2.st_mtim) != ns_of(&st.st_mtim));
	VALUE(b, "permission bits after", st2.st_mode & 07777);
	CALL(b, "faccessat X_OK", faccessat(dfd, name, X_OK, 0));
	CALL(b, "open O_DIRECTORY", openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));

	/* The data that a splice or sendfile can take from it: none. */
	if (pipe(pipefd) == 0) {
		CALL(b, "splice to a pipe", splice(fd, NULL, pipefd[1], NULL, 16,
						   SPLICE_F_NONBLOCK));
		CALL(b, "sendfile to a pipe", sendfile(pipefd[1], fd, NULL, 16));
		close(pipefd[0]);
		close(pipefd[1]);
	}
	close(fd);

	fd = open_at(b, "open O_WRONLY|O_TRUNC", dfd, name, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return;
	CALL(b, "fstat before writes", fstat(fd, &st));
	CALL(b, "write", write(fd, "xy", 2));
	CALL(b, "pwrite at 4096", pwrite(fd, "xyz", 3, 4096));
	CALL(b, "writev", writev(fd, iov, 2));
	CALL(b, "fstat after writes", fstat(fd, &st2));
	VALUE(b, "size after writes", st2.st_size);
	VALUE(b, "mtime moved by writes", ns_of(&st2.st_mtim) != ns_of(&st.st_mtim));
	CALL(b, "ftruncate 4", ftruncate(fd, 4));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CALL(b, "truncate 8", truncate(path, 8));
	CALL(b, "fstat after truncates", fstat(fd, &st2));
	VALUE(b, "size after truncates", st2.st_size);
	CALL(b, "fallocate", fallocate(fd, 0, 0, 4096));
	CALL(b, "fsync", fsync(fd));
	CALL(b, "fdatasync", fdatasync(fd));
	if (pipe(pipefd) == 0) {
		if (write(pipefd[1], "abcdef", 6) == 6)
			CALL(b, "splice from a pipe", splice(pipefd[0], NULL, fd, NULL, 6, 0));
		close(pipefd[0]);
		close(pipefd[1]);
	}
	CALL(b, "lseek SEEK_CUR after writes", lseek(fd, 0, SEEK_CUR));
	close(fd);

	fd = open_at(b, "open O_RDWR|O_APPEND", dfd, name, O_RDWR | O_APPEND);
	if (fd < 0)
		return;
	CALL(b, "append", write(fd, "z", 1));
	CALL(b, "read after append", read(fd, buf, sizeof(buf)));
	close(fd);
}

static int compare(struct __test_metadata *_metadata, const struct battery *a,
		   const char *a_name, const struct battery *b, const char *b_name,
		   char *differing, size_t size)
{
	int i, differences = 0;

	EXPECT_EQ(a->count, b->count);
	if (differing)
		differing[0] = '\0';
	for (i = 0; i < a->count && i < b->count; i++) {
		const struct result *x = &a->r[i], *y = &b->r[i];

		EXPECT_STREQ(x->what, y->what);
		if (x->value == y->value && x->err == y->err)
			continue;
		differences++;
		TH_LOG("%s: %s %lld (%s), %s %lld (%s)", x->what, a_name, x->value,
		       x->err ? strerror(x->err) : "ok", b_name, y->value,
		       y->err ? strerror(y->err) : "ok");
		if (differing) {
			strncat(differing, x->what, size - strlen(differing) - 2);
			strncat(differing, ";", size - strlen(differing) - 1);
		}
	}
	return differences;
}

/* A nullfs_rs file mask at BASE/mask, over a file made for it. */
static int mount_file_mask(void)
{
	int fd;

	fd = open(BASE "/mask", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "secret\n", 7) != 7)
		return -1;
	close(fd);
	return sys_mount("none", BASE "/mask", "nullfs_rs", 0, "file");
}

/*
 * The child of open_c_file(): P on BASE/p with a file bound over P/file,
 * in a mount namespace of its own.  It says so on @ready and waits for
 * @done to close.
 */
static int cover_child(int ready, int done)
{
	char c;
	int fd;

	if (unshare(CLONE_NEWNS) ||
	    sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    sys_mount("tmpfs", BASE "/p", "tmpfs", 0, NULL))
		return 1;
	fd = open(BASE "/p/src", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "covered\n", 8) != 8)
		return 2;
	close(fd);
	fd = open(BASE "/p/file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return 3;
	close(fd);
	if (sys_mount(BASE "/p/src", BASE "/p/file", NULL, MS_BIND, NULL))
		return 4;
	if (write(ready, "r", 1) != 1)
		return 5;
	return read(done, &c, 1) == 0 ? 0 : 6;
}

/*
 * A descriptor of the unmounted P, at whose "file" C's nullfs file stands
 * in, or -1.  Needs private_tmpfs_at(BASE) first.
 */
static int open_c_file_dir(void)
{
	int ready[2], done[2], dfd = -1, status;
	char path[64], c;
	pid_t pid;

	if (mkdir(BASE "/p", 0755) || pipe(ready) || pipe(done))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(ready[0]);
		close(done[1]);
		_exit(cover_child(ready[1], done[0]));
	}
	close(ready[1]);
	close(done[0]);
	if (read(ready[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/root" BASE "/p", pid);
		dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		/* P's mountpoint goes here, where it is no mountpoint. */
		if (dfd >= 0 && rmdir(BASE "/p")) {
			close(dfd);
			dfd = -1;
		}
	}
	close(done[1]);
	close(ready[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "# cover child: status %#x\n", status);
	return dfd;
}

FIXTURE(file_mask) {
	int c_dir;	/* the unmounted P, where C's file stands in */
};

FIXTURE_SETUP(file_mask)
{
	struct statfs sfs;
	int fd;

	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, private_tmpfs_at(BASE));
	self->c_dir = open_c_file_dir();
	ASSERT_LE(0, self->c_dir);
	fd = openat(self->c_dir, "file", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("no C nullfs file: %s", strerror(errno));
	ASSERT_EQ(0, fstatfs(fd, &sfs));
	ASSERT_EQ(NULL_FS_MAGIC, sfs.f_type);
	close(fd);
	ASSERT_EQ(0, mount_file_mask()) TH_LOG("mount -o file: %s", strerror(errno));
}

FIXTURE_TEARDOWN(file_mask)
{
	if (self->c_dir >= 0)
		close(self->c_dir);
	sys_umount2(BASE, MNT_DETACH);
	rmdir(BASE);
}

TEST_F(file_mask, same_answers_as_c_file)
{
	static struct battery c_side, rust_side;

	c_side.count = rust_side.count = 0;
	run_file_battery(self->c_dir, "file", &c_side);
	run_file_battery(AT_FDCWD, BASE "/mask", &rust_side);
	ASSERT_LT(40, c_side.count);
	EXPECT_EQ(0, compare(_metadata, &c_side, "C nullfs", &rust_side, "nullfs_rs",
			     NULL, 0));
	/* And the contract, as written, on the Rust side. */
	EXPECT_STREQ("file type", rust_side.r[2].what);
	EXPECT_EQ(S_IFREG, rust_side.r[2].value);
	EXPECT_EQ(0666, rust_side.r[3].value);
}

/*
 * /dev/null answers differently where it is a device node and where it
 * keeps nothing of its own; each such answer is named here, with why:
 *
 * - file type, rdev: a character device, 1:3;
 * - lseek SEEK_SET 100, SEEK_CUR 5: null_lseek() puts every offset at 0,
 *   where the file seeks as an empty regular file does;
 * - lseek SEEK_DATA, SEEK_HOLE: the same 0 from null_lseek(), where an
 *   empty file has no data and no hole at 0 (ENXIO);
 * - ioctl FIONREAD: answered for regular files only;
 * - flock, F_SETLK, F_OFD_SETLK: /dev/null takes locks, which every holder
 *   of it shares; the file refuses them (ENOLCK), as C's does;
 * - fgetxattr: the node's xattrs are its filesystem's (tmpfs here), the
 *   file has none;
 * - f_type: the node's filesystem's magic, nullfs's for the file;
 * - fchmod, fchown 0 0, permission bits after: root may change the device
 *   node, which is the container's own; the file's mode and owner cannot
 *   be changed;
 * - mtime moved by futimens: the node takes the time, the file drops it;
 * - splice and sendfile to a pipe: /dev/null has no splice_read;
 * - ftruncate, truncate: a device cannot be truncated, the file says yes
 *   and stays empty;
 * - fallocate: ENODEV for a device, EOPNOTSUPP for the file;
 * - fsync, fdatasync: /dev/null has no fsync; the file's succeeds.
 */
static const char *const dev_null_differences[] = {
	"file type", "rdev", "lseek SEEK_SET 100", "lseek SEEK_CUR 5",
	"lseek SEEK_DATA 0", "lseek SEEK_HOLE 0", "ioctl FIONREAD",
	"flock LOCK_EX", "flock LOCK_SH", "F_SETLK read lock",
	"F_OFD_SETLK read lock", "fgetxattr user.x", "f_type", "fchmod 0600",
	"fchown 0 0", "mtime moved by futimens", "permission bits after",
	"splice to a pipe", "sendfile to a pipe", "ftruncate 4", "truncate 8",
	"fallocate", "fsync", "fdatasync",
};

TEST_F(file_mask, answers_against_dev_null)
{
	static struct battery null_side, rust_side;
	char differing[2048], expected[2048] = "";
	unsigned int i;

	/* A /dev/null of our own: the test changes its mode. */
	ASSERT_EQ(0, mknod(BASE "/null", S_IFCHR, makedev(1, 3)));
	ASSERT_EQ(0, chmod(BASE "/null", 0666));
	null_side.count = rust_side.count = 0;
	run_file_battery(AT_FDCWD, BASE "/null", &null_side);
	run_file_battery(AT_FDCWD, BASE "/mask", &rust_side);
	compare(_metadata, &null_side, "/dev/null", &rust_side, "nullfs_rs", differing,
		sizeof(differing));
	for (i = 0; i < ARRAY_SIZE(dev_null_differences); i++) {
		strcat(expected, dev_null_differences[i]);
		strcat(expected, ";");
	}
	TH_LOG("differences: %s", differing);
	EXPECT_STREQ(expected, differing);
}

/* The error of a context's last step, and the line its log holds. */
static int fsconfig_log(int fsfd, unsigned int cmd, const char *key, const char *value,
			char *log, size_t size)
{
	int ret, err, n;

	ret = sys_fsconfig(fsfd, cmd, key, value, 0);
	err = ret ? errno : 0;
	log[0] = '\0';
	n = read(fsfd, log, size - 1);
	if (n > 0)
		log[n] = '\0';
	return err;
}

static int mount_over_file_in_userns(void *arg)
{
	struct statfs sfs;
	char c;
	int fd;

	(void)arg;
	if (enter_userns())
		return 1;
	if (sys_mount("none", BASE "/mask", "nullfs_rs", 0, "file"))
		return 2;
	fd = open(BASE "/mask", O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstatfs(fd, &sfs) || sfs.f_type != NULL_FS_MAGIC)
		return 3;
	if (read(fd, &c, 1) != 0 || write(fd, "x", 1) != 1)
		return 4;
	if (fchmod(fd, 0600) != -1 || errno != EPERM)
		return 5;
	/* Its own mask: root of the user namespace may take it off again. */
	close(fd);
	return sys_umount2(BASE "/mask", 0) ? 6 : 0;
}

TEST_F(file_mask, mounts_over_files)
{
	char log[256], c;
	int fsfd, mfd, fd;

	/* mount(2) did the fixture's mask; unmounted, the file is back. */
	fd = open(BASE "/mask", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, read(fd, &c, 1));
	close(fd);
	ASSERT_EQ(0, sys_umount2(BASE "/mask", 0));
	fd = open(BASE "/mask", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, read(fd, &c, 1));
	close(fd);

	/* The new mount API: fsconfig the flag, fsmount, move_mount. */
	fsfd = sys_fsopen("nullfs_rs", FSOPEN_CLOEXEC);
	ASSERT_LE(0, fsfd);
	EXPECT_EQ(0, fsconfig_log(fsfd, FSCONFIG_SET_FLAG, "file", NULL, log, sizeof(log)));
	EXPECT_EQ(0, fsconfig_log(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, log, sizeof(log)));
	mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV);
	ASSERT_LE(0, mfd);
	/* A file mount goes on a file, never on a directory. */
	EXPECT_EQ(-1, sys_move_mount(mfd, "", AT_FDCWD, BASE,
				     MOVE_MOUNT_F_EMPTY_PATH));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, sys_move_mount(mfd, "", AT_FDCWD, BASE "/mask",
				    MOVE_MOUNT_F_EMPTY_PATH));
	fd = open(BASE "/mask", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, read(fd, &c, 1));
	close(fd);
	EXPECT_EQ(-1, open(BASE "/mask", O_WRONLY | O_CLOEXEC));
	EXPECT_EQ(EROFS, errno);
	close(mfd);
	close(fsfd);
	EXPECT_EQ(0, sys_umount2(BASE "/mask", 0));

	/* And in a user namespace, by its root. */
	EXPECT_EQ(0, in_child(mount_over_file_in_userns, NULL));

	/* A directory mount does not go on a file, nor a file on a directory. */
	EXPECT_EQ(-1, sys_mount("none", BASE "/mask", "nullfs_rs", 0, NULL));
	EXPECT_EQ(ENOTDIR, errno);
	EXPECT_EQ(-1, sys_mount("none", BASE, "nullfs_rs", 0, "file"));
	EXPECT_EQ(ENOTDIR, errno);

	/* Bad options: EINVAL, and the log says which and why. */
	fsfd = sys_fsopen("nullfs_rs", FSOPEN_CLOEXEC);
	ASSERT_LE(0, fsfd);
	EXPECT_EQ(EINVAL, fsconfig_log(fsfd, FSCONFIG_SET_STRING, "file", "1", log,
				       sizeof(log)));
	EXPECT_STREQ("e nullfs_rs: file: takes no value\n", log);
	EXPECT_EQ(EINVAL, fsconfig_log(fsfd, FSCONFIG_SET_STRING, "instance", "container",
				       log, sizeof(log)));
	EXPECT_STREQ("e nullfs_rs: instance: is mount or mntns\n", log);
	EXPECT_EQ(EINVAL, fsconfig_log(fsfd, FSCONFIG_SET_FLAG, "instance", NULL, log,
				       sizeof(log)));
	EXPECT_STREQ("e nullfs_rs: instance: takes a value\n", log);
	EXPECT_EQ(EINVAL, fsconfig_log(fsfd, FSCONFIG_SET_FLAG, "files", NULL, log,
				       sizeof(log)));
	EXPECT_STREQ("e nullfs_rs: Unknown parameter 'files'\n", log);
	close(fsfd);
	fsfd = sys_fsopen("rootfs_rs", FSOPEN_CLOEXEC);
	ASSERT_LE(0, fsfd);
	EXPECT_EQ(EINVAL, fsconfig_log(fsfd, FSCONFIG_SET_FLAG, "file", NULL, log,
				       sizeof(log)));
	EXPECT_STREQ("e rootfs_rs: Unknown parameter 'file'\n", log);
	close(fsfd);

	/* A remount cannot turn a mount into a file. */
	ASSERT_EQ(0, mkdir(BASE "/dir", 0755));
	ASSERT_EQ(0, sys_mount("none", BASE "/dir", "nullfs_rs", 0, NULL));
	fsfd = syscall(__NR_fspick, AT_FDCWD, BASE "/dir", FSPICK_CLOEXEC);
	ASSERT_LE(0, fsfd);
	EXPECT_EQ(EINVAL, fsconfig_log(fsfd, FSCONFIG_SET_FLAG, "file", NULL, log,
				       sizeof(log)));
	EXPECT_STREQ("e nullfs_rs: file: is set when mounting, and a remount cannot change it\n",
		     log);
	close(fsfd);
	EXPECT_EQ(0, sys_umount2(BASE "/dir", 0));

	/*
	 * A remount may repeat what the mount is, as mount(8) does with an
	 * fstab entry's options, but not change it.
	 */
	ASSERT_EQ(0, sys_mount("none", BASE "/mask", "nullfs_rs", 0, "file"));
	fsfd = syscall(__NR_fspick, AT_FDCWD, BASE "/mask", FSPICK_CLOEXEC);
	ASSERT_LE(0, fsfd);
	EXPECT_EQ(0, fsconfig_log(fsfd, FSCONFIG_SET_FLAG, "file", NULL, log, sizeof(log)));
	EXPECT_EQ(0, fsconfig_log(fsfd, FSCONFIG_SET_STRING, "instance", "mount", log,
				  sizeof(log)));
	EXPECT_EQ(EINVAL, fsconfig_log(fsfd, FSCONFIG_SET_STRING, "instance", "mntns", log,
				       sizeof(log)));
	EXPECT_STREQ("e nullfs_rs: instance: is set when mounting, and a remount cannot change it\n",
		     log);
	EXPECT_EQ(0, fsconfig_log(fsfd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, log,
				  sizeof(log)));
	close(fsfd);
	EXPECT_EQ(0, sys_mount("none", BASE "/mask", NULL, MS_REMOUNT | MS_RDONLY, "file"));
	EXPECT_EQ(0, sys_umount2(BASE "/mask", 0));
}

TEST_HARNESS_MAIN
