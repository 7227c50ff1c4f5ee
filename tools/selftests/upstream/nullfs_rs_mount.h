/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the substitutions in tools/selftests/upstream/ call where a test of
 * the kernel tree takes a filesystem: a new nullfs_rs instance. Built into
 * a substituted test with -include, so that no include line of the test
 * has to change.
 */
#ifndef NULLFS_RS_MOUNT_H
#define NULLFS_RS_MOUNT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/mount.h>

/*
 * The filesystem the substitutions mount: nullfs_rs, or for the negative
 * controls (build.sh's tmpfs/ builds) another type, on which the tests
 * must fail.
 */
#ifndef NULLFS_RS_SUBSTITUTE_FS
#define NULLFS_RS_SUBSTITUTE_FS "nullfs_rs"
#endif

/*
 * A new instance of NULLFS_RS_SUBSTITUTE_FS as a detached mount, or -1
 * with errno.
 */
static inline int nullfs_rs_fsmount(unsigned int fsmount_flags)
{
	int fs_fd, mnt_fd, err;

	fs_fd = syscall(__NR_fsopen, NULLFS_RS_SUBSTITUTE_FS, FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		return -1;
	mnt_fd = -1;
	if (!syscall(__NR_fsconfig, fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt_fd = syscall(__NR_fsmount, fs_fd, fsmount_flags, 0);
	err = errno;
	close(fs_fd);
	errno = err;
	return mnt_fd;
}

/*
 * In place of open_tree(AT_FDCWD, "/", @open_tree_flags), which clones the
 * caller's root: a new nullfs_rs instance, detached as the clone would be.
 * OPEN_TREE_CLONE and AT_RECURSIVE hold of it as it is (it is a detached
 * mount without children); OPEN_TREE_CLOEXEC becomes FSMOUNT_CLOEXEC.
 */
static inline int nullfs_rs_open_tree(unsigned int open_tree_flags)
{
	return nullfs_rs_fsmount(open_tree_flags & OPEN_TREE_CLOEXEC ? FSMOUNT_CLOEXEC : 0);
}

#endif /* NULLFS_RS_MOUNT_H */
