// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side of `make bench`: every measurement, in one boot.
 *
 *	bench WORKDIR ROUNDS LOOKUP_FILE [MISSES [MASKS]]
 *	bench --loop WORKDIR OP SUBJECT ITERATIONS
 *
 * WORKDIR is an empty directory on a writable filesystem, LOOKUP_FILE a file
 * the scoped_with_init_fs samples look up, MISSES the number of new missing
 * names looked up to see what remembering them costs in memory (default
 * 1000000; see remembered_misses()), MASKS the number of paths masked each
 * way to see what masking costs (default 5000; see measure_masks()).
 * nullfs_rs, the vfs_bench module and both samples must be loaded and
 * debugfs mounted.  The first form mounts the subjects in WORKDIR and
 * leaves them there; the second runs one in-kernel loop (see kernel_rows) on
 * a subject mounted so, for a profiler to watch.
 *
 * Each measurement is repeated ROUNDS times (the memory and masks rows half
 * as many); within a round the subjects take turns (A B C ... then B C ...
 * A), so that a slow moment of the emulator hits every subject alike, and
 * every turn on an open root starts from the same dcache (see
 * drop_unused_dentries()).  Output, one line per measurement:
 *
 *	ROW SUBJECT ROUND VALUE
 *
 * where VALUE is ops/s for syscall rows, ns/op for in-kernel rows, bytes
 * for the memory rows, mostly dentries for the misses_* rows, taken once
 * (ROUND 0), and totals over all masks for the masks_* rows;
 * tools/bench/report.py turns the lines into the table, the JSON and the
 * plot.  Any unexpected result stops the run with an error: a benchmark of
 * a failing call would measure nothing.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <time.h>

#include "nullfs_rs.h"

#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS 0x00100000
#endif

/* Iterations per measurement: a few tenths of a second each under TCG. */
#define SYSCALL_OPS	20000
#define READDIR_OPS	5000
#define KERNEL_OPS	100000
#define MOUNT_CYCLES	200
#define INSTANCES	1000
#define GUARDS		1000000
#define GUARDED_LOOKUPS	20000
#define MISSES		1000000
/*
 * Masks of each kind and round: 10,000 took 5 to 12 s per kind under TCG,
 * most of it unmounting them one by one (a grace period each).  A mount
 * namespace holds at most fs.mount-max mounts, 100,000 by default.
 */
#define MASKS		5000
#define MAX_MASKS	90000

enum subject { C_NULLFS, NULLFS_RS, NULLFS_RS_2, ROOTFS_RS, TMPFS, RAMFS, NR_SUBJECTS };

struct target {
	const char *name;
	const char *fstype;	/* NULL: not mountable from userspace */
	bool multi_instance;
	/*
	 * A second instance of a subject, the same code on other objects: how
	 * far a ratio moves when nothing but memory placement differs, which
	 * under TCG is far.  Only measured on its open root.
	 */
	bool control;
	int dirfd;
};

static struct target targets[NR_SUBJECTS] = {
	[C_NULLFS]	= { "c_nullfs", NULL, false, false, -1 },
	[NULLFS_RS]	= { "nullfs_rs", "nullfs_rs", true, false, -1 },
	[NULLFS_RS_2]	= { "nullfs_rs_2", "nullfs_rs", true, true, -1 },
	[ROOTFS_RS]	= { "rootfs_rs", "rootfs_rs", false, false, -1 },
	[TMPFS]		= { "tmpfs", "tmpfs", true, false, -1 },
	[RAMFS]		= { "ramfs", "ramfs", true, false, -1 },
};

static const char *workdir;
static int vfs_bench_fd;
/* A name no earlier lookup used, for the lookup_new rows. */
static unsigned long next_name;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void emit(const char *row, const char *subject, int round, double value)
{
	printf("%s %s %d %.6g\n", row, subject, round, value);
	fflush(stdout);
}

/* The subjects of a round, each round starting one further along. */
#define for_each_turn(i, s, round, n) \
	for ((i) = 0; (i) < (n) && ((s) = ((i) + (round)) % (n), 1); (i)++)

/*
 * The C nullfs: the root of a new, empty mount namespace.  A child makes
 * one and passes its root back; the descriptor outlives the namespace.
 * The mount is made read-only, as the other subjects' are.
 */
static int open_c_nullfs(void)
{
	char control[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = "r", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	int sv[2], fd, status;
	char byte;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair: %m");
	pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		if (unshare(UNSHARE_EMPTY_MNTNS))
			_exit(1);
		fd = open("/", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			_exit(2);
		if (sys_mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
			_exit(4);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 3);
	}
	close(sv[1]);
	/* The child has sent its descriptor, if any, before it exits. */
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		die("the unshare(UNSHARE_EMPTY_MNTNS) child did not exit");
	if (WEXITSTATUS(status))
		die("the unshare(UNSHARE_EMPTY_MNTNS) child failed at step %d",
		    WEXITSTATUS(status));
	iov.iov_base = &byte;
	if (recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC) != 1)
		die("no root came back from unshare(UNSHARE_EMPTY_MNTNS)");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
		die("no root came back from unshare(UNSHARE_EMPTY_MNTNS)");
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	close(sv[0]);
	return fd;
}

