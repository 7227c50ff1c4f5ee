// SPDX-License-Identifier: GPL-2.0
/*
 * The behaviour of a nullfs_rs mount, operation by operation: an empty,
 * immutable directory that refuses every change, every lock and every
 * file handle, with a superblock of its own per mount.
 */
#include <dirent.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <linux/magic.h>
#include <linux/stat.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

FIXTURE(mnt) {
	char dir[32];
	char path[64];
};

FIXTURE_SETUP(mnt)
{
	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	strcpy(self->dir, "/tmp/nullfs_rs.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, sys_mount("none", self->dir, "nullfs_rs", 0, NULL))
		TH_LOG("mount: %s", strerror(errno));
	snprintf(self->path, sizeof(self->path), "%s/name", self->dir);
}

FIXTURE_TEARDOWN(mnt)
{
	sys_umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(mnt, root_is_empty_readonly_dir)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0555, st.st_mode);
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_EQ(1, st.st_ino);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, st.st_blocks);
	EXPECT_EQ(getpagesize(), st.st_blksize);
	EXPECT_EQ(0, st.st_rdev);
}

TEST_F(mnt, statfs_reports_nullfs)
{
	struct statfs sfs;

	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_EQ(NULL_FS_MAGIC, sfs.f_type);
	EXPECT_EQ(getpagesize(), sfs.f_bsize);
	EXPECT_EQ(255, sfs.f_namelen);
	EXPECT_EQ(0, sfs.f_blocks);
	EXPECT_EQ(0, sfs.f_files);
}

TEST_F(mnt, each_mount_is_an_instance)
{
	char other[] = "/tmp/nullfs_rs.XXXXXX";
	struct stat a, b, c;
	int fsfd, mntfd;

	ASSERT_NE(NULL, mkdtemp(other));
	ASSERT_EQ(0, sys_mount("none", other, "nullfs_rs", 0, NULL));
	ASSERT_EQ(0, stat(self->dir, &a));
	ASSERT_EQ(0, stat(other, &b));
	EXPECT_NE(a.st_dev, b.st_dev);

	/* The new mount API makes instances too. */
	fsfd = sys_fsopen("nullfs_rs", FSOPEN_CLOEXEC);
	ASSERT_GE(fsfd, 0);
	ASSERT_EQ(0, sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	mntfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	ASSERT_GE(mntfd, 0);
	ASSERT_EQ(0, fstat(mntfd, &c));
	EXPECT_NE(a.st_dev, c.st_dev);
	EXPECT_NE(b.st_dev, c.st_dev);
	EXPECT_EQ(1, c.st_ino);

	close(mntfd);
	close(fsfd);
	ASSERT_EQ(0, sys_umount2(other, 0));
	rmdir(other);
}

TEST_F(mnt, readdir_yields_dot_and_dotdot)
{
	int dots = 0, others = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			dots++;
		else
			others++;
		EXPECT_EQ(DT_DIR, de->d_type);
	}
	EXPECT_EQ(2, dots);
	EXPECT_EQ(0, others);

	/* Again from the start. */
	rewinddir(d);
	dots = 0;
	while ((de = readdir(d)))
		dots++;
	EXPECT_EQ(2, dots);
	closedir(d);
}

TEST_F(mnt, lseek_knows_two_offsets)
{
	int fd = open(self->dir, O_RDONLY | O_DIRECTORY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(1, lseek(fd, 1, SEEK_SET));
	EXPECT_EQ(2, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(2, lseek(fd, 2, SEEK_SET));
	EXPECT_EQ(-1, lseek(fd, 3, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(mnt, read_is_eisdir)
{
	int fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	char buf[8];

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(0, fsync(fd));
	close(fd);
}

TEST_F(mnt, lookups_fail)
{
	char dotdot[64];
	struct stat st, tmp;

	EXPECT_EQ(-1, stat(self->path, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(self->path, O_RDONLY));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, access(self->dir, R_OK | X_OK));
	/* ".." of the root of a mount crosses to the parent mount: /tmp. */
	snprintf(dotdot, sizeof(dotdot), "%s/..", self->dir);
	ASSERT_EQ(0, stat(dotdot, &st));
	ASSERT_EQ(0, stat("/tmp", &tmp));
	EXPECT_EQ(tmp.st_dev, st.st_dev);
	EXPECT_EQ(tmp.st_ino, st.st_ino);
}

TEST_F(mnt, creation_is_refused)
{
	char target[96];

	snprintf(target, sizeof(target), "%s/other", self->dir);
	/* The failed lookup of the new name comes first, as in C nullfs. */
	EXPECT_EQ(-1, open(self->path, O_CREAT | O_WRONLY, 0644));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, mkdir(self->path, 0755));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, mknod(self->path, S_IFIFO | 0644, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, symlink("/", self->path));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, link(self->dir, self->path));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, rename(self->path, target));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, unlink(self->path));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, rmdir(self->path));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(self->dir, O_TMPFILE | O_WRONLY, 0600));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, open(self->dir, O_WRONLY));
	EXPECT_EQ(EISDIR, errno);
}

