// SPDX-License-Identifier: GPL-2.0
/*
 * A differential fuzzer: one seeded sequence of random syscalls runs
 * against nullfs_rs and against the in-tree C nullfs, and every answer must
 * be the same, call by call.
 *
 * Each side is a child in a mount namespace made by
 * unshare(UNSHARE_EMPTY_MNTNS), whose root mount is a C nullfs.  On top of
 * it, at "/", sits the root under test, and the child is chrooted into it:
 * a clone of that C nullfs root (open_tree) on one side, a new nullfs_rs
 * mount on the other.  Both trees have the same shape, so "/", "..", a
 * mount on the root, one beneath it and an unmount of it mean the same on
 * both sides.  Each test runs the pair once as root and once in a user
 * namespace of its own.  Besides path calls through the root and through
 * mounts made on it, the sequence has the mount API (fsopen of tmpfs and
 * ramfs with random fsconfig, fsmount, move_mount also beneath, open_tree
 * clones, mount_setattr, umount2), io_uring's openat and statx, and bursts
 * of threads, each with a stream of its own.  The only empty roots are the
 * root under test and its clones: C nullfs's on one side, nullfs_rs's on
 * the other; no side makes a superblock of a type under test, so neither
 * runs Rust against Rust, nor shares rootfs_rs's one superblock.
 *
 * Every answer is tagged with where its walk started: on the root under
 * test (or a clone), or elsewhere (a tmpfs the sequence mounted, say,
 * after an fchdir or a chroot into it).  The tags must agree, and a run
 * fails unless at least MIN_ON_ROOT_PERCENT of the path calls started on
 * the roots under test.
 *
 * The sequence comes from NULLFS_RS_FUZZ_SEED (default 1) alone and has
 * NULLFS_RS_FUZZ_OPS operations (default 20000): every operation's
 * arguments are drawn into a struct op before it runs, one draw per
 * statement, so the answers cannot steer the draws and a seed replays bit
 * for bit.  Each child streams an answer per operation to the parent:
 * the return value (or "an fd" for calls that make one), the errno, and
 * what the call put out that the filesystem decides (stat and statfs
 * fields, directory entries, bytes read, xattr values, the fs_context
 * log).  The identity of objects is left out: inode and device numbers,
 * f_fsid, mount ids, handle bytes, timestamps.
 *
 * Only the differences documented_difference() lists may show, and for
 * the default run their number is pinned (pinned_differences()); an
 * umount2() that would remount the root's superblock is not made (see
 * remounts_root_under_test()).  The retries of an openat2() that gave a
 * transient EAGAIN are counted and logged, not compared: they depend on
 * the other side's timing.  At the end, the root must still be the
 * empty directory it was, on both sides, and the module must unload.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"
#include "io_uring.h"

#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS 0x00100000
#endif

/* From <sys/mount.h>, which clashes with <linux/mount.h>. */
#ifndef MNT_FORCE
#define MNT_FORCE 1
#endif
#ifndef MNT_EXPIRE
#define MNT_EXPIRE 4
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

/* Where operations keep the fds they make, and take the ones they use. */
#define NR_SLOTS 6
/* A dirfd that is none of the slots: the directory fd of the root under test. */
#define DFD_ROOT NR_SLOTS
#define DFD_CWD (NR_SLOTS + 1)

#define NR_THREADS 4
#define THREAD_OPS 24
#define IO_SIZE 4096
/* Reads and writes go up to 3 * IO_SIZE. */
#define BUF_SIZE (4 * IO_SIZE)

struct rng {
	unsigned long long state;
};

static unsigned int rnd(struct rng *r, unsigned int n)
{
	/* xorshift64*: small, and the same sequence for the same seed. */
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return (unsigned int)((r->state * 2685821657736338717ULL) >> 32) % n;
}

enum op_kind {
	OP_OPENAT, OP_OPENAT2, OP_MKDIRAT, OP_MKNODAT, OP_SYMLINKAT, OP_LINKAT,
	OP_RENAMEAT2, OP_UNLINKAT, OP_FCHMODAT, OP_FCHOWNAT, OP_UTIMENSAT,
	OP_TRUNCATE, OP_FTRUNCATE, OP_FALLOCATE, OP_LSEEK, OP_GETDENTS, OP_READ,
	OP_WRITE, OP_IOCTL, OP_FCNTL, OP_FLOCK, OP_SETXATTR, OP_GETXATTR,
	OP_LISTXATTR, OP_REMOVEXATTR, OP_STATX, OP_STATFS, OP_FSTATFS,
	OP_READLINKAT, OP_NAME_TO_HANDLE, OP_INOTIFY, OP_MMAP,
	/* The operations above make up the threads' streams too. */
	NR_PATH_OPS,
	OP_CLOSE = NR_PATH_OPS, OP_FCHDIR, OP_CHROOT, OP_FSOPEN, OP_FSCONFIG,
	OP_FSMOUNT, OP_FSLOG, OP_MOVE_MOUNT, OP_OPEN_TREE, OP_MOUNT_SETATTR,
	OP_UMOUNT, OP_REMOUNT_BIND, OP_URING_OPENAT, OP_URING_STATX, OP_THREADS,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"openat", "openat2", "mkdirat", "mknodat", "symlinkat", "linkat",
	"renameat2", "unlinkat", "fchmodat", "fchownat", "utimensat",
	"truncate", "ftruncate", "fallocate", "lseek", "getdents64", "read",
	"pwrite", "ioctl", "fcntl", "flock", "setxattr", "getxattr",
	"listxattr", "removexattr", "statx", "statfs", "fstatfs",
	"readlinkat", "name_to_handle_at", "inotify_add_watch", "mmap",
	"close", "fchdir", "chroot", "fsopen", "fsconfig",
	"fsmount", "read fs_context log", "move_mount", "open_tree", "mount_setattr",
	"umount2", "remount bind", "io_uring openat", "io_uring statx", "threads",
};

/* One operation, drawn before it runs. */
struct op {
	enum op_kind kind;
	int dfd, dfd2;		/* slot, DFD_ROOT or DFD_CWD */
	int slot;		/* the fd used, or where a new fd goes */
	int variant;		/* which call of a family, which table entry */
	const char *name, *name2;
	unsigned int flags, flags2, mode;
	long long a, b;
};

/* Where a call's walk started. */
enum start {
	START_NONE,		/* no walk: a call on an fd alone, a mount call */
	START_ON_ROOT,		/* the root under test, or a clone of it */
	START_ELSEWHERE,
};

/* What one operation gave on one side. */
struct answer {
	long index;		/* the operation in the main stream */
	int thread;		/* 0 in the main stream, 1 + thread in a burst */
	enum op_kind kind;
	unsigned long long resolve;	/* RESOLVE_* asked for */
	enum start start;
	bool reaches_root;	/* the name starts at "/" or climbs with ".." */
	int retries;		/* of a transient EAGAIN; not compared */
	int err;
	long long ret;
	char op[200];
	char out[280];
};

/* The share of walks that must start on the roots under test. */
#define MIN_ON_ROOT_PERCENT 50
/* See pinned_differences(). */
#define PINNED_DIFFERENCES_ROOT 1
#define PINNED_DIFFERENCES_USERNS 1

/* A name over NAME_MAX, filled in before the sides start. */
static char long_name[NAME_MAX + 2];

static const char *const names[] = {
	"x", "y", "x/y", ".", "..", "", "/", "/x", "/..", "/../x", "../y", "x/..",
	"./x", "/../x/y", long_name,
};

/*
 * The threads share the tree: they stay below their own fd of the root,
 * and each has names of its own ("x2", "x2/y2", ...), filled in before the
 * sides start.  With names in common, what a thread's RESOLVE_CACHED open
 * finds depends on whether another thread looked the name up first:
 * nullfs_rs remembers the miss, and the C nullfs answered such opens
 * differently from one run of a seed to the next.
 */