static void path_in_workdir(char *buf, size_t size, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(buf, size, "%s/%s", workdir, name);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		die("mkdir %s: %m", path);
}

/*
 * Every subject's root directory, open; read-only mounts in WORKDIR, made
 * now if @mount.
 */
static void open_targets(bool mount)
{
	char path[PATH_MAX];
	int s;

	for (s = 0; s < NR_SUBJECTS; s++) {
		struct target *t = &targets[s];

		if (!t->fstype)
			continue;
		path_in_workdir(path, sizeof(path), "%s", t->name);
		if (mount) {
			make_dir(path);
			if (sys_mount("none", path, t->fstype, MS_RDONLY, NULL))
				die("mount -t %s %s: %m", t->fstype, path);
		}
		t->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (t->dirfd < 0)
			die("open %s: %m", path);
	}
	targets[C_NULLFS].dirfd = open_c_nullfs();
}

/* The syscall rows, as a user sees them. */
enum syscall_row {
	LOOKUP_SAME, LOOKUP_NEW, LOOKUP_MIDDLE, STAT_ROOT, STATFS, READDIR,
	NR_SYSCALL_ROWS
};

static const char *const syscall_rows[NR_SYSCALL_ROWS] = {
	"lookup_same", "lookup_new", "lookup_middle", "stat_root", "statfs", "readdir",
};

static void syscall_once(enum syscall_row row, int dirfd)
{
	const char *path = "missing";
	char name[32], buf[256];
	struct statfs sfs;
	struct stat st;
	long n;
	int fd;

	switch (row) {
	case LOOKUP_SAME:
	case LOOKUP_NEW:
	case LOOKUP_MIDDLE:
		if (row == LOOKUP_NEW) {
			snprintf(name, sizeof(name), "new%lu", next_name++);
			path = name;
		}
		/* A walk that stops at its missing first component. */
		if (row == LOOKUP_MIDDLE)
			path = "missing/name";
		if (fstatat(dirfd, path, &st, 0) >= 0 || errno != ENOENT)
			die("%s: a missing name did not fail with ENOENT",
			    syscall_rows[row]);
		break;
	case STAT_ROOT:
		if (fstatat(dirfd, ".", &st, 0))
			die("fstatat .: %m");
		break;
	case STATFS:
		if (fstatfs(dirfd, &sfs))
			die("fstatfs: %m");
		break;
	case READDIR:
		fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			die("open .: %m");
		n = syscall(__NR_getdents64, fd, buf, sizeof(buf));
		if (n <= 0)
			die("getdents64: %m");
		close(fd);
		break;
	default:
		die("no syscall row %d", row);
	}
}

static double syscall_rate(enum syscall_row row, int dirfd)
{
	unsigned int i, ops = row == READDIR ? READDIR_OPS : SYSCALL_OPS;
	double start = now();

	for (i = 0; i < ops; i++)
		syscall_once(row, dirfd);
	return ops / (now() - start);
}

/* The in-kernel rows: ns per VFS call, timed by the vfs_bench module. */
static const char *const kernel_rows[] = {
	"lookup_same", "lookup_new", "lookup_middle", "getattr", "statfs", "iterate",
};
#define NR_KERNEL_ROWS ((int)(sizeof(kernel_rows) / sizeof(*kernel_rows)))

static double kernel_ns(const char *op, int dirfd, unsigned int iterations)
{
	char cmd[64], reply[64], name[16];
	unsigned long long ns;
	unsigned int done;
	int len;
	ssize_t n;

	len = snprintf(cmd, sizeof(cmd), "%s %d %u\n", op, dirfd, iterations);
	if (pwrite(vfs_bench_fd, cmd, len, 0) != len)
		die("vfs_bench %s: %m", op);
	n = pread(vfs_bench_fd, reply, sizeof(reply) - 1, 0);
	if (n <= 0)
		die("vfs_bench: no result: %m");
	reply[n] = '\0';
	if (sscanf(reply, "%15s %u %llu", name, &done, &ns) != 3 ||
	    strcmp(name, op) || done != iterations)
		die("vfs_bench: unexpected result \"%s\"", reply);
	return (double)ns / iterations;
}

/* Mount and unmount cycles of a fresh instance, read-only like the others. */
enum mount_row { MOUNT_FSMOUNT, MOUNT_MOUNT2, NR_MOUNT_ROWS };

static const char *const mount_rows[NR_MOUNT_ROWS] = { "mount_fsmount", "mount_mount2" };

