// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded syscall fuzzer: random filesystem syscalls with random arguments
 * against a nullfs_rs and a rootfs_rs mount, their directory fds and an
 * fsopen() context, in a mount namespace of its own.  Both mounts sit in a
 * scratch tmpfs of that namespace, which the fuzzer is chrooted into: ".."
 * and any symlink it makes stay inside.
 *
 * NULLFS_RS_FUZZ_SEED (default 1) and NULLFS_RS_FUZZ_OPS (default 20000)
 * set the run; the seed is logged first, so a failure replays with it.  It
 * fails if either root is not, at the end, the empty directory it was (same
 * inode, mode, owner, links, size, mtime and ctime), or if the module does
 * not unload afterwards; the kernel log is checked by the boot runner.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <linux/fs.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#define MAX_ERRNO 134

static unsigned long long rng;

static unsigned int rnd(unsigned int n)
{
	/* xorshift64*: small, and the same sequence for the same seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned int)((rng * 2685821657736338717ULL) >> 32) % n;
}

static const char *pick(const char *const *list, unsigned int n)
{
	return list[rnd(n)];
}

#define PICK(list) pick(list, sizeof(list) / sizeof((list)[0]))

enum { NR_CALLS = 24 };
static const char *const call_names[NR_CALLS] = {
	"openat", "mkdirat", "mknodat", "symlinkat", "linkat", "renameat2",
	"unlinkat", "fchmodat", "fchownat", "utimensat", "truncate", "lseek",
	"getdents64", "read/write", "ioctl", "fcntl", "flock", "xattr", "statx",
	"fsconfig", "remount", "mmap", "inotify", "name_to_handle_at",
};

struct tally {
	long calls[NR_CALLS], successes[NR_CALLS], errors[MAX_ERRNO + 1];
};

struct target {
	const char *dir;
	int dirfd;
};

static void run_one(struct target *t, int fsfd, struct tally *tally, char *buf)
{
	static const char *const names[] = {
		"x", ".", "..", "x/y", "", "../x", "a-very-long-name-"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	static const char *const xattrs[] = {
		"user.x", "trusted.x", "security.x", "system.posix_acl_access", "x", "",
	};
	static const char *const keys[] = {
		"source", "size", "mode", "ro", "rw", "uid", "gid", "\xff\xfe", "", "nr_inodes",
	};
	static const unsigned long ioctls[] = {
		FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_IOC_GETVERSION, FS_IOC_FSGETXATTR,
		FS_IOC_FSSETXATTR, FIONREAD, FIGETBSZ, FS_IOC_GETFSUUID, FIONBIO,
		FIOCLEX, FIONCLEX, FS_IOC_GETFSSYSFSPATH,
	};
	static const int fcntls[] = {
		F_GETFL, F_SETFL, F_SETLK, F_GETLK, F_OFD_SETLK, F_OFD_GETLK,
		F_SETLEASE, F_GETLEASE, F_NOTIFY, F_GETPIPE_SZ, F_ADD_SEALS, F_DUPFD_CLOEXEC,
	};
	const char *name = PICK(names);
	int call = rnd(NR_CALLS), flags = rnd(1 << 22), fd = t->dirfd;
	struct file_handle *fh = (struct file_handle *)buf;
	struct flock fl = { .l_type = rnd(3), .l_whence = rnd(3), .l_len = rnd(100) };
	struct timespec times[2] = { { rnd(1000), 0 }, { rnd(1000), UTIME_OMIT } };
	struct statx stx;
	long ret = -1;
	void *map;

	errno = 0;
	switch (call) {
	case 0:
		/* Never block: ".." is scratch space, where FIFOs get made. */
		ret = openat(fd, name, flags | O_NONBLOCK, rnd(07777));
		if (ret >= 0)
			close(ret);
		break;
	case 1:
		ret = mkdirat(fd, name, rnd(07777));
		break;
	case 2:
		ret = mknodat(fd, name, (rnd(2) ? S_IFIFO : S_IFCHR) | 0600, rnd(1 << 20));
		break;
	case 3:
		ret = symlinkat(PICK(names), fd, name);
		break;
	case 4:
		ret = linkat(fd, PICK(names), fd, name, rnd(2) ? AT_EMPTY_PATH : 0);
		break;
	case 5:
		ret = syscall(__NR_renameat2, fd, name, fd, PICK(names), rnd(8));
		break;
	case 6:
		ret = unlinkat(fd, name, rnd(2) ? AT_REMOVEDIR : 0);
		break;
	case 7:
		ret = fchmodat(fd, name, rnd(07777), 0);
		break;
	case 8:
		ret = fchownat(fd, name, rnd(3), rnd(3), rnd(2) ? AT_EMPTY_PATH : 0);
		break;
	case 9:
		ret = utimensat(fd, name, rnd(2) ? times : NULL, 0);
		break;
	case 10:
		ret = rnd(2) ? ftruncate(fd, rnd(4096)) : fallocate(fd, rnd(64), rnd(4096), 1 + rnd(4096));
		break;
	case 11:
		ret = lseek(fd, (long)rnd(8) - 2, rnd(6));
		break;
	case 12:
		ret = syscall(__NR_getdents64, fd, buf, rnd(4096));
		break;
	case 13:
		ret = rnd(2) ? read(fd, buf, rnd(4096)) : pwrite(fd, buf, rnd(4096), rnd(4096));
		break;
	case 14:
		memset(buf, rnd(256), 4096);
		ret = ioctl(fd, ioctls[rnd(sizeof(ioctls) / sizeof(ioctls[0]))], buf);
		break;
	case 15: {
		int cmd = fcntls[rnd(sizeof(fcntls) / sizeof(fcntls[0]))];

		ret = fcntl(fd, cmd, cmd == F_SETLK || cmd == F_GETLK || cmd == F_OFD_SETLK ||
				     cmd == F_OFD_GETLK ? (long)&fl : (long)rnd(1 << 16));
		if (cmd == F_DUPFD_CLOEXEC && ret >= 0)
			close(ret);
		break;
	}
	case 16:
		ret = flock(fd, rnd(16));
		break;
	case 17:
		switch (rnd(4)) {
		case 0:
			ret = setxattr(t->dir, PICK(xattrs), buf, rnd(256), rnd(4));
			break;
		case 1:
			ret = getxattr(t->dir, PICK(xattrs), buf, rnd(256));
			break;
		case 2:
			ret = listxattr(t->dir, buf, rnd(256));
			break;
		default:
			ret = removexattr(t->dir, PICK(xattrs));
		}
		break;
	case 18:
		ret = statx(fd, name, rnd(2) ? AT_EMPTY_PATH : 0, rnd(1 << 16), &stx);
		break;
	case 19:
		ret = sys_fsconfig(fsfd, rnd(10), PICK(keys), rnd(2) ? PICK(keys) : NULL, rnd(3));
		break;
	case 20:
		ret = sys_mount(NULL, t->dir, NULL, MS_REMOUNT | (rnd(2) ? MS_BIND : 0) |
				(flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME)),
				rnd(2) ? PICK(keys) : NULL);
		break;
	case 21:
		map = mmap(NULL, 4096, rnd(8), rnd(2) ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		ret = map == MAP_FAILED ? -1 : 0;
		if (map != MAP_FAILED)
			munmap(map, 4096);
		break;
	case 22: {
		int ifd = inotify_init1(IN_CLOEXEC);

		ret = inotify_add_watch(ifd, t->dir, rnd(1 << 12) | 1);
		close(ifd);
		break;
	}
	default: {
		int mount_id;

		fh->handle_bytes = rnd(MAX_HANDLE_SZ + 8);
		ret = name_to_handle_at(fd, name, fh, &mount_id, rnd(2) ? AT_EMPTY_PATH : 0);
	}
	}

	tally->calls[call]++;
	if (ret >= 0)
		tally->successes[call]++;
	else if (errno > 0 && errno <= MAX_ERRNO)
		tally->errors[errno]++;
}

