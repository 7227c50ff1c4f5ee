// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the "init stopped sharing" boot: a static program in a tiny
 * initramfs.  It reads a file of its root, then unshare(CLONE_FS)s, which
 * makes 7.3 log "VFS: Pid 1 stopped sharing filesystem state" and reset
 * the root and working directory of userspace_init_fs to nullfs.  Then it loads the two scoped_with_init_fs
 * samples and asks both to read the same file: every lookup, guarded or
 * not, must now fail with ENOENT, and the Rust sample's init_fs.rs must
 * report the revert.  Results go to the console as TAP lines prefixed
 * "unshare_init:"; then the machine powers off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROBE_FILE "/probe.txt"

static int test_number;

static void result(int ok, const char *what)
{
	printf("unshare_init: %s %d %s\n", ok ? "ok" : "not ok", ++test_number, what);
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

int main(void)
{
	char rust[1024] = "", c[1024] = "", buf[64];
	int fd, console;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	console = open("/dev/console", O_RDWR);
	if (console >= 0) {
		dup2(console, 1);
		dup2(console, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mkdir("/sys", 0755);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);

	fd = open(PROBE_FILE, O_RDONLY);
	result(fd >= 0 && read(fd, buf, sizeof(buf)) > 0, "init reads " PROBE_FILE);
	close(fd);

	result(unshare(CLONE_FS) == 0, "unshare(CLONE_FS) in PID 1");
	result(load("/rust_init_fs.ko") == 0, "load rust_init_fs.ko");
	result(load("/c_init_fs.ko") == 0, "load c_init_fs.ko");
	result(probe("rust_init_fs", rust, sizeof(rust)) == 0, "probe the Rust sample");
	result(probe("c_init_fs", c, sizeof(c)) == 0, "probe the C sample");
	printf("%s", rust);

	result(has_line(rust, "init fs reverted: yes"), "init_fs.rs reports the revert");
	result(has_line(rust, "kthread with init fs: error -2"),
	       "guarded kthread lookup fails with ENOENT");
	result(has_line(rust, "work item with init fs: error -2"),
	       "guarded work item lookup fails with ENOENT");
	result(has_line(rust, "kthread: error -2") && has_line(rust, "work item: error -2"),
	       "unguarded lookups fail with ENOENT");
	result(!strcmp(rust, c), "the Rust and C samples agree");

	result(syscall(__NR_delete_module, "rust_init_fs", O_NONBLOCK) == 0,
	       "unload rust_init_fs");
	result(syscall(__NR_delete_module, "c_init_fs", O_NONBLOCK) == 0, "unload c_init_fs");
	printf("unshare_init: 1..%d\n", test_number);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