#define NR_THREAD_NAMES 6
static char thread_names[NR_THREADS][NR_THREAD_NAMES][8];

static void name_threads(void)
{
	int t;

	for (t = 0; t < NR_THREADS; t++) {
		char (*name)[8] = thread_names[t];

		snprintf(name[0], sizeof(name[0]), "x%d", t);
		snprintf(name[1], sizeof(name[1]), "y%d", t);
		snprintf(name[2], sizeof(name[2]), "x%d/y%d", t, t);
		snprintf(name[3], sizeof(name[3]), ".");
		/* name[4] stays "", the empty path. */
		snprintf(name[5], sizeof(name[5]), "./x%d", t);
	}
}

static const unsigned long long open_flag_bits[] = {
	O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_PATH,
	O_TMPFILE, O_DIRECT, O_NOATIME, O_SYNC, O_LARGEFILE, O_NOCTTY,
};

static const unsigned long long resolve_bits[] = {
	RESOLVE_NO_XDEV, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS,
	RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_CACHED,
};

static const char *const xattr_names[] = {
	"user.x", "trusted.x", "security.x", "system.posix_acl_access", "x", "",
};

/* Not the types under test: see the top of the file. */
static const char *const fs_types[] = { "tmpfs", "ramfs" };

static const char *const fs_keys[] = {
	"source", "size", "mode", "ro", "rw", "uid", "gid", "nr_inodes", "huge",
	"\xff\xfe", "", "noswap",
};

static const char *const fs_values[] = {
	"0", "1", "0755", "1M", "none", "always", "-1", "", "\xff",
};

struct ioctl_kind {
	unsigned long cmd;
	bool int_out;		/* whether the int it writes is compared */
};

static const struct ioctl_kind ioctls[] = {
	{ FS_IOC_GETFLAGS, true }, { FS_IOC_SETFLAGS, false },
	{ FS_IOC_GETVERSION, false }, { FS_IOC_FSGETXATTR, true },
	{ FS_IOC_FSSETXATTR, false }, { FIONREAD, true }, { FIGETBSZ, true },
	{ FS_IOC_GETFSUUID, false }, { FIONBIO, false }, { FIOCLEX, false },
	{ FIONCLEX, false }, { FS_IOC_GETFSSYSFSPATH, false },
	{ FS_IOC_GETFSLABEL, false },
};

/*
 * No F_SETLKW or F_SETLEASE: a lease or a lock held on another of our own
 * fds would block the next open or lock for good.
 */
static const int fcntls[] = {
	F_GETFL, F_SETFL, F_SETLK, F_GETLK, F_OFD_SETLK, F_OFD_GETLK,
	F_GETLEASE, F_GETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS, F_DUPFD_CLOEXEC,
	F_GETFD, F_SETFD,
};

/* Devices harmless to open, read and write: a whiteout (0:0), null (1:3), zero (1:5). */
static const unsigned int devices[] = { 0, 0x103, 0x105 };

static const unsigned long long remount_bits[] = {
	MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_NOATIME,
};

static const unsigned long long mount_attr_bits[] = {
	MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC,
	MOUNT_ATTR_NOATIME, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NOSYMFOLLOW,
};

/* In an xattr call's variant: by fd, rather than by path from the cwd. */
#define XATTR_BY_FD 32

#define TABLE_SIZE(t) (sizeof(t) / sizeof((t)[0]))

/* @bits, each with a chance of one in @odds. */
static unsigned long long draw_bits(struct rng *r, const unsigned long long *bits,
				    unsigned int n, unsigned int odds)
{
	unsigned long long flags = 0;
	unsigned int i, hit;

	for (i = 0; i < n; i++) {
		hit = rnd(r, odds) == 0;
		if (hit)
			flags |= bits[i];
	}
	return flags;
}

/* A dirfd: the cwd, the root's fd, or a slot. */
static int draw_dfd(struct rng *r)
{
	unsigned int pick = rnd(r, 8);

	if (pick < 3)
		return DFD_CWD;
	if (pick < 5)
		return DFD_ROOT;
	return rnd(r, NR_SLOTS);
}

/*
 * What a thread's call answers must not depend on how the threads
 * interleave.  The calls that take a path from the cwd, which may be in a
 * mount where the threads would see each other's changes, take the
 * thread's fd instead.  Locks are shared ones: all the threads' fds are on
 * the root's inode, where one thread's exclusive lock would make another's
 * flock() fail, or its F_GETLK report it, only if it came first.
 */
static void keep_thread_apart(struct op *op)
{
	if (op->kind == OP_TRUNCATE)
		op->kind = OP_FTRUNCATE;
	else if (op->kind == OP_STATFS)
		op->kind = OP_FSTATFS;
	else if (op->kind == OP_INOTIFY)
		op->kind = OP_STATX;
	else if (op->kind == OP_FLOCK && op->flags & LOCK_EX)
		op->flags = (op->flags & ~LOCK_EX) | LOCK_SH;
	else if (op->kind == OP_FCNTL && op->flags2 == F_WRLCK)
		op->flags2 = F_RDLCK;
	op->variant |= XATTR_BY_FD;
}

/* A path call of the main stream, or with @thread >= 0 of that thread's. */
static void draw_path_op(struct rng *r, struct op *op, int thread)
{
	bool in_thread = thread >= 0;
	unsigned int list_size = in_thread ? NR_THREAD_NAMES : TABLE_SIZE(names);
	unsigned int i;

	memset(op, 0, sizeof(*op));
	op->kind = rnd(r, NR_PATH_OPS);
	op->dfd = in_thread ? DFD_ROOT : draw_dfd(r);
	op->dfd2 = in_thread ? DFD_ROOT : draw_dfd(r);
	op->slot = in_thread ? -1 : (int)rnd(r, NR_SLOTS);
	i = rnd(r, list_size);
	op->name = in_thread ? thread_names[thread][i] : names[i];
	i = rnd(r, list_size);
	op->name2 = in_thread ? thread_names[thread][i] : names[i];
	op->variant = rnd(r, 64);
	op->mode = rnd(r, 010000);
	op->a = rnd(r, 3 * IO_SIZE);
	op->b = rnd(r, 3 * IO_SIZE);

	switch (op->kind) {
	case OP_OPENAT:
	case OP_OPENAT2:
		op->flags = rnd(r, 4);	/* the access mode, 3 included */
		op->flags |= draw_bits(r, open_flag_bits, TABLE_SIZE(open_flag_bits), 5);
		op->flags2 = draw_bits(r, resolve_bits, TABLE_SIZE(resolve_bits), 4);
		break;
	case OP_MKNODAT:
		i = rnd(r, 4);
		op->mode |= i == 0 ? S_IFIFO : i == 1 ? S_IFCHR : i == 2 ? S_IFREG : S_IFSOCK;
		i = rnd(r, TABLE_SIZE(devices));
		op->flags = devices[i];
		break;
	case OP_LINKAT:
		op->flags = rnd(r, 4) == 0 ? AT_EMPTY_PATH : 0;
		op->flags |= rnd(r, 4) == 0 ? AT_SYMLINK_FOLLOW : 0;
		break;
	case OP_RENAMEAT2:
		op->flags = rnd(r, 8);	/* NOREPLACE, EXCHANGE, WHITEOUT */
		break;
	case OP_UNLINKAT:
		op->flags = rnd(r, 2) ? AT_REMOVEDIR : 0;
		break;
	case OP_FCHMODAT:
	case OP_FCHOWNAT:
	case OP_UTIMENSAT:
	case OP_STATX:
	case OP_NAME_TO_HANDLE:
		i = rnd(r, 4);
		op->flags = i == 0 ? AT_EMPTY_PATH : i == 1 ? AT_SYMLINK_NOFOLLOW : 0;
		op->flags2 = rnd(r, 0x10000);
		break;
	case OP_LSEEK:
		op->a = (long long)rnd(r, 8) - 2;
		op->flags = rnd(r, 6);	/* whence, an invalid one included */
		break;
	case OP_SETXATTR:
		op->flags = rnd(r, 4);	/* XATTR_CREATE, XATTR_REPLACE, both */
		break;
	case OP_IOCTL:
		op->flags = rnd(r, 256);	/* the byte the argument is filled with */
		break;
	case OP_FCNTL:
		op->flags = rnd(r, 1 << 16);
		op->flags2 = rnd(r, 3);	/* the lock type */
		break;
	case OP_FLOCK:
		/* Always LOCK_NB: a lock held on another of our fds must not block us. */
		op->flags = rnd(r, 16) | LOCK_NB;
		break;
	case OP_INOTIFY:
		op->flags = rnd(r, 1 << 12) | IN_ACCESS;
		break;
	case OP_MMAP:
		op->flags = rnd(r, 8);	/* PROT_* */
		op->flags2 = rnd(r, 2) ? MAP_SHARED : MAP_PRIVATE;
		break;
	default:
		break;
	}
	if (in_thread)
		keep_thread_apart(op);
}