TEST_F(mnt, attributes_are_immutable)
{
	struct timespec times[2] = { { 0, 0 }, { 0, 0 } };

	EXPECT_EQ(-1, chmod(self->dir, 0777));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, chown(self->dir, 1, 1));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, utimensat(AT_FDCWD, self->dir, times, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, utimensat(AT_FDCWD, self->dir, NULL, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, truncate(self->dir, 0));
	EXPECT_EQ(EISDIR, errno);
}

TEST_F(mnt, no_xattrs)
{
	char buf[64];

	EXPECT_EQ(-1, setxattr(self->dir, "user.x", "1", 1, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, getxattr(self->dir, "user.x", buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, listxattr(self->dir, buf, sizeof(buf)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, removexattr(self->dir, "user.x"));
	EXPECT_EQ(EPERM, errno);
}

TEST_F(mnt, reading_leaves_no_atime)
{
	EXPECT_EQ(1, readdir_keeps_atime(self->dir));
}

TEST_F(mnt, locks_are_refused)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	int fd = open(self->dir, O_RDONLY | O_DIRECTORY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, flock(fd, LOCK_SH));
	EXPECT_EQ(ENOLCK, errno);
	EXPECT_EQ(-1, flock(fd, LOCK_EX | LOCK_NB));
	EXPECT_EQ(ENOLCK, errno);
	EXPECT_EQ(-1, fcntl(fd, F_SETLK, &fl));
	EXPECT_EQ(ENOLCK, errno);
	EXPECT_EQ(-1, fcntl(fd, F_OFD_SETLK, &fl));
	EXPECT_EQ(ENOLCK, errno);
	close(fd);
}

TEST_F(mnt, no_fsnotify_marks)
{
	int fd = inotify_init1(IN_CLOEXEC);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, inotify_add_watch(fd, self->dir, IN_ALL_EVENTS));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(mnt, no_file_handles)
{
	struct file_handle *fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
	int mount_id;

	ASSERT_NE(NULL, fh);
	fh->handle_bytes = MAX_HANDLE_SZ;
	EXPECT_EQ(-1, name_to_handle_at(AT_FDCWD, self->dir, fh, &mount_id, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	free(fh);
}

TEST_F(mnt, mmap_is_refused)
{
	int fd = open(self->dir, O_RDONLY | O_DIRECTORY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
}

TEST_F(mnt, mounts_stack_both_ways)
{
	char inner[] = "/tmp/nullfs_rs.XXXXXX";
	struct stat st;

	/* Something can be mounted on it... */
	ASSERT_EQ(0, sys_mount("none", self->dir, "tmpfs", 0, NULL));
	ASSERT_EQ(0, mkdir(self->path, 0755));
	ASSERT_EQ(0, sys_umount2(self->dir, 0));
	/* ...and what was beneath shows no trace of it. */
	EXPECT_EQ(-1, stat(self->path, &st));
	EXPECT_EQ(ENOENT, errno);

	/* It can be mounted on a directory of another filesystem. */
	ASSERT_NE(NULL, mkdtemp(inner));
	ASSERT_EQ(0, sys_mount("none", inner, "nullfs_rs", 0, NULL));
	ASSERT_EQ(0, sys_umount2(inner, 0));
	rmdir(inner);
}

TEST_F(mnt, ro_and_remount)
{
	struct statfs sfs;

	ASSERT_EQ(0, sys_mount(NULL, self->dir, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_TRUE(sfs.f_flags & ST_RDONLY);
	ASSERT_EQ(0, sys_mount(NULL, self->dir, NULL, MS_REMOUNT, NULL));
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	EXPECT_FALSE(sfs.f_flags & ST_RDONLY);
	EXPECT_EQ(NULL_FS_MAGIC, sfs.f_type);
	/* A remount changes nothing inside. */
	EXPECT_EQ(-1, mkdir(self->path, 0755));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(self->dir, O_TMPFILE | O_WRONLY, 0600));
	EXPECT_EQ(EPERM, errno);
}

TEST(unknown_option_is_logged)
{
	char log[256] = "";
	ssize_t n;
	int fsfd;

	ASSERT_EQ(0, load_module());
	fsfd = sys_fsopen("nullfs_rs", FSOPEN_CLOEXEC);
	ASSERT_GE(fsfd, 0);
	EXPECT_EQ(-1, sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "1M", 0));
	EXPECT_EQ(EINVAL, errno);
	n = read(fsfd, log, sizeof(log) - 1);
	ASSERT_GT(n, 0);
	log[n] = '\0';
	EXPECT_NE(NULL, strstr(log, "nullfs_rs: Unknown parameter 'size'"))
		TH_LOG("log: %s", log);
	EXPECT_EQ(-1, sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, "noexec", NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	/* The refused options left nothing behind: the context still works. */
	ASSERT_EQ(0, sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
	close(fsfd);
}

TEST(mount_data_option_is_refused)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	EXPECT_EQ(-1, sys_mount("none", dir, "nullfs_rs", 0, "mode=0777"));
	EXPECT_EQ(EINVAL, errno);
	/* The generic flags are the VFS's, and accepted. */
	EXPECT_EQ(0, sys_mount("none", dir, "nullfs_rs", MS_RDONLY, "ro"));
	sys_umount2(dir, 0);
	rmdir(dir);
}

/* The root's times are when the mount made it, to the nanosecond. */
static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

TEST(root_times_are_the_mount_time)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	struct timespec before, after;
	struct stat st;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	/* The coarse clock is the one inode times are taken from. */
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME_COARSE, &before));
	ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &after));
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_LE(ns(&before), ns(&st.st_mtim));
	EXPECT_GE(ns(&after), ns(&st.st_mtim));
	EXPECT_EQ(ns(&st.st_mtim), ns(&st.st_ctim));
	EXPECT_EQ(ns(&st.st_mtim), ns(&st.st_atim));
	TH_LOG("before %lld, mtime %lld, after %lld",
	       ns(&before), ns(&st.st_mtim), ns(&after));
	sys_umount2(dir, 0);
	rmdir(dir);
}

TEST(no_leak_across_1000_mounts)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	long before, after;
	int i, mntfd;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	before = inodes_in_use(0);
	ASSERT_GT(before, 0);
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));
		ASSERT_EQ(0, sys_umount2(dir, 0));
	}
	for (i = 0; i < 500; i++) {
		/* Closing a detached mount's fd unmounts it. */
		mntfd = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
		ASSERT_GE(mntfd, 0);
		close(mntfd);
	}
	/*
	 * Every cycle made a root inode: a leak would leave 1000 more. The
	 * rest of the system (9p, /proc) moves the count by a hundred or so.
	 */
	after = inodes_in_use(before + 500);
	ASSERT_GT(after, 0);
	EXPECT_LT(after - before, 500) TH_LOG("inode_cache %ld -> %ld", before, after);
	/* And no superblock holds the module. */
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	rmdir(dir);
}

