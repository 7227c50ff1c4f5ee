// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading nullfs_rs.ko: the filesystem type appears and goes
 * with the module, and a mounted instance pins the module.  The module core
 * refuses to unload a module in use with EWOULDBLOCK (rmmod says "in use").
 */
#include <signal.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

TEST(load_registers_and_unload_unregisters)
{
	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	ASSERT_EQ(1, fs_registered("nullfs_rs"));
	ASSERT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	ASSERT_EQ(0, fs_registered("nullfs_rs"));

	/* A second load starts afresh. */
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(1, fs_registered("nullfs_rs"));
	ASSERT_EQ(0, unload_module());
	ASSERT_EQ(0, fs_registered("nullfs_rs"));
}

TEST(mount_pins_module)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));

	EXPECT_EQ(-1, unload_module());
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(1, fs_registered("nullfs_rs"));

	ASSERT_EQ(0, sys_umount2(dir, 0));
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	rmdir(dir);
}

TEST(lazy_unmount_pins_module_until_last_user)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	int fd;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, sys_umount2(dir, MNT_DETACH));

	/* The open directory still holds the superblock. */
	EXPECT_EQ(-1, unload_module());
	EXPECT_EQ(EWOULDBLOCK, errno);

	close(fd);
	/* The superblock goes with the last reference; the module follows. */
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	rmdir(dir);
}

/*
 * The negative dentries of a superblock go with it: after many remembered
 * misses and an unmount, the module unloads.
 */
TEST(unload_after_remembered_misses)
{
	char dir[] = "/tmp/nullfs_rs.XXXXXX", name[64];
	struct stat st;
	int i, misses = 0;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, sys_mount("none", dir, "nullfs_rs", 0, NULL));
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "%s/missing-%d", dir, i);
		misses += stat(name, &st) == -1 && errno == ENOENT;
	}
	EXPECT_EQ(100000, misses);
	/* Looked up again, from the dcache this time: the same answer. */
	EXPECT_EQ(-1, stat(name, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, sys_umount2(dir, 0));
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	rmdir(dir);
}

/* Mounts nullfs_rs on @arg over and over until killed; exits with 1 if a
 * mount ever succeeded. */
static int keep_mounting(void *arg)
{
	for (;;) {
		if (!sys_mount("none", arg, "nullfs_rs", 0, NULL))
			return 1;
	}
}

/*
 * With the name rootfs_rs taken, loading nullfs_rs.ko fails in its second
 * registration: it must leave neither type registered, and no mount of the
 * first may slip in while the module is still coming (mounts are refused
 * until its init has succeeded).  A racing mounter hits that window only by
 * chance; the KUnit case no_context_while_the_module_is_coming reaches the
 * refusal every time, with a stand-in owner that is still coming.
 */
TEST(failed_second_registration_leaves_nothing)
{
	const char *squatter = getenv("NULLFS_RS_SQUATTER_KO");
	char dir[] = "/tmp/nullfs_rs.XXXXXX";
	int i, fd, status;
	pid_t mounter;

	ASSERT_NE(NULL, squatter);
	if (fs_registered("nullfs_rs") == 1)
		ASSERT_EQ(0, unload_module());
	fd = open(squatter, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, syscall(__NR_finit_module, fd, "", 0))
		TH_LOG("loading the squatter: %s", strerror(errno));
	close(fd);
	ASSERT_NE(NULL, mkdtemp(dir));

	mounter = fork();
	ASSERT_GE(mounter, 0);
	if (mounter == 0)
		_exit(keep_mounting(dir));
	for (i = 0; i < 50; i++) {
		EXPECT_EQ(-1, load_module());
		EXPECT_EQ(EBUSY, errno);
		EXPECT_EQ(0, fs_registered("nullfs_rs"));
	}
	kill(mounter, SIGKILL);
	ASSERT_EQ(mounter, waitpid(mounter, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("a mount of nullfs_rs got in");

	EXPECT_EQ(0, syscall(__NR_delete_module, "fs_squatter", O_NONBLOCK));
	EXPECT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	EXPECT_EQ(1, fs_registered("rootfs_rs"));
	EXPECT_EQ(0, unload_module());
	rmdir(dir);
}

TEST_HARNESS_MAIN
