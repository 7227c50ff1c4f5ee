// SPDX-License-Identifier: GPL-2.0
/*
 * rootfs_rs, the immutable rootfs: one superblock for every mount, mountable
 * only from the initial user namespace, permanently empty; and the mount
 * tree workflows it exists for.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#define ROOT_FS_MAGIC 0x524f4f54

#ifndef FSMOUNT_NAMESPACE
#define FSMOUNT_NAMESPACE 0x00000002
#endif

/* Whether @dir is an empty rootfs_rs root: magic, "." and ".." only, and
 * nothing can be made in it.  Returns the first thing that is not so.
 */
static const char *check_empty_root(const char *dir)
{
	char path[96];
	struct statfs sfs;

	if (statfs(dir, &sfs) || sfs.f_type != ROOT_FS_MAGIC)
		return "statfs magic";
	if (dir_entries(dir) != 2)
		return "entries";
	snprintf(path, sizeof(path), "%s/new", strcmp(dir, "/") ? dir : "");
	if (!mkdir(path, 0755) || errno != ENOENT)
		return "mkdir";
	if (!chmod(dir, 0777) || errno != EPERM)
		return "chmod";
	return NULL;
}

static int child_result(const char *failed)
{
	if (failed)
		fprintf(stderr, "# child: %s: %s\n", failed, strerror(errno));
	return failed ? 1 : 0;
}

FIXTURE(root) {
	char dir[32];
};

FIXTURE_SETUP(root)
{
	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	strcpy(self->dir, "/tmp/rootfs_rs.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, sys_mount("none", self->dir, "rootfs_rs", 0, NULL))
		TH_LOG("mount: %s", strerror(errno));
}

FIXTURE_TEARDOWN(root)
{
	sys_umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(root, empty_immutable_root)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_EQ(S_IFDIR | 0555, st.st_mode);
	EXPECT_EQ(1, st.st_ino);
	EXPECT_EQ(2, st.st_nlink);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(NULL, check_empty_root(self->dir));
}

TEST_F(root, reading_leaves_no_atime)
{
	EXPECT_EQ(1, readdir_keeps_atime(self->dir));
}

TEST_F(root, one_superblock_for_all_mounts)
{
	char other[] = "/tmp/rootfs_rs.XXXXXX";
	struct stat a, b, c;
	int mntfd;

	ASSERT_NE(NULL, mkdtemp(other));
	ASSERT_EQ(0, sys_mount("none", other, "rootfs_rs", 0, NULL));
	ASSERT_EQ(0, stat(self->dir, &a));
	ASSERT_EQ(0, stat(other, &b));
	EXPECT_EQ(a.st_dev, b.st_dev);

	mntfd = fs_new_mount("rootfs_rs", FSMOUNT_CLOEXEC);
	ASSERT_GE(mntfd, 0);
	ASSERT_EQ(0, fstat(mntfd, &c));
	EXPECT_EQ(a.st_dev, c.st_dev);
	close(mntfd);
	ASSERT_EQ(0, sys_umount2(other, 0));
	rmdir(other);
}

TEST(superblock_goes_with_last_mount)
{
	char a[] = "/tmp/rootfs_rs.XXXXXX", b[] = "/tmp/rootfs_rs.XXXXXX";

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(a));
	ASSERT_NE(NULL, mkdtemp(b));
	ASSERT_EQ(0, sys_mount("none", a, "rootfs_rs", 0, NULL));
	ASSERT_EQ(0, sys_mount("none", b, "rootfs_rs", 0, NULL));
	ASSERT_EQ(0, sys_umount2(a, 0));
	/* One mount left: the superblock, and so the module, is held. */
	EXPECT_EQ(-1, unload_module());
	EXPECT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, sys_umount2(b, 0));
	/* The last one gone, nothing holds the module. */
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	/* A new load and mount start from a new superblock. */
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, sys_mount("none", a, "rootfs_rs", 0, NULL));
	EXPECT_EQ(NULL, check_empty_root(a));
	ASSERT_EQ(0, sys_umount2(a, 0));
	rmdir(a);
	rmdir(b);
}

static int mount_in_userns(void *fsname)
{
	char dir[] = "/tmp/userns.XXXXXX";

	if (!mkdtemp(dir))
		return 10;
	if (enter_userns())
		return 11;
	if (sys_mount("none", dir, fsname, 0, NULL))
		return errno == EPERM ? 1 : 12;
	return 0;
}

TEST(userns_may_not_mount_it)
{
	ASSERT_EQ(0, load_module());
	/* Root of a user namespace may mount nullfs_rs, but not rootfs_rs. */
	EXPECT_EQ(0, in_child(mount_in_userns, "nullfs_rs"));
	EXPECT_EQ(1, in_child(mount_in_userns, "rootfs_rs"));
}

