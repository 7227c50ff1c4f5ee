// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation the mount path makes, failed one at a time: with
 * /proc/thread-self/fail-nth set to n, the n-th allocation of the next
 * mount fails.  A mount that loses an allocation either fails with ENOMEM
 * or, where the allocation was optional, succeeds; either way it leaves
 * nothing behind.  n goes up until a mount makes fewer than n allocations,
 * which means every site was tried.  Afterwards the inode
 * slab is where it was and the module unloads.
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#define MAX_SITES 500

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (int)strlen(value) ? 0 : -1;
}

/*
 * Mounts @fsname on @dir with the @nth allocation failed.  Returns 1 if the
 * fault was injected, 0 if the mount made fewer allocations, -1 on error;
 * the mount's result and errno go to @ret and @err.
 */
static int mount_failing_nth(const char *fsname, const char *dir, int nth,
			     int *ret, int *err)
{
	char value[16] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(value, sizeof(value), "%d", nth);
	if (write(fd, value, strlen(value)) < 0) {
		close(fd);
		return -1;
	}
	*ret = sys_mount("none", dir, fsname, 0, NULL);
	*err = errno;
	/* What is left of the count: "0" once the fault was injected. */
	memset(value, 0, sizeof(value));
	if (pread(fd, value, sizeof(value) - 1, 0) <= 0) {
		close(fd);
		return -1;
	}
	/* Stop counting for whatever this process does next. */
	if (write(fd, "0", 1) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return atoi(value) == 0;
}

static void every_site(struct __test_metadata *_metadata, const char *fsname)
{
	char dir[] = "/tmp/failnth.XXXXXX";
	int nth, injected, ret, err, enomem = 0, other = 0;
	long before, after;

	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(dir));
	before = inodes_in_use(0);
	ASSERT_GT(before, 0);
	for (nth = 1; nth <= MAX_SITES; nth++) {
		injected = mount_failing_nth(fsname, dir, nth, &ret, &err);
		ASSERT_GE(injected, 0);
		if (!ret)
			ASSERT_EQ(0, sys_umount2(dir, 0));
		if (!injected) {
			/* Fewer than nth allocations: every site was tried. */
			ASSERT_EQ(0, ret) TH_LOG("clean mount: %s", strerror(err));
			break;
		}
		if (ret) {
			if (err == ENOMEM)
				enomem++;
			else
				other++;
			EXPECT_EQ(ENOMEM, err) TH_LOG("site %d: %s", nth, strerror(err));
		}
	}
	ASSERT_LE(nth, MAX_SITES);
	TH_LOG("%s: %d allocation sites, %d mounts failed with ENOMEM, %d otherwise, %d survived",
	       fsname, nth - 1, enomem, other, nth - 1 - enomem - other);
	EXPECT_GT(enomem, 0);

	/*
	 * Nothing was left behind: no superblock or module reference (the
	 * unload below), and no inode: with other filesystems' caches dropped,
	 * the count comes back to within a few of where it was.
	 */
	after = inodes_in_use(before + 8);
	ASSERT_GT(after, 0);
	EXPECT_LT(after - before, 8) TH_LOG("inode_cache %ld -> %ld", before, after);
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	rmdir(dir);
}

FIXTURE(failslab) {
	int unused;
};

FIXTURE_SETUP(failslab)
{
	if (access("/proc/thread-self/fail-nth", F_OK))
		SKIP(return, "no fault injection in this kernel (CONFIG_FAULT_INJECTION)");
	/* Fail sleeping (GFP_KERNEL) allocations too: the mount path makes them. */
	ASSERT_EQ(0, write_str("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"));
	/* One line per injected failure, not a stack trace the log scan flags. */
	ASSERT_EQ(0, write_str("/sys/kernel/debug/failslab/verbose", "1"));
}

FIXTURE_TEARDOWN(failslab)
{
	write_str("/sys/kernel/debug/failslab/ignore-gfp-wait", "Y");
	write_str("/sys/kernel/debug/failslab/verbose", "2");
}

TEST_F(failslab, nullfs_rs_mount)
{
	every_site(_metadata, "nullfs_rs");
}

TEST_F(failslab, rootfs_rs_mount)
{
	every_site(_metadata, "rootfs_rs");
}

TEST_HARNESS_MAIN