static void draw_op(struct rng *r, struct op *op)
{
	unsigned int i, pick = rnd(r, 100);

	/* Two in three operations are path calls; the rest manage fds and mounts. */
	if (pick < 66) {
		draw_path_op(r, op, -1);
		return;
	}
	memset(op, 0, sizeof(*op));
	op->kind = NR_PATH_OPS + rnd(r, NR_OPS - NR_PATH_OPS);
	op->dfd = draw_dfd(r);
	op->dfd2 = draw_dfd(r);
	op->slot = rnd(r, NR_SLOTS);
	i = rnd(r, TABLE_SIZE(names));
	op->name = names[i];
	i = rnd(r, TABLE_SIZE(names));
	op->name2 = names[i];
	op->variant = rnd(r, 64);
	op->mode = rnd(r, 010000);
	op->a = rnd(r, 1 << 16);

	switch (op->kind) {
	case OP_THREADS:
		/* Bursts cost more than the rest: most become a close instead. */
		if (rnd(r, 8))
			op->kind = OP_CLOSE;
		break;
	case OP_FSOPEN:
		i = rnd(r, TABLE_SIZE(fs_types));
		op->name = fs_types[i];
		break;
	case OP_FSCONFIG:
		op->flags = rnd(r, 10);	/* the command, one past the last included */
		i = rnd(r, TABLE_SIZE(fs_keys));
		op->name = fs_keys[i];
		i = rnd(r, TABLE_SIZE(fs_values));
		op->name2 = fs_values[i];
		op->b = (long long)rnd(r, 8) - 1;	/* aux */
		break;
	case OP_FSMOUNT:
		/* FSMOUNT_NAMESPACE: the mount in a namespace of its own, whose fd we get. */
		op->flags = rnd(r, 4) ? FSMOUNT_CLOEXEC : FSMOUNT_NAMESPACE;
		op->flags2 = draw_bits(r, mount_attr_bits, TABLE_SIZE(mount_attr_bits), 6);
		break;
	case OP_MOVE_MOUNT:
		op->flags = rnd(r, 2) ? MOVE_MOUNT_F_EMPTY_PATH : 0;
		op->flags |= rnd(r, 4) == 0 ? MOVE_MOUNT_T_EMPTY_PATH : 0;
		op->flags |= rnd(r, 4) == 0 ? MOVE_MOUNT_BENEATH : 0;
		op->flags |= rnd(r, 8) == 0 ? MOVE_MOUNT_SET_GROUP : 0;
		break;
	case OP_OPEN_TREE:
		op->flags = rnd(r, 4) ? OPEN_TREE_CLONE : 0;
		op->flags |= rnd(r, 2) ? AT_RECURSIVE : 0;
		op->flags |= rnd(r, 4) == 0 ? AT_EMPTY_PATH : 0;
		op->flags |= OPEN_TREE_CLOEXEC;
		break;
	case OP_MOUNT_SETATTR:
		op->flags = rnd(r, 2) ? AT_RECURSIVE : 0;
		op->flags |= rnd(r, 4) == 0 ? AT_EMPTY_PATH : 0;
		/* flags2 are the attributes set, mode those cleared. */
		op->flags2 = draw_bits(r, mount_attr_bits, TABLE_SIZE(mount_attr_bits), 5);
		op->mode = draw_bits(r, mount_attr_bits, TABLE_SIZE(mount_attr_bits), 5);
		i = rnd(r, 5);
		op->a = i == 0 ? MS_PRIVATE : i == 1 ? MS_SHARED : i == 2 ? MS_SLAVE : 0;
		break;
	case OP_UMOUNT:
		i = rnd(r, 5);
		op->flags = i == 0 ? MNT_DETACH : i == 1 ? MNT_EXPIRE : i == 2 ? MNT_FORCE : 0;
		op->flags |= rnd(r, 4) == 0 ? UMOUNT_NOFOLLOW : 0;
		break;
	case OP_REMOUNT_BIND:
		op->flags = draw_bits(r, remount_bits, TABLE_SIZE(remount_bits), 4);
		break;
	case OP_URING_OPENAT:
		op->flags = rnd(r, 4);
		op->flags |= draw_bits(r, open_flag_bits, TABLE_SIZE(open_flag_bits), 5);
		op->flags2 = draw_bits(r, resolve_bits, TABLE_SIZE(resolve_bits), 6);
		break;
	case OP_URING_STATX:
		i = rnd(r, 4);
		op->flags = i == 0 ? AT_EMPTY_PATH : i == 1 ? AT_SYMLINK_NOFOLLOW : 0;
		op->flags2 = rnd(r, 0x10000);
		break;
	default:
		break;
	}
}

static int append(char *out, size_t size, const char *fmt, ...)
{
	size_t len = strlen(out);
	va_list ap;
	int n;

	if (len >= size)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(out + len, size - len, fmt, ap);
	va_end(ap);
	return n;
}

static const char *dfd_name(int dfd, char *buf, size_t size)
{
	if (dfd == DFD_CWD)
		return "AT_FDCWD";
	if (dfd == DFD_ROOT)
		return "rootfd";
	snprintf(buf, size, "slot%d", dfd);
	return buf;
}

static void describe(const struct op *op, char *buf, size_t size)
{
	char d1[16], d2[16];

	buf[0] = '\0';
	append(buf, size, "%s(dfd %s, \"%.24s\", ", op_names[op->kind],
	       dfd_name(op->dfd, d1, sizeof(d1)), op->name ?: "");
	append(buf, size, "dfd2 %s, \"%.24s\", ", dfd_name(op->dfd2, d2, sizeof(d2)),
	       op->name2 ?: "");
	append(buf, size, "slot %d, variant %d, flags %#x, flags2 %#x, ", op->slot, op->variant,
	       op->flags, op->flags2);
	append(buf, size, "mode %#o, a %lld, b %lld)", op->mode, op->a, op->b);
}

/* One side's state: what the operations act on. */
struct side {
	int slot[NR_SLOTS];
	int rootfd;
	struct uring ring;
	char buf[BUF_SIZE];
};

static int fd_of(const struct side *s, int dfd)
{
	if (dfd == DFD_CWD)
		return AT_FDCWD;
	if (dfd == DFD_ROOT)
		return s->rootfd;
	return s->slot[dfd];
}

/* A new fd goes into a slot, and the one it held is closed. */
static void keep_fd(struct side *s, int slot, long fd)
{
	if (fd < 0)
		return;
	if (slot < 0) {
		close(fd);
		return;
	}
	if (s->slot[slot] >= 0)
		close(s->slot[slot]);
	s->slot[slot] = fd;
}

