// SPDX-License-Identifier: GPL-2.0
/*
 * nullfs_rs for containers: root of a user namespace, whose inherited
 * mounts are locked (MNT_LOCKED), uses an empty nullfs_rs mount to take
 * over the lock of an inherited mount so that it can be unmounted without
 * revealing what it covered; switches root without pivot_root(); and makes
 * mount namespaces of nothing but nullfs_rs (fsmount(FSMOUNT_NAMESPACE),
 * unshare(UNSHARE_EMPTY_MNTNS)).
 *
 * Every scenario runs in a child process that enters a user and mount
 * namespace of its own: what it mounts dies with it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif
#ifndef FSMOUNT_NAMESPACE
#define FSMOUNT_NAMESPACE 0x00000002
#endif
#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS 0x00100000
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* Exit status of a child whose kernel lacks the feature under test. */
#define CHILD_UNSUPPORTED 4

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_open_tree, dfd, path, flags);
}

/* The unique id of the mount @path (relative to @dfd) is on, or 0. */
static uint64_t mnt_id_at(int dfd, const char *path)
{
	struct statx sx;

	if (statx(dfd, path, AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &sx) ||
	    !(sx.stx_mask & STATX_MNT_ID_UNIQUE))
		return 0;
	return sx.stx_mnt_id;
}

static uint64_t mnt_id(const char *path)
{
	return mnt_id_at(AT_FDCWD, path);
}

struct mnt_info {
	uint64_t id, parent;
	uint64_t magic;
	char fstype[64];
};

/* What statmount() says of the mount @id of the caller's namespace. */
static int mnt_info(uint64_t id, struct mnt_info *mi)
{
	union {
		struct statmount sm;
		char buf[4096];
	} u;
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = id,
		.param = STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC | STATMOUNT_FS_TYPE,
	};

	memset(&u, 0, sizeof(u));
	if (syscall(__NR_statmount, &req, &u, sizeof(u), 0))
		return -1;
	if (!(u.sm.mask & STATMOUNT_FS_TYPE)) {
		errno = ENODATA;
		return -1;
	}
	mi->id = u.sm.mnt_id;
	mi->parent = u.sm.mnt_parent_id;
	mi->magic = u.sm.sb_magic;
	snprintf(mi->fstype, sizeof(mi->fstype), "%s", u.sm.str + u.sm.fs_type);
	return 0;
}

/* The filesystem type of the mount at @path, or "?". */
static const char *fstype_of(const char *path)
{
	static struct mnt_info mi;
	uint64_t id = mnt_id(path);

	if (!id || mnt_info(id, &mi))
		return "?";
	return mi.fstype;
}

/*
 * The mounts beneath @id (LSMT_ROOT: the caller's root, itself included)
 * in the caller's mount namespace, into @ids; how many, or -1.
 */
static ssize_t list_mounts(uint64_t id, uint64_t *ids, size_t n)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = id,
	};

	return syscall(__NR_listmount, &req, ids, n, 0);
}

/* NULL if @dir is an empty, immutable nullfs_rs root, or which check failed. */
static const char *not_empty_nullfs_rs(const char *dir)
{
	static char why[384];
	char path[256];
	struct statfs sfs = { 0 };

	if (statfs(dir, &sfs) || sfs.f_type != NULL_FS_MAGIC) {
		snprintf(why, sizeof(why), "statfs(%s) magic %#lx", dir,
			 (unsigned long)sfs.f_type);
		return why;
	}
	if (strcmp(fstype_of(dir), "nullfs_rs")) {
		snprintf(why, sizeof(why), "%s is %s", dir, fstype_of(dir));
		return why;
	}
	if (dir_entries(dir) != 2) {
		snprintf(why, sizeof(why), "%s has %d entries", dir, dir_entries(dir));
		return why;
	}
	snprintf(path, sizeof(path), "%s/new", strcmp(dir, "/") ? dir : "");
	if (!mkdir(path, 0755) || errno != ENOENT) {
		snprintf(why, sizeof(why), "mkdir(%s) was not ENOENT", path);
		return why;
	}
	return NULL;
}