/*
 * Workflow 1: switching root with pivot_root().  The task's root is a tmpfs
 * over rootfs_rs, as in a boot with the immutable rootfs; the new root is
 * built in a tmpfs beneath it, then:
 *	chdir(new); pivot_root(".", "."); umount2(".", MNT_DETACH);
 */
static int switch_root_pivot(void *unused)
{
	char top[] = "/tmp/rootfs_rs.XXXXXX";
	struct stat st;
	int beneath;

	if (!mkdtemp(top))
		return child_result("mkdtemp");
	if (unshare(CLONE_NEWNS) ||
	    sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return child_result("unshare");
	if (sys_mount("none", top, "rootfs_rs", 0, NULL))
		return child_result("mount rootfs_rs");
	beneath = open(top, O_PATH | O_DIRECTORY);
	if (beneath < 0 || sys_mount("none", top, "tmpfs", 0, NULL) ||
	    chdir(top) || chroot("."))
		return child_result("tmpfs over rootfs_rs");
	/* The new root, built in the old one. */
	if (mkdir("/sysroot", 0755) || sys_mount("none", "/sysroot", "tmpfs", 0, NULL) ||
	    mkdir("/sysroot/etc", 0755))
		return child_result("sysroot");
	if (chdir("/sysroot") || sys_pivot_root(".", ".") ||
	    sys_umount2(".", MNT_DETACH) || chdir("/"))
		return child_result("pivot_root");
	if (stat("/etc", &st) || stat("/sysroot", &st) == 0)
		return child_result("new root contents");
	/* Unmounting the new root reveals only the empty immutable root. */
	if (sys_umount2("/", MNT_DETACH) || fchdir(beneath) || chroot("."))
		return child_result("umount new root");
	return child_result(check_empty_root("/"));
}

TEST(switch_root_with_pivot_root)
{
	ASSERT_EQ(0, load_module());
	EXPECT_EQ(0, in_child(switch_root_pivot, NULL));
}

/*
 * Workflow 2: switching root without pivot_root(): a rootfs_rs mount goes
 * beneath the root of a new mount namespace, and the old root is unmounted
 * from above it.
 */
static int switch_root_beneath(void *unused)
{
	int mntfd;

	if (unshare(CLONE_NEWNS) ||
	    sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return child_result("unshare");
	mntfd = fs_new_mount("rootfs_rs", FSMOUNT_CLOEXEC);
	if (mntfd < 0)
		return child_result("fsmount");
	if (chdir("/") || sys_move_mount(mntfd, "", AT_FDCWD, "/",
					 MOVE_MOUNT_BENEATH | MOVE_MOUNT_F_EMPTY_PATH))
		return child_result("move_mount beneath /");
	if (sys_umount2("/", MNT_DETACH))
		return child_result("umount /");
	/* The task's root still pins the old one: chroot into what is left. */
	if (fchdir(mntfd) || chroot("."))
		return child_result("chroot");
	return child_result(check_empty_root("/"));
}

TEST(switch_root_with_move_mount_beneath)
{
	ASSERT_EQ(0, load_module());
	EXPECT_EQ(0, in_child(switch_root_beneath, NULL));
}

/* Workflow 3: fsmount(FSMOUNT_NAMESPACE) makes a mount namespace of it. */
static int enter_fsmount_namespace(void *fsname)
{
	unsigned long magic = strcmp(fsname, "rootfs_rs") ? NULL_FS_MAGIC : ROOT_FS_MAGIC;
	struct statfs sfs;
	int nsfd;

	nsfd = fs_new_mount(fsname, FSMOUNT_CLOEXEC | FSMOUNT_NAMESPACE);
	if (nsfd < 0)
		return child_result("fsmount(FSMOUNT_NAMESPACE)");
	if (setns(nsfd, CLONE_NEWNS))
		return child_result("setns");
	if (statfs("/", &sfs))
		return child_result("statfs /");
	if (sfs.f_type != magic) {
		fprintf(stderr, "# child: / has magic %#lx\n", (unsigned long)sfs.f_type);
		return 1;
	}
	if (!mkdir("/new", 0755) || errno != ENOENT)
		return child_result("mkdir /new");
	return 0;
}

TEST(fsmount_namespace)
{
	ASSERT_EQ(0, load_module());
	EXPECT_EQ(0, in_child(enter_fsmount_namespace, "rootfs_rs"));
	EXPECT_EQ(0, in_child(enter_fsmount_namespace, "nullfs_rs"));
}

TEST_HARNESS_MAIN