static void show_statx(char *out, size_t size, const struct statx *stx)
{
	append(out, size, "mask %#x mode %#o nlink %u uid %u gid %u ",
	       stx->stx_mask & ~(STATX_MNT_ID | STATX_MNT_ID_UNIQUE), stx->stx_mode,
	       stx->stx_nlink, stx->stx_uid, stx->stx_gid);
	append(out, size, "size %llu blocks %llu blksize %u attrs %#llx rdev %u:%u",
	       (unsigned long long)stx->stx_size, (unsigned long long)stx->stx_blocks,
	       stx->stx_blksize,
	       (unsigned long long)(stx->stx_attributes & stx->stx_attributes_mask),
	       stx->stx_rdev_major, stx->stx_rdev_minor);
}

static void show_statfs(char *out, size_t size, const struct statfs *sfs)
{
	append(out, size, "type %#lx bsize %ld frsize %ld namelen %ld ", (long)sfs->f_type,
	       (long)sfs->f_bsize, (long)sfs->f_frsize, (long)sfs->f_namelen);
	append(out, size, "flags %#lx blocks %lu files %lu", (long)sfs->f_flags,
	       (unsigned long)sfs->f_blocks, (unsigned long)sfs->f_files);
}

/* The entries getdents64 returned: names and types, not inode numbers. */
static void show_dirents(char *out, size_t size, const char *buf, long len)
{
	const struct linux_dirent64 {
		unsigned long long d_ino;
		long long d_off;
		unsigned short d_reclen;
		unsigned char d_type;
		char d_name[];
	} *de;
	long pos;

	for (pos = 0; pos < len; pos += de->d_reclen) {
		de = (const void *)(buf + pos);
		append(out, size, "%s:%u ", de->d_name, de->d_type);
		if (!de->d_reclen)
			break;
	}
}

/* FNV-1a of @len bytes: what was read, in a few characters. */
static unsigned int digest(const char *buf, long len)
{
	unsigned int h = 2166136261u;
	long i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)buf[i]) * 16777619u;
	return h;
}

/*
 * Whether to try an open again: a walk through the dcache
 * (RESOLVE_CACHED), and a scoped walk that takes ".." (RESOLVE_BENEATH,
 * RESOLVE_IN_ROOT), give up with EAGAIN when a mount or rename changed
 * anywhere meanwhile, as the other side's mounts do; openat2(2) tells the
 * caller to retry.  Only an EAGAIN that stays is the answer.
 */
static bool transient_eagain(int err, unsigned long long resolve, int *tries)
{
	return err == EAGAIN &&
	       resolve & (RESOLVE_CACHED | RESOLVE_BENEATH | RESOLVE_IN_ROOT) &&
	       ++*tries < 100;
}

/*
 * openat2(2) as a caller uses it: again after an EAGAIN that may pass.
 * Adds the retries to @ans.
 */
static long openat2_retrying(const struct side *s, const struct op *op,
			     const struct open_how *how, struct answer *ans)
{
	int tries = 0;
	long fd;

	do
		fd = syscall(__NR_openat2, fd_of(s, op->dfd), op->name, how, sizeof(*how));
	while (transient_eagain(fd < 0 ? errno : 0, how->resolve, &tries));
	ans->retries += tries;
	return fd;
}

/*
 * An open with RESOLVE_CACHED retried without it, as its caller must on
 * EAGAIN: made whatever the first answer @cached was, on both sides, and
 * shown in the answer. After an EAGAIN the caller goes on with the retry's
 * fd, and so does the slot: where documented_difference() lets the C
 * nullfs's EAGAIN stand against nullfs_rs's fd, both slots then hold the
 * same file, and the sides do not drift apart in what follows.
 */
static void open_uncached(struct side *s, const struct op *op, struct open_how how,
			  long cached, struct answer *ans)
{
	long fd;

	how.resolve &= ~RESOLVE_CACHED;
	fd = openat2_retrying(s, op, &how, ans);
	append(ans->out, sizeof(ans->out), "uncached: %s",
	       fd < 0 ? strerrorname_np(errno) : "an fd");
	if (cached < 0 && ans->err == EAGAIN)
		keep_fd(s, op->slot, fd);
	else if (fd >= 0)
		close(fd);
}

static long run_open(struct side *s, const struct op *op, bool with_how, struct answer *ans)
{
	/* Never block on a FIFO made in a mount on the root. */
	struct open_how how = {
		.flags = op->flags | O_NONBLOCK | O_CLOEXEC,
		.mode = op->flags & (O_CREAT | O_TMPFILE) ? op->mode : 0,
		.resolve = op->flags2,
	};
	long fd;

	if (!with_how) {
		fd = openat(fd_of(s, op->dfd), op->name, op->flags | O_NONBLOCK | O_CLOEXEC,
			    op->mode);
		ans->err = errno;
		keep_fd(s, op->slot, fd);
		return fd < 0 ? -1 : 0;
	}
	fd = openat2_retrying(s, op, &how, ans);
	ans->err = errno;
	keep_fd(s, op->slot, fd);
	if (how.resolve & RESOLVE_CACHED)
		open_uncached(s, op, how, fd, ans);
	return fd < 0 ? -1 : 0;
}

/*
 * Whether @fd is on the one inode that every anonymous fd (an fs_context,
 * io_uring, inotify) shares across both sides: a lock on it by one side
 * would make the other's fail, depending on which ran first.
 */
static bool on_shared_inode(int fd, struct answer *ans)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) || sfs.f_type != ANON_INODE_FS_MAGIC)
		return false;
	append(ans->out, sizeof(ans->out), "not locked: an anonymous inode");
	return true;
}

static long run_fcntl(struct side *s, const struct op *op, struct answer *ans)
{
	int fd = fd_of(s, op->dfd), cmd = fcntls[op->variant % TABLE_SIZE(fcntls)];
	struct flock fl = {
		.l_type = op->flags2, .l_whence = SEEK_SET, .l_start = op->a, .l_len = op->b,
	};
	long ret;

	switch (cmd) {
	case F_SETLK:
	case F_GETLK:
	case F_OFD_SETLK:
	case F_OFD_GETLK:
		if (on_shared_inode(fd, ans))
			return 0;
		ret = fcntl(fd, cmd, &fl);
		ans->err = errno;
		if (ret >= 0 && (cmd == F_GETLK || cmd == F_OFD_GETLK))
			append(ans->out, sizeof(ans->out), "l_type %d", fl.l_type);
		return ret;
	case F_DUPFD_CLOEXEC:
		ret = fcntl(fd, cmd, 0);
		ans->err = errno;
		keep_fd(s, op->slot, ret);
		return ret < 0 ? -1 : 0;
	default:
		ret = fcntl(fd, cmd, (long)op->flags);
		ans->err = errno;
		return ret;
	}
}

static long run_ioctl(struct side *s, const struct op *op, struct answer *ans)
{
	const struct ioctl_kind *k = &ioctls[op->variant % TABLE_SIZE(ioctls)];
	long ret;

	memset(s->buf, op->flags, IO_SIZE);
	ret = ioctl(fd_of(s, op->dfd), k->cmd, s->buf);
	ans->err = errno;
	if (ret >= 0 && k->int_out)
		append(ans->out, sizeof(ans->out), "out %#x", *(unsigned int *)s->buf);
	return ret;
}

