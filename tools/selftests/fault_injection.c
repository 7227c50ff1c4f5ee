// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation of the calls that make, attach and clone a mount, and of
 * a remembered miss, failed one at a time.  With /proc/thread-self/fail-nth
 * set to n, the n-th allocation this thread makes next fails.  A walk arms it
 * around one call of an operation: mount(2), fsopen, fsconfig of "source",
 * of "ro" and FSCONFIG_CMD_CREATE, fsmount, move_mount of a detached mount
 * (also MOVE_MOUNT_BENEATH), open_tree(OPEN_TREE_CLONE) and the attach of its
 * clone, and the first lookup of a missing name, whose dentry nullfs_rs
 * keeps negative.  The call must fail with ENOMEM or answer as it does when
 * nothing fails; whatever survived the fault (the mount, the source of a
 * clone, a context whose parameter failed, a detached mount whose attach
 * failed) must then make a mount that answers a short subset of the parity
 * battery as the C nullfs does; and no mount may be left.  n grows until the
 * call makes fewer than n allocations, which means every site was tried.
 * Afterwards the inode slab is where it was and the module unloads.
 *
 * The same for the guard of the scoped_with_init_fs samples: their
 * open_here file runs one lookup and open inside the guard in the writing
 * task, which fail-nth reaches.  The writer is chrooted, so that a guard that
 * left it in init's fs state shows in its root and working directory.  With
 * failslab's cache filter on the file cache alone, the one site is the file.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#define MAX_SITES 500
#define ROOT_FS_MAGIC 0x524f4f54

#ifndef UNSHARE_EMPTY_MNTNS
#define UNSHARE_EMPTY_MNTNS 0x00100000
#endif

/* The source the fsconfig walk gives its mounts, as mountinfo shows it. */
#define SOURCE "failnth"
#define SOURCE_MAX 64

/* What an operation left mounted, for the parity subset (subject.mounted). */
#define AT_DIR 1
#define AT_OTHER 2

/* What the parity subset reads from an empty root. */
struct answers {
	unsigned int mode, nlink, uid, gid;
	long long size;
	long f_type;
	/* readdir: "." and "..", and anything else */
	int dots, others;
	/* errno of a stat of a missing name, of a second one, of creating it */
	int stat_err, stat_again_err, mkdir_err, creat_err;
};

/* What the walks of one test share. */
struct subject {
	const char *fstype;
	unsigned long magic;
	/* The C nullfs's answers, which every surviving mount must give. */
	struct answers c_nullfs;
	/*
	 * A tmpfs of the test's own, and on it the mount points: every
	 * operation's target, and a clone's.  Their dentries stay cached
	 * there; on the guest's /tmp (overlayfs over 9p) every lookup of them
	 * allocated anew, and the walk of mount(2) never reached the
	 * allocations of the new superblock.
	 */
	char base[32], dir[48], other[48];
	/* The fs context and the detached mount between steps, or -1. */
	int fsfd, mntfd;
	/* AT_DIR, AT_OTHER: where a mount of the type is once an operation is done. */
	unsigned int mounted;
	/* /proc/thread-self/fail-nth */
	int fail_nth;
};

/*
 * One operation: what it needs first, the one call whose allocations are
 * failed, and what is done with the result to get to a mount.  prepare and
 * finish return 0, or 1 after saying what went wrong.
 */
struct operation {
	const char *name;
	/* What the call answers when nothing fails: 0, or an errno. */
	int clean_errno;
	int (*prepare)(struct subject *s);
	/* Returns 0, or -1 with errno set. */
	int (*call)(struct subject *s);
	int (*finish)(struct subject *s, int ret);
};

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (int)strlen(value) ? 0 : -1;
}

/*
 * Lets failslab fail sleeping (GFP_KERNEL) allocations too, which the mount
 * path makes, and report each injected failure in one line, not a stack
 * trace the log scan flags.
 */
static int failslab_for_the_vfs(void)
{
	if (write_str("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"))
		return -1;
	return write_str("/sys/kernel/debug/failslab/verbose", "1");
}

/* failslab's defaults again, without a cache filter. */
static void failslab_defaults(void)
{
	write_str("/sys/kernel/debug/failslab/ignore-gfp-wait", "Y");
	write_str("/sys/kernel/debug/failslab/verbose", "2");
	write_str("/sys/kernel/debug/failslab/cache-filter", "N");
}

/* The @nth allocation this thread makes from now on fails. */
static int arm(int fail_nth, int nth)
{
	char value[16];
	int len = snprintf(value, sizeof(value), "%d", nth);

	return write(fail_nth, value, len) == len ? 0 : -1;
}

/*
 * Stops counting.  Returns 1 if the armed allocation failed, 0 if there
 * were fewer allocations since arm(), -1 on error.
 */
static int disarm(int fail_nth)
{
	char value[16] = "";

	/* What is left of the count: "0" once the fault was injected. */
	if (pread(fail_nth, value, sizeof(value) - 1, 0) <= 0)
		return -1;
	if (write(fail_nth, "0", 1) != 1)
		return -1;
	return atoi(value) == 0;
}