static void mount_cycle(enum mount_row row, const char *fstype, const char *target)
{
	int fsfd, mntfd;

	if (row == MOUNT_MOUNT2) {
		if (sys_mount("none", target, fstype, MS_RDONLY, NULL))
			die("mount -t %s: %m", fstype);
		if (sys_umount2(target, 0))
			die("umount %s: %m", target);
		return;
	}
	fsfd = sys_fsopen(fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		die("fsopen %s: %m", fstype);
	if (sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0) ||
	    sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		die("fsconfig %s: %m", fstype);
	mntfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	if (mntfd < 0)
		die("fsmount %s: %m", fstype);
	close(mntfd);
	close(fsfd);
}

static double mount_rate(enum mount_row row, const char *fstype)
{
	char target[PATH_MAX];
	double start;
	int i;

	path_in_workdir(target, sizeof(target), "mnt");
	make_dir(target);
	start = now();
	for (i = 0; i < MOUNT_CYCLES; i++)
		mount_cycle(row, fstype, target);
	return MOUNT_CYCLES / (now() - start);
}

/* Slab bytes in use, from /proc/meminfo. */
static long long slab_in_use(void)
{
	long long kb, slab = -1;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		die("/proc/meminfo: %m");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			slab = kb * 1024;
	fclose(f);
	if (slab < 0)
		die("/proc/meminfo has no Slab line");
	return slab;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("write %s: %m", path);
	close(fd);
}

/*
 * Every measurement of an open root starts from the same dcache.  The
 * negative dentries that nullfs_rs and rootfs_rs keep from a lookup_new row
 * (about 120,000 per subject and round) would otherwise pile up, in the
 * dcache's hash chains that every subject's lookups walk and in the guest's
 * memory, and make every subject slower round after round.  drop_caches=2
 * frees every unused dentry of every filesystem, the C nullfs's included,
 * whose root cannot be remounted; the subjects' pinned roots stay.  Then
 * vfs_bench's rcu_barrier(), so that the frees queued behind RCU are not
 * left to run during the next measurement.
 */
static void drop_unused_dentries(void)
{
	write_file("/proc/sys/vm/drop_caches", "2\n");
	write_file("/sys/kernel/debug/vfs_bench/rcu_barrier", "1\n");
}

/*
 * Lets freed objects reach the slab counters: RCU-freed dentries and inodes
 * need a grace period, and SLUB keeps empty slabs cached until shrunk.
 */
static void settle_slab(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	usleep(200000);
	write_file("/proc/sys/vm/drop_caches", "2\n");
	d = opendir("/sys/kernel/slab");
	if (!d)
		die("/sys/kernel/slab: %m");
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", de->d_name);
		write_file(path, "1\n");
	}
	closedir(d);
}

/* Slab memory added by INSTANCES live mounts of @fstype, per instance. */
static double slab_per_instance(const char *fstype)
{
	char target[PATH_MAX];
	long long before;
	double added;
	int i;

	path_in_workdir(target, sizeof(target), "instances");
	make_dir(target);
	for (i = 0; i < INSTANCES; i++) {
		path_in_workdir(target, sizeof(target), "instances/%d", i);
		make_dir(target);
	}
	settle_slab();
	before = slab_in_use();
	for (i = 0; i < INSTANCES; i++) {
		path_in_workdir(target, sizeof(target), "instances/%d", i);
		if (sys_mount("none", target, fstype, MS_RDONLY, NULL))
			die("mount -t %s %s: %m", fstype, target);
	}
	settle_slab();
	added = slab_in_use() - before;
	for (i = 0; i < INSTANCES; i++) {
		path_in_workdir(target, sizeof(target), "instances/%d", i);
		if (sys_umount2(target, 0))
			die("umount %s: %m", target);
	}
	return added / INSTANCES;
}

/* The first number in a file of one line, such as a sysfs attribute. */
static long long read_number(const char *path)
{
	long long value;
	FILE *f = fopen(path, "re");

	if (!f)
		die("%s: %m", path);
	if (fscanf(f, "%lld", &value) != 1)
		die("%s: no number", path);
	fclose(f);
	return value;
}

/*
 * The dentries in use, counted twice: as the active objects of the slab
 * cache that holds them (SLUB may have merged the dentry cache with others
 * of its size, whose objects then count too; /sys/kernel/slab/dentry
 * follows the merge) and in /proc/sys/fs/dentry-state, the dcache's own
 * count of dentries and of the unused negative ones among them.
 */
struct dentry_count {
	long long slab;
	long long dentries;
	long long negative;
};