static long run_xattr(struct side *s, const struct op *op, struct answer *ans)
{
	const char *xname = xattr_names[op->variant % TABLE_SIZE(xattr_names)];
	int fd = fd_of(s, op->dfd);
	bool by_fd = op->variant & XATTR_BY_FD;
	long ret;

	switch (op->kind) {
	case OP_SETXATTR:
		memset(s->buf, 'v', 64);
		ret = by_fd ? fsetxattr(fd, xname, s->buf, op->a % 64, op->flags) :
			      lsetxattr(op->name, xname, s->buf, op->a % 64, op->flags);
		break;
	case OP_GETXATTR:
		ret = by_fd ? fgetxattr(fd, xname, s->buf, op->a % 128) :
			      lgetxattr(op->name, xname, s->buf, op->a % 128);
		break;
	case OP_LISTXATTR:
		ret = by_fd ? flistxattr(fd, s->buf, op->a % 128) :
			      llistxattr(op->name, s->buf, op->a % 128);
		break;
	default:
		ret = by_fd ? fremovexattr(fd, xname) : lremovexattr(op->name, xname);
	}
	ans->err = errno;
	/* With a size of 0, nothing is copied, only the size needed returned. */
	if (ret > 0 && op->kind != OP_SETXATTR && op->a % 128)
		append(ans->out, sizeof(ans->out), "bytes %#x", digest(s->buf, ret));
	return ret;
}

static long run_mmap(struct side *s, const struct op *op, struct answer *ans)
{
	void *map = mmap(NULL, IO_SIZE, op->flags, op->flags2, fd_of(s, op->dfd), 0);

	ans->err = errno;
	if (map == MAP_FAILED)
		return -1;
	munmap(map, IO_SIZE);
	return 0;
}

static long run_path_op(struct side *s, const struct op *op, struct answer *ans)
{
	struct timespec times[2] = { { op->a, 0 }, { op->b, UTIME_OMIT } };
	struct file_handle *fh = (struct file_handle *)s->buf;
	int fd = fd_of(s, op->dfd), fd2 = fd_of(s, op->dfd2), mount_id;
	struct statfs sfs;
	struct statx stx;
	long ret;

	switch (op->kind) {
	case OP_OPENAT:
		return run_open(s, op, false, ans);
	case OP_OPENAT2:
		return run_open(s, op, true, ans);
	case OP_MKDIRAT:
		ret = mkdirat(fd, op->name, op->mode);
		break;
	case OP_MKNODAT:
		ret = mknodat(fd, op->name, op->mode, op->flags);
		break;
	case OP_SYMLINKAT:
		ret = symlinkat(op->name2, fd, op->name);
		break;
	case OP_LINKAT:
		ret = linkat(fd2, op->name2, fd, op->name, op->flags);
		break;
	case OP_RENAMEAT2:
		ret = syscall(__NR_renameat2, fd, op->name, fd2, op->name2, op->flags);
		break;
	case OP_UNLINKAT:
		ret = unlinkat(fd, op->name, op->flags);
		break;
	case OP_FCHMODAT:
		ret = syscall(__NR_fchmodat2, fd, op->name, op->mode, op->flags);
		break;
	case OP_FCHOWNAT:
		/* -1 too: no change of owner, which still reaches ->setattr. */
		ret = fchownat(fd, op->name, op->variant % 4 - 1, op->mode % 4 - 1, op->flags);
		break;
	case OP_UTIMENSAT:
		ret = utimensat(fd, op->name, op->variant & 1 ? times : NULL,
				op->flags & AT_SYMLINK_NOFOLLOW);
		break;
	case OP_TRUNCATE:
		ret = truncate(op->name, op->a);
		break;
	case OP_FTRUNCATE:
		ret = ftruncate(fd, op->a);
		break;
	case OP_FALLOCATE:
		ret = fallocate(fd, op->variant, op->a, op->b + 1);
		break;
	case OP_LSEEK:
		ret = lseek(fd, op->a, op->flags);
		break;
	case OP_GETDENTS:
		ret = syscall(__NR_getdents64, fd, s->buf, op->a % IO_SIZE);
		ans->err = errno;
		if (ret > 0)
			show_dirents(ans->out, sizeof(ans->out), s->buf, ret);
		return ret;
	case OP_READ:
		ret = read(fd, s->buf, op->a);
		ans->err = errno;
		if (ret > 0)
			append(ans->out, sizeof(ans->out), "bytes %#x", digest(s->buf, ret));
		return ret;
	case OP_WRITE:
		memset(s->buf, op->variant, op->a);
		ret = pwrite(fd, s->buf, op->a, op->b);
		break;
	case OP_IOCTL:
		return run_ioctl(s, op, ans);
	case OP_FCNTL:
		return run_fcntl(s, op, ans);
	case OP_FLOCK:
		if (on_shared_inode(fd, ans))
			return 0;
		ret = flock(fd, op->flags);
		break;
	case OP_SETXATTR:
	case OP_GETXATTR:
	case OP_LISTXATTR:
	case OP_REMOVEXATTR:
		return run_xattr(s, op, ans);
	case OP_STATX:
		ret = statx(fd, op->name, op->flags, op->flags2, &stx);
		ans->err = errno;
		if (!ret)
			show_statx(ans->out, sizeof(ans->out), &stx);
		return ret;
	case OP_STATFS:
	case OP_FSTATFS:
		ret = op->kind == OP_STATFS ? statfs(op->name, &sfs) : fstatfs(fd, &sfs);
		ans->err = errno;
		if (!ret)
			show_statfs(ans->out, sizeof(ans->out), &sfs);
		return ret;
	case OP_READLINKAT:
		ret = readlinkat(fd, op->name, s->buf, op->a % 64);
		ans->err = errno;
		if (ret > 0)
			append(ans->out, sizeof(ans->out), "%.*s", (int)ret, s->buf);
		return ret;
	case OP_NAME_TO_HANDLE:
		fh->handle_bytes = op->a % (MAX_HANDLE_SZ + 8);
		ret = name_to_handle_at(fd, op->name, fh, &mount_id, op->flags & AT_EMPTY_PATH);
		ans->err = errno;
		/* The handle's bytes name an inode: only its size and type compare. */
		if (!ret || errno == EOVERFLOW)
			append(ans->out, sizeof(ans->out), "bytes %u type %d", fh->handle_bytes,
			       ret ? 0 : fh->handle_type);
		return ret;
	case OP_INOTIFY: {
		int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

		ret = inotify_add_watch(ifd, op->name, op->flags);
		ans->err = errno;
		close(ifd);
		return ret;
	}
	default:
		return run_mmap(s, op, ans);
	}
	ans->err = errno;
	return ret;
}

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_open_tree, dfd, path, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
			     struct mount_attr *attr)
{
	return syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

static long run_uring(struct side *s, const struct op *op, struct answer *ans)
{
	struct open_how how = {
		.flags = op->flags | O_NONBLOCK | O_CLOEXEC,
		.mode = op->flags & (O_CREAT | O_TMPFILE) ? op->mode : 0,
		.resolve = op->flags2,
	};
	struct io_uring_sqe sqe;
	struct statx stx;
	int res, tries = 0;

	if (op->kind == OP_URING_OPENAT)
		uring_prep_openat(&sqe, fd_of(s, op->dfd), op->name, &how);
	else
		uring_prep_statx(&sqe, fd_of(s, op->dfd), op->name, op->flags, op->flags2, &stx);
	do {
		if (uring_run(&s->ring, &sqe, &res)) {
			ans->err = errno;
			append(ans->out, sizeof(ans->out), "the ring failed");
			return -1;
		}
	} while (op->kind == OP_URING_OPENAT && transient_eagain(-res, how.resolve, &tries));
	ans->retries += tries;
	if (res < 0)
		ans->err = -res;
	if (op->kind == OP_URING_OPENAT) {
		keep_fd(s, op->slot, res);
		if (how.resolve & RESOLVE_CACHED)
			open_uncached(s, op, how, res, ans);
		return res < 0 ? -1 : 0;
	}
	if (res < 0)
		return -1;
	show_statx(ans->out, sizeof(ans->out), &stx);
	return res;
}

static unsigned long long mount_id_of(int dfd, const char *path, int flags)
{
	struct statx stx;

	if (statx(dfd, path, flags, STATX_MNT_ID_UNIQUE, &stx))
		return 0;
	return stx.stx_mnt_id;
}

/*
 * Whether umount2() would remount the root under test read-only: without
 * MNT_DETACH, the process's root mount is not unmounted but its
 * superblock reconfigured.  That is the one way here to reconfigure a
 * nullfs superblock, which the C type refuses to anyone (SB_NOUSER: it is
 * the kernel's own), where nullfs_rs, mountable from userspace, lets its
 * owner; see "Differences from the C nullfs, on purpose" in
 * Documentation/nullfs_rs.rst.  Such calls are not made.  (The check may
 * see the root where the call would reach a mount on top of it, which
 * only leaves out a call that was comparable.)
 */
static bool remounts_root_under_test(const struct op *op, struct answer *ans)
{
	int nofollow = op->flags & UMOUNT_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
	unsigned long long target = mount_id_of(AT_FDCWD, op->name, nofollow);
	struct statfs sfs;

	if (op->flags & (MNT_DETACH | MNT_EXPIRE) || !target ||
	    target != mount_id_of(AT_FDCWD, "/", 0) || statfs("/", &sfs) ||
	    sfs.f_type != NULL_FS_MAGIC)
		return false;
	append(ans->out, sizeof(ans->out), "not made: would remount the root's superblock");
	return true;
}

/* Whether fsconfig's aux is a dirfd or an fd, rather than a length. */
static bool fsconfig_aux_is_fd(unsigned int cmd)
{
	return cmd == FSCONFIG_SET_FD || cmd == FSCONFIG_SET_PATH ||
	       cmd == FSCONFIG_SET_PATH_EMPTY;
}

static long run_mount_op(struct side *s, const struct op *op, struct answer *ans)
{
	int fd = fd_of(s, op->dfd), fd2 = fd_of(s, op->dfd2);
	struct mount_attr attr = {
		.attr_set = op->flags2, .attr_clr = op->mode, .propagation = op->a,
	};
	long ret;

	switch (op->kind) {
	case OP_FSOPEN:
		ret = sys_fsopen(op->name, FSOPEN_CLOEXEC);
		ans->err = errno;
		keep_fd(s, op->slot, ret);
		return ret < 0 ? -1 : 0;
	case OP_FSCONFIG:
		ret = sys_fsconfig(s->slot[op->slot], op->flags, op->name,
				   op->variant & 1 ? op->name2 : NULL,
				   fsconfig_aux_is_fd(op->flags) ? fd2 : (int)op->b);
		break;
	case OP_FSMOUNT:
		ret = sys_fsmount(s->slot[op->slot], op->flags, op->flags2);
		ans->err = errno;
		keep_fd(s, op->slot, ret);
		return ret < 0 ? -1 : 0;
	case OP_FSLOG:
		ret = read(s->slot[op->slot], s->buf, 256);
		ans->err = errno;
		if (ret > 0)
			append(ans->out, sizeof(ans->out), "%.*s", (int)ret, s->buf);
		return ret;
	case OP_MOVE_MOUNT:
		ret = sys_move_mount(s->slot[op->slot],
				     op->flags & MOVE_MOUNT_F_EMPTY_PATH ? "" : op->name2, fd2,
				     op->flags & MOVE_MOUNT_T_EMPTY_PATH ? "" : op->name, op->flags);
		break;
	case OP_OPEN_TREE:
		ret = sys_open_tree(fd, op->name, op->flags);
		ans->err = errno;
		keep_fd(s, op->slot, ret);
		return ret < 0 ? -1 : 0;
	case OP_MOUNT_SETATTR:
		ret = sys_mount_setattr(fd, op->name, op->flags, &attr);
		break;
	case OP_UMOUNT:
		if (remounts_root_under_test(op, ans))
			return 0;
		ret = sys_umount2(op->name, op->flags);
		break;
	default:
		/*
		 * Only OP_REMOUNT_BIND: not a remount of the superblock, which
		 * on the C side is the one every empty namespace shares.
		 */
		ret = sys_mount(NULL, op->name, NULL, MS_REMOUNT | MS_BIND | op->flags, NULL);
	}
	ans->err = errno;
	return ret;
}

static long run_op(struct side *s, const struct op *op, struct answer *ans)
{
	long ret;

	errno = 0;
	switch (op->kind) {
	case OP_CLOSE:
		ret = close(s->slot[op->slot]);
		ans->err = errno;
		s->slot[op->slot] = -1;
		return ret;
	case OP_FCHDIR:
		ret = fchdir(fd_of(s, op->dfd));
		break;
	case OP_CHROOT:
		ret = chroot(op->name);
		break;
	case OP_URING_OPENAT:
	case OP_URING_STATX:
		return run_uring(s, op, ans);
	default:
		if (op->kind < NR_PATH_OPS)
			return run_path_op(s, op, ans);
		return run_mount_op(s, op, ans);
	}
	ans->err = errno;
	return ret;
}

/*
 * Where the walk of @op will start, before it runs: "/" for an absolute
 * name, else its dirfd (the cwd for AT_FDCWD).  Both roots under test have
 * nullfs's magic; nothing else the sequence mounts has.
 */
static enum start start_of(const struct side *s, const struct op *op)
{
	struct statfs sfs;
	int ret;

