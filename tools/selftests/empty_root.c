// SPDX-License-Identifier: GPL-2.0
/*
 * Three ways for a process to shed its filesystem state, compared syscall by
 * syscall:
 *
 *   nullfs_rs   a private, detached nullfs_rs instance as root and cwd
 *               (samples/empty_root.h, the sample's steps);
 *   failfs      7.3's fchroot(FD_FAILFS_ROOT) (and fchdir(FD_FAILFS_ROOT)),
 *               where everything fails with EOPNOTSUPP;
 *   /var/empty  chroot into an empty directory of a real filesystem, made
 *               here as /tmp/empty_root.XXXXXX/empty, 0555, owned by root.
 *
 * Each runs in a child that is root of a user namespace of its own
 * (enter_userns(), uid 0 mapped to the test's uid 0) and ends with no
 * capabilities and no_new_privs.  nullfs_rs and /var/empty are entered
 * before the capabilities go (fchroot() of a real directory needs
 * CAP_SYS_CHROOT), failfs after them, by the unprivileged path the
 * "Null Namespaces" thread asked for (no_new_privs, an unshared fs_struct,
 * not chrooted yet).  The child records each result in shared memory; the
 * parent looks at the child's root from outside (/proc/PID/root), prints
 * the table and checks it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"
#include "../../samples/empty_root.h"

#ifndef FD_FAILFS_ROOT
#define FD_FAILFS_ROOT -10004
#endif
#ifndef FAIL_FS_MAGIC
#define FAIL_FS_MAGIC 0x4641494c
#endif

enum way { NULLFS_RS, FAILFS, VAR_EMPTY, NR_WAYS };

static const char * const way_name[NR_WAYS] = { "nullfs_rs", "failfs", "/var/empty" };

/* The rows of the table, in order. */
enum row {
	R_FD_DOTDOT,		/* before: openat(fd to the new root, "..") */
	R_SHED,			/* the call that moved the root */
	R_MKDIR_CAPS,		/* mkdir("/x") while still holding capabilities */
	R_STAT,
	R_STATFS,
	R_OPEN_ROOT,
	R_GETDENTS,
	R_OPENAT_MISSING,
	R_OPEN_MISSING,
	R_MKDIR,
	R_CREAT,
	R_OPATH_ROOT,
	R_CHDIR_DOTDOT,
	R_DOTDOT_IS_ROOT,
	R_DEEP_DOTDOT,
	R_GETCWD,
	R_STAT_EXE,
	R_UNSHARE,
	R_HOST_READLINK,	/* the parent: readlink("/proc/PID/root") */
	R_HOST_STATFS,		/* the parent: statfs("/proc/PID/root") */
	NR_ROWS
};

static const char * const row_name[NR_ROWS] = {
	[R_FD_DOTDOT]		= "before: openat(rootfd, \"..\")",
	[R_SHED]		= "shed: fchroot(fd, 0)",
	[R_MKDIR_CAPS]		= "mkdir(\"/x\") with caps",
	[R_STAT]		= "stat(\"/\")",
	[R_STATFS]		= "statfs(\"/\") f_type",
	[R_OPEN_ROOT]		= "open(\"/\", O_DIRECTORY)",
	[R_GETDENTS]		= "getdents64(rootfd) entries",
	[R_OPENAT_MISSING]	= "openat(rootfd, \"missing\")",
	[R_OPEN_MISSING]	= "open(\"/missing\")",
	[R_MKDIR]		= "mkdir(\"/x\")",
	[R_CREAT]		= "open(\"/x\", O_CREAT)",
	[R_OPATH_ROOT]		= "open(\"/\", O_PATH)",
	[R_CHDIR_DOTDOT]	= "chdir(\"..\")",
	[R_DOTDOT_IS_ROOT]	= "stat(\"..\") == stat(\"/\")",
	[R_DEEP_DOTDOT]		= "open(\"../../..\") == \"/\"",
	[R_GETCWD]		= "getcwd()",
	[R_STAT_EXE]		= "stat(test binary)",
	[R_UNSHARE]		= "unshare(CLONE_NEWUSER)",
	[R_HOST_READLINK]	= "host: readlink /proc/PID/root",
	[R_HOST_STATFS]		= "host: statfs /proc/PID/root",
};

