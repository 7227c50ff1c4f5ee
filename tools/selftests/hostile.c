// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input: the mount API driven in every wrong order, options that
 * do not exist or are junk, remounts that change flags, ioctls on the root;
 * and an unprivileged user in a user namespace, who may mount nullfs_rs
 * but cannot get out of it.  Every refusal must be an error, logged in the
 * fs_context where the VFS offers a log, and leave the tree as it was.
 */
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

/* The next message of the fs_context log of @fsfd, or "". */
static const char *next_log(int fsfd, char *log, size_t size)
{
	ssize_t n = read(fsfd, log, size - 1);

	log[n > 0 ? n : 0] = '\0';
	return log;
}

static int empty_root(const char *dir)
{
	return dir_entries(dir) == 2;
}

FIXTURE(fsctx) {
	int fsfd;
	char log[4096];
};

FIXTURE_VARIANT(fsctx) {
	const char *fsname;
};

FIXTURE_VARIANT_ADD(fsctx, nullfs_rs) { .fsname = "nullfs_rs" };
FIXTURE_VARIANT_ADD(fsctx, rootfs_rs) { .fsname = "rootfs_rs" };

FIXTURE_SETUP(fsctx)
{
	ASSERT_EQ(0, load_module());
	self->fsfd = sys_fsopen(variant->fsname, FSOPEN_CLOEXEC);
	ASSERT_GE(self->fsfd, 0);
}

FIXTURE_TEARDOWN(fsctx)
{
	close(self->fsfd);
}