	if (op->kind >= NR_PATH_OPS && op->kind != OP_URING_OPENAT &&
	    op->kind != OP_URING_STATX)
		return START_NONE;
	if (op->name && op->name[0] == '/')
		ret = statfs("/", &sfs);
	else if (op->dfd == DFD_CWD)
		ret = statfs(".", &sfs);
	else
		ret = fstatfs(fd_of(s, op->dfd), &sfs);
	if (ret)
		return START_NONE;
	return sfs.f_type == NULL_FS_MAGIC ? START_ON_ROOT : START_ELSEWHERE;
}

static void answer(struct side *s, const struct op *op, struct answer *ans)
{
	long ret;

	memset(ans, 0, sizeof(*ans));
	describe(op, ans->op, sizeof(ans->op));
	ans->kind = op->kind;
	if (op->kind == OP_OPENAT2 || op->kind == OP_URING_OPENAT)
		ans->resolve = op->flags2;
	ans->start = start_of(s, op);
	ans->reaches_root = op->name && (op->name[0] == '/' || strstr(op->name, ".."));
	ret = run_op(s, op, ans);
	ans->ret = ret;
	if (ret >= 0)
		ans->err = 0;
}

/* A thread of a burst: its own stream, below its own fd of the root. */
struct burst_thread {
	struct side side;
	int index;
	unsigned long long seed;
	struct answer answers[THREAD_OPS];
};

static void *run_thread(void *arg)
{
	struct burst_thread *t = arg;
	struct rng r = { t->seed };
	struct op op;
	int i;

	for (i = 0; i < THREAD_OPS; i++) {
		draw_path_op(&r, &op, t->index);
		answer(&t->side, &op, &t->answers[i]);
	}
	return NULL;
}

static int send(int fd, const struct answer *ans)
{
	return write(fd, ans, sizeof(*ans)) == sizeof(*ans) ? 0 : -1;
}

/*
 * NR_THREADS threads at once, each with its own stream, seeded from the
 * main one; answers go out thread by thread once all are done.
 */
static int run_burst(struct side *s, const struct op *op, long index, int out)
{
	static struct burst_thread threads[NR_THREADS];
	pthread_t ids[NR_THREADS];
	int i, j, failed = 0;

	for (i = 0; i < NR_THREADS; i++) {
		memset(&threads[i].side, 0, sizeof(threads[i].side));
		for (j = 0; j < NR_SLOTS; j++)
			threads[i].side.slot[j] = -1;
		threads[i].side.rootfd = openat(s->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		threads[i].index = i;
		threads[i].seed = ((unsigned long long)op->a << 8 | i) + index;
		if (threads[i].side.rootfd < 0 ||
		    pthread_create(&ids[i], NULL, run_thread, &threads[i]))
			return -1;
	}
	for (i = 0; i < NR_THREADS; i++) {
		failed |= pthread_join(ids[i], NULL);
		close(threads[i].side.rootfd);
	}
	for (i = 0; i < NR_THREADS && !failed; i++) {
		for (j = 0; j < THREAD_OPS && !failed; j++) {
			threads[i].answers[j].index = index;
			threads[i].answers[j].thread = 1 + i;
			failed = send(out, &threads[i].answers[j]);
		}
	}
	return failed ? -1 : 0;
}

/*
 * The root, as it must stay: not changed by anything, and empty; with
 * @identity, also which inode it is and its timestamps, which only the
 * same side can compare.
 */
static void show_root(int rootfd, bool identity, char *out, size_t size)
{
	struct statx stx;
	char buf[512];
	long n;
	int fd;

	if (statx(rootfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &stx)) {
		append(out, size, "statx: %s", strerror(errno));
		return;
	}
	append(out, size, "mode %#o nlink %u uid %u gid %u size %llu ", stx.stx_mode,
	       stx.stx_nlink, stx.stx_uid, stx.stx_gid, (unsigned long long)stx.stx_size);
	if (identity)
		append(out, size, "ino %llu mtime %lld.%u ctime %lld.%u ",
		       (unsigned long long)stx.stx_ino, (long long)stx.stx_mtime.tv_sec,
		       stx.stx_mtime.tv_nsec, (long long)stx.stx_ctime.tv_sec,
		       stx.stx_ctime.tv_nsec);
	append(out, size, "entries ");
	/* A new fd, for the listing from its start. */
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	n = syscall(__NR_getdents64, fd, buf, sizeof(buf));
	if (n >= 0)
		show_dirents(out, size, buf, n);
	else
		append(out, size, "getdents64: %s", strerror(errno));
	close(fd);
}

static int write_proc(int proc, const char *file, const char *text)
{
	int fd = openat(proc, file, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * A user namespace in the current one, where we stay root, and a mount
 * namespace it owns; @proc is our /proc/self, the empty namespace has none.
 */
static int enter_nested_userns(int proc)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) || write_proc(proc, "setgroups", "deny") ||
	    write_proc(proc, "uid_map", "0 0 1") || write_proc(proc, "gid_map", "0 0 1"))
		return -1;
	close(proc);
	return 0;
}

/* The mount flags of @path, as the MOUNT_ATTR_* that give them. */
static unsigned int mount_attrs_of(const char *path)
{
	struct statvfs st;
	unsigned int attrs = 0;

	if (statvfs(path, &st))
		return 0;
	attrs |= st.f_flag & ST_NOSUID ? MOUNT_ATTR_NOSUID : 0;
	attrs |= st.f_flag & ST_NODEV ? MOUNT_ATTR_NODEV : 0;
	attrs |= st.f_flag & ST_NOEXEC ? MOUNT_ATTR_NOEXEC : 0;
	attrs |= st.f_flag & ST_NODIRATIME ? MOUNT_ATTR_NODIRATIME : 0;
	if (st.f_flag & ST_NOATIME)
		attrs |= MOUNT_ATTR_NOATIME;
	else if (!(st.f_flag & ST_RELATIME))
		attrs |= MOUNT_ATTR_STRICTATIME;
	return attrs;
}

/*
 * Makes the root under test: a new mount namespace whose root mount is a C
 * nullfs, the root under test mounted on it, and the process chrooted into
 * that.  On the C side the root under test is a clone of the namespace's
 * root, so both sides have the same tree of two mounts.  With @userns, all
 * of it in a user namespace, and then the calls from a second one.
 */
static int enter_root(bool c_nullfs, bool userns)
{
	int mnt, proc;

	if (userns && enter_userns())
		return -1;
	/* The empty namespace has no /proc, where the second userns gets its map. */
	proc = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0 || unshare(UNSHARE_EMPTY_MNTNS))
		return -1;
	if (c_nullfs)
		mnt = sys_open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	else
		mnt = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
	if (mnt < 0)
		return -1;
	/* A clone keeps the mount flags of the root; the new mount gets them too. */
	if (!c_nullfs) {
		struct mount_attr attr = {
			.attr_set = mount_attrs_of("/"), .attr_clr = MOUNT_ATTR__ATIME,
		};

		if (sys_mount_setattr(mnt, "", AT_EMPTY_PATH, &attr))
			return -1;
	}
	if (sys_move_mount(mnt, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) ||
	    fchdir(mnt) || chroot(".") || chdir("/"))
		return -1;
	close(mnt);
	/*
	 * In a user namespace the C side's clone carries the lock on its atime
	 * flags that its copy into the user namespace gave the namespace's
	 * root; a second user namespace locks both trees alike, as a runtime's
	 * mounts are locked for the container it starts.
	 */
	if (userns)
		return enter_nested_userns(proc);
	close(proc);
	return 0;
}

