// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the boots that test the kernel behaviour the guard depends on: a
 * static program in a tiny initramfs.  It reads a file of its root, then
 * does what the kernel command line's nullfs_rs_scenario= names:
 *
 *   clone_fs        unshare(CLONE_FS)
 *   clone_newns     unshare(CLONE_NEWNS), which unshares the fs state too
 *   thread          a thread of PID 1, not the leader, unshares CLONE_FS
 *   tmpfs_over_root a tmpfs is mounted over "/"
 *   pivot_root      PID 1 switches to a tmpfs root and pivots to another
 *   nullfs_rs_root  PID 1 chroots into a nullfs_rs mount, an empty root of
 *                   its own choosing: not a revert, though lookups from it
 *                   find nothing either
 *
 * The first two make 7.3 log "VFS: Pid 1 stopped sharing filesystem state"
 * and reset the root and working directory of userspace_init_fs to
 * nullfs: every lookup of the two scoped_with_init_fs samples, guarded or
 * not, must then fail with ENOENT, and init_fs.rs must report the revert.
 * The others must not revert anything: guarded lookups still read the file
 * in PID 1's root, not in a tmpfs over it, and kthreads stay in nullfs
 * (pivot_root no longer rewrites their root).
 *
 * Results go to the second serial port as TAP lines prefixed
 * "unshare_init:", away from the console, where a kernel message could land
 * in the middle of one; "# tainted before/after: N" lines carry the kernel's
 * taint around the run.  Last, PID 1 writes the host's canary (the kernel
 * command line's nullfs_rs_canary=) to the kernel log and copies the whole
 * log to the third serial port; then the machine powers off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NULL_FS_MAGIC 0x4e554c4c

#define PROBE_FILE "/probe.txt"

static int test_number;
static FILE *results;
/* Opened before any scenario can hide /proc. */
static int tainted = -1;

static void result(int ok, const char *what)
{
	fprintf(results, "unshare_init: %s %d %s\n", ok ? "ok" : "not ok", ++test_number, what);
}

static void record_taint(const char *when)
{
	char buf[32] = "";

	if (pread(tainted, buf, sizeof(buf) - 1, 0) > 0)
		fprintf(results, "# tainted %s: %s", when, buf);
}

/* The canary line into the kernel log through @kmsg, then the log to @fd. */
static void copy_kernel_log(int kmsg, int fd)
{
	static char log[1 << 21];
	const char *nonce = getenv("nullfs_rs_canary");
	char canary[128];
	int n;

	/* KERN_CRIT, above any console log level; see tools/lib.sh. */
	n = snprintf(canary, sizeof(canary),
		     "<2>nullfs_rs splat canary %s: WARNING: the detector must see this line\n",
		     nonce ? nonce : "missing");
	if (write(kmsg, canary, n) != n)
		perror("unshare_init: /dev/kmsg");
	close(kmsg);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log));
	if (n > 0 && write(fd, log, n) != n)
		perror("unshare_init: the kernel log");
}

static int load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static int probe(const char *sample, char *report, size_t size)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/probe", sample);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, PROBE_FILE, strlen(PROBE_FILE)) < 0)
		return -1;
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, report, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	report[n] = '\0';
	return 0;
}

static int has_line(const char *report, const char *line)
{
	const char *at = strstr(report, line);

	return at && (at == report || at[-1] == '\n') && at[strlen(line)] == '\n';
}

/* Whether a line of @report starts with @prefix. */
static int has_line_starting(const char *report, const char *prefix)
{
	const char *at = strstr(report, prefix);

	return at && (at == report || at[-1] == '\n');
}

static void mount_api_filesystems(void)
{
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mkdir("/sys", 0755);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT, 0644);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	close(in);
	close(out);
	return in >= 0 && out >= 0 && n == 0 ? 0 : -1;
}

/* A tmpfs at @dir with what the rest of the boot needs. */
static int new_root_at(const char *dir)
{
	static const char *const files[] = {
		"rust_init_fs.ko", "c_init_fs.ko", "probe.txt"
	};
	char to[64], old[64];
	unsigned int i;

	if (mkdir(dir, 0755) || mount("tmpfs", dir, "tmpfs", 0, NULL))
		return -1;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		snprintf(old, sizeof(old), "/%s", files[i]);
		if (copy_file(old, to))
			return -1;
	}
	snprintf(to, sizeof(to), "%s/old", dir);
	return mkdir(to, 0755);
}