static void count_dentries(struct dentry_count *count)
{
	long long unused, age, want;
	FILE *f = fopen("/proc/sys/fs/dentry-state", "re");

	count->slab = read_number("/sys/kernel/slab/dentry/objects");
	if (!f)
		die("/proc/sys/fs/dentry-state: %m");
	if (fscanf(f, "%lld %lld %lld %lld %lld", &count->dentries, &unused,
		   &age, &want, &count->negative) != 5)
		die("/proc/sys/fs/dentry-state: not five numbers");
	fclose(f);
}

/*
 * The dentries in use once the frees in flight have landed, without asking
 * the dcache to let go of any: a freed dentry reaches its slab after an RCU
 * grace period, and the free objects of a CPU's slab count as active until
 * the cache is shrunk.  So shrink and count until the count stops falling.
 */
static void settle_dentries(struct dentry_count *count)
{
	long long last = LLONG_MAX;
	int i;

	for (i = 0; i < 50; i++) {
		usleep(200000);
		write_file("/sys/kernel/slab/dentry/shrink", "1\n");
		count_dentries(count);
		if (count->slab >= last)
			break;
		last = count->slab;
	}
}

static void emit_count(const char *row, const char *subject, int round, long long value)
{
	printf("%s %s %d %lld\n", row, subject, round, value);
	fflush(stdout);
}

static void emit_dentries(const char *step, const char *subject)
{
	struct dentry_count count;
	char row[64];

	settle_dentries(&count);
	snprintf(row, sizeof(row), "misses_slab_%s", step);
	emit_count(row, subject, 0, count.slab);
	snprintf(row, sizeof(row), "misses_dentries_%s", step);
	emit_count(row, subject, 0, count.dentries);
	snprintf(row, sizeof(row), "misses_negative_%s", step);
	emit_count(row, subject, 0, count.negative);
}

/*
 * What remembering missing names costs in memory: the dentries in use
 * before and after @lookups new missing names on a fresh instance of @s,
 * after drop_caches (which frees unused dentries) and after the instance's
 * end.  The lookups are vfs_bench's lookup_new, a few times faster than
 * fstatat() under TCG.  The C nullfs is the root of a new empty mount
 * namespace, a mount of the one superblock every such namespace shares: its
 * end is that of the namespace, once the descriptor is closed.
 */
/*
 * Where remembered_misses() measures what a lookup of a new name costs:
 * MISSES_PROBE of them once the instance remembers 0, 10^4 and 10^6
 * misses (or as many as the run looks up, if fewer).  Tens of milliseconds
 * each under TCG, where a thousand (3 ms) scattered by a factor of 1.7.
 */
#define MISSES_PROBE 10000
static const unsigned int misses_probe_at[] = { 0, 10000, 1000000 };

static void remembered_misses(enum subject s, unsigned int lookups)
{
	const char *name = targets[s].name;
	char target[PATH_MAX], row[64];
	unsigned int done = 0, at, i;
	double ns = 0, probe;
	int dirfd;

	path_in_workdir(target, sizeof(target), "misses");
	if (s == C_NULLFS) {
		dirfd = open_c_nullfs();
	} else {
		make_dir(target);
		if (sys_mount("none", target, targets[s].fstype, MS_RDONLY, NULL))
			die("mount -t %s %s: %m", targets[s].fstype, target);
		dirfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			die("open %s: %m", target);
	}
	settle_slab();
	emit_dentries("before", name);
	/*
	 * The lookups in steps: up to each probe point, then MISSES_PROBE more
	 * timed apart, whose cost shows what the misses held so far cost the
	 * next lookup (C nullfs and tmpfs hold none: their rows stay level).
	 */
	for (i = 0; i < sizeof(misses_probe_at) / sizeof(*misses_probe_at); i++) {
		at = misses_probe_at[i] < lookups ? misses_probe_at[i] : lookups;
		if (at > done) {
			ns += kernel_ns("lookup_new", dirfd, at - done) * (at - done);
			done = at;
		}
		/* Named after the misses held when it ran. */
		snprintf(row, sizeof(row), "misses_probe_ns_%u", done);
		probe = kernel_ns("lookup_new", dirfd, MISSES_PROBE);
		ns += probe * MISSES_PROBE;
		done += MISSES_PROBE;
		emit(row, name, 0, probe);
	}
	if (lookups > done) {
		ns += kernel_ns("lookup_new", dirfd, lookups - done) * (lookups - done);
		done = lookups;
	}
	ns /= done;
	lookups = done;
	emit_dentries("looked_up", name);
	write_file("/proc/sys/vm/drop_caches", "2\n");
	emit_dentries("dropped", name);
	close(dirfd);
	if (s != C_NULLFS && sys_umount2(target, 0))
		die("umount %s: %m", target);
	emit_dentries("ended", name);
	emit_count("misses_lookups", name, 0, lookups);
	emit("misses_lookup_ns", name, 0, ns);
	emit_count("misses_slab_size", name, 0,
		   read_number("/sys/kernel/slab/dentry/slab_size"));
	emit_count("misses_slab_aliases", name, 0,
		   read_number("/sys/kernel/slab/dentry/aliases"));
}