struct run {
	unsigned long long seed;
	long ops;
	bool userns;
};

/* One side: the whole sequence, an answer per operation written to @out. */
static int run_side(const struct run *run, bool c_nullfs, int out)
{
	static struct side s;
	struct rng r = { run->seed };
	struct answer ans;
	char before[sizeof(ans.out)] = "";
	struct op op;
	long i;
	int j;

	if (enter_root(c_nullfs, run->userns)) {
		fprintf(stderr, "# %s: no root to test: %s\n", c_nullfs ? "C nullfs" : "nullfs_rs",
			strerror(errno));
		return 10;
	}
	/* F_NOTIFY, F_SETOWN and writes to pipes must not kill us. */
	signal(SIGIO, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (j = 0; j < NR_SLOTS; j++)
		s.slot[j] = -1;
	s.rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.rootfd < 0)
		return 11;
	if (uring_init(&s.ring))
		return 11;
	show_root(s.rootfd, true, before, sizeof(before));

	for (i = 0; i < run->ops; i++) {
		draw_op(&r, &op);
		if (op.kind == OP_THREADS) {
			if (run_burst(&s, &op, i, out))
				return 12;
			continue;
		}
		answer(&s, &op, &ans);
		ans.index = i;
		if (send(out, &ans))
			return 12;
	}

	/* Last, the root: as it was, and the same on both sides. */
	memset(&ans, 0, sizeof(ans));
	ans.index = run->ops;
	snprintf(ans.op, sizeof(ans.op), "the root at the end");
	show_root(s.rootfd, true, ans.out, sizeof(ans.out));
	ans.ret = strcmp(before, ans.out) ? -1 : 0;
	if (ans.ret)
		fprintf(stderr, "# the root changed: was %s, is %s\n", before, ans.out);
	ans.out[0] = '\0';
	show_root(s.rootfd, false, ans.out, sizeof(ans.out));
	return send(out, &ans) ? 12 : 0;
}

/*
 * The difference that is documented, and why; nothing else may differ.
 * It is an openat2(RESOLVE_CACHED), also through io_uring, that the C
 * nullfs cannot answer from the dcache (EAGAIN) where nullfs_rs can; the
 * same open without RESOLVE_CACHED, which the caller must retry on EAGAIN,
 * still has to give the same on both (in the out string).  A missing
 * name is never such an answer: nullfs_rs remembers misses but does not
 * let a cached-only walk take them (see Documentation/nullfs_rs.rst).
 */