#define CHECK_EMPTY_NULLFS_RS(dir)						\
	do {									\
		const char *why_ = not_empty_nullfs_rs(dir);			\
		CHECK(!why_, "%s", why_);					\
	} while (0)

/* Same device (superblock) as the mount behind @fd. */
static int same_sb(const char *path, int fd)
{
	struct stat a, b;

	return !stat(path, &a) && !fstat(fd, &b) && a.st_dev == b.st_dev;
}

/*
 * Root of a new user namespace, in a mount namespace that is a copy of the
 * caller's, with every inherited mount but the namespace's root locked.
 */
static int enter_container(void)
{
	if (enter_userns())
		return -1;
	/* Nothing propagates between the parent's namespace and ours. */
	return sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* Puts @mntfd beneath the topmost mount at @path. */
static int mount_beneath(int mntfd, const char *path)
{
	return sys_move_mount(mntfd, "", AT_FDCWD, path,
			      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_BENEATH);
}

/*
 * 1. The inherited /proc is locked.  A nullfs_rs mount put beneath it takes
 * the lock over, /proc can then go, and what is left is the empty nullfs_rs
 * mount, locked in its turn.
 */
static int unlock_proc(void *unused)
{
	struct statfs sfs;
	uint64_t id;
	int mntfd;

	CHECK(enter_container() == 0, "entering the user namespace");
	CHECK(statfs("/proc", &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC,
	      "/proc is no procfs here");
	CHECK(mnt_id("/proc") && mnt_id("/proc") != mnt_id("/"), "/proc is no mount");
	CHECK(FAILS_WITH(sys_umount2("/proc", MNT_DETACH), EINVAL),
	      "the inherited /proc is not locked");

	mntfd = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
	CHECK(mntfd >= 0, "fsmount(nullfs_rs)");
	id = mnt_id_at(mntfd, "");
	CHECK(id, "mount id of the nullfs_rs mount");
	CHECK(mount_beneath(mntfd, "/proc") == 0, "move_mount beneath /proc");
	/* Still procfs on top; the nullfs_rs mount is in the tree beneath it. */
	CHECK(statfs("/proc", &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC,
	      "/proc is no longer procfs after mounting beneath it");
	CHECK(access("/proc/self", F_OK) == 0, "/proc/self after mounting beneath");

	CHECK(sys_umount2("/proc", MNT_DETACH) == 0, "umount /proc once unlocked");
	CHECK(mnt_id("/proc") == id, "/proc is mount %llu, not the nullfs_rs one %llu",
	      (unsigned long long)mnt_id("/proc"), (unsigned long long)id);
	CHECK(same_sb("/proc", mntfd), "/proc is not the nullfs_rs superblock");
	CHECK_EMPTY_NULLFS_RS("/proc");
	CHECK(FAILS_WITH(access("/proc/self", F_OK), ENOENT), "/proc/self still there");
	CHECK(FAILS_WITH(access("/proc/1", F_OK), ENOENT), "/proc/1 still there");
	/* The lock moved with the job: nothing beneath may be revealed. */
	CHECK(FAILS_WITH(sys_umount2("/proc", MNT_DETACH), EINVAL),
	      "the nullfs_rs mount on /proc is not locked");
	CHECK(mnt_id("/proc") == id, "/proc changed after a refused umount");
	close(mntfd);
	return 0;
}

TEST(unlock_inherited_mount_proc)
{
	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	EXPECT_EQ(0, in_child(unlock_proc, NULL));
}

/* 2. The same over a bind mount that hides a directory with content. */
struct layers {
	char base[48];
	char lower[64];		/* holds "under" */
	char upper[64];		/* holds "over", bind-mounted on lower */
	char under[80];
	char over[80];
	char lower_over[80];	/* "over" as seen through lower */
};

static int unlock_bind(void *arg)
{
	struct layers *l = arg;
	int mntfd;

	/*
	 * As real root: the bind mount, in a mount namespace of the child's
	 * own so that nothing is left mounted in the parent's.
	 */
	CHECK(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS)");
	CHECK(sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private");
	CHECK(sys_mount(l->upper, l->lower, NULL, MS_BIND, NULL) == 0, "bind mount");

	CHECK(enter_container() == 0, "entering the user namespace");
	CHECK(access(l->lower_over, F_OK) == 0, "the bind mount is not inherited");
	CHECK(FAILS_WITH(access(l->under, F_OK), ENOENT), "the covered file shows");
	CHECK(FAILS_WITH(sys_umount2(l->lower, MNT_DETACH), EINVAL),
	      "the inherited bind mount is not locked");

	mntfd = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
	CHECK(mntfd >= 0, "fsmount(nullfs_rs)");
	CHECK(mount_beneath(mntfd, l->lower) == 0, "move_mount beneath the bind mount");
	CHECK(access(l->lower_over, F_OK) == 0, "the bind mount went away");
	CHECK(sys_umount2(l->lower, MNT_DETACH) == 0, "umount the bind mount once unlocked");

	CHECK(same_sb(l->lower, mntfd), "%s is not the nullfs_rs superblock", l->lower);
	CHECK_EMPTY_NULLFS_RS(l->lower);
	CHECK(FAILS_WITH(access(l->under, F_OK), ENOENT),
	      "the file of the underlying directory is revealed");
	CHECK(FAILS_WITH(access(l->lower_over, F_OK), ENOENT), "the bind mount still shows");
	CHECK(FAILS_WITH(sys_umount2(l->lower, MNT_DETACH), EINVAL),
	      "the nullfs_rs mount is not locked");
	CHECK(FAILS_WITH(access(l->under, F_OK), ENOENT), "revealed after a refused umount");
	close(mntfd);
	return 0;
}

static int create_file(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

TEST(unlock_inherited_bind_with_content)
{
	struct layers l;
	int ret;

	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	strcpy(l.base, "/tmp/userns_containers.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(l.base));
	snprintf(l.lower, sizeof(l.lower), "%s/lower", l.base);
	snprintf(l.upper, sizeof(l.upper), "%s/upper", l.base);
	snprintf(l.under, sizeof(l.under), "%s/under", l.lower);
	snprintf(l.over, sizeof(l.over), "%s/over", l.upper);
	snprintf(l.lower_over, sizeof(l.lower_over), "%s/over", l.lower);
	ret = mkdir(l.lower, 0755) || mkdir(l.upper, 0755) ||
	      create_file(l.under) || create_file(l.over);
	EXPECT_EQ(0, ret) TH_LOG("setting up %s: %s", l.base, strerror(errno));
	if (!ret)
		EXPECT_EQ(0, in_child(unlock_bind, &l));

	/* Nothing leaked into this namespace: lower is the plain directory. */
	EXPECT_EQ(0, access(l.under, F_OK));
	EXPECT_EQ(-1, access(l.lower_over, F_OK));
	unlink(l.under);
	unlink(l.over);
	rmdir(l.lower);
	rmdir(l.upper);
	EXPECT_EQ(0, rmdir(l.base)) TH_LOG("cleaning up %s: %s", l.base, strerror(errno));
}

/*
 * 3. Switching root without pivot_root() (the v7.1 mount pull): the new
 * root, here a nullfs_rs mount, goes beneath "/", the task chroots into
 * it, and the old root is unmounted from above it.  The old root was
 * locked; its lock moves to the new root, so it may go and the new one may
 * not.
 */
static int switch_root_beneath(void *unused)
{
	uint64_t ids[16], old_id, new_id, below_id, bottom_id;
	struct mnt_info mi;
	char exe[256];
	ssize_t n, i;
	int mntfd, tree;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe");
	exe[n] = '\0';

	CHECK(enter_container() == 0, "entering the user namespace");
	old_id = mnt_id("/");
	CHECK(old_id, "mount id of /");
	/*
	 * What the old root is mounted on: the namespace's nullfs root, or,
	 * on a machine that booted through an initramfs, the rootfs that the
	 * initramfs's switch_root left on it.
	 */
	CHECK(mnt_info(old_id, &mi) == 0, "statmount of the old root");
	below_id = mi.parent;
	CHECK(FAILS_WITH(sys_umount2("/", MNT_DETACH), EINVAL),
	      "the inherited root is not locked");

	/* The new root: a nullfs_rs mount, cloned as a container runtime would. */
	mntfd = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
	CHECK(mntfd >= 0, "fsmount(nullfs_rs)");
	tree = sys_open_tree(mntfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	CHECK(tree >= 0, "open_tree(OPEN_TREE_CLONE) of the nullfs_rs mount");
	close(mntfd);
	new_id = mnt_id_at(tree, "");
	CHECK(new_id && new_id != old_id, "mount id of the clone");

	CHECK(fchdir(tree) == 0, "fchdir into the new root");
	CHECK(mount_beneath(tree, "/") == 0, "move_mount beneath /");
	CHECK(chroot(".") == 0, "chroot(\".\")");
	CHECK(mnt_id("/") == new_id, "/ is not the new root after chroot");
	/* The old root sits on the new one, which took its place. */
	CHECK(mnt_info(old_id, &mi) == 0 && mi.parent == new_id,
	      "the old root is not mounted on the new one");
	CHECK(mnt_info(new_id, &mi) == 0 && mi.parent == below_id,
	      "the new root is not where the old root was");
	/* At the bottom of the namespace, the kernel's nullfs. */
	bottom_id = below_id;
	for (i = 0; i < 16 && mnt_info(bottom_id, &mi) == 0 && mi.parent != bottom_id; i++)
		bottom_id = mi.parent;
	CHECK(mnt_info(bottom_id, &mi) == 0 && !strcmp(mi.fstype, "nullfs") &&
	      mi.parent == bottom_id, "the namespace's root mount is not nullfs");
	CHECK(sys_umount2(".", MNT_DETACH) == 0, "umount2(\".\") of the old root");
	CHECK(chdir("/") == 0, "chdir /");

	CHECK(mnt_id("/") == new_id, "/ changed after the old root went");
	CHECK_EMPTY_NULLFS_RS("/");
	CHECK(FAILS_WITH(access("/proc/self", F_OK), ENOENT), "/proc/self reachable");
	CHECK(FAILS_WITH(access(exe, F_OK), ENOENT), "%s reachable", exe);
	CHECK(FAILS_WITH(access("/../proc", F_OK), ENOENT), "/../proc reachable");
	/* Above what the old root was on: the new root, nothing else. */
	n = list_mounts(below_id, ids, 16);
	CHECK(n == 1 && ids[0] == new_id, "%zd mounts where the old root was", n);
	for (i = 0; i < n; i++)
		CHECK(ids[i] != old_id, "the old root is still in the namespace");
	CHECK(FAILS_WITH(mnt_info(old_id, &mi), ENOENT), "statmount of the old root");
	/* The lock moved to the new root: nullfs beneath stays hidden anyway. */
	CHECK(FAILS_WITH(sys_umount2("/", MNT_DETACH), EINVAL), "the new root is not locked");
	close(tree);
	return 0;
}

TEST(switch_root_without_pivot_root)
{
	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	EXPECT_EQ(0, in_child(switch_root_beneath, NULL));
}

/*
 * 4a. fsmount(FSMOUNT_NAMESPACE): a mount namespace whose root is the new
 * nullfs_rs mount, made by root of a user namespace.
 */
static int fsmount_namespace(void *unused)
{
	uint64_t ids[16];
	struct mnt_info top, base;
	ssize_t n;
	int nsfd;

	CHECK(enter_container() == 0, "entering the user namespace");
	/* Flags are checked first: an unknown one is EINVAL, before the fd. */
	if (FAILS_WITH(sys_fsmount(-1, FSMOUNT_NAMESPACE, 0), EINVAL))
		return CHILD_UNSUPPORTED;
	nsfd = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC | FSMOUNT_NAMESPACE);
	CHECK(nsfd >= 0, "fsmount(nullfs_rs, FSMOUNT_NAMESPACE)");
	CHECK(setns(nsfd, CLONE_NEWNS) == 0, "setns into the new mount namespace");
	close(nsfd);

	CHECK_EMPTY_NULLFS_RS("/");
	CHECK(FAILS_WITH(access("/proc", F_OK), ENOENT), "/proc reachable");
	CHECK(FAILS_WITH(access("/tmp", F_OK), ENOENT), "/tmp reachable");
	/* Two mounts: nullfs_rs on a copy of the namespace's nullfs root. */
	CHECK(mnt_info(mnt_id("/"), &top) == 0, "statmount /");
	CHECK(mnt_info(top.parent, &base) == 0, "statmount of the parent of /");
	CHECK(top.parent != top.id && !strcmp(base.fstype, "nullfs") &&
	      base.parent == base.id, "/ (%s) is not on a nullfs root (%s)",
	      top.fstype, base.fstype);
	n = list_mounts(base.id, ids, 16);
	CHECK(n == 1 && ids[0] == top.id, "%zd mounts above the nullfs root", n);
	/* Locked, as the namespace it was made from had a locked root. */
	CHECK(FAILS_WITH(sys_umount2("/", MNT_DETACH), EINVAL), "/ is not locked");
	return 0;
}

TEST(fsmount_namespace_from_userns)
{
	int ret;

	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	ret = in_child(fsmount_namespace, NULL);
	if (ret == CHILD_UNSUPPORTED)
		SKIP(return, "fsmount(FSMOUNT_NAMESPACE) not supported by this kernel");
	EXPECT_EQ(0, ret);
}

/*
 * 4b. unshare(UNSHARE_EMPTY_MNTNS): a namespace of nothing but the kernel's
 * nullfs, on which a mount table of nullfs_rs mounts is built: two stacked
 * on "/".  Checked with listmount()/statmount(), and with the mountinfo of
 * a procfs instance of a new pid namespace mounted before the unshare (an
 * empty namespace has no procfs for a new one not to be "too revealing").
 */
struct mountinfo_line {
	int id, parent;
	char mnt_point[64];
	char fstype[32];
};

static int read_mountinfo(int procfd, struct mountinfo_line *lines, int max)
{
	char buf[4096], *line, *save, *sep;
	ssize_t len;
	int fd, n = 0;

	fd = openat(procfd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save), n++) {
		fprintf(stderr, "#   mountinfo: %s\n", line);
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%d %d %*s %*s %63s", &lines[n].id,
				   &lines[n].parent, lines[n].mnt_point) != 3 ||
		    sscanf(sep + 3, "%31s", lines[n].fstype) != 1) {
			errno = EBADMSG;
			return -1;
		}
	}
	return n;
}

static int empty_mntns_table(void *unused)
{
	struct mountinfo_line mi_lines[8];
	struct mnt_info root, a_mi, b_mi;
	uint64_t ids[16], root_id, a_id, b_id;
	int procfd, a, b, i;
	ssize_t n;

	/* In the new pid namespace (this is its init): its procfs. */
	procfd = fs_new_mount("proc", FSMOUNT_CLOEXEC);
	CHECK(procfd >= 0, "fsmount(proc) in the new pid namespace");

	if (unshare(UNSHARE_EMPTY_MNTNS)) {
		/* An unknown unshare() flag is EINVAL. */
		if (errno == EINVAL)
			return CHILD_UNSUPPORTED;
		fprintf(stderr, "# child: unshare(UNSHARE_EMPTY_MNTNS): %s\n",
			strerror(errno));
		return 1;
	}
	root_id = mnt_id("/");
	CHECK(root_id && mnt_id(".") == root_id, "/ and . are not the one mount");
	n = list_mounts(LSMT_ROOT, ids, 16);
	CHECK(n == 1 && ids[0] == root_id, "%zd mounts in the empty namespace", n);
	CHECK(mnt_info(root_id, &root) == 0 && !strcmp(root.fstype, "nullfs") &&
	      root.magic == NULL_FS_MAGIC && root.parent == root_id,
	      "the root of the empty namespace is %s", root.fstype);
	CHECK(dir_entries("/") == 2, "the empty namespace's root is not empty");
	CHECK(FAILS_WITH(access("/proc", F_OK), ENOENT), "/proc reachable");

	/* Two nullfs_rs mounts stacked on "/". */
	a = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
	b = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
	CHECK(a >= 0 && b >= 0, "fsmount(nullfs_rs)");
	CHECK(sys_move_mount(a, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) == 0,
	      "move_mount of the first nullfs_rs onto /");
	CHECK(sys_move_mount(b, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) == 0,
	      "move_mount of the second nullfs_rs onto /");
	a_id = mnt_id_at(a, "");
	b_id = mnt_id_at(b, "");
	CHECK(a_id && b_id && a_id != b_id, "mount ids of the nullfs_rs mounts");

	/* The table, seen from the nullfs root: nullfs, then a on it, b on a. */
	n = list_mounts(LSMT_ROOT, ids, 16);
	CHECK(n == 3 && ids[0] == root_id && ids[1] == a_id && ids[2] == b_id,
	      "listmount gave %zd mounts", n);
	CHECK(mnt_info(a_id, &a_mi) == 0 && mnt_info(b_id, &b_mi) == 0, "statmount");
	CHECK(!strcmp(a_mi.fstype, "nullfs_rs") && !strcmp(b_mi.fstype, "nullfs_rs") &&
	      a_mi.magic == NULL_FS_MAGIC && b_mi.magic == NULL_FS_MAGIC,
	      "fs types %s and %s", a_mi.fstype, b_mi.fstype);
	CHECK(a_mi.parent == root_id && b_mi.parent == a_id, "the mounts do not stack");

	/* The same in the mountinfo of procfs. */
	n = read_mountinfo(procfd, mi_lines, 8);
	CHECK(n == 3, "%zd lines of mountinfo", n);
	CHECK(!strcmp(mi_lines[0].fstype, "nullfs") &&
	      !strcmp(mi_lines[1].fstype, "nullfs_rs") &&
	      !strcmp(mi_lines[2].fstype, "nullfs_rs"), "mountinfo fs types");
	CHECK(mi_lines[1].parent == mi_lines[0].id && mi_lines[2].parent == mi_lines[1].id,
	      "mountinfo parents");
	for (i = 0; i < n; i++)
		CHECK(!strcmp(mi_lines[i].mnt_point, "/"), "mountinfo mount point %s",
		      mi_lines[i].mnt_point);

	/* Into the top one: "/" is b, a covered by it. */
	CHECK(fchdir(b) == 0 && chroot(".") == 0 && chdir("/") == 0, "chroot into b");
	CHECK(mnt_id("/") == b_id, "/ is not b");
	CHECK(same_sb("/", b) && !same_sb("/", a), "/ is not b's superblock");
	CHECK_EMPTY_NULLFS_RS("/");
	n = list_mounts(LSMT_ROOT, ids, 16);
	CHECK(n == 1 && ids[0] == b_id, "%zd mounts seen from b", n);

	/* Mounted in this namespace by its owner, they are not locked. */
	CHECK(sys_umount2("/", MNT_DETACH) == 0, "umount b");
	n = list_mounts(root_id, ids, 16);
	CHECK(n == 1 && ids[0] == a_id, "%zd mounts above the nullfs root after b", n);
	CHECK(fchdir(a) == 0 && chroot(".") == 0 && chdir("/") == 0, "chroot into a");
	CHECK_EMPTY_NULLFS_RS("/");
	CHECK(sys_umount2("/", MNT_DETACH) == 0, "umount a");
	n = list_mounts(root_id, ids, 16);
	CHECK(n == 0, "%zd mounts above the nullfs root after a", n);
	close(a);
	close(b);
	close(procfd);
	return 0;
}

static int empty_mntns(void *unused)
{
	CHECK(enter_container() == 0, "entering the user namespace");
	/* procfs for the user namespace needs a pid namespace it owns. */
	CHECK(unshare(CLONE_NEWPID) == 0, "unshare(CLONE_NEWPID)");
	return in_child(empty_mntns_table, NULL);
}

TEST(empty_mntns_from_userns)
{
	int ret;

	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	ret = in_child(empty_mntns, NULL);
	if (ret == CHILD_UNSUPPORTED)
		SKIP(return, "unshare(UNSHARE_EMPTY_MNTNS) not supported by this kernel");
	EXPECT_EQ(0, ret);
}

TEST_HARNESS_MAIN