/*
 * From the initramfs to a tmpfs root (as switch_root does: the initramfs
 * cannot be pivoted away), then pivot_root() to a second tmpfs, which
 * rewrites the root of every task that had the first one.
 */
static int switch_and_pivot(void)
{
	if (new_root_at("/a") || chdir("/a") || mount(".", "/", NULL, MS_MOVE, NULL) ||
	    chroot(".") || chdir("/"))
		return -1;
	if (new_root_at("/b") || syscall(__NR_pivot_root, "/b", "/b/old") || chdir("/"))
		return -1;
	if (umount2("/old", MNT_DETACH))
		return -1;
	mount_api_filesystems();
	return 0;
}

static void *unshare_in_thread(void *ret)
{
	*(int *)ret = unshare(CLONE_FS);
	return NULL;
}

/* The sample's probe files, write end and read end, opened ahead. */
struct probe_files {
	int write, read;
};

static int open_probe(const char *sample, struct probe_files *files)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/probe", sample);
	files->write = open(path, O_WRONLY);
	files->read = open(path, O_RDONLY);
	return files->write >= 0 && files->read >= 0 ? 0 : -1;
}

static int probe_through(struct probe_files *files, char *report, size_t size)
{
	ssize_t n;

	if (write(files->write, PROBE_FILE, strlen(PROBE_FILE)) < 0)
		return -1;
	n = read(files->read, report, size - 1);
	if (n <= 0)
		return -1;
	report[n] = '\0';
	return 0;
}

/*
 * PID 1 roots itself, and so init's fs state, in a nullfs_rs mount.  The
 * probes go through files opened before: nothing is reachable by name
 * after.  init_fs.rs tells this apart from the kernel's revert by the
 * filesystem's type; the C sample, which has only the magic number, cannot.
 */
static void nullfs_rs_root(void)
{
	struct probe_files rust_files, c_files;
	char rust[1024] = "", c[1024] = "";
	struct statfs sfs;

	result(load("/nullfs_rs.ko") == 0, "load nullfs_rs.ko");
	result(load("/rust_init_fs.ko") == 0, "load rust_init_fs.ko");
	result(load("/c_init_fs.ko") == 0, "load c_init_fs.ko");
	result(open_probe("rust_init_fs", &rust_files) == 0 &&
	       open_probe("c_init_fs", &c_files) == 0, "open the samples' probes");
	result(mkdir("/empty", 0755) == 0 &&
	       mount("none", "/empty", "nullfs_rs", 0, NULL) == 0 &&
	       chroot("/empty") == 0 && chdir("/") == 0,
	       "PID 1 chroots into a nullfs_rs mount");
	result(statfs("/", &sfs) == 0 && sfs.f_type == NULL_FS_MAGIC,
	       "PID 1's root has nullfs's magic number");
	result(probe_through(&rust_files, rust, sizeof(rust)) == 0 &&
	       probe_through(&c_files, c, sizeof(c)) == 0, "probe both samples");
	printf("%s", rust);
	result(has_line(rust, "init root magic: 4e554c4c"),
	       "init_fs.rs sees init's root with nullfs's magic number");
	result(has_line(rust, "init fs reverted: no"),
	       "init_fs.rs does not take a nullfs_rs root for a revert");
	result(has_line(rust, "kthread with init fs: error -2") &&
	       has_line(c, "kthread with init fs: error -2"),
	       "guarded lookups from the empty root fail with ENOENT");
	printf("unshare_init: the C sample, by magic number: %s\n",
	       has_line(c, "init fs reverted: yes") ? "reverted" : "not reverted");
}