static bool documented_difference(const struct answer *c, const struct answer *rs)
{
	char uncached[64];

	if ((c->kind != OP_OPENAT2 && c->kind != OP_URING_OPENAT) ||
	    !(c->resolve & RESOLVE_CACHED) || c->ret != -1 || c->err != EAGAIN ||
	    rs->err == EAGAIN || strcmp(c->out, rs->out))
		return false;
	/*
	 * nullfs_rs's answer from the dcache must be the one it gives without
	 * RESOLVE_CACHED: a cached answer that the walk would not give is a
	 * stale dentry, not a documented difference.
	 */
	snprintf(uncached, sizeof(uncached), "uncached: %s",
		 rs->ret < 0 ? strerrorname_np(rs->err) : "an fd");
	if (!strstr(rs->out, uncached))
		return false;
	/*
	 * With RESOLVE_NO_XDEV too, a walk that steps onto the root's dentry
	 * (as ".." does at the root): the C nullfs has one superblock, whose
	 * root dentry every empty mount namespace shares and the initial one
	 * mounts rootfs on, so the dcache marks it as a mount point, which a
	 * walk with RESOLVE_NO_XDEV checks for outside RCU only.  Each
	 * nullfs_rs mount has a root of its own, a mount point only when
	 * something is mounted on it.  Only a walk that can reach the root's
	 * dentry: an absolute name, or one that climbs with "..".
	 */
	return c->resolve & RESOLVE_NO_XDEV && c->reaches_root;
}

static bool same(const struct answer *c, const struct answer *rs)
{
	return c->index == rs->index && c->thread == rs->thread && c->kind == rs->kind &&
	       c->resolve == rs->resolve && c->start == rs->start && c->ret == rs->ret &&
	       c->err == rs->err && !strcmp(c->op, rs->op) && !strcmp(c->out, rs->out);
}

static int read_answer(int fd, struct answer *ans)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*ans)) {
		n = read(fd, (char *)ans + got, sizeof(*ans) - got);
		if (n <= 0)
			return got ? -1 : 0;
		got += n;
	}
	return 1;
}

static void log_answer(struct __test_metadata *_metadata, const char *side,
		       const struct answer *ans)
{
	static const char *const starts[] = { "no walk", "on the root", "elsewhere" };

	TH_LOG("  %s: %lld (%s), started %s: %s", side, ans->ret,
	       ans->err ? strerrorname_np(ans->err) : "-", starts[ans->start], ans->out);
}

static pid_t start_side(const struct run *run, bool c_nullfs, int *fd)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		_exit(run_side(run, c_nullfs, pipefd[1]));
	}
	close(pipefd[1]);
	*fd = pipefd[0];
	return pid;
}

static bool side_exited(pid_t pid, bool kill_it)
{
	int status;

	if (pid <= 0)
		return false;
	if (kill_it)
		kill(pid, SIGKILL);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status);
}

/*
 * The documented differences the default run (seed 1, 20,000 operations)
 * shows, as root and in a user namespace: a change of their number is a
 * change of behaviour on one side, to be explained.  -1: not pinned.
 */
static long pinned_differences(const struct run *run)
{
	if (run->seed != 1 || run->ops != 20000)
		return -1;
	return run->userns ? PINNED_DIFFERENCES_USERNS : PINNED_DIFFERENCES_ROOT;
}

/* Both sides, answer by answer; the number of answers compared, or -1. */
static long compare_sides(struct __test_metadata *_metadata, const struct run *run)
{
	static struct answer c, rs;
	long compared = 0, allowed = 0, walks = 0, on_root = 0, c_retries = 0, rs_retries = 0;
	int c_fd = -1, rs_fd = -1, c_got, rs_got;
	pid_t c_pid, rs_pid;
	bool ok = true, c_exited, rs_exited;

	c_pid = start_side(run, true, &c_fd);
	rs_pid = start_side(run, false, &rs_fd);
	if (c_pid < 0 || rs_pid < 0)
		return -1;
	for (;;) {
		c_got = read_answer(c_fd, &c);
		rs_got = read_answer(rs_fd, &rs);
		if (c_got <= 0 || rs_got <= 0) {
			ok = !c_got && !rs_got;
			if (!ok)
				TH_LOG("seed %llu: a side stopped after %ld answers: C nullfs %d, nullfs_rs %d",
				       run->seed, compared, c_got, rs_got);
			break;
		}
		compared++;
		c_retries += c.retries;
		rs_retries += rs.retries;
		walks += c.start != START_NONE;
		on_root += c.start == START_ON_ROOT;
		if (same(&c, &rs))
			continue;
		if (!strcmp(c.op, rs.op) && documented_difference(&c, &rs)) {
			allowed++;
			continue;
		}
		ok = false;
		if (c.thread)
			TH_LOG("seed %llu, operation %ld, thread %d: %s", run->seed, c.index,
			       c.thread - 1, c.op);
		else
			TH_LOG("seed %llu, operation %ld: %s", run->seed, c.index, c.op);
		log_answer(_metadata, "C nullfs ", &c);
		log_answer(_metadata, "nullfs_rs", &rs);
		break;
	}
	/* After a difference the sides need not stop by themselves: reap both. */
	c_exited = side_exited(c_pid, !ok);
	rs_exited = side_exited(rs_pid, !ok);
	ok = ok && c_exited && rs_exited;
	close(c_fd);
	close(rs_fd);
	TH_LOG("%ld answers compared, %ld documented differences", compared, allowed);
	TH_LOG("%ld of %ld walks started on the roots under test; retries of a transient EAGAIN: "
	       "C nullfs %ld, nullfs_rs %ld", on_root, walks, c_retries, rs_retries);
	if (ok && c.ret)
		TH_LOG("the root changed: %s", c.out);
	if (ok && on_root * 100 < walks * MIN_ON_ROOT_PERCENT) {
		TH_LOG("fewer than %d%% of the walks started on the roots under test",
		       MIN_ON_ROOT_PERCENT);
		ok = false;
	}
	if (ok && pinned_differences(run) >= 0 && allowed != pinned_differences(run)) {
		TH_LOG("%ld documented differences where seed %llu pins %ld", allowed, run->seed,
		       pinned_differences(run));
		ok = false;
	}
	return ok && !c.ret ? compared : -1;
}

/* The module unloads once the namespaces' mounts and io_uring's fds are gone. */
static int unload_module_when_released(void)
{
	int i;

	/* A bound for a loaded TCG guest, not a timing: 60 seconds. */
	for (i = 0; i < 6000; i++) {
		if (!unload_module())
			return 0;
		if (errno != EWOULDBLOCK && errno != EAGAIN)
			return -1;
		usleep(10000);
	}
	return -1;
}

FIXTURE(fuzz) {
	struct run run;
};

FIXTURE_VARIANT(fuzz) {
	bool userns;
};

FIXTURE_VARIANT_ADD(fuzz, as_root) {
	.userns = false,
};

FIXTURE_VARIANT_ADD(fuzz, in_a_user_namespace) {
	.userns = true,
};

FIXTURE_SETUP(fuzz)
{
	const char *seed = getenv("NULLFS_RS_FUZZ_SEED");
	const char *ops = getenv("NULLFS_RS_FUZZ_OPS");

	self->run.seed = seed ? strtoull(seed, NULL, 0) : 1;
	self->run.ops = ops ? atol(ops) : 20000;
	self->run.userns = variant->userns;
	memset(long_name, 'x', NAME_MAX + 1);
	name_threads();
	/* xorshift stays at 0 for good. */
	if (!self->run.seed)
		self->run.seed = 1;
	TH_LOG("seed %llu, %ld operations (replay: NULLFS_RS_FUZZ_SEED=%llu)",
	       self->run.seed, self->run.ops, self->run.seed);
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* Long runs (make stress) outlast the harness's default of 30 seconds. */
TEST_F_TIMEOUT(fuzz, same_answers_as_c_nullfs, 3600)
{
	ASSERT_EQ(0, load_module());
	EXPECT_LT(0, compare_sides(_metadata, &self->run));
	EXPECT_EQ(0, unload_module_when_released()) TH_LOG("unloading: %s", strerror(errno));
}

TEST_HARNESS_MAIN