/*
 * The cost of masking paths in a container, four ways: one nullfs_rs
 * instance for the container, cloned onto every masked path
 * (open_tree(OPEN_TREE_CLONE) + move_mount()); one read-only tmpfs per
 * path, as crun's maskedPaths and runc's before 2026; one read-only tmpfs
 * cloned onto every path, as runc's since; a bind of one empty directory
 * per path, made read-only by a second mount(), as systemd's
 * InaccessiblePaths.  Each kind runs in a child of its own mount namespace,
 * on MASKS fresh directories of WORKDIR (see masks_of_a_kind()), in rounds
 * whose order rotates.
 */
enum mask_kind {
	MASK_NULLFS_RS, MASK_RO_TMPFS, MASK_RO_TMPFS_SHARED, MASK_BIND_EMPTY, NR_MASK_KINDS
};

static const char *const mask_kinds[NR_MASK_KINDS] = {
	"nullfs_rs", "ro_tmpfs", "ro_tmpfs_shared", "bind_empty"
};

/* The caches whose growth is named in the output, the largest first. */
#define MASKS_TOP_CACHES	5
#define MAX_SLAB_CACHES		1024

struct slab_caches {
	int n;
	struct {
		char name[64];
		long long active, size;
	} c[MAX_SLAB_CACHES];
};

/*
 * The objects in use of every slab cache, from /proc/slabinfo, which names
 * each cache once however many SLUB merged into it (as the directories of
 * /sys/kernel/slab do not).  SLUB counts the free objects of a CPU's slab
 * as in use, so the caller settles the slabs first.
 */
static void read_slab_caches(struct slab_caches *sc)
{
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "re");

	if (!f)
		die("/proc/slabinfo: %m");
	sc->n = 0;
	while (fgets(line, sizeof(line), f))
		if (sc->n < MAX_SLAB_CACHES &&
		    sscanf(line, "%63s %lld %*d %lld", sc->c[sc->n].name,
			   &sc->c[sc->n].active, &sc->c[sc->n].size) == 3)
			sc->n++;
	fclose(f);
	if (!sc->n)
		die("/proc/slabinfo: no caches");
}

static long long slab_cache_bytes(const struct slab_caches *sc)
{
	long long bytes = 0;
	int i;

	for (i = 0; i < sc->n; i++)
		bytes += sc->c[i].active * sc->c[i].size;
	return bytes;
}

/* A line of /proc/meminfo such as "Percpu:", in bytes. */
static long long meminfo_bytes(const char *key)
{
	char line[128], name[64];
	long long kb, bytes = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		die("/proc/meminfo: %m");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld kB", name, &kb) == 2 && !strcmp(name, key))
			bytes = kb * 1024;
	fclose(f);
	if (bytes < 0)
		die("/proc/meminfo has no %s line", key);
	return bytes;
}

/* Each cache's growth from @a to @b in bytes; the largest few emitted. */
static void emit_cache_growth(const char *kind, int round, const struct slab_caches *a,
			      const struct slab_caches *b)
{
	long long growth[MAX_SLAB_CACHES];
	bool named[MAX_SLAB_CACHES] = {};
	char row[96];
	int i, j, top, best;

	for (i = 0; i < b->n; i++) {
		growth[i] = b->c[i].active;
		for (j = 0; j < a->n; j++)
			if (!strcmp(a->c[j].name, b->c[i].name)) {
				growth[i] -= a->c[j].active;
				break;
			}
		growth[i] *= b->c[i].size;
	}
	for (top = 0; top < MASKS_TOP_CACHES; top++) {
		best = -1;
		for (i = 0; i < b->n; i++)
			if (!named[i] && growth[i] > 0 && (best < 0 || growth[i] > growth[best]))
				best = i;
		if (best < 0)
			break;
		named[best] = true;
		snprintf(row, sizeof(row), "masks_cache:%s", b->c[best].name);
		emit_count(row, kind, round, growth[best]);
	}
}

