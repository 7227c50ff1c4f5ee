/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nullfs_rs counterpart of unshare(UNSHARE_EMPTY_MNTNS), for the
 * substitutions in tools/selftests/upstream/: a new mount namespace whose
 * root is a mount of nullfs_rs. Built into a substituted test with
 * -include.
 *
 * UNSHARE_EMPTY_MNTNS gives every namespace a mount of the one C nullfs
 * superblock, so that two namespaces look at the same root inode (which
 * the atime test depends on). nullfs_rs makes an instance per mount, so
 * the program makes one instance before main() and every namespace gets a
 * mount of it.
 */
#ifndef NULLFS_RS_EMPTY_MNTNS_H
#define NULLFS_RS_EMPTY_MNTNS_H

#include "nullfs_rs_mount.h"	/* first: it defines _GNU_SOURCE */

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int nullfs_rs_instance = -1;

/*
 * The tests take EINVAL from unshare() for "not supported" and skip: a
 * substitution that cannot do its part must fail the test instead.
 */
static inline void nullfs_rs_die(const char *what)
{
	fprintf(stderr, "# nullfs_rs substitution: %s: %s\n", what, strerror(errno));
	abort();
}

/*
 * Before main(), in the mount namespace the tests start in: the kernel
 * copies a detached mount only for a caller in the namespace it was made
 * in.
 */
__attribute__((constructor)) static void nullfs_rs_make_instance(void)
{
	nullfs_rs_instance = nullfs_rs_fsmount(FSMOUNT_CLOEXEC);
	if (nullfs_rs_instance < 0)
		nullfs_rs_die("fsmount() of nullfs_rs");
}

/*
 * A namespace of its own, like UNSHARE_EMPTY_MNTNS's: 7.3 puts its own C
 * nullfs at the bottom and the copy of the instance on top, and setns()
 * takes the caller's root and cwd to the top. Returns 0, as unshare()
 * would, or does not return.
 */
static inline int nullfs_rs_empty_mntns(void)
{
	struct stat instance, root;
	int ns_fd;

	ns_fd = syscall(__NR_open_tree, nullfs_rs_instance, "",
			AT_EMPTY_PATH | OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC);
	if (ns_fd < 0)
		nullfs_rs_die("open_tree(OPEN_TREE_NAMESPACE) of the nullfs_rs instance");
	if (setns(ns_fd, CLONE_NEWNS))
		nullfs_rs_die("setns() into the namespace of nullfs_rs");
	close(ns_fd);
	/*
	 * The root must be the instance, not the C nullfs beneath it, which
	 * has the same magic and would pass every test in its place.
	 */
	if (fstat(nullfs_rs_instance, &instance) || stat("/", &root))
		nullfs_rs_die("stat() of the instance and of the new root");
	if (instance.st_dev != root.st_dev || instance.st_ino != root.st_ino) {
		errno = EXDEV;
		nullfs_rs_die("the new root is not the nullfs_rs instance");
	}
	return 0;
}

#endif /* NULLFS_RS_EMPTY_MNTNS_H */