/* How many entries @dir lists besides . and .., or -1. */
static int entries_in(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/*
 * An overlay with a nullfs_rs mount as its lower layer is an empty
 * directory that takes new files into the upper layer; the same after names
 * of the lower layer were remembered as missing, those that the overlay
 * then creates included.
 */
TEST(overlay_lower_layer)
{
	char base[] = "/tmp/nullfs_rs.XXXXXX", lower[64], upper[64], work[64],
	     merged[64], file[96], opts[256], name[96];
	const char *remembered[] = { "file", "other", "file/below" };
	struct stat st;
	int round, i, fd;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(base));
	ASSERT_EQ(0, sys_mount("none", base, "tmpfs", 0, NULL));
	snprintf(lower, sizeof(lower), "%s/lower", base);
	snprintf(upper, sizeof(upper), "%s/upper", base);
	snprintf(work, sizeof(work), "%s/work", base);
	snprintf(merged, sizeof(merged), "%s/merged", base);
	snprintf(file, sizeof(file), "%s/file", merged);
	ASSERT_EQ(0, mkdir(lower, 0755) | mkdir(upper, 0755) |
		     mkdir(work, 0755) | mkdir(merged, 0755));
	ASSERT_EQ(0, sys_mount("none", lower, "nullfs_rs", 0, NULL));
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 lower, upper, work);

	for (round = 0; round < 2; round++) {
		for (i = 0; round && i < 3; i++) {
			snprintf(name, sizeof(name), "%s/%s", lower, remembered[i]);
			EXPECT_EQ(-1, stat(name, &st));
		}
		ASSERT_EQ(0, sys_mount("none", merged, "overlay", 0, opts))
			TH_LOG("round %d: overlay: %s", round, strerror(errno));
		EXPECT_EQ(0, entries_in(merged));
		EXPECT_EQ(-1, stat(file, &st));
		EXPECT_EQ(ENOENT, errno);
		fd = open(file, O_CREAT | O_WRONLY, 0644);
		EXPECT_GE(fd, 0) TH_LOG("round %d: create: %s", round, strerror(errno));
		EXPECT_EQ(5, write(fd, "data\n", 5));
		close(fd);
		EXPECT_EQ(1, entries_in(merged));
		EXPECT_EQ(0, stat(file, &st));
		EXPECT_EQ(5, st.st_size);
		EXPECT_EQ(0, unlink(file));
		EXPECT_EQ(0, entries_in(merged));
		/* The lower layer is as empty as it was. */
		EXPECT_EQ(0, entries_in(lower));
		EXPECT_EQ(0, sys_umount2(merged, 0));
	}
	EXPECT_EQ(0, sys_umount2(lower, 0));
	EXPECT_EQ(0, sys_umount2(base, 0));
	rmdir(base);
}

TEST_HARNESS_MAIN