/* Mounts in this thread's mount namespace, or -1. */
static int count_mounts(void)
{
	char *line = NULL;
	size_t len = 0;
	int mounts = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	while (getline(&line, &len, f) > 0)
		mounts++;
	free(line);
	fclose(f);
	return mounts;
}

/* The source of the topmost mount on @dir, as mountinfo shows it. */
static int mount_source(const char *dir, char source[SOURCE_MAX])
{
	char *line = NULL, point[PATH_MAX], *fields;
	size_t len = 0;
	int found = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	while (getline(&line, &len, f) > 0) {
		fields = strstr(line, " - ");
		if (fields && sscanf(line, "%*d %*d %*s %*s %4095s", point) == 1 &&
		    !strcmp(point, dir))
			found = sscanf(fields, " - %*s %63s", source) == 1;
	}
	free(line);
	fclose(f);
	return found ? 0 : -1;
}

/* Stat, statfs, readdir, and a missing name looked up twice and created. */
static int read_answers(const char *dir, struct answers *a)
{
	struct statfs sfs;
	struct dirent *de;
	char name[64];
	struct stat st;
	DIR *d;
	int fd;

	memset(a, 0, sizeof(*a));
	CHECK(!stat(dir, &st), "stat %s", dir);
	a->mode = st.st_mode;
	a->nlink = st.st_nlink;
	a->uid = st.st_uid;
	a->gid = st.st_gid;
	a->size = st.st_size;
	CHECK(!statfs(dir, &sfs), "statfs %s", dir);
	a->f_type = sfs.f_type;

	d = opendir(dir);
	CHECK(d, "opendir %s", dir);
	while ((de = readdir(d))) {
		if ((!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) &&
		    de->d_type == DT_DIR)
			a->dots++;
		else
			a->others++;
	}
	closedir(d);

	snprintf(name, sizeof(name), "%s/parity", strcmp(dir, "/") ? dir : "");
	a->stat_err = stat(name, &st) ? errno : 0;
	a->stat_again_err = stat(name, &st) ? errno : 0;
	a->mkdir_err = mkdir(name, 0755) ? errno : 0;
	fd = open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	a->creat_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return 0;
}

/* The C nullfs's answers: the root of a new empty mount namespace. */
static int c_nullfs_answers(struct answers *a)
{
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct answers mine;

		close(pipefd[0]);
		if (unshare(UNSHARE_EMPTY_MNTNS) || read_answers("/", &mine))
			_exit(1);
		_exit(write(pipefd[1], &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
	}
	close(pipefd[1]);
	n = read(pipefd[0], a, sizeof(*a));
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return n == sizeof(*a) && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* The parity subset: the mount on @dir answers as the C nullfs does. */
static int answers_as_c_nullfs(const struct subject *s, const char *dir)
{
	const struct answers *c = &s->c_nullfs;
	struct answers a;

	if (read_answers(dir, &a))
		return 1;
	CHECK(a.f_type == s->magic, "%s: f_type %lx, not %s's", dir, a.f_type, s->fstype);
	CHECK(S_ISDIR(a.mode) && a.mode == c->mode, "%s: mode %o, C nullfs %o", dir, a.mode,
	      c->mode);
	CHECK(a.nlink == c->nlink, "%s: %u links, C nullfs %u", dir, a.nlink, c->nlink);
	CHECK(a.uid == c->uid && a.gid == c->gid, "%s: owner %u:%u, C nullfs %u:%u", dir, a.uid,
	      a.gid, c->uid, c->gid);
	CHECK(!a.size && !c->size, "%s: size %lld, C nullfs %lld", dir, a.size, c->size);
	CHECK(a.dots == 2 && !a.others, "%s: readdir gave %d dots and %d other entries", dir,
	      a.dots, a.others);
	CHECK(a.stat_err == ENOENT && c->stat_err == ENOENT, "%s: stat of a missing name: %s",
	      dir, strerror(a.stat_err));
	CHECK(a.stat_again_err == ENOENT, "%s: stat of a remembered miss: %s", dir,
	      strerror(a.stat_again_err));
	CHECK(a.mkdir_err == c->mkdir_err, "%s: mkdir %s, C nullfs %s", dir,
	      strerror(a.mkdir_err), strerror(c->mkdir_err));
	CHECK(a.creat_err == c->creat_err, "%s: open O_CREAT %s, C nullfs %s", dir,
	      strerror(a.creat_err), strerror(c->creat_err));
	return 0;
}

/*
 * After an operation: the mounts it made or left answer as the C nullfs,
 * and are unmounted.  The fds go first, as an fd on a mount keeps it busy.
 */
static int check_and_unmount(struct subject *s)
{
	if (s->fsfd >= 0)
		close(s->fsfd);
	if (s->mntfd >= 0)
		close(s->mntfd);
	s->fsfd = s->mntfd = -1;
	if (s->mounted & AT_OTHER) {
		if (answers_as_c_nullfs(s, s->other))
			return 1;
		CHECK(!sys_umount2(s->other, 0), "umount %s", s->other);
	}
	if (s->mounted & AT_DIR) {
		if (answers_as_c_nullfs(s, s->dir))
			return 1;
		CHECK(!sys_umount2(s->dir, 0), "umount %s", s->dir);
	}
	s->mounted = 0;
	return 0;
}

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_open_tree, dfd, path, flags);
}

