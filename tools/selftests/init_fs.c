// SPDX-License-Identifier: GPL-2.0
/*
 * scoped_with_init_fs from kthreads and work items: the Rust sample
 * (rust_init_fs.ko, built on nullfs_rs's scoped.rs and init_fs.rs) and the C
 * sample (c_init_fs.ko, the kernel's own macro) resolve and read a file that
 * this process, sharing init's namespace, has just written.  Without the
 * guard both fail with ENOENT; inside it both read what was written; the two
 * reports agree line by line.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#define CONTENT "init's view\n"
#define CONTENT_HEX "696e6974277320766965770a"

static int load(const char *name)
{
	char path[512];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", getenv("NULLFS_RS_SAMPLES"), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret && errno != EEXIST ? -1 : 0;
}

/* Writes @file to the sample's probe and reads its report into @report. */
static int probe(const char *sample, const char *file, char *report, size_t size)
{
	char probe_path[128];
	ssize_t n;
	int fd;

	snprintf(probe_path, sizeof(probe_path), "/sys/kernel/debug/%s/probe", sample);
	fd = open(probe_path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, file, strlen(file));
	close(fd);
	if (n != (ssize_t)strlen(file))
		return -1;
	fd = open(probe_path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, report, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	report[n] = '\0';
	return 0;
}

/* The value of line "@key: value" in @report, or "" if there is none. */
static const char *line(const char *report, const char *key, char *buf, size_t size)
{
	char want[96];
	const char *at;
	size_t len;

	snprintf(want, sizeof(want), "%s: ", key);
	for (at = report; at && *at; at = strchr(at, '\n') ? strchr(at, '\n') + 1 : NULL) {
		if (strncmp(at, want, strlen(want)))
			continue;
		at += strlen(want);
		len = strcspn(at, "\n");
		if (len >= size)
			len = size - 1;
		memcpy(buf, at, len);
		buf[len] = '\0';
		return buf;
	}
	return "";
}

FIXTURE(samples) {
	char file[64];
	char rust[1024];
	char c[1024];
};

FIXTURE_SETUP(samples)
{
	int fd;

	ASSERT_EQ(0, load("rust_init_fs")) TH_LOG("rust_init_fs: %s", strerror(errno));
	ASSERT_EQ(0, load("c_init_fs")) TH_LOG("c_init_fs: %s", strerror(errno));
	strcpy(self->file, "/tmp/init_fs.XXXXXX");
	fd = mkstemp(self->file);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(strlen(CONTENT), write(fd, CONTENT, strlen(CONTENT)));
	close(fd);
	ASSERT_EQ(0, probe("rust_init_fs", self->file, self->rust, sizeof(self->rust)));
	ASSERT_EQ(0, probe("c_init_fs", self->file, self->c, sizeof(self->c)));
	TH_LOG("Rust sample:\n%s", self->rust);
}

FIXTURE_TEARDOWN(samples)
{
	unlink(self->file);
	syscall(__NR_delete_module, "rust_init_fs", O_NONBLOCK);
	syscall(__NR_delete_module, "c_init_fs", O_NONBLOCK);
}

TEST_F(samples, without_guard_enoent)
{
	char buf[128];

	EXPECT_STREQ("error -2", line(self->rust, "kthread", buf, sizeof(buf)));
	EXPECT_STREQ("error -2", line(self->rust, "work item", buf, sizeof(buf)));
}

TEST_F(samples, with_guard_reads_what_init_sees)
{
	char want[128], buf[128];

	snprintf(want, sizeof(want), "size %zu bytes %s", strlen(CONTENT), CONTENT_HEX);
	EXPECT_STREQ(want, line(self->rust, "kthread with init fs", buf, sizeof(buf)));
	EXPECT_STREQ(want, line(self->rust, "work item with init fs", buf, sizeof(buf)));
}

TEST_F(samples, kthread_lives_in_nullfs_and_gets_its_fs_back)
{
	struct statfs sfs;
	char buf[128];

	ASSERT_EQ(0, statfs("/proc/2/root", &sfs));
	EXPECT_EQ(NULL_FS_MAGIC, sfs.f_type);
	EXPECT_STREQ("4e554c4c", line(self->rust, "kthread root magic", buf, sizeof(buf)));
	EXPECT_STREQ("own", line(self->rust, "kthread fs after the guard", buf, sizeof(buf)));
	EXPECT_STREQ("no", line(self->rust, "init fs reverted", buf, sizeof(buf)));
}

/*
 * A task that exits with a file open drops it after exit_fs(): the
 * Rust sample's device then looks up "/" with no fs state of its own
 * (ENOENT, not a NULL dereference), inside the guard (init's), and from
 * init's root, and reports on the next read.
 */
TEST_F(samples, release_after_exit_fs)
{
	char report[512], buf[128];
	int fd, status;
	ssize_t n;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(open("/dev/rust_init_fs_exit", O_RDONLY) < 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status) TH_LOG("the child could not open the device");
	fd = open("/dev/rust_init_fs_exit", O_RDONLY);
	ASSERT_GE(fd, 0);
	n = read(fd, report, sizeof(report) - 1);
	close(fd);
	ASSERT_GT(n, 0);
	report[n] = '\0';
	TH_LOG("release at exit:\n%s", report);
	EXPECT_STREQ("-2", line(report, "lookup", buf, sizeof(buf)));
	EXPECT_STREQ("0", line(report, "lookup with init fs", buf, sizeof(buf)));
	EXPECT_STREQ("0", line(report, "init lookup", buf, sizeof(buf)));
	EXPECT_STREQ("own", line(report, "fs after the guard", buf, sizeof(buf)));
}

TEST_F(samples, rust_and_c_agree)
{
	EXPECT_STREQ(self->c, self->rust);
}

TEST_HARNESS_MAIN