static int compare_devs(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* The mounts of the caller's namespace, and the distinct st_dev among them. */
static void count_mounts(long long *mounts, long long *superblocks)
{
	unsigned long major, minor, *devs = NULL;
	size_t size = 0, n = 0, capacity = 0, i;
	char *line = NULL;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		die("/proc/self/mountinfo: %m");
	while (getline(&line, &size, f) > 0) {
		if (sscanf(line, "%*d %*d %lu:%lu", &major, &minor) != 2)
			die("/proc/self/mountinfo: unexpected line \"%s\"", line);
		if (n == capacity) {
			capacity = capacity ? 2 * capacity : 1024;
			devs = realloc(devs, capacity * sizeof(*devs));
			if (!devs)
				die("out of memory");
		}
		devs[n++] = major << 20 | minor;
	}
	free(line);
	fclose(f);
	qsort(devs, n, sizeof(*devs), compare_devs);
	*mounts = n;
	*superblocks = 0;
	for (i = 0; i < n; i++)
		if (!i || devs[i] != devs[i - 1])
			(*superblocks)++;
	free(devs);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void mask_dir(char *buf, size_t size, enum mask_kind kind, unsigned int i)
{
	path_in_workdir(buf, size, "masks-%s/%u", mask_kinds[kind], i);
}

/*
 * In a child of its own mount namespace, "/" made private so that nothing
 * propagates out: @masks masks of @kind on as many new directories, timed
 * from the first call to the last (for the shared kinds including the one
 * fsopen..fsmount), then checked, then unmounted one by one with
 * umount2(), timed likewise (for the shared kinds including the close of
 * the detached mount, the instance's last reference).  Memory is the growth of
 * the slab objects in use, of /proc/meminfo's Slab and of its Percpu (struct
 * mount keeps per-CPU counters, as does a superblock), each after
 * settle_slab(); superblocks are the distinct devices of the namespace's
 * mounts.  Whatever the child leaves mounted goes with its namespace.
 * Emits, per kind and @round, the totals: report.py divides by the masks.
 */
static void masks_of_a_kind(enum mask_kind kind, unsigned int masks, int round)
{
	static struct slab_caches before, after;
	struct mount_attr read_only = { .attr_set = MOUNT_ATTR_RDONLY };
	const char *name = mask_kinds[kind];
	long long mounts[3], superblocks[3], meminfo_slab, percpu, start;
	long long setup_ns, teardown_ns;
	char dir[PATH_MAX], empty[PATH_MAX];
	struct stat base_st, empty_st, mask_st, st;
	int mntfd = -1, clone, ret;
	unsigned int i;

	if (unshare(CLONE_NEWNS))
		die("unshare(CLONE_NEWNS): %m");
	if (sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("mount --make-rprivate /: %m");
	path_in_workdir(dir, sizeof(dir), "masks-%s", name);
	make_dir(dir);
	if (stat(dir, &base_st))
		die("stat %s: %m", dir);
	path_in_workdir(empty, sizeof(empty), "masks-empty");
	make_dir(empty);
	if (chmod(empty, 0555) || stat(empty, &empty_st))
		die("chmod 0555 %s: %m", empty);
	for (i = 0; i < masks; i++) {
		mask_dir(dir, sizeof(dir), kind, i);
		if (mkdir(dir, 0755))
			die("mkdir %s: %m", dir);
	}

	settle_slab();
	read_slab_caches(&before);
	meminfo_slab = meminfo_bytes("Slab:");
	percpu = meminfo_bytes("Percpu:");
	count_mounts(&mounts[0], &superblocks[0]);

	start = now_ns();
	if (kind == MASK_NULLFS_RS || kind == MASK_RO_TMPFS_SHARED) {
		/* The container's one instance, bound to every masked path. */
		mntfd = fs_new_mount(kind == MASK_NULLFS_RS ? "nullfs_rs" : "tmpfs",
				     FSMOUNT_CLOEXEC);
		if (mntfd < 0)
			die("fsopen..fsmount for %s: %m", name);
		if (kind == MASK_RO_TMPFS_SHARED &&
		    syscall(__NR_mount_setattr, mntfd, "", AT_EMPTY_PATH, &read_only,
			    sizeof(read_only)))
			die("mount_setattr(MOUNT_ATTR_RDONLY) for %s: %m", name);
	}
	for (i = 0; i < masks; i++) {
		mask_dir(dir, sizeof(dir), kind, i);
		switch (kind) {
		case MASK_NULLFS_RS:
		case MASK_RO_TMPFS_SHARED:
			clone = syscall(__NR_open_tree, mntfd, "", OPEN_TREE_CLONE |
					OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
			if (clone < 0)
				die("open_tree(OPEN_TREE_CLONE) for %s: %m", name);
			ret = sys_move_mount(clone, "", AT_FDCWD, dir,
					     MOVE_MOUNT_F_EMPTY_PATH);
			close(clone);
			break;
		case MASK_RO_TMPFS:
			/* As runc does: no options but, there, an SELinux label. */
			ret = sys_mount("tmpfs", dir, "tmpfs", MS_RDONLY, NULL);
			break;
		default:
			ret = sys_mount(empty, dir, NULL, MS_BIND, NULL) ||
			      sys_mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
			break;
		}
		if (ret)
			die("masking %s as %s: %m", dir, name);
	}
	setup_ns = now_ns() - start;

	settle_slab();
	read_slab_caches(&after);
	meminfo_slab = meminfo_bytes("Slab:") - meminfo_slab;
	percpu = meminfo_bytes("Percpu:") - percpu;
	count_mounts(&mounts[1], &superblocks[1]);
	if (mounts[1] - mounts[0] != masks)
		die("%u masks of %s added %lld mounts", masks, name, mounts[1] - mounts[0]);

	/* Every mask is what it should be: a check, not timed. */
	if (mntfd >= 0 && fstat(mntfd, &mask_st))
		die("fstat of the %s mount: %m", name);
	for (i = 0; i < masks; i++) {
		mask_dir(dir, sizeof(dir), kind, i);
		if (stat(dir, &st))
			die("stat %s: %m", dir);
		if (mntfd >= 0 ? st.st_dev != mask_st.st_dev :
		    kind == MASK_RO_TMPFS ? st.st_dev == base_st.st_dev :
		    st.st_dev != empty_st.st_dev || st.st_ino != empty_st.st_ino)
			die("%s is no %s mask", dir, name);
	}

	start = now_ns();
	for (i = 0; i < masks; i++) {
		mask_dir(dir, sizeof(dir), kind, i);
		if (sys_umount2(dir, 0))
			die("umount %s: %m", dir);
	}
	if (mntfd >= 0)
		close(mntfd);
	teardown_ns = now_ns() - start;
	count_mounts(&mounts[2], &superblocks[2]);
	if (mounts[2] != mounts[0])
		die("%lld mounts left after unmounting %u masks of %s",
		    mounts[2] - mounts[0], masks, name);

	emit_count("masks_n", name, round, masks);
	emit_count("masks_setup_ns", name, round, setup_ns);
	emit_count("masks_teardown_ns", name, round, teardown_ns);
	emit_count("masks_slab_object_bytes", name, round,
		   slab_cache_bytes(&after) - slab_cache_bytes(&before));
	emit_count("masks_meminfo_slab_bytes", name, round, meminfo_slab);
	emit_count("masks_percpu_bytes", name, round, percpu);
	emit_count("masks_mounts", name, round, mounts[1] - mounts[0]);
	emit_count("masks_superblocks", name, round, superblocks[1] - superblocks[0]);
	emit_cache_growth(name, round, &before, &after);

	/* Untimed: the directories go, for the next kind to find WORKDIR as it was. */
	for (i = 0; i < masks; i++) {
		mask_dir(dir, sizeof(dir), kind, i);
		if (rmdir(dir))
			die("rmdir %s: %m", dir);
	}
	path_in_workdir(dir, sizeof(dir), "masks-%s", name);
	if (rmdir(dir))
		die("rmdir %s: %m", dir);
}

static void measure_masks(unsigned int masks, int rounds)
{
	int status, round, i, kind;
	double start;
	pid_t pid;

	for (round = 0; round < rounds; round++)
		for_each_turn(i, kind, round, NR_MASK_KINDS) {
			start = now();
			pid = fork();
			if (pid < 0)
				die("fork: %m");
			if (pid == 0) {
				masks_of_a_kind(kind, masks, round);
				exit(0);
			}
			if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				die("the masks child of %s failed", mask_kinds[kind]);
			/* The whole of it: directories, settling, checks, exit. */
			emit("masks_wall_s", mask_kinds[kind], round, now() - start);
		}
}

/*
 * Each sample runs twice a round, the runs interleaved (Rust, C, Rust, C,
 * rotating): the ratio of a sample's two runs, the same code on the same
 * objects, is the noise the Rust-against-C ratio has to stand out of.
 */
static const struct {
	const char *sample, *subject;
} guard_runs[] = {
	{ "rust_init_fs", "rust" }, { "c_init_fs", "c" },
	{ "rust_init_fs", "rust_2" }, { "c_init_fs", "c_2" },
};
#define NR_GUARD_RUNS ((int)(sizeof(guard_runs) / sizeof(*guard_runs)))

/* The scoped_with_init_fs samples: ns per guard, and per guarded lookup. */
static void guard_ns(const char *sample, const char *file, double *guard, double *lookup)
{
	char path[PATH_MAX], cmd[PATH_MAX + 32], reply[256];
	unsigned long long guard_time, lookup_time;
	unsigned int guards, lookups;
	int fd, len;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/bench", sample);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("%s: %m", path);
	len = snprintf(cmd, sizeof(cmd), "%u %u %s\n", GUARDS, GUARDED_LOOKUPS, file);
	if (write(fd, cmd, len) != len)
		die("%s: %m", path);
	n = pread(fd, reply, sizeof(reply) - 1, 0);
	if (n <= 0)
		die("%s: no result: %m", path);
	reply[n] = '\0';
	if (sscanf(reply, "guards %u in %llu ns\nlookups %u in %llu ns",
		   &guards, &guard_time, &lookups, &lookup_time) != 4 ||
	    guards != GUARDS || lookups != GUARDED_LOOKUPS)
		die("%s: unexpected result \"%s\"", path, reply);
	close(fd);
	*guard = (double)guard_time / guards;
	*lookup = (double)lookup_time / lookups;
}

static void open_vfs_bench(void)
{
	vfs_bench_fd = open("/sys/kernel/debug/vfs_bench/run", O_RDWR | O_CLOEXEC);
	if (vfs_bench_fd < 0)
		die("/sys/kernel/debug/vfs_bench/run: %m (is vfs_bench loaded?)");
}

/* bench --loop WORKDIR OP SUBJECT ITERATIONS */
static int one_loop(char **argv)
{
	int s;

	workdir = argv[0];
	open_vfs_bench();
	open_targets(false);
	for (s = 0; s < NR_SUBJECTS; s++)
		if (!strcmp(targets[s].name, argv[2]))
			break;
	if (s == NR_SUBJECTS)
		die("no subject %s", argv[2]);
	kernel_ns(argv[1], targets[s].dirfd, strtoul(argv[3], NULL, 0));
	return 0;
}

int main(int argc, char **argv)
{
	static const enum subject misses_subjects[] = { C_NULLFS, NULLFS_RS, TMPFS };
	unsigned long misses = MISSES, masks = MASKS;
	int round, rounds, row, i, s;
	const char *lookup_file;
	char *end;

	if (argc == 6 && !strcmp(argv[1], "--loop"))
		return one_loop(argv + 2);
	rounds = argc >= 4 ? atoi(argv[2]) : 0;
	if (argc < 4 || argc > 6 || rounds < 1)
		die("usage: bench WORKDIR ROUNDS LOOKUP_FILE [MISSES [MASKS]]\n"
		    "       bench --loop WORKDIR OP SUBJECT ITERATIONS");
	if (argc >= 5) {
		errno = 0;
		misses = strtoul(argv[4], &end, 10);
		if (errno || *end || !misses || misses > UINT_MAX)
			die("MISSES must be a number from 1 to %u, not '%s'",
			    UINT_MAX, argv[4]);
	}
	if (argc == 6) {
		errno = 0;
		masks = strtoul(argv[5], &end, 10);
		if (errno || *end || !masks || masks > MAX_MASKS)
			die("MASKS must be a number from 1 to %u, not '%s'",
			    MAX_MASKS, argv[5]);
	}
	workdir = argv[1];
	lookup_file = argv[3];

	open_vfs_bench();
	open_targets(true);

	/* One untimed pass over the open roots first: caches, faults, lazy setup. */
	for (s = 0; s < NR_SUBJECTS; s++) {
		for (row = 0; row < NR_SYSCALL_ROWS; row++)
			syscall_once(row, targets[s].dirfd);
		for (row = 0; row < NR_KERNEL_ROWS; row++)
			kernel_ns(kernel_rows[row], targets[s].dirfd, 100);
	}

	for (round = 0; round < rounds; round++) {
		for (row = 0; row < NR_SYSCALL_ROWS; row++)
			for_each_turn(i, s, round, NR_SUBJECTS) {
				drop_unused_dentries();
				emit(syscall_rows[row], targets[s].name, round,
				     syscall_rate(row, targets[s].dirfd));
			}
		for (row = 0; row < NR_KERNEL_ROWS; row++) {
			char name[32];

			snprintf(name, sizeof(name), "kernel_%s", kernel_rows[row]);
			for_each_turn(i, s, round, NR_SUBJECTS) {
				drop_unused_dentries();
				emit(name, targets[s].name, round,
				     kernel_ns(kernel_rows[row], targets[s].dirfd, KERNEL_OPS));
			}
		}
		for (row = 0; row < NR_MOUNT_ROWS; row++)
			for_each_turn(i, s, round, NR_SUBJECTS)
				if (targets[s].fstype && !targets[s].control)
					emit(mount_rows[row], targets[s].name, round,
					     mount_rate(row, targets[s].fstype));
		for_each_turn(i, s, round, NR_GUARD_RUNS) {
			double guard, lookup;

			guard_ns(guard_runs[s].sample, lookup_file, &guard, &lookup);
			emit("guard", guard_runs[s].subject, round, guard);
			emit("guarded_lookup", guard_runs[s].subject, round, lookup);
		}
	}

	/* Memory: fewer rounds, each mounts a thousand instances. */
	for (round = 0; round < (rounds + 1) / 2; round++)
		for_each_turn(i, s, round, NR_SUBJECTS)
			if (targets[s].multi_instance && !targets[s].control)
				emit("memory_slab", targets[s].name, round,
				     slab_per_instance(targets[s].fstype));

	/* Reported, not compared round by round: once is enough. */
	for (i = 0; i < (int)(sizeof(misses_subjects) / sizeof(*misses_subjects)); i++)
		remembered_misses(misses_subjects[i], misses);
	/* Masks: as many rounds as memory, each masks MASKS paths each way. */
	measure_masks(masks, (rounds + 1) / 2);
	return 0;
}