static int attach(int mntfd, const char *dir)
{
	return sys_move_mount(mntfd, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH);
}

static int open_context(struct subject *s)
{
	s->fsfd = sys_fsopen(s->fstype, FSOPEN_CLOEXEC);
	CHECK(s->fsfd >= 0, "fsopen %s", s->fstype);
	return 0;
}

static int create(struct subject *s)
{
	return sys_fsconfig(s->fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
}

static int new_detached_mount(struct subject *s)
{
	s->mntfd = fs_new_mount(s->fstype, FSMOUNT_CLOEXEC);
	CHECK(s->mntfd >= 0, "a detached %s mount", s->fstype);
	return 0;
}

static int mount_on_dir(struct subject *s)
{
	CHECK(!sys_mount("none", s->dir, s->fstype, 0, NULL), "mount %s", s->fstype);
	s->mounted = AT_DIR;
	return 0;
}

static int clone_dir(struct subject *s)
{
	s->mntfd = sys_open_tree(AT_FDCWD, s->dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	return s->mntfd < 0 ? -1 : 0;
}

/* Creates the superblock of @s->fsfd, mounts it and attaches it to @s->dir. */
static int create_and_attach(struct subject *s)
{
	CHECK(!create(s), "create %s", s->fstype);
	s->mntfd = sys_fsmount(s->fsfd, FSMOUNT_CLOEXEC, 0);
	CHECK(s->mntfd >= 0, "fsmount %s", s->fstype);
	CHECK(!attach(s->mntfd, s->dir), "move_mount to %s", s->dir);
	s->mounted = AT_DIR;
	return 0;
}

/* mount(2) */
static int mount_call(struct subject *s)
{
	return sys_mount("none", s->dir, s->fstype, 0, NULL);
}

static int mount_finish(struct subject *s, int ret)
{
	s->mounted = ret ? 0 : AT_DIR;
	return 0;
}

/* fsopen: a context that opened goes on to a mount. */
static int fsopen_call(struct subject *s)
{
	s->fsfd = sys_fsopen(s->fstype, FSOPEN_CLOEXEC);
	return s->fsfd < 0 ? -1 : 0;
}

static int fsopen_finish(struct subject *s, int ret)
{
	return ret ? 0 : create_and_attach(s);
}

/*
 * fsconfig of "source", and of the "ro" flag.  A parameter that fails
 * leaves the context as it was: it still makes a mount, without the
 * parameter.
 */
static int set_source(struct subject *s)
{
	return sys_fsconfig(s->fsfd, FSCONFIG_SET_STRING, "source", SOURCE, 0);
}

static int after_source(struct subject *s, int ret)
{
	char source[SOURCE_MAX];

	if (create_and_attach(s))
		return 1;
	CHECK(!mount_source(s->dir, source), "%s is not in mountinfo", s->dir);
	CHECK(!strcmp(source, ret ? "none" : SOURCE), "source \"%s\" after the fsconfig %s",
	      source, ret ? "failed" : "succeeded");
	return 0;
}

static int set_ro(struct subject *s)
{
	return sys_fsconfig(s->fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0);
}

static int after_ro(struct subject *s, int ret)
{
	struct statfs sfs;

	if (create_and_attach(s))
		return 1;
	CHECK(!statfs(s->dir, &sfs), "statfs %s", s->dir);
	CHECK(!(sfs.f_flags & ST_RDONLY) == !!ret, "%s after the fsconfig %s",
	      sfs.f_flags & ST_RDONLY ? "read-only" : "read-write", ret ? "failed" : "succeeded");
	return 0;
}

/* FSCONFIG_CMD_CREATE: one that failed fails the context for good. */
static int after_create(struct subject *s, int ret)
{
	if (ret) {
		CHECK(FAILS_WITH(create(s), EBUSY), "create again after a failed one");
		return 0;
	}
	s->mntfd = sys_fsmount(s->fsfd, FSMOUNT_CLOEXEC, 0);
	CHECK(s->mntfd >= 0, "fsmount %s", s->fstype);
	CHECK(!attach(s->mntfd, s->dir), "move_mount to %s", s->dir);
	s->mounted = AT_DIR;
	return 0;
}

/*
 * fsmount: the superblock survives a failed one, for the next to mount,
 * unless the failure came after the context was spent (EBUSY from then on).
 */
static int open_and_create(struct subject *s)
{
	if (open_context(s))
		return 1;
	CHECK(!create(s), "create %s", s->fstype);
	return 0;
}

static int fsmount_call(struct subject *s)
{
	s->mntfd = sys_fsmount(s->fsfd, FSMOUNT_CLOEXEC, 0);
	return s->mntfd < 0 ? -1 : 0;
}

static int fsmount_finish(struct subject *s, int ret)
{
	if (ret) {
		s->mntfd = sys_fsmount(s->fsfd, FSMOUNT_CLOEXEC, 0);
		if (s->mntfd < 0 && errno == EBUSY)
			return 0;
		CHECK(s->mntfd >= 0, "fsmount again after a failed one");
	}
	CHECK(!attach(s->mntfd, s->dir), "move_mount to %s", s->dir);
	s->mounted = AT_DIR;
	return 0;
}

/* move_mount: a detached mount survives a failed attach, for the next. */
static int attach_call(struct subject *s)
{
	return attach(s->mntfd, s->dir);
}

static int attach_finish(struct subject *s, int ret)
{
	CHECK(!ret || !attach(s->mntfd, s->dir), "move_mount again after a failed one");
	s->mounted = AT_DIR;
	return 0;
}

/*
 * MOVE_MOUNT_BENEATH, under a tmpfs on the target: once the tmpfs is
 * unmounted, the mount beneath is what is left.
 */
static int tmpfs_and_detached_mount(struct subject *s)
{
	CHECK(!sys_mount("none", s->dir, "tmpfs", 0, NULL), "mount tmpfs on %s", s->dir);
	return new_detached_mount(s);
}

static int attach_beneath(struct subject *s)
{
	return sys_move_mount(s->mntfd, "", AT_FDCWD, s->dir,
			      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_BENEATH);
}

static int attach_beneath_finish(struct subject *s, int ret)
{
	struct statfs sfs;

	CHECK(!statfs(s->dir, &sfs) && sfs.f_type == TMPFS_MAGIC, "the tmpfs is not on top");
	CHECK(!ret || !attach_beneath(s), "move_mount beneath again after a failed one");
	CHECK(!sys_umount2(s->dir, 0), "umount the tmpfs above");
	s->mounted = AT_DIR;
	return 0;
}

/* open_tree(OPEN_TREE_CLONE): the source survives, and the clone attaches. */
static int clone_finish(struct subject *s, int ret)
{
	if (!ret) {
		CHECK(!attach(s->mntfd, s->other), "move_mount of the clone to %s", s->other);
		s->mounted |= AT_OTHER;
	}
	return 0;
}

/* The attach of a clone: the clone survives a failed one, for the next. */
static int mount_and_clone(struct subject *s)
{
	if (mount_on_dir(s))
		return 1;
	CHECK(!clone_dir(s), "open_tree(OPEN_TREE_CLONE) of %s", s->dir);
	return 0;
}

static int attach_clone_call(struct subject *s)
{
	return attach(s->mntfd, s->other);
}

static int attach_clone_finish(struct subject *s, int ret)
{
	CHECK(!ret || !attach(s->mntfd, s->other), "move_mount of the clone again");
	s->mounted |= AT_OTHER;
	return 0;
}

/*
 * The first lookup of a missing name: nullfs_rs keeps its dentry as a
 * remembered miss.  With the dentry's allocation failed, the name must
 * still answer ENOENT, from then on.
 */
static int lookup_missing(struct subject *s)
{
	char name[64];
	struct stat st;

	snprintf(name, sizeof(name), "%s/missing", s->dir);
	return stat(name, &st);
}

static int missing_finish(struct subject *s, int ret)
{
	CHECK(FAILS_WITH(lookup_missing(s), ENOENT), "a lookup after the fault");
	CHECK(FAILS_WITH(lookup_missing(s), ENOENT), "a second lookup after the fault");
	return 0;
}

/*
 * A name too long for a dentry's inline storage (DNAME_INLINE_LEN), which
 * __d_alloc() then allocates apart: one allocation site more than a short
 * name has.
 */
#define LONG_NAME_LEN 200

static int lookup_long_missing(struct subject *s)
{
	char name[64 + LONG_NAME_LEN];
	struct stat st;
	int n;

	n = snprintf(name, 64, "%s/", s->dir);
	memset(name + n, 'm', LONG_NAME_LEN);
	name[n + LONG_NAME_LEN] = '\0';
	return stat(name, &st);
}

static int long_missing_finish(struct subject *s, int ret)
{
	CHECK(FAILS_WITH(lookup_long_missing(s), ENOENT), "a lookup after the fault");
	CHECK(FAILS_WITH(lookup_long_missing(s), ENOENT), "a second lookup after the fault");
	return 0;
}

static const struct operation mount_op = {
	.name = "mount(2)", .call = mount_call, .finish = mount_finish,
};
static const struct operation fsopen_op = {
	.name = "fsopen", .call = fsopen_call, .finish = fsopen_finish,
};
static const struct operation fsconfig_source_op = {
	.name = "fsconfig source", .prepare = open_context, .call = set_source,
	.finish = after_source,
};
static const struct operation fsconfig_ro_op = {
	.name = "fsconfig ro", .prepare = open_context, .call = set_ro, .finish = after_ro,
};
static const struct operation fsconfig_create_op = {
	.name = "fsconfig create", .prepare = open_context, .call = create,
	.finish = after_create,
};
static const struct operation fsmount_op = {
	.name = "fsmount", .prepare = open_and_create, .call = fsmount_call,
	.finish = fsmount_finish,
};
static const struct operation move_mount_op = {
	.name = "move_mount", .prepare = new_detached_mount, .call = attach_call,
	.finish = attach_finish,
};
static const struct operation move_mount_beneath_op = {
	.name = "move_mount beneath", .prepare = tmpfs_and_detached_mount,
	.call = attach_beneath, .finish = attach_beneath_finish,
};
static const struct operation open_tree_clone_op = {
	.name = "open_tree clone", .prepare = mount_on_dir, .call = clone_dir,
	.finish = clone_finish,
};
static const struct operation attach_clone_op = {
	.name = "move_mount of a clone", .prepare = mount_and_clone,
	.call = attach_clone_call, .finish = attach_clone_finish,
};
static const struct operation remembered_miss_op = {
	.name = "remembered miss", .clean_errno = ENOENT, .prepare = mount_on_dir,
	.call = lookup_missing, .finish = missing_finish,
};

static const struct operation remembered_long_miss_op = {
	.name = "remembered long miss", .clean_errno = ENOENT, .prepare = mount_on_dir,
	.call = lookup_long_missing, .finish = long_missing_finish,
};

/* Walks every allocation site of @op's call; returns how many there were. */
static int walk(struct __test_metadata *_metadata, struct subject *s,
		const struct operation *op)
{
	int nth, ret, err, injected, failed, mounts, enomem = 0, survived = 0, checked = 0;
	long before, after;

	mounts = count_mounts();
	ASSERT_GT(mounts, 0);
	before = inodes_in_use(0);
	ASSERT_GT(before, 0);
	for (nth = 1; nth <= MAX_SITES; nth++) {
		if (op->prepare)
			ASSERT_EQ(0, op->prepare(s)) TH_LOG("site %d: setting up", nth);
		ASSERT_EQ(0, arm(s->fail_nth, nth));
		ret = op->call(s);
		err = ret ? errno : 0;
		injected = disarm(s->fail_nth);
		ASSERT_LE(0, injected);
		failed = injected && err == ENOMEM;
		if (failed) {
			enomem++;
		} else {
			/* Either the fault did not matter, or there was none. */
			ASSERT_EQ(op->clean_errno, err)
				TH_LOG("site %d%s: %s", nth, injected ? "" : " (no fault)",
				       strerror(err));
			survived += injected;
		}
		ASSERT_EQ(0, op->finish(s, ret)) TH_LOG("site %d: after the call", nth);
		/* What a failed call left still made a mount, which was checked. */
		checked += failed && s->mounted;
		ASSERT_EQ(0, check_and_unmount(s)) TH_LOG("site %d: what is left", nth);
		ASSERT_EQ(mounts, count_mounts()) TH_LOG("site %d: a mount is left", nth);
		/* Fewer than nth allocations: every site was tried. */
		if (!injected)
			break;
	}
	ASSERT_LE(nth, MAX_SITES) TH_LOG("more than %d allocation sites", MAX_SITES);
	TH_LOG("%s, %s: %d allocation sites, %d failed with ENOMEM (%d left a mount), %d survived",
	       s->fstype, op->name, nth - 1, enomem, checked, survived);
	EXPECT_GT(enomem, 0);

	/*
	 * Nothing was left behind: no superblock or module reference (the
	 * unload below), and no inode: with other filesystems' caches dropped,
	 * the count comes back to within a few of where it was.
	 */
	after = inodes_in_use(before + 8);
	ASSERT_GT(after, 0);
	EXPECT_LT(after - before, 8) TH_LOG("inode_cache %ld -> %ld", before, after);
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
	return nth - 1;
}

FIXTURE(failslab) {
	struct subject subject;
};

FIXTURE_VARIANT(failslab) {
	const char *fstype;
	unsigned long magic;
};

FIXTURE_VARIANT_ADD(failslab, nullfs_rs) {
	.fstype = "nullfs_rs",
	.magic = NULL_FS_MAGIC,
};

FIXTURE_VARIANT_ADD(failslab, rootfs_rs) {
	.fstype = "rootfs_rs",
	.magic = ROOT_FS_MAGIC,
};

FIXTURE_SETUP(failslab)
{
	struct subject *s = &self->subject;

	s->fsfd = s->mntfd = s->fail_nth = -1;
	if (access("/proc/thread-self/fail-nth", F_OK))
		SKIP(return, "no fault injection in this kernel (CONFIG_FAULT_INJECTION)");
	s->fstype = variant->fstype;
	s->magic = variant->magic;
	ASSERT_EQ(0, c_nullfs_answers(&s->c_nullfs))
		TH_LOG("unshare(UNSHARE_EMPTY_MNTNS) did not give a C nullfs root");
	ASSERT_EQ(NULL_FS_MAGIC, s->c_nullfs.f_type);

	/* A mount namespace of the test's own, which a failed test's mounts go with. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	strcpy(s->base, "/tmp/failnth.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(s->base));
	ASSERT_EQ(0, sys_mount("none", s->base, "tmpfs", 0, NULL));
	snprintf(s->dir, sizeof(s->dir), "%s/dir", s->base);
	snprintf(s->other, sizeof(s->other), "%s/other", s->base);
	ASSERT_EQ(0, mkdir(s->dir, 0755));
	ASSERT_EQ(0, mkdir(s->other, 0755));
	ASSERT_EQ(0, load_module());

	s->fail_nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s->fail_nth);
	ASSERT_EQ(0, failslab_for_the_vfs());
}

FIXTURE_TEARDOWN(failslab)
{
	failslab_defaults();
	write_str("/sys/kernel/slab/dentry/failslab", "0");
	if (self->subject.fail_nth >= 0)
		close(self->subject.fail_nth);
	sys_umount2(self->subject.base, MNT_DETACH);
	rmdir(self->subject.base);
}

TEST_F(failslab, mount)
{
	walk(_metadata, &self->subject, &mount_op);
}

TEST_F(failslab, fsopen)
{
	walk(_metadata, &self->subject, &fsopen_op);
}

TEST_F(failslab, fsconfig_source)
{
	walk(_metadata, &self->subject, &fsconfig_source_op);
}

TEST_F(failslab, fsconfig_ro)
{
	walk(_metadata, &self->subject, &fsconfig_ro_op);
}

TEST_F(failslab, fsconfig_create)
{
	walk(_metadata, &self->subject, &fsconfig_create_op);
}

TEST_F(failslab, fsmount)
{
	walk(_metadata, &self->subject, &fsmount_op);
}

TEST_F(failslab, move_mount)
{
	walk(_metadata, &self->subject, &move_mount_op);
}

TEST_F(failslab, move_mount_beneath)
{
	walk(_metadata, &self->subject, &move_mount_beneath_op);
}

TEST_F(failslab, open_tree_clone)
{
	walk(_metadata, &self->subject, &open_tree_clone_op);
}

TEST_F(failslab, attach_clone)
{
	walk(_metadata, &self->subject, &attach_clone_op);
}

TEST_F(failslab, remembered_miss)
{
	walk(_metadata, &self->subject, &remembered_miss_op);
}

/* A long name reaches the allocation of the dentry's external name too. */
TEST_F(failslab, remembered_long_miss)
{
	int short_sites = walk(_metadata, &self->subject, &remembered_miss_op);

	/* The walk unloads the module, to show it left nothing. */
	ASSERT_EQ(0, load_module());
	EXPECT_LT(short_sites, walk(_metadata, &self->subject, &remembered_long_miss_op));
}

/*
 * The remembered miss's own dentry, alone: with failslab's cache filter on
 * and only the dentry cache marked, no other cache's allocations count, so
 * the one site is the dentry the lookup would have kept negative.
 */
TEST_F(failslab, remembered_miss_dentry)
{
	ASSERT_EQ(0, write_str("/sys/kernel/slab/dentry/failslab", "1"));
	ASSERT_EQ(0, write_str("/sys/kernel/debug/failslab/cache-filter", "Y"));
	EXPECT_EQ(1, walk(_metadata, &self->subject, &remembered_miss_op));
}

/*
 * A file mask's mount (mount -o file), on a superblock of its own and on
 * one its mount namespace shares (instance=mntns, made beforehand by a
 * directory mount): every allocation of the call fails in turn.  The
 * file's inode and dentry come after get_tree has returned the superblock
 * locked, so their failure must drop it again: a failed call leaves the
 * file unmasked, a later mount works, and the module unloads.  (A failure
 * there that left the superblock locked hangs the next mount.)
 */
FIXTURE(file_mask) {
	char base[32], file[48], dir[48];
	int fail_nth;
};

FIXTURE_VARIANT(file_mask) {
	const char *options;
};

FIXTURE_VARIANT_ADD(file_mask, own_superblock) {
	.options = "file",
};

FIXTURE_VARIANT_ADD(file_mask, shared_superblock) {
	.options = "file,instance=mntns",
};

FIXTURE_SETUP(file_mask)
{
	int fd;

	self->fail_nth = -1;
	if (access("/proc/thread-self/fail-nth", F_OK))
		SKIP(return, "no fault injection in this kernel (CONFIG_FAULT_INJECTION)");
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	strcpy(self->base, "/tmp/failnth.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	ASSERT_EQ(0, sys_mount("none", self->base, "tmpfs", 0, NULL));
	snprintf(self->file, sizeof(self->file), "%s/file", self->base);
	snprintf(self->dir, sizeof(self->dir), "%s/dir", self->base);
	fd = open(self->file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "x", 1));
	close(fd);
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, sys_mount("none", self->dir, "nullfs_rs", 0, "instance=mntns"));
	self->fail_nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fail_nth);
	ASSERT_EQ(0, failslab_for_the_vfs());
}

FIXTURE_TEARDOWN(file_mask)
{
	failslab_defaults();
	if (self->fail_nth >= 0)
		close(self->fail_nth);
	sys_umount2(self->base, MNT_DETACH);
	rmdir(self->base);
}

TEST_F_TIMEOUT(file_mask, mount, 120)
{
	int nth, ret, err, injected, enomem = 0;
	struct statfs sfs;

	for (nth = 1; nth <= MAX_SITES; nth++) {
		ASSERT_EQ(0, arm(self->fail_nth, nth));
		ret = sys_mount("none", self->file, "nullfs_rs", 0, variant->options);
		err = ret ? errno : 0;
		injected = disarm(self->fail_nth);
		ASSERT_LE(0, injected);
		ASSERT_EQ(0, statfs(self->file, &sfs));
		if (ret) {
			ASSERT_EQ(ENOMEM, err) TH_LOG("site %d", nth);
			ASSERT_TRUE(injected);
			/* Nothing is left on the file. */
			ASSERT_EQ(TMPFS_MAGIC, sfs.f_type) TH_LOG("site %d", nth);
			enomem++;
		} else {
			ASSERT_EQ(NULL_FS_MAGIC, sfs.f_type) TH_LOG("site %d", nth);
			ASSERT_EQ(0, sys_umount2(self->file, 0));
		}
		if (!injected)
			break;
	}
	ASSERT_LE(nth, MAX_SITES);
	TH_LOG("%s: %d allocation sites, %d failed with ENOMEM", variant->options, nth - 1,
	       enomem);
	EXPECT_GT(enomem, 0);
	/* The shared superblock still mounts, and goes with the last mount. */
	ASSERT_EQ(0, sys_mount("none", self->file, "nullfs_rs", 0, variant->options));
	EXPECT_EQ(0, sys_umount2(self->file, 0));
	EXPECT_EQ(0, sys_umount2(self->dir, 0));
	EXPECT_EQ(0, unload_module()) TH_LOG("unloading: %s", strerror(errno));
}

/*
 * The guard of the scoped_with_init_fs samples.  The test's tmpfs is mounted
 * where init sees it (no mount namespace of the test's own), and holds the
 * file the samples open and the directory the writer is chrooted into.
 */
#define GUARD_TARGET "target"
#define GUARD_JAIL "jail"
#define GUARD_MARKER "marker"

struct guard_walk {
	const char *sample;
	/* In init's namespace: the tmpfs, the file on it, a name not on it. */
	char base[32], target[64], missing[64], jail[64];
	/* The jail, where the writer's root and working directory are. */
	dev_t jail_dev;
	ino_t jail_ino, marker_ino;
	/* With failslab's cache filter on the file cache: its sites. */
	int want_sites;
	int open_here, fail_nth;
};

/*
 * The writer's own fs state: its root and working directory are the jail,
 * and the sample's file is not in it.  A guard that left the writer in
 * init's fs state fails each of these.
 */
static int writer_fs_is_its_own(const struct guard_walk *g)
{
	struct stat st;

	CHECK(!stat("/", &st), "stat /");
	CHECK(st.st_dev == g->jail_dev && st.st_ino == g->jail_ino,
	      "the writer's root is not the jail any more");
	CHECK(!stat(GUARD_MARKER, &st), "the marker from the writer's working directory");
	CHECK(st.st_ino == g->marker_ino, "the marker is another file");
	CHECK(FAILS_WITH(stat(g->target, &st), ENOENT),
	      "%s resolves from the writer's root", g->target);
	return 0;
}

/* Writes @path to open_here: 0 or an errno. */
static int open_here(const struct guard_walk *g, const char *path)
{
	ssize_t n = write(g->open_here, path, strlen(path));

	if (n < 0)
		return errno;
	return n == (ssize_t)strlen(path) ? 0 : EIO;
}

/*
 * In a chrooted child: one clean open, then the walk, then a missing name.
 * Returns 0, or 1 after saying what went wrong.
 */
static int walk_guard(void *arg)
{
	int nth, err, injected, enomem = 0, survived = 0;
	struct guard_walk *g = arg;
	char debugfs[96], outcomes[MAX_SITES + 1];

	snprintf(debugfs, sizeof(debugfs), "/sys/kernel/debug/%s/open_here", g->sample);
	g->open_here = open(debugfs, O_WRONLY | O_CLOEXEC);
	CHECK(g->open_here >= 0, "open %s", debugfs);
	g->fail_nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	CHECK(g->fail_nth >= 0, "open fail-nth");
	CHECK(!chdir(g->jail) && !chroot("."), "chroot to %s", g->jail);
	if (writer_fs_is_its_own(g))
		return 1;

	/* With no fault the open works, and the writer keeps its fs state. */
	err = open_here(g, g->target);
	CHECK(!err, "%s, with no fault: %s", g->target, strerror(err));
	if (writer_fs_is_its_own(g))
		return 1;

	for (nth = 1; nth <= MAX_SITES; nth++) {
		CHECK(!arm(g->fail_nth, nth), "arm fail-nth %d", nth);
		err = open_here(g, g->target);
		injected = disarm(g->fail_nth);
		CHECK(injected >= 0, "disarm fail-nth");
		/* Either the fault failed the open, or it did not matter, or there was none. */
		CHECK(!err || (injected && err == ENOMEM), "site %d%s: %s", nth,
		      injected ? "" : " (no fault)", strerror(err));
		outcomes[nth - 1] = !injected ? '\0' : err ? 'E' : 's';
		enomem += !!err;
		survived += injected && !err;
		CHECK(!writer_fs_is_its_own(g), "site %d: the writer's fs state after the write", nth);
		/* The guard is balanced: the next open, with no fault, works. */
		err = open_here(g, g->target);
		CHECK(!err, "site %d: the next open: %s", nth, strerror(err));
		if (!injected)
			break;
	}
	CHECK(nth <= MAX_SITES, "more than %d allocation sites", MAX_SITES);
	fprintf(stderr, "# %s: %d allocation sites, %d failed with ENOMEM, %d survived: %s\n",
		g->sample, nth - 1, enomem, survived, outcomes);
	CHECK(enomem > 0, "no fault reached the guarded lookup and open");
	CHECK(!g->want_sites || nth - 1 == g->want_sites, "%d sites in the cache, not %d",
	      nth - 1, g->want_sites);
	/* A file has no fallback: a success despite the fault lost the error. */
	CHECK(!g->want_sites || !survived, "%d faults in the cache did not fail the open",
	      survived);

	err = open_here(g, g->missing);
	CHECK(err == ENOENT, "%s, with no fault: %s", g->missing, strerror(err));
	return writer_fs_is_its_own(g);
}

FIXTURE(guard) {
	struct guard_walk walk;
};

FIXTURE_VARIANT(guard) {
	const char *sample;
};

FIXTURE_VARIANT_ADD(guard, rust_init_fs) {
	.sample = "rust_init_fs",
};

FIXTURE_VARIANT_ADD(guard, c_init_fs) {
	.sample = "c_init_fs",
};

FIXTURE_SETUP(guard)
{
	struct guard_walk *g = &self->walk;
	const char *samples = getenv("NULLFS_RS_SAMPLES");
	char path[PATH_MAX];
	struct stat st;
	int fd, ret;

	if (access("/proc/thread-self/fail-nth", F_OK))
		SKIP(return, "no fault injection in this kernel (CONFIG_FAULT_INJECTION)");
	ASSERT_NE(NULL, samples) TH_LOG("NULLFS_RS_SAMPLES names no directory");
	g->sample = variant->sample;
	snprintf(path, sizeof(path), "%s/%s.ko", samples, g->sample);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	ASSERT_EQ(0, ret) TH_LOG("loading %s: %s", g->sample, strerror(errno));

	/* Mounted in init's mount namespace, for the guard to find. */
	strcpy(g->base, "/tmp/guard.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(g->base));
	ASSERT_EQ(0, sys_mount("none", g->base, "tmpfs", 0, NULL));
	snprintf(g->target, sizeof(g->target), "%s/" GUARD_TARGET, g->base);
	snprintf(g->missing, sizeof(g->missing), "%s/missing", g->base);
	snprintf(g->jail, sizeof(g->jail), "%s/" GUARD_JAIL, g->base);
	fd = open(g->target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mkdir(g->jail, 0755));
	ASSERT_EQ(0, stat(g->jail, &st));
	g->jail_dev = st.st_dev;
	g->jail_ino = st.st_ino;
	snprintf(path, sizeof(path), "%s/" GUARD_MARKER, g->jail);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	close(fd);
	g->marker_ino = st.st_ino;

	ASSERT_EQ(0, failslab_for_the_vfs());
}

FIXTURE_TEARDOWN(guard)
{
	failslab_defaults();
	write_str("/sys/kernel/slab/filp/failslab", "0");
	syscall(__NR_delete_module, self->walk.sample, O_NONBLOCK);
	sys_umount2(self->walk.base, MNT_DETACH);
	rmdir(self->walk.base);
}

/*
 * Every allocation of one guarded lookup and open fails in turn: the open
 * fails with ENOMEM or works, and the writer keeps its own root and working
 * directory.  Then the sample unloads: nothing of the guard is left.
 */
TEST_F(guard, lookup_and_open)
{
	ASSERT_EQ(0, in_child(walk_guard, &self->walk));
	EXPECT_EQ(0, syscall(__NR_delete_module, self->walk.sample, O_NONBLOCK))
		TH_LOG("unloading %s: %s", self->walk.sample, strerror(errno));
}

/*
 * The file's own site, alone: with failslab's cache filter on and only the
 * file cache marked, the one site is the struct file of filp_open().  (The
 * others, the two copies of the path that kern_path() and filp_open() make,
 * come from names_cache, which this kernel merges with another cache, so
 * that it cannot be marked alone.)
 */
TEST_F(guard, file_cache)
{
	ASSERT_EQ(0, write_str("/sys/kernel/slab/filp/failslab", "1"));
	ASSERT_EQ(0, write_str("/sys/kernel/debug/failslab/cache-filter", "Y"));
	self->walk.want_sites = 1;
	ASSERT_EQ(0, in_child(walk_guard, &self->walk));
}

TEST_HARNESS_MAIN