struct result {
	int done;		/* the row was filled in */
	long ret;
	int err;		/* errno if ret < 0 */
	char note[48];		/* what a success showed */
};

/* Shared between the parent and the children, MAP_SHARED. */
struct table {
	char exe[256];		/* the test binary's absolute path */
	char parent[256];	/* the directory that holds /var/empty */
	char var_empty[256];
	int skipped[NR_WAYS];	/* why a column is empty: an errno */
	struct result r[NR_WAYS][NR_ROWS];
};

static void set(struct result *r, long ret, const char *fmt, ...)
{
	va_list ap;

	r->done = 1;
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
	r->note[0] = '\0';
	if (fmt && ret >= 0) {
		va_start(ap, fmt);
		vsnprintf(r->note, sizeof(r->note), fmt, ap);
		va_end(ap);
	}
}

static void cell(const struct result *r, char *buf, size_t size)
{
	const char *name;

	if (!r->done) {
		snprintf(buf, size, "n/a");
	} else if (r->ret >= 0) {
		snprintf(buf, size, "%s", r->note[0] ? r->note : "0");
	} else {
		name = strerrorname_np(r->err);
		snprintf(buf, size, "%s", name ? name : "?");
	}
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Number of entries getdents64() lists for @fd, their names in @names. */
static int count_dents(int fd, char *names, size_t size)
{
	char buf[4096];
	long n, off;
	int count = 0;

	names[0] = '\0';
	while ((n = syscall(__NR_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			size_t len = strlen(names);

			/* Names that do not fit are counted, not listed. */
			if (len + strlen(d->d_name) + 2 <= size) {
				if (count)
					names[len++] = ' ';
				strcpy(names + len, d->d_name);
			}
			count++;
			off += d->d_reclen;
		}
	}
	return n < 0 ? -1 : count;
}

/* What the child does once its root moved: the rows from R_STAT on. */
static void look_around(struct table *t, struct result *r)
{
	struct stat root = { 0 }, st = { 0 };
	struct statfs sfs = { 0 };
	char buf[256] = "";
	int rootfd, fd, ret;

	ret = stat("/", &root);
	set(&r[R_STAT], ret, "%s %o uid %u", S_ISDIR(root.st_mode) ? "dir" : "non-dir",
	    root.st_mode & 07777, root.st_uid);
	ret = statfs("/", &sfs);
	set(&r[R_STATFS], ret, "%#lx", (unsigned long)sfs.f_type);

	rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	set(&r[R_OPEN_ROOT], rootfd, "fd");
	if (rootfd >= 0) {
		ret = count_dents(rootfd, buf, sizeof(buf));
		set(&r[R_GETDENTS], ret, "%d: %s", ret, buf);
		fd = openat(rootfd, "missing", O_RDONLY | O_CLOEXEC);
		set(&r[R_OPENAT_MISSING], fd, "fd");
		if (fd >= 0)
			close(fd);
		close(rootfd);
	}
	fd = open("/missing", O_RDONLY | O_CLOEXEC);
	set(&r[R_OPEN_MISSING], fd, "fd");
	if (fd >= 0)
		close(fd);

	ret = mkdir("/x", 0755);
	set(&r[R_MKDIR], ret, NULL);
	if (!ret)
		rmdir("/x");
	fd = open("/x", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	set(&r[R_CREAT], fd, "fd");
	if (fd >= 0) {
		close(fd);
		unlink("/x");
	}
	fd = open("/", O_PATH | O_CLOEXEC);
	set(&r[R_OPATH_ROOT], fd, "fd");
	if (fd >= 0)
		close(fd);

	set(&r[R_CHDIR_DOTDOT], chdir(".."), NULL);
	ret = stat("..", &st);
	set(&r[R_DOTDOT_IS_ROOT], ret, "%s",
	    same_file(&st, &root) ? "same" : "DIFFERENT");
	fd = open("../../..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ret = fd >= 0 ? fstat(fd, &st) : -1;
	set(&r[R_DEEP_DOTDOT], ret, "%s", same_file(&st, &root) ? "same" : "DIFFERENT");
	if (fd >= 0)
		close(fd);
	ret = syscall(__NR_getcwd, buf, sizeof(buf));
	set(&r[R_GETCWD], ret, "\"%s\"", buf);

	ret = stat(t->exe, &st);
	set(&r[R_STAT_EXE], ret, "REACHED");
	set(&r[R_UNSHARE], unshare(CLONE_NEWUSER), NULL);
}

/*
 * The child: into a user namespace, shed the fs state @way's way, fill in
 * its column, then tell the parent (@ready) and wait for it (@release)
 * while it looks at /proc/PID/root.  Exit status: 0, or 1 if the way could
 * not be set up (the reason in t->skipped), or 2 if the namespace was not.
 */
static int child(struct table *t, enum way way, int ready, int release)
{
	struct result *r = t->r[way];
	struct stat a = { 0 }, b = { 0 };
	int fd = -1, dotdot, ret;
	char c = 0;

	if (enter_userns())
		return 2;

	/* An fd to the new root, as the thread's fd-passing would hand out. */
	if (way == NULLFS_RS)
		fd = er_new_nullfs_rs();
	else if (way == VAR_EMPTY)
		fd = open(t->var_empty, O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		fd = FD_FAILFS_ROOT;
	if (fd < 0 && way != FAILFS) {
		t->skipped[way] = errno;
		return 1;
	}
	dotdot = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dotdot >= 0 && !fstat(dotdot, &a) && !fstat(fd, &b) && same_file(&a, &b))
		set(&r[R_FD_DOTDOT], dotdot, "itself");
	else if (dotdot >= 0 && !stat(t->parent, &b) && same_file(&a, &b))
		set(&r[R_FD_DOTDOT], dotdot, "HOST %s", t->parent);
	else
		set(&r[R_FD_DOTDOT], dotdot, "ELSEWHERE");
	if (dotdot >= 0)
		close(dotdot);

	if (way != FAILFS) {
		/* fchdir(fd), then fchroot(fd, 0): the sample's step. */
		ret = er_shed_into(fd);
		set(&r[R_SHED], ret, NULL);
		close(fd);
		if (ret) {
			t->skipped[way] = errno;
			return 1;
		}
		/* Still root of the user namespace: is the root writable? */
		ret = mkdir("/x", 0755);
		set(&r[R_MKDIR_CAPS], ret, NULL);
		if (!ret)
			rmdir("/x");
	}
	if (er_drop_privileges())
		return 2;
	if (way == FAILFS) {
		/* The unprivileged fchroot(): no_new_privs is set now. */
		ret = syscall(__NR_fchroot, FD_FAILFS_ROOT, 0);
		set(&r[R_SHED], ret, NULL);
		if (!ret)
			ret = fchdir(FD_FAILFS_ROOT);
		if (ret) {
			t->skipped[way] = errno;
			return 1;
		}
	}

	look_around(t, r);

	if (write(ready, "r", 1) != 1 || read(release, &c, 1) < 0)
		return 2;
	return 0;
}

/* Runs @way's child and the parent's side of it; the child's exit status. */
static int run_way(struct table *t, enum way way)
{
	struct result *r = t->r[way];
	int ready[2], release[2], status = -1, ret;
	char path[64], buf[256] = "";
	struct statfs sfs = { 0 };
	ssize_t n;
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC) || pipe2(release, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(ready[0]);
		close(release[1]);
		_exit(child(t, way, ready[1], release[0]));
	}
	close(ready[1]);
	close(release[0]);

	if (read(ready[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/root", pid);
		n = readlink(path, buf, sizeof(buf) - 1);
		if (n >= 0)
			buf[n] = '\0';
		set(&r[R_HOST_READLINK], n, "\"%s\"", buf);
		ret = statfs(path, &sfs);
		set(&r[R_HOST_STATFS], ret, "%#lx", (unsigned long)sfs.f_type);
	}
	close(release[1]);
	close(ready[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(empty_root) {
	struct table *t;
	char base[64];
	int status[NR_WAYS];
};

FIXTURE_SETUP(empty_root)
{
	ssize_t n;
	int way;

	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	self->t = mmap(NULL, sizeof(*self->t), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->t);
	memset(self->t, 0, sizeof(*self->t));

	n = readlink("/proc/self/exe", self->t->exe, sizeof(self->t->exe) - 1);
	ASSERT_GT(n, 0);
	ASSERT_EQ('/', self->t->exe[0]);

	/* A /var/empty of our own: root's, 0555, on the host's /tmp. */
	strcpy(self->base, "/tmp/empty_root.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	ASSERT_EQ(0, chmod(self->base, 0755));
	snprintf(self->t->parent, sizeof(self->t->parent), "%s", self->base);
	snprintf(self->t->var_empty, sizeof(self->t->var_empty), "%s/empty",
		 self->base);
	ASSERT_EQ(0, mkdir(self->t->var_empty, 0555));
	ASSERT_EQ(0, chmod(self->t->var_empty, 0555));	/* past the umask */
	ASSERT_EQ(0, chown(self->t->var_empty, 0, 0));

	for (way = 0; way < NR_WAYS; way++)
		self->status[way] = run_way(self->t, way);
}

FIXTURE_TEARDOWN(empty_root)
{
	char x[300];

	if (self->t) {
		/* A /x left by a wrongly writable root would fail the rmdir. */
		snprintf(x, sizeof(x), "%s/x", self->t->var_empty);
		rmdir(x);
		unlink(x);
		rmdir(self->t->var_empty);
		munmap(self->t, sizeof(*self->t));
	}
	rmdir(self->base);
}

/* The table, one TH_LOG line per row. */
static void print_table(struct __test_metadata *_metadata, const struct table *t)
{
	char c[NR_WAYS][64];
	int row, way;

	TH_LOG("%-30s | %-24s | %-24s | %s", "syscall", way_name[0], way_name[1],
	       way_name[2]);
	for (row = 0; row < NR_ROWS; row++) {
		for (way = 0; way < NR_WAYS; way++)
			cell(&t->r[way][row], c[way], sizeof(c[way]));
		TH_LOG("%-30s | %-24s | %-24s | %s", row_name[row], c[0], c[1], c[2]);
	}
}

/*
 * The table as the rst simple table of Documentation/empty_root.rst, in TAP
 * comment lines between "# doc-table: empty_root begin" and "... end",
 * where tools/selftests/doc_tables.py (run by make check) takes it from to
 * compare with the document.  Only results, nothing of the run: the
 * directory mkdtemp() made reads "/tmp/empty_root.XXXXXX".
 */
static void print_doc_table(const struct table *t)
{
	static const char placeholder[] = "/tmp/empty_root.XXXXXX";
	char c[NR_ROWS + 1][NR_WAYS + 1][96];
	size_t width[NR_WAYS + 1] = { 0 }, len;
	int i, row, way;

	snprintf(c[0][0], sizeof(c[0][0]), "syscall");
	for (way = 0; way < NR_WAYS; way++)
		snprintf(c[0][way + 1], sizeof(c[0][way + 1]), "%s", way_name[way]);
	for (row = 0; row < NR_ROWS; row++) {
		snprintf(c[row + 1][0], sizeof(c[row + 1][0]), "%s", row_name[row]);
		for (way = 0; way < NR_WAYS; way++) {
			char buf[96], *at;

			cell(&t->r[way][row], buf, sizeof(buf));
			at = t->parent[0] ? strstr(buf, t->parent) : NULL;
			if (at)
				snprintf(c[row + 1][way + 1], sizeof(c[row + 1][way + 1]),
					 "%.*s%s%s", (int)(at - buf), buf, placeholder,
					 at + strlen(t->parent));
			else
				snprintf(c[row + 1][way + 1], sizeof(c[row + 1][way + 1]),
					 "%s", buf);
		}
	}
	for (row = 0; row <= NR_ROWS; row++)
		for (way = 0; way <= NR_WAYS; way++) {
			len = strlen(c[row][way]);
			if (len > width[way])
				width[way] = len;
		}

	fprintf(stderr, "# doc-table: empty_root begin\n");
	/* A rule, the header, a rule, the rows, a rule. */
	for (i = 0; i < NR_ROWS + 4; i++) {
		int rule = i == 0 || i == 2 || i == NR_ROWS + 3;

		row = i == 1 ? 0 : i - 2;
		fprintf(stderr, "#");
		for (way = 0; way <= NR_WAYS; way++) {
			if (rule) {
				fprintf(stderr, "%s", way ? "  " : " ");
				for (len = 0; len < width[way]; len++)
					fputc('=', stderr);
			} else if (way < NR_WAYS) {
				fprintf(stderr, "%s%-*s", way ? "  " : " ", (int)width[way],
					c[row][way]);
			} else {
				fprintf(stderr, "  %s", c[row][way]);
			}
		}
		fprintf(stderr, "\n");
	}
	fprintf(stderr, "# doc-table: empty_root end\n");
}

/* Row @row_ of @way_ failed with @errno_. */
#define EXPECT_ERRNO(way_, row_, errno_)					\
	do {									\
		const struct result *r_ = &self->t->r[way_][row_];		\
		EXPECT_TRUE(r_->done && r_->ret < 0 && r_->err == (errno_))	\
			TH_LOG("%s, %s: expected %s", way_name[way_],		\
			       row_name[row_], strerrorname_np(errno_));	\
	} while (0)

/* Row @row_ of @way_ succeeded and its note is @note_ (NULL: any). */
#define EXPECT_OK(way_, row_, note_)						\
	do {									\
		const struct result *r_ = &self->t->r[way_][row_];		\
		const char *n_ = (note_);					\
		EXPECT_TRUE(r_->done && r_->ret >= 0 &&				\
			    (!n_ || !strcmp(r_->note, n_)))			\
			TH_LOG("%s, %s: expected success%s%s", way_name[way_],	\
			       row_name[row_], n_ ? ": " : "", n_ ? n_ : "");	\
	} while (0)

TEST_F(empty_root, compare)
{
	const struct table *t = self->t;
	char host_parent[300];
	int way, row;

	/* Decided before any check: a SKIP would hide a failure before it. */
	if (self->status[FAILFS] && t->skipped[FAILFS] == ENOSYS)
		SKIP(return, "fchroot() is not in this kernel: no failfs column");
	print_table(_metadata, t);
	print_doc_table(t);
	for (way = 0; way < NR_WAYS; way++)
		if (self->status[way])
			TH_LOG("%s: child status %d (%s)", way_name[way], self->status[way],
			       t->skipped[way] ? strerror(t->skipped[way]) : "-");
	ASSERT_EQ(0, self->status[NULLFS_RS]);
	ASSERT_EQ(0, self->status[VAR_EMPTY]);

	/* nullfs_rs: an empty directory that behaves like one. */
	EXPECT_OK(NULLFS_RS, R_FD_DOTDOT, "itself");
	EXPECT_OK(NULLFS_RS, R_SHED, NULL);
	EXPECT_ERRNO(NULLFS_RS, R_MKDIR_CAPS, ENOENT);
	EXPECT_OK(NULLFS_RS, R_STAT, "dir 555 uid 0");
	EXPECT_OK(NULLFS_RS, R_STATFS, "0x4e554c4c");
	EXPECT_OK(NULLFS_RS, R_OPEN_ROOT, NULL);
	EXPECT_OK(NULLFS_RS, R_GETDENTS, "2: . ..");
	EXPECT_ERRNO(NULLFS_RS, R_OPENAT_MISSING, ENOENT);
	EXPECT_ERRNO(NULLFS_RS, R_OPEN_MISSING, ENOENT);
	EXPECT_ERRNO(NULLFS_RS, R_MKDIR, ENOENT);
	EXPECT_ERRNO(NULLFS_RS, R_CREAT, ENOENT);
	EXPECT_OK(NULLFS_RS, R_OPATH_ROOT, NULL);
	EXPECT_OK(NULLFS_RS, R_CHDIR_DOTDOT, NULL);
	EXPECT_OK(NULLFS_RS, R_DOTDOT_IS_ROOT, "same");
	EXPECT_OK(NULLFS_RS, R_DEEP_DOTDOT, "same");
	EXPECT_OK(NULLFS_RS, R_GETCWD, "\"/\"");
	EXPECT_ERRNO(NULLFS_RS, R_STAT_EXE, ENOENT);
	EXPECT_ERRNO(NULLFS_RS, R_UNSHARE, EPERM);
	EXPECT_OK(NULLFS_RS, R_HOST_STATFS, "0x4e554c4c");

	/* /var/empty: empty too, but a directory of the host's. */
	snprintf(host_parent, sizeof(host_parent), "HOST %s", t->parent);
	EXPECT_OK(VAR_EMPTY, R_FD_DOTDOT, host_parent);
	EXPECT_OK(VAR_EMPTY, R_SHED, NULL);
	/* Root of the user namespace maps to its owner: DAC is overridden. */
	EXPECT_OK(VAR_EMPTY, R_MKDIR_CAPS, NULL);
	EXPECT_OK(VAR_EMPTY, R_STAT, "dir 555 uid 0");
	EXPECT_OK(VAR_EMPTY, R_OPEN_ROOT, NULL);
	EXPECT_OK(VAR_EMPTY, R_GETDENTS, "2: . ..");
	EXPECT_ERRNO(VAR_EMPTY, R_OPENAT_MISSING, ENOENT);
	EXPECT_ERRNO(VAR_EMPTY, R_OPEN_MISSING, ENOENT);
	EXPECT_ERRNO(VAR_EMPTY, R_MKDIR, EACCES);
	EXPECT_ERRNO(VAR_EMPTY, R_CREAT, EACCES);
	EXPECT_OK(VAR_EMPTY, R_DOTDOT_IS_ROOT, "same");
	EXPECT_OK(VAR_EMPTY, R_DEEP_DOTDOT, "same");
	EXPECT_OK(VAR_EMPTY, R_GETCWD, "\"/\"");
	EXPECT_ERRNO(VAR_EMPTY, R_STAT_EXE, ENOENT);
	EXPECT_ERRNO(VAR_EMPTY, R_UNSHARE, EPERM);

	/* No way reaches the host's files from its root. */
	for (way = 0; way < NR_WAYS; way++) {
		if (self->status[way])
			continue;
		EXPECT_TRUE(t->r[way][R_STAT_EXE].done && t->r[way][R_STAT_EXE].ret < 0)
			TH_LOG("%s reaches %s", way_name[way], t->exe);
		EXPECT_TRUE(t->r[way][R_GETCWD].done && t->r[way][R_GETCWD].ret > 0 &&
			    !strcmp(t->r[way][R_GETCWD].note, "\"/\""))
			TH_LOG("%s: cwd is not the new root", way_name[way]);
	}

	/* failfs: every operation fails. */
	ASSERT_EQ(0, self->status[FAILFS])
		TH_LOG("fchroot(FD_FAILFS_ROOT) failed: %s", strerror(t->skipped[FAILFS]));
	/* A sentinel is no fd: it cannot be handed out as a dirfd. */
	EXPECT_ERRNO(FAILFS, R_FD_DOTDOT, EBADF);
	EXPECT_OK(FAILFS, R_SHED, NULL);
	for (row = R_STAT; row <= R_DEEP_DOTDOT; row++) {
		/* Nothing to look up from: no fd to the root is to be had. */
		if (row == R_GETDENTS || row == R_OPENAT_MISSING)
			continue;
		EXPECT_ERRNO(FAILFS, row, EOPNOTSUPP);
	}
	EXPECT_ERRNO(FAILFS, R_STAT_EXE, EOPNOTSUPP);
	EXPECT_ERRNO(FAILFS, R_UNSHARE, EPERM);
	EXPECT_OK(FAILFS, R_HOST_READLINK, "\"failfs:/\"");
	EXPECT_ERRNO(FAILFS, R_HOST_STATFS, EOPNOTSUPP);
}

/*
 * The sample's whole sequence, seccomp filter included: what is refused,
 * and that a dynamically linked program cannot even be run (there is no
 * loader in an empty root).  A kernel without CONFIG_SECCOMP_FILTER skips
 * the test, before any check.
 */

static int run_sample_sequence(void *unused)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2];
	struct statfs sfs;
	int exefd, status, filtered, err;
	pid_t pid;

	exefd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	CHECK(exefd >= 0, "open /proc/self/exe");
	CHECK(er_enter_userns() == 0, "er_enter_userns");
	CHECK(er_empty_root() == 0, "er_empty_root");
	CHECK(er_drop_privileges() == 0, "er_drop_privileges");
	filtered = !er_install_seccomp();
	err = errno;
	CHECK(filtered, "er_install_seccomp: %s", strerror(err));

	CHECK(statfs("/", &sfs) == 0 && sfs.f_type == NULL_FS_MAGIC, "/ is no nullfs_rs");
	CHECK(dir_entries("/") == 2, "/ is not empty");
	CHECK(syscall(__NR_capget, &hdr, caps) == 0 && !caps[0].effective &&
	      !caps[0].permitted && !caps[0].inheritable && !caps[1].effective &&
	      !caps[1].permitted && !caps[1].inheritable, "capabilities left");
	CHECK(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 0 &&
	      prctl(PR_CAPBSET_READ, CAP_SYS_CHROOT, 0, 0, 0) == 0,
	      "capabilities still in the bounding set");
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "no_new_privs unset");

	/* Refused with or without the filter: no capabilities, chrooted. */
	CHECK(FAILS_WITH(chroot("/"), EPERM), "chroot");
	CHECK(FAILS_WITH(syscall(__NR_fchroot, FD_FAILFS_ROOT, 0), EPERM), "fchroot");
	CHECK(FAILS_WITH(sys_fsopen("nullfs_rs", 0), EPERM), "fsopen");
	CHECK(FAILS_WITH(sys_mount("none", "/", "nullfs_rs", 0, NULL), EPERM), "mount");
	CHECK(FAILS_WITH(sys_umount2("/", MNT_DETACH), EPERM), "umount2");
	CHECK(FAILS_WITH(unshare(CLONE_NEWNS), EPERM), "unshare(CLONE_NEWNS)");
	CHECK(FAILS_WITH(unshare(CLONE_NEWUSER), EPERM), "unshare(CLONE_NEWUSER)");
	/* The filter's own refusals, the x32 ABI's included. */
	CHECK(FAILS_WITH(chdir("/"), EPERM), "chdir");
	CHECK(FAILS_WITH(fchdir(0), EPERM), "fchdir");
	CHECK(FAILS_WITH(syscall(__X32_SYSCALL_BIT | __NR_chdir, "/"), EPERM),
	      "x32 chdir");
	/* Everything else is allowed, and finds nothing. */
	CHECK(FAILS_WITH(access("/etc", F_OK), ENOENT), "access /etc");

	/* The test binary, by fd: its PT_INTERP loader is not to be found. */
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		static char * const argv[] = { "empty_root", NULL };

		syscall(__NR_execveat, exefd, "", argv, argv + 1, AT_EMPTY_PATH);
		_exit(errno == ENOENT ? 42 : 43);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 42, "exec in the empty root: status %#x", status);
	return 0;
}

TEST(sample_sequence)
{
	/* PR_GET_SECCOMP is EINVAL without CONFIG_SECCOMP. */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
		SKIP(return, "no seccomp in this kernel (CONFIG_SECCOMP)");
	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	EXPECT_EQ(0, in_child(run_sample_sequence, NULL));
}

TEST_HARNESS_MAIN