TEST_F(fsctx, junk_parameters_are_refused_and_logged)
{
	char key[300], value[4096];

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';

	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_STRING, "size", "1M", 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(next_log(self->fsfd, self->log, sizeof(self->log)),
			       "Unknown parameter 'size'")) TH_LOG("log: %s", self->log);
	/* Keys and values over 255 bytes the VFS refuses before parsing them. */
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_STRING, key, value, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_STRING, "\xff\xfe\x01", "x", 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(next_log(self->fsfd, self->log, sizeof(self->log)),
			       "Unknown parameter '\xff\xfe\x01'")) TH_LOG("log: %s", self->log);
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_FLAG, "noexec", NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(next_log(self->fsfd, self->log, sizeof(self->log)),
			       "Unknown parameter 'noexec'")) TH_LOG("log: %s", self->log);
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_BINARY, "size", "\0\1", 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_PATH, "size", "/", AT_FDCWD));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_FD, "size", NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	/* A command the kernel does not know. */
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, 100, NULL, NULL, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);

	/* None of it stuck: the context still makes a working mount. */
	ASSERT_EQ(0, sys_fsconfig(self->fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
}

TEST_F(fsctx, commands_out_of_order)
{
	int mntfd;

	/* No superblock yet, so nothing to mount. */
	EXPECT_EQ(-1, sys_fsmount(self->fsfd, FSMOUNT_CLOEXEC, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Generic flags and a source are the VFS's, and accepted. */
	EXPECT_EQ(0, sys_fsconfig(self->fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0));
	EXPECT_EQ(0, sys_fsconfig(self->fsfd, FSCONFIG_SET_STRING, "source", "anything", 0));
	/* A second source is refused, with a message. */
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_STRING, "source", "again", 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(next_log(self->fsfd, self->log, sizeof(self->log)),
			       "Multiple sources")) TH_LOG("log: %s", self->log);
	ASSERT_EQ(0, sys_fsconfig(self->fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	/* Once created, the context takes no more parameters or creates. */
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, sys_fsconfig(self->fsfd, FSCONFIG_SET_FLAG, "rw", NULL, 0));
	EXPECT_EQ(EBUSY, errno);
	/* Mount attributes the VFS does not know. */
	EXPECT_EQ(-1, sys_fsmount(self->fsfd, FSMOUNT_CLOEXEC, 0x80000000));
	EXPECT_EQ(EINVAL, errno);
	mntfd = sys_fsmount(self->fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID);
	ASSERT_GE(mntfd, 0);
	/* A context mounts once. */
	EXPECT_EQ(-1, sys_fsmount(self->fsfd, FSMOUNT_CLOEXEC, 0));
	EXPECT_EQ(EBUSY, errno);
	close(mntfd);
}

FIXTURE(mnt) {
	char dir[32];
};

FIXTURE_SETUP(mnt)
{
	ASSERT_EQ(0, load_module());
	strcpy(self->dir, "/tmp/hostile.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, sys_mount("none", self->dir, "nullfs_rs", 0, NULL));
}

FIXTURE_TEARDOWN(mnt)
{
	sys_umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(mnt, mount_data_junk)
{
	char other[] = "/tmp/hostile.XXXXXX", data[4096];

	memset(data, 'x', sizeof(data) - 1);
	data[sizeof(data) - 1] = '\0';
	ASSERT_NE(NULL, mkdtemp(other));
	EXPECT_EQ(-1, sys_mount("none", other, "nullfs_rs", 0, "a=b,c"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_mount("none", other, "nullfs_rs", 0, data));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sys_mount("none", other, "rootfs_rs", 0, "\xff\xfe"));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing was mounted by the refused calls. */
	EXPECT_EQ(-1, sys_umount2(other, 0));
	EXPECT_EQ(EINVAL, errno);
	rmdir(other);
}

TEST_F(mnt, remount_changes_flags_only)
{
	struct statvfs svfs;

	ASSERT_EQ(0, sys_mount(NULL, self->dir, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_EQ(0, sys_mount(NULL, self->dir, NULL,
			       MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	ASSERT_EQ(0, statvfs(self->dir, &svfs));
	EXPECT_TRUE(svfs.f_flag & ST_NOSUID);
	EXPECT_TRUE(svfs.f_flag & ST_NOEXEC);
	EXPECT_EQ(-1, sys_mount(NULL, self->dir, NULL, MS_REMOUNT, "mode=0777"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, sys_mount(NULL, self->dir, NULL, MS_REMOUNT, NULL));
	EXPECT_TRUE(empty_root(self->dir));
}

TEST_F(mnt, ioctls_on_the_root)
{
	struct fsxattr fsx = { 0 };
	int fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	int attr = 0, size = 0;

	ASSERT_GE(fd, 0);
	/* No inode attributes to get or set: no fileattr operations. */
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_GETFLAGS, &attr));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_SETFLAGS, &attr));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_FSSETXATTR, &fsx));
	EXPECT_EQ(ENOTTY, errno);
	/* Nothing to freeze (no freeze_fs), so nothing to thaw. */
	EXPECT_EQ(-1, ioctl(fd, FIFREEZE, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, ioctl(fd, FITHAW, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ioctl(fd, FIGETBSZ, &size));
	EXPECT_EQ(getpagesize(), size);
	close(fd);
	EXPECT_TRUE(empty_root(self->dir));
}

/*
 * As uid 1000 in a user and mount namespace of its own: nullfs_rs mounts,
 * rootfs_rs does not, and a process chrooted into the empty root finds no
 * way out and nothing of what was beneath.  Returns a step number on
 * failure.
 */
static int unprivileged(void *dir)
{
	char path[96];
	struct stat root, dotdot;
	char *argv[] = { "/", NULL };
	struct file_handle *fh;
	int mount_id, fd;

	if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
		return 1;
	/* Changing ids made /proc/self root's; the id maps are written there. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 1;
	if (enter_userns())
		return 2;
	if (sys_mount("none", dir, "rootfs_rs", 0, NULL) == 0 || errno != EPERM)
		return 3;
	if (sys_mount("none", dir, "nullfs_rs", 0, NULL))
		return 4;
	/* What was in the directory does not show through. */
	snprintf(path, sizeof(path), "%s/secret", (char *)dir);
	if (access(path, F_OK) == 0 || !empty_root(dir))
		return 5;
	if (chdir(dir) || chroot("."))
		return 6;
	/* ".." of the root is the root. */
	if (stat("/", &root) || stat("/..", &dotdot) || root.st_ino != dotdot.st_ino ||
	    root.st_dev != dotdot.st_dev)
		return 7;
	/* No file handle to walk out with: nullfs_rs makes none... */
	fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
	if (!fh)
		return 8;
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, "/", fh, &mount_id, 0) == 0 || errno != EOPNOTSUPP)
		return 9;
	/* ...and a forged one for a directory opens nothing. */
	fh->handle_type = 1;
	fh->handle_bytes = 8;
	memset(fh->f_handle, 0, 8);
	fd = open_by_handle_at(AT_FDCWD, fh, O_RDONLY | O_DIRECTORY);
	if (fd >= 0)
		return 10;
	/* Nothing to exec, nothing new: not even a FIFO. */
	if (execve("/", argv, NULL) == 0 || errno != EACCES)
		return 11;
	if (mknod("/fifo", S_IFIFO | 0666, 0) == 0 || errno != ENOENT)
		return 12;
	if (mkdir("/x", 0755) == 0 || errno != ENOENT)
		return 13;
	return 0;
}

TEST(userns_nothing_escapes)
{
	char dir[] = "/tmp/hostile.XXXXXX", secret[64];
	int fd;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, chmod(dir, 0755));
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	fd = open(secret, O_CREAT | O_WRONLY, 0644);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(0, in_child(unprivileged, dir));
	unlink(secret);
	rmdir(dir);
}

TEST_HARNESS_MAIN