/* Does what @scenario names; returns whether it reverts init's fs state. */
static int run_scenario(const char *scenario)
{
	struct stat st;
	pthread_t thread;
	int ret = -1;

	if (!strcmp(scenario, "clone_fs")) {
		result(unshare(CLONE_FS) == 0, "unshare(CLONE_FS) in PID 1");
		return 1;
	}
	if (!strcmp(scenario, "clone_newns")) {
		result(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS) in PID 1");
		return 1;
	}
	if (!strcmp(scenario, "thread")) {
		result(!pthread_create(&thread, NULL, unshare_in_thread, &ret) &&
		       !pthread_join(thread, NULL) && ret == 0,
		       "unshare(CLONE_FS) in a thread of PID 1");
		return 0;
	}
	if (!strcmp(scenario, "tmpfs_over_root")) {
		result(mount("tmpfs", "/", "tmpfs", 0, NULL) == 0,
		       "PID 1 mounts a tmpfs over /");
		/* Lookups from PID 1's root still start below the tmpfs. */
		result(stat(PROBE_FILE, &st) == 0, "PID 1 still sees " PROBE_FILE);
		return 0;
	}
	if (!strcmp(scenario, "pivot_root")) {
		result(switch_and_pivot() == 0, "PID 1 pivots its root");
		return 0;
	}
	result(0, "a known nullfs_rs_scenario");
	return 0;
}

int main(void)
{
	const char *scenario = getenv("nullfs_rs_scenario");
	char rust[1024] = "", c[1024] = "", buf[64];
	struct statfs sfs;
	int fd, console, reverts, kernel_log, kmsg;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	console = open("/dev/console", O_RDWR);
	if (console >= 0) {
		dup2(console, 1);
		dup2(console, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Opened before any scenario can hide /dev. */
	kmsg = open("/dev/kmsg", O_WRONLY);
	fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
	results = fd >= 0 ? fdopen(fd, "w") : NULL;
	kernel_log = open("/dev/ttyS2", O_WRONLY | O_NOCTTY);
	if (!results || kernel_log < 0) {
		perror("unshare_init: the serial ports for results");
		reboot(RB_POWER_OFF);
	}
	setvbuf(results, NULL, _IOLBF, 0);
	mount_api_filesystems();
	tainted = open("/proc/sys/kernel/tainted", O_RDONLY);
	record_taint("before");
	if (!scenario)
		scenario = "clone_fs";
	fprintf(results, "# scenario %s\n", scenario);
	if (!strcmp(scenario, "nullfs_rs_root")) {
		nullfs_rs_root();
		goto out;
	}

	fd = open(PROBE_FILE, O_RDONLY);
	result(fd >= 0 && read(fd, buf, sizeof(buf)) > 0, "init reads " PROBE_FILE);
	close(fd);

	reverts = run_scenario(scenario);
	result(load("/rust_init_fs.ko") == 0, "load rust_init_fs.ko");
	result(load("/c_init_fs.ko") == 0, "load c_init_fs.ko");
	result(probe("rust_init_fs", rust, sizeof(rust)) == 0, "probe the Rust sample");
	result(probe("c_init_fs", c, sizeof(c)) == 0, "probe the C sample");
	printf("%s", rust);

	if (reverts) {
		result(has_line(rust, "init fs reverted: yes"), "init_fs.rs reports the revert");
		result(has_line(rust, "kthread with init fs: error -2"),
		       "guarded kthread lookup fails with ENOENT");
		result(has_line(rust, "work item with init fs: error -2"),
		       "guarded work item lookup fails with ENOENT");
	} else {
		result(has_line(rust, "init fs reverted: no"), "init_fs.rs reports no revert");
		result(has_line_starting(rust, "kthread with init fs: size "),
		       "guarded kthread lookup reads the file in PID 1's root");
		result(has_line_starting(rust, "work item with init fs: size "),
		       "guarded work item lookup reads the file in PID 1's root");
	}
	result(has_line(rust, "kthread: error -2") && has_line(rust, "work item: error -2"),
	       "unguarded lookups fail with ENOENT");
	result(statfs("/proc/2/root", &sfs) == 0 && sfs.f_type == NULL_FS_MAGIC,
	       "kthreadd's root is still nullfs");
	result(!strcmp(rust, c), "the Rust and C samples agree");

	result(syscall(__NR_delete_module, "rust_init_fs", O_NONBLOCK) == 0,
	       "unload rust_init_fs");
	result(syscall(__NR_delete_module, "c_init_fs", O_NONBLOCK) == 0, "unload c_init_fs");
out:
	fprintf(results, "unshare_init: 1..%d\n", test_number);
	record_taint("after");
	fclose(results);
	copy_kernel_log(kmsg, kernel_log);
	close(kernel_log);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