/* Whether @dir is still the empty directory @before describes. */
static int root_unchanged(const char *dir, const struct stat *before)
{
	struct stat st;

	if (stat(dir, &st) || st.st_mode != before->st_mode || st.st_uid != before->st_uid ||
	    st.st_gid != before->st_gid || st.st_nlink != before->st_nlink ||
	    st.st_ino != before->st_ino || st.st_size != before->st_size ||
	    st.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != before->st_mtim.tv_nsec ||
	    st.st_ctim.tv_sec != before->st_ctim.tv_sec ||
	    st.st_ctim.tv_nsec != before->st_ctim.tv_nsec)
		return 0;
	return dir_entries(dir) == 2;
}

static char scratch_dir[] = "/tmp/fuzz.XXXXXX";

static int fuzz(void *arg)
{
	struct __test_metadata *_metadata = arg;
	const char *seed_env = getenv("NULLFS_RS_FUZZ_SEED");
	const char *ops_env = getenv("NULLFS_RS_FUZZ_OPS");
	unsigned long long seed = seed_env ? strtoull(seed_env, NULL, 0) : 1;
	long ops = ops_env ? atol(ops_env) : 20000, i, total = 0;
	char nulldir[] = "/nullfs_rs", rootdir[] = "/rootfs_rs";
	static char buf[8192];
	static struct tally tally;
	struct target targets[2];
	struct stat null_before, root_before;
	int fsfd, call, err;

	rng = seed ? seed : 1;
	TH_LOG("seed %llu, %ld operations (replay: NULLFS_RS_FUZZ_SEED=%llu)", seed, ops, seed);
	if (unshare(CLONE_NEWNS) || sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 10;
	if (sys_mount("none", scratch_dir, "tmpfs", 0, NULL) || chdir(scratch_dir) || chroot("."))
		return 11;
	if (mkdir(nulldir, 0755) || mkdir(rootdir, 0755))
		return 11;
	if (sys_mount("none", nulldir, "nullfs_rs", 0, NULL) ||
	    sys_mount("none", rootdir, "rootfs_rs", 0, NULL))
		return 12;
	if (stat(nulldir, &null_before) || stat(rootdir, &root_before))
		return 12;
	/* F_NOTIFY on a kernel with dnotify would signal us to death. */
	signal(SIGIO, SIG_IGN);
	targets[0] = (struct target){ nulldir, open(nulldir, O_RDONLY | O_DIRECTORY) };
	targets[1] = (struct target){ rootdir, open(rootdir, O_RDONLY | O_DIRECTORY) };
	fsfd = sys_fsopen(rnd(2) ? "nullfs_rs" : "rootfs_rs", FSOPEN_CLOEXEC);
	if (targets[0].dirfd < 0 || targets[1].dirfd < 0 || fsfd < 0)
		return 13;

	for (i = 0; i < ops; i++) {
		run_one(&targets[rnd(2)], fsfd, &tally, buf);
		/* A context spent by a create or an error gets replaced. */
		if (rnd(64) == 0) {
			close(fsfd);
			fsfd = sys_fsopen(rnd(2) ? "nullfs_rs" : "rootfs_rs", FSOPEN_CLOEXEC);
			if (fsfd < 0)
				return 14;
		}
	}

	for (call = 0; call < NR_CALLS; call++) {
		TH_LOG("%-18s %6ld calls %6ld successes", call_names[call], tally.calls[call],
		       tally.successes[call]);
		total += tally.calls[call];
	}
	for (err = 1; err <= MAX_ERRNO; err++)
		if (tally.errors[err])
			TH_LOG("%-18s %6ld", strerrorname_np(err), tally.errors[err]);
	TH_LOG("operations: %ld", total);

	close(fsfd);
	close(targets[0].dirfd);
	close(targets[1].dirfd);
	/* Remounts may have made them read-only; that is allowed. */
	if (!root_unchanged(nulldir, &null_before) || !root_unchanged(rootdir, &root_before))
		return 2;
	if (sys_umount2(nulldir, 0) || sys_umount2(rootdir, 0))
		return 3;
	return 0;
}

FIXTURE(run) {
	int unused;
};

FIXTURE_SETUP(run)
{
}

FIXTURE_TEARDOWN(run)
{
}

/* Long runs (make stress) outlast the harness's default of 30 seconds. */
TEST_F_TIMEOUT(run, fuzz_seeded, 3600)
{
	ASSERT_EQ(0, load_module());
	ASSERT_NE(NULL, mkdtemp(scratch_dir));
	/* In a child: its mount namespace, its chroot and its fds go with it. */
	EXPECT_EQ(0, in_child(fuzz, _metadata));
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	rmdir(scratch_dir);
}

TEST_HARNESS_MAIN
