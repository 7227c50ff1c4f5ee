// SPDX-License-Identifier: GPL-2.0
/*
 * nullfs_rs as a path mask for containers, next to the two masks container
 * runtimes use today: runc's maskedPaths (a read-only tmpfs mounted over the
 * directory) and systemd's InaccessiblePaths (a read-only bind mount of one
 * empty directory).  See Documentation/masking.rst.
 *
 * what_the_container_root_can_do_with_a_mask: what root of a user namespace
 * can do to each mask, first as the one who made the masks (unlocked), then
 * in a user and mount namespace of its own that inherited them (locked, as
 * a container receives its masks from the runtime).
 *
 * masks_at_scale: the time and memory of N masks of each kind, with one
 * nullfs_rs instance bound to all N paths.  N is $NULLFS_RS_MASKS, 10,000
 * by default (under a minute under QEMU TCG, most of it unmounting).
 *
 * Everything runs in child processes that enter a user and mount namespace
 * of their own: what they mount dies with them.
 */
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <time.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#ifndef MS_MOVE
#define MS_MOVE 8192
#endif
#ifndef ST_NOSUID
#define ST_NOSUID 2
#define ST_NODEV 4
#define ST_NOEXEC 8
#endif

/* The default number of masks of masks_at_scale: see the comment on top. */
#define DEFAULT_MASKS 10000

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(__NR_open_tree, dfd, path, flags);
}

enum kind { NULLFS_RS, RO_TMPFS, BIND_EMPTY, NKINDS };

static const char *const kind_dir[NKINDS] = { "nullfs_rs", "tmpfs", "bind" };
static const char *const kind_title[NKINDS] = { "nullfs_rs", "ro tmpfs",
						"bind of empty dir" };
static const char *const kind_tag[NKINDS] = { "nullfs_rs", "ro_tmpfs", "bind_empty" };

/*
 * A private tmpfs on /tmp, in the user and mount namespace the caller just
 * entered, for everything the test creates: nothing is left behind.
 */
static int enter_container_with_tmp(void)
{
	if (enter_userns())
		return -1;
	if (sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	return sys_mount("tmpfs", "/tmp", "tmpfs", 0, "mode=0755");
}

/* The three ways to mask @dir; @empty is the shared empty directory. */
static int mask_nullfs_rs(const char *dir)
{
	int mntfd = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC), ret;

	if (mntfd < 0)
		return -1;
	ret = sys_move_mount(mntfd, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH);
	close(mntfd);
	return ret;
}

/* As runc does for a masked directory: no options but an SELinux label. */
static int mask_ro_tmpfs(const char *dir)
{
	return sys_mount("tmpfs", dir, "tmpfs", MS_RDONLY, NULL);
}

/* As systemd does for InaccessiblePaths: bind, then make the bind read-only. */
static int mask_bind_empty(const char *empty, const char *dir)
{
	if (sys_mount(empty, dir, NULL, MS_BIND, NULL))
		return -1;
	return sys_mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
}

/*
 * Part 1: what the container's root can do with a mask.
 *
 * A result is >= 0 on success (a count where there is one), or -errno.
 */
#define NOT_TRIED INT_MIN

enum outer_op {
	O_SEE, O_READDIR, O_CREATE, O_MKDIR, O_CHMOD, O_CHOWN,
	O_REMOUNT_BIND_RW, O_CREATE_AFTER_BIND_RW,
	O_REMOUNT_RW, O_CREATE_AFTER_RW, O_MKDIR_AFTER_RW, O_CHMOD_AFTER_RW,
	O_SEE_AFTER_RW, O_UMOUNT, O_SEE_AFTER_UMOUNT, NOUTER
};

static const char *const outer_name[NOUTER] = {
	[O_SEE] = "see through (stat secret/file)",
	[O_READDIR] = "readdir entries",
	[O_CREATE] = "create a file in it",
	[O_MKDIR] = "mkdir in it",
	[O_CHMOD] = "chmod 0777 the mask root",
	[O_CHOWN] = "chown 0:0 the mask root",
	[O_REMOUNT_BIND_RW] = "remount rw (MS_REMOUNT|MS_BIND)",
	[O_CREATE_AFTER_BIND_RW] = "  then create a file",
	[O_REMOUNT_RW] = "remount rw (MS_REMOUNT)",
	[O_CREATE_AFTER_RW] = "  then create a file",
	[O_MKDIR_AFTER_RW] = "  then mkdir",
	[O_CHMOD_AFTER_RW] = "  then chmod the mask root",
	[O_SEE_AFTER_RW] = "  then see through",
	[O_UMOUNT] = "unmount (umount2 0)",
	[O_SEE_AFTER_UMOUNT] = "  then see through",
};

enum inner_op {
	I_SEE, I_READDIR, I_CREATE, I_MKDIR, I_CHMOD, I_CHOWN,
	I_REMOUNT_BIND_RW, I_REMOUNT_RW, I_CREATE_AFTER_RW, I_MKDIR_AFTER_RW,
	I_CHMOD_AFTER_RW, I_UMOUNT, I_UMOUNT_DETACH, I_MOVE, I_SEE_AFTER,
	NINNER
};

static const char *const inner_name[NINNER] = {
	[I_SEE] = "see through (stat secret/file)",
	[I_READDIR] = "readdir entries",
	[I_CREATE] = "create a file in it",
	[I_MKDIR] = "mkdir in it",
	[I_CHMOD] = "chmod 0777 the mask root",
	[I_CHOWN] = "chown 0:0 the mask root",
	[I_REMOUNT_BIND_RW] = "remount rw (MS_REMOUNT|MS_BIND)",
	[I_REMOUNT_RW] = "remount rw (MS_REMOUNT)",
	[I_CREATE_AFTER_RW] = "  then create a file",
	[I_MKDIR_AFTER_RW] = "  then mkdir",
	[I_CHMOD_AFTER_RW] = "  then chmod the mask root",
	[I_UMOUNT] = "unmount (umount2 0)",
	[I_UMOUNT_DETACH] = "unmount (umount2 MNT_DETACH)",
	[I_MOVE] = "move it away (MS_MOVE)",
	[I_SEE_AFTER] = "  then see through",
};

struct tries {
	int outer[NOUTER][NKINDS];
	int inner[NINNER][NKINDS];
};

#define RESULT(call) ((call) < 0 ? -errno : 0)

static int try_see(const char *secret)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/file", secret);
	return RESULT(stat(path, &st));
}

static int try_readdir(const char *dir)
{
	int n = dir_entries(dir);

	return n < 0 ? -errno : n;
}

static int try_create(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int try_mkdir(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return RESULT(mkdir(path, 0755));
}

/*
 * The nosuid, nodev and noexec of the mount at @dir, to pass along in a
 * remount so that it asks for read-write and nothing else (a remount that
 * drops a locked one of them fails for that alone).
 */
static unsigned long kept_flags(const char *dir)
{
	struct statfs sfs;

	if (statfs(dir, &sfs))
		return 0;
	return sfs.f_flags & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
}

static int try_remount_bind_rw(const char *dir)
{
	return RESULT(sys_mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | kept_flags(dir),
				NULL));
}

static int try_remount_rw(const char *dir)
{
	return RESULT(sys_mount(NULL, dir, NULL, MS_REMOUNT | kept_flags(dir), NULL));
}

struct layout {
	char base[64];
	char empty[96];
	char moved[96];
	char secret[NKINDS][96];
};

/* @base/{nullfs_rs,tmpfs,bind}/secret/file, each secret masked its way. */
static int make_masks(const char *base, struct layout *l)
{
	char path[PATH_MAX];
	int k;

	snprintf(l->base, sizeof(l->base), "%s", base);
	snprintf(l->empty, sizeof(l->empty), "%s/empty", base);
	snprintf(l->moved, sizeof(l->moved), "%s/moved", base);
	if (mkdir(base, 0755) || mkdir(l->empty, 0555) || chmod(l->empty, 0555) ||
	    mkdir(l->moved, 0755))
		return -1;
	for (k = 0; k < NKINDS; k++) {
		snprintf(path, sizeof(path), "%s/%s", base, kind_dir[k]);
		snprintf(l->secret[k], sizeof(l->secret[k]), "%s/%s/secret", base,
			 kind_dir[k]);
		if (mkdir(path, 0755) || mkdir(l->secret[k], 0755) ||
		    try_create(l->secret[k], "file"))
			return -1;
		if (try_see(l->secret[k]))
			return -1;
	}
	if (mask_nullfs_rs(l->secret[NULLFS_RS]) || mask_ro_tmpfs(l->secret[RO_TMPFS]) ||
	    mask_bind_empty(l->empty, l->secret[BIND_EMPTY]))
		return -1;
	return 0;
}

/* In a new user and mount namespace: the masks inherited, and locked. */
static int inner_tries(void *arg)
{
	struct tries *t = ((void **)arg)[0];
	struct layout *l = ((void **)arg)[1];
	int k;

	CHECK(enter_userns() == 0, "entering the inner user namespace");
	CHECK(sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private");
	for (k = 0; k < NKINDS; k++) {
		const char *s = l->secret[k];

		t->inner[I_SEE][k] = try_see(s);
		t->inner[I_READDIR][k] = try_readdir(s);
		t->inner[I_CREATE][k] = try_create(s, "f1");
		t->inner[I_MKDIR][k] = try_mkdir(s, "d1");
		t->inner[I_CHMOD][k] = RESULT(chmod(s, 0777));
		t->inner[I_CHOWN][k] = RESULT(chown(s, 0, 0));
		t->inner[I_REMOUNT_BIND_RW][k] = try_remount_bind_rw(s);
		t->inner[I_REMOUNT_RW][k] = try_remount_rw(s);
		t->inner[I_CREATE_AFTER_RW][k] = try_create(s, "f2");
		t->inner[I_MKDIR_AFTER_RW][k] = try_mkdir(s, "d2");
		t->inner[I_CHMOD_AFTER_RW][k] = RESULT(chmod(s, 0777));
		t->inner[I_UMOUNT][k] = RESULT(sys_umount2(s, 0));
		t->inner[I_UMOUNT_DETACH][k] = RESULT(sys_umount2(s, MNT_DETACH));
		t->inner[I_MOVE][k] = RESULT(sys_mount(s, l->moved, NULL, MS_MOVE, NULL));
		t->inner[I_SEE_AFTER][k] = try_see(s);
	}
	return 0;
}

static int container_root_tries(void *arg)
{
	struct tries *t = arg;
	struct layout outer, inner;
	void *inner_arg[2] = { t, &inner };
	int k;

	CHECK(enter_container_with_tmp() == 0, "entering the user namespace");

	/* As the user namespace's root that made the masks: not locked. */
	CHECK(make_masks("/tmp/outer", &outer) == 0, "making the masks in /tmp/outer");
	for (k = 0; k < NKINDS; k++) {
		const char *s = outer.secret[k];

		t->outer[O_SEE][k] = try_see(s);
		t->outer[O_READDIR][k] = try_readdir(s);
		t->outer[O_CREATE][k] = try_create(s, "f1");
		t->outer[O_MKDIR][k] = try_mkdir(s, "d1");
		t->outer[O_CHMOD][k] = RESULT(chmod(s, 0777));
		t->outer[O_CHOWN][k] = RESULT(chown(s, 0, 0));
		t->outer[O_REMOUNT_BIND_RW][k] = try_remount_bind_rw(s);
		t->outer[O_CREATE_AFTER_BIND_RW][k] = try_create(s, "f2");
		t->outer[O_REMOUNT_RW][k] = try_remount_rw(s);
		t->outer[O_CREATE_AFTER_RW][k] = try_create(s, "f3");
		t->outer[O_MKDIR_AFTER_RW][k] = try_mkdir(s, "d3");
		t->outer[O_CHMOD_AFTER_RW][k] = RESULT(chmod(s, 0777));
		t->outer[O_SEE_AFTER_RW][k] = try_see(s);
		t->outer[O_UMOUNT][k] = RESULT(sys_umount2(s, 0));
		t->outer[O_SEE_AFTER_UMOUNT][k] = try_see(s);
	}

	/* A container given its masks by the runtime: they are locked. */
	CHECK(make_masks("/tmp/inner", &inner) == 0, "making the masks in /tmp/inner");
	CHECK(in_child(inner_tries, inner_arg) == 0, "the inner namespace's tries");
	/* Seen from here, the container changed nothing. */
	for (k = 0; k < NKINDS; k++) {
		CHECK(try_see(inner.secret[k]) == -ENOENT, "%s: the secret shows",
		      kind_title[k]);
		CHECK(try_readdir(inner.secret[k]) == 2, "%s: the mask is not empty",
		      kind_title[k]);
	}
	return 0;
}

static const char *cell(int r, char *buf, size_t len)
{
	const char *name;

	if (r == NOT_TRIED)
		return "-";
	if (r >= 0) {
		snprintf(buf, len, r ? "ok: %d" : "ok", r);
		return buf;
	}
	name = strerrorname_np(-r);
	if (name)
		return name;
	snprintf(buf, len, "errno %d", -r);
	return buf;
}

#define PRINT_TABLE(title, rows, names, nrows)					\
	do {									\
		char a_[32], b_[32], c_[32];					\
		int i_;								\
										\
		TH_LOG("%s", title);						\
		TH_LOG("%-34s | %-9s | %-9s | %s", "operation", kind_title[0],	\
		       kind_title[1], kind_title[2]);				\
		for (i_ = 0; i_ < (nrows); i_++)				\
			TH_LOG("%-34s | %-9s | %-9s | %s", (names)[i_],		\
			       cell((rows)[i_][0], a_, sizeof(a_)),		\
			       cell((rows)[i_][1], b_, sizeof(b_)),		\
			       cell((rows)[i_][2], c_, sizeof(c_)));		\
	} while (0)

/*
 * @rows as the rst simple table of Documentation/masking.rst, in TAP
 * comment lines between "# doc-table: @name begin" and "... end", where
 * tools/selftests/doc_tables.py (run by make check) takes it from to compare
 * with the document.  Only results, nothing of the run (no paths, no times).
 * An operation indented under the one before it ("  then ...") reads
 * "... then ..." there: rst strips a cell's indentation.
 */
static void print_doc_table(const char *name, int (*rows)[NKINDS],
			    const char *const *names, int nrows)
{
	char cells[NOUTER + NINNER + 1][NKINDS + 1][64];
	size_t width[NKINDS + 1] = { 0 }, len;
	int i, c;

	snprintf(cells[0][0], sizeof(cells[0][0]), "operation");
	for (c = 0; c < NKINDS; c++)
		snprintf(cells[0][c + 1], sizeof(cells[0][c + 1]), "%s", kind_title[c]);
	for (i = 0; i < nrows; i++) {
		const char *n = names[i];

		if (!strncmp(n, "  ", 2))
			snprintf(cells[i + 1][0], sizeof(cells[i + 1][0]), "... %s", n + 2);
		else
			snprintf(cells[i + 1][0], sizeof(cells[i + 1][0]), "%s", n);
		for (c = 0; c < NKINDS; c++) {
			char buf[32];
			const char *v = rows[i][c] == NOT_TRIED ? "not tried" :
					cell(rows[i][c], buf, sizeof(buf));

			snprintf(cells[i + 1][c + 1], sizeof(cells[i + 1][c + 1]), "%s", v);
		}
	}
	for (i = 0; i <= nrows; i++)
		for (c = 0; c <= NKINDS; c++) {
			len = strlen(cells[i][c]);
			if (len > width[c])
				width[c] = len;
		}

	fprintf(stderr, "# doc-table: %s begin\n", name);
	/* A rule, the header, a rule, the rows, a rule. */
	for (i = 0; i < nrows + 4; i++) {
		int rule = i == 0 || i == 2 || i == nrows + 3;
		int row = i == 1 ? 0 : i - 2;

		fprintf(stderr, "#");
		for (c = 0; c <= NKINDS; c++) {
			if (rule) {
				fprintf(stderr, "%s", c ? "  " : " ");
				for (len = 0; len < width[c]; len++)
					fputc('=', stderr);
			} else if (c < NKINDS) {
				fprintf(stderr, "%s%-*s", c ? "  " : " ", (int)width[c],
					cells[row][c]);
			} else {
				fprintf(stderr, "  %s", cells[row][c]);
			}
		}
		fprintf(stderr, "\n");
	}
	fprintf(stderr, "# doc-table: %s end\n", name);
}

TEST(what_the_container_root_can_do_with_a_mask)
{
	struct tries *t;
	int i, k;

	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	for (i = 0; i < NOUTER; i++)
		for (k = 0; k < NKINDS; k++)
			t->outer[i][k] = NOT_TRIED;
	for (i = 0; i < NINNER; i++)
		for (k = 0; k < NKINDS; k++)
			t->inner[i][k] = NOT_TRIED;

	EXPECT_EQ(0, in_child(container_root_tries, t));

	PRINT_TABLE("masks made by this user namespace's root (not locked):",
		    t->outer, outer_name, NOUTER);
	PRINT_TABLE("masks inherited by a new user+mount namespace (locked):",
		    t->inner, inner_name, NINNER);
	print_doc_table("masking-unlocked", t->outer, outer_name, NOUTER);
	print_doc_table("masking-locked", t->inner, inner_name, NINNER);

	for (k = 0; k < NKINDS; k++) {
		/* Nothing sees through a mask, and each is an empty directory. */
		EXPECT_EQ(-ENOENT, t->outer[O_SEE][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-ENOENT, t->outer[O_SEE_AFTER_RW][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-ENOENT, t->inner[I_SEE][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-ENOENT, t->inner[I_SEE_AFTER][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(2, t->outer[O_READDIR][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(2, t->inner[I_READDIR][k]) TH_LOG("%s", kind_title[k]);

		/* Its maker may unmount a mask, and then sees what it hid. */
		EXPECT_EQ(0, t->outer[O_UMOUNT][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(0, t->outer[O_SEE_AFTER_UMOUNT][k]) TH_LOG("%s", kind_title[k]);

		/* Locked: no mask can be unmounted or moved away. */
		EXPECT_EQ(-EINVAL, t->inner[I_UMOUNT][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EINVAL, t->inner[I_UMOUNT_DETACH][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EINVAL, t->inner[I_MOVE][k]) TH_LOG("%s", kind_title[k]);

		/*
		 * The superblocks of the masks belong to the outer user
		 * namespace: the inner root may not reconfigure them.
		 */
		EXPECT_EQ(-EPERM, t->inner[I_REMOUNT_RW][k]) TH_LOG("%s", kind_title[k]);
	}

	/*
	 * nullfs_rs: the directory itself is immutable.  Every write fails,
	 * though the mount is read-write and remounting it rw succeeds (its
	 * maker may even reconfigure the superblock).
	 */
	EXPECT_EQ(-ENOENT, t->outer[O_CREATE][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->outer[O_MKDIR][NULLFS_RS]);
	EXPECT_EQ(-EPERM, t->outer[O_CHMOD][NULLFS_RS]);
	EXPECT_EQ(-EPERM, t->outer[O_CHOWN][NULLFS_RS]);
	EXPECT_EQ(0, t->outer[O_REMOUNT_BIND_RW][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->outer[O_CREATE_AFTER_BIND_RW][NULLFS_RS]);
	EXPECT_EQ(0, t->outer[O_REMOUNT_RW][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->outer[O_CREATE_AFTER_RW][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->outer[O_MKDIR_AFTER_RW][NULLFS_RS]);
	EXPECT_EQ(-EPERM, t->outer[O_CHMOD_AFTER_RW][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->inner[I_CREATE][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->inner[I_MKDIR][NULLFS_RS]);
	EXPECT_EQ(-EPERM, t->inner[I_CHMOD][NULLFS_RS]);
	EXPECT_EQ(-EPERM, t->inner[I_CHOWN][NULLFS_RS]);
	EXPECT_EQ(0, t->inner[I_REMOUNT_BIND_RW][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->inner[I_CREATE_AFTER_RW][NULLFS_RS]);
	EXPECT_EQ(-ENOENT, t->inner[I_MKDIR_AFTER_RW][NULLFS_RS]);
	EXPECT_EQ(-EPERM, t->inner[I_CHMOD_AFTER_RW][NULLFS_RS]);

	/*
	 * The read-only tmpfs: read-only twice, the mount and the superblock.
	 * Its maker makes it writable with a plain remount; the bind remount
	 * clears only the mount's flag.  Locked, it stays read-only.
	 */
	EXPECT_EQ(-EROFS, t->outer[O_CREATE][RO_TMPFS]);
	EXPECT_EQ(-EROFS, t->outer[O_MKDIR][RO_TMPFS]);
	EXPECT_EQ(-EROFS, t->outer[O_CHMOD][RO_TMPFS]);
	EXPECT_EQ(-EROFS, t->outer[O_CHOWN][RO_TMPFS]);
	EXPECT_EQ(0, t->outer[O_REMOUNT_BIND_RW][RO_TMPFS]);
	EXPECT_EQ(-EROFS, t->outer[O_CREATE_AFTER_BIND_RW][RO_TMPFS]);
	EXPECT_EQ(0, t->outer[O_REMOUNT_RW][RO_TMPFS]);
	EXPECT_EQ(0, t->outer[O_CREATE_AFTER_RW][RO_TMPFS]);
	EXPECT_EQ(0, t->outer[O_MKDIR_AFTER_RW][RO_TMPFS]);
	EXPECT_EQ(0, t->outer[O_CHMOD_AFTER_RW][RO_TMPFS]);
	EXPECT_EQ(-EPERM, t->inner[I_REMOUNT_BIND_RW][RO_TMPFS]);

	/*
	 * The bind of the empty directory: its maker's remounts make it
	 * writable, and what it writes lands in the one empty directory that
	 * every such mask shares.  Locked, it stays read-only.
	 */
	EXPECT_EQ(-EROFS, t->outer[O_CREATE][BIND_EMPTY]);
	EXPECT_EQ(-EROFS, t->outer[O_MKDIR][BIND_EMPTY]);
	EXPECT_EQ(-EROFS, t->outer[O_CHMOD][BIND_EMPTY]);
	EXPECT_EQ(-EROFS, t->outer[O_CHOWN][BIND_EMPTY]);
	EXPECT_EQ(0, t->outer[O_REMOUNT_BIND_RW][BIND_EMPTY]);
	EXPECT_EQ(0, t->outer[O_CREATE_AFTER_BIND_RW][BIND_EMPTY]);
	EXPECT_EQ(-EPERM, t->inner[I_REMOUNT_BIND_RW][BIND_EMPTY]);

	for (k = RO_TMPFS; k <= BIND_EMPTY; k++) {
		EXPECT_EQ(-EROFS, t->inner[I_CREATE][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EROFS, t->inner[I_MKDIR][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EROFS, t->inner[I_CHMOD][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EROFS, t->inner[I_CHOWN][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EROFS, t->inner[I_CREATE_AFTER_RW][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EROFS, t->inner[I_MKDIR_AFTER_RW][k]) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(-EROFS, t->inner[I_CHMOD_AFTER_RW][k]) TH_LOG("%s", kind_title[k]);
	}
	munmap(t, sizeof(*t));
}

/*
 * Part 2: N masks of each kind.  Memory is what /proc/meminfo says before
 * and after (Slab, SUnreclaim, and Percpu, where struct mount and every
 * superblock keep counters), so it includes whatever else the guest did
 * meanwhile: a measurement, not an assertion.
 */
struct meminfo {
	long slab, sunreclaim, percpu;	/* kB */
};

/* The objects in use of each slab cache, from /proc/slabinfo. */
#define MAX_CACHES 512
struct slabinfo {
	int n;
	struct {
		char name[40];
		long active, size;
	} c[MAX_CACHES];
};

struct scale {
	int n;
	long obj_kib;			/* sum of active objects' sizes, after - before */
	char top[256];			/* the caches that grew most */
	int ok;				/* the child got to the end */
	long mount_us, umount_us;
	struct meminfo before, after, end;
	int mounts_before, mounts_after, mounts_end;
	int sbs_before, sbs_after;
	int mounted, empty;		/* masks that mounted, and were empty */
};

static int read_meminfo(struct meminfo *m)
{
	char line[256];
	long v;
	FILE *f;

	m->slab = m->sunreclaim = m->percpu = -1;
	/* Best effort (root of a user namespace mapped to host root may): less noise. */
	f = fopen("/proc/sys/vm/drop_caches", "we");
	if (f) {
		fputs("2", f);
		fclose(f);
	}
	usleep(300000);	/* RCU-freed objects of what came before */
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %ld", &v) == 1)
			m->slab = v;
		else if (sscanf(line, "SUnreclaim: %ld", &v) == 1)
			m->sunreclaim = v;
		else if (sscanf(line, "Percpu: %ld", &v) == 1)
			m->percpu = v;
	}
	fclose(f);
	return m->slab < 0 || m->sunreclaim < 0 || m->percpu < 0 ? -1 : 0;
}

static int read_slabinfo(struct slabinfo *si)
{
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "re");

	si->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && si->n < MAX_CACHES)
		if (sscanf(line, "%39s %ld %*d %ld", si->c[si->n].name,
			   &si->c[si->n].active, &si->c[si->n].size) == 3)
			si->n++;
	fclose(f);
	return si->n ? 0 : -1;
}

/*
 * The growth of the bytes in use from @a to @b, in KiB, and in @top the
 * caches that grew most, as "name:+objects*size".  SLUB counts the objects
 * of slabs cached per CPU as in use: this is close, not exact.
 */
static long slab_growth(const struct slabinfo *a, const struct slabinfo *b,
			char *top, size_t len)
{
	long delta[MAX_CACHES], total = 0;
	int used[MAX_CACHES] = { 0 };
	int i, j, r, best;
	size_t off = 0;

	for (i = 0; i < b->n; i++) {
		delta[i] = b->c[i].active;
		for (j = 0; j < a->n; j++)
			if (!strcmp(a->c[j].name, b->c[i].name)) {
				delta[i] -= a->c[j].active;
				break;
			}
		total += delta[i] * b->c[i].size;
	}
	top[0] = '\0';
	for (r = 0; r < 5; r++) {
		best = -1;
		for (i = 0; i < b->n; i++)
			if (!used[i] && delta[i] > 0 &&
			    (best < 0 || delta[i] * b->c[i].size > delta[best] * b->c[best].size))
				best = i;
		if (best < 0 || off >= len)
			break;
		used[best] = 1;
		off += snprintf(top + off, len - off, "%s%s:+%ld*%ld", off ? " " : "",
				b->c[best].name, delta[best], b->c[best].size);
	}
	return total / 1024;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Mounts in the caller's namespace, and distinct superblocks among them. */
static int count_mounts(int *mounts, int *sbs)
{
	unsigned long *devs = NULL, maj, min;
	size_t n = 0, cap = 0, i;
	char *line = NULL;
	size_t len = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	while (getline(&line, &len, f) > 0) {
		if (sscanf(line, "%*d %*d %lu:%lu", &maj, &min) != 2)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			devs = realloc(devs, cap * sizeof(*devs));
			if (!devs)
				return -1;
		}
		devs[n++] = maj << 20 | min;
	}
	free(line);
	fclose(f);
	qsort(devs, n, sizeof(*devs), cmp_ulong);
	*mounts = n;
	*sbs = 0;
	for (i = 0; i < n; i++)
		if (!i || devs[i] != devs[i - 1])
			(*sbs)++;
	free(devs);
	return 0;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

struct scale_arg {
	enum kind kind;
	struct scale *s;
};

static int masks_of_a_kind(void *arg)
{
	struct scale_arg *a = arg;
	struct scale *s = a->s;
	struct stat base_st, empty_st, nullfs_st, st;
	static struct slabinfo si_before, si_after;
	char dir[64];
	int i, mntfd = -1, clone;
	long t0;

	CHECK(enter_container_with_tmp() == 0, "entering the user namespace");
	CHECK(mkdir("/tmp/m", 0755) == 0 && mkdir("/tmp/empty", 0555) == 0 &&
	      chmod("/tmp/empty", 0555) == 0, "mkdir");
	for (i = 0; i < s->n; i++) {
		snprintf(dir, sizeof(dir), "/tmp/m/%d", i);
		CHECK(mkdir(dir, 0755) == 0, "mkdir %s", dir);
	}
	CHECK(stat("/tmp/m", &base_st) == 0 && stat("/tmp/empty", &empty_st) == 0, "stat");

	CHECK(read_meminfo(&s->before) == 0, "/proc/meminfo");
	CHECK(read_slabinfo(&si_before) == 0, "/proc/slabinfo");
	CHECK(count_mounts(&s->mounts_before, &s->sbs_before) == 0, "mountinfo");

	t0 = now_us();
	if (a->kind == NULLFS_RS) {
		/* One instance for the container, bound to every masked path. */
		mntfd = fs_new_mount("nullfs_rs", FSMOUNT_CLOEXEC);
		CHECK(mntfd >= 0 && fstat(mntfd, &nullfs_st) == 0, "fsmount(nullfs_rs)");
	}
	for (i = 0; i < s->n; i++) {
		int ret;

		snprintf(dir, sizeof(dir), "/tmp/m/%d", i);
		switch (a->kind) {
		case NULLFS_RS:
			clone = sys_open_tree(mntfd, "", OPEN_TREE_CLONE |
					      OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
			CHECK(clone >= 0, "open_tree(OPEN_TREE_CLONE) %d", i);
			ret = sys_move_mount(clone, "", AT_FDCWD, dir,
					     MOVE_MOUNT_F_EMPTY_PATH);
			close(clone);
			break;
		case RO_TMPFS:
			ret = mask_ro_tmpfs(dir);
			break;
		default:
			ret = mask_bind_empty("/tmp/empty", dir);
			break;
		}
		CHECK(ret == 0, "masking %s as %s", dir, kind_title[a->kind]);
		s->mounted++;
	}
	s->mount_us = now_us() - t0;

	CHECK(read_meminfo(&s->after) == 0, "/proc/meminfo");
	CHECK(read_slabinfo(&si_after) == 0, "/proc/slabinfo");
	s->obj_kib = slab_growth(&si_before, &si_after, s->top, sizeof(s->top));
	CHECK(count_mounts(&s->mounts_after, &s->sbs_after) == 0, "mountinfo");

	for (i = 0; i < s->n; i++) {
		snprintf(dir, sizeof(dir), "/tmp/m/%d", i);
		CHECK(stat(dir, &st) == 0, "stat %s", dir);
		switch (a->kind) {
		case NULLFS_RS:
			CHECK(st.st_dev == nullfs_st.st_dev, "%s is not the nullfs_rs", dir);
			break;
		case RO_TMPFS:
			CHECK(st.st_dev != base_st.st_dev, "%s is no tmpfs of its own", dir);
			break;
		default:
			CHECK(st.st_dev == empty_st.st_dev && st.st_ino == empty_st.st_ino,
			      "%s is not the empty directory", dir);
			break;
		}
		CHECK(dir_entries(dir) == 2, "%s has %d entries", dir, dir_entries(dir));
		s->empty++;
	}

	t0 = now_us();
	for (i = 0; i < s->n; i++) {
		snprintf(dir, sizeof(dir), "/tmp/m/%d", i);
		CHECK(sys_umount2(dir, 0) == 0, "umount %s", dir);
	}
	if (mntfd >= 0)
		close(mntfd);
	s->umount_us = now_us() - t0;
	CHECK(count_mounts(&s->mounts_end, &i) == 0, "mountinfo");
	CHECK(read_meminfo(&s->end) == 0, "/proc/meminfo");
	s->ok = 1;
	return 0;
}

static int masks_wanted(void)
{
	const char *env = getenv("NULLFS_RS_MASKS");
	int n = env ? atoi(env) : 0;

	return n > 0 ? n : DEFAULT_MASKS;
}

/* A fixture only for the timeout: the default of 30 s is too short. */
FIXTURE(scale) {};
FIXTURE_SETUP(scale) {}
FIXTURE_TEARDOWN(scale) {}

TEST_F_TIMEOUT(scale, masks_at_scale, 250)
{
	struct scale *s;
	struct scale_arg a;
	int n = masks_wanted(), k;

	ASSERT_EQ(0, load_module()) TH_LOG("loading: %s", strerror(errno));
	s = mmap(NULL, NKINDS * sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, s);
	memset(s, 0, NKINDS * sizeof(*s));

	for (k = 0; k < NKINDS; k++) {
		s[k].n = n;
		a.kind = k;
		a.s = &s[k];
		EXPECT_EQ(0, in_child(masks_of_a_kind, &a)) TH_LOG("%s", kind_title[k]);
		if (!s[k].ok)
			continue;
		TH_LOG("masks: kind=%s n=%d ms=%ld umount_ms=%ld slab_kib=%ld "
		       "sunreclaim_kib=%ld obj_kib=%ld percpu_kib=%ld mounts=%+d "
		       "superblocks=%+d left_slab_kib=%ld left_percpu_kib=%ld",
		       kind_tag[k], n, s[k].mount_us / 1000, s[k].umount_us / 1000,
		       s[k].after.slab - s[k].before.slab,
		       s[k].after.sunreclaim - s[k].before.sunreclaim, s[k].obj_kib,
		       s[k].after.percpu - s[k].before.percpu,
		       s[k].mounts_after - s[k].mounts_before,
		       s[k].sbs_after - s[k].sbs_before,
		       s[k].end.slab - s[k].before.slab,
		       s[k].end.percpu - s[k].before.percpu);
		TH_LOG("masks-slab: kind=%s n=%d %s", kind_tag[k], n, s[k].top);
	}
	for (k = 0; k < NKINDS; k++) {
		EXPECT_EQ(n, s[k].mounted) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(n, s[k].empty) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(n, s[k].mounts_after - s[k].mounts_before) TH_LOG("%s", kind_title[k]);
		EXPECT_EQ(s[k].mounts_before, s[k].mounts_end) TH_LOG("%s", kind_title[k]);
	}
	/* One superblock for all of nullfs_rs's masks, one per tmpfs mask. */
	EXPECT_EQ(1, s[NULLFS_RS].sbs_after - s[NULLFS_RS].sbs_before);
	EXPECT_EQ(n, s[RO_TMPFS].sbs_after - s[RO_TMPFS].sbs_before);
	EXPECT_EQ(0, s[BIND_EMPTY].sbs_after - s[BIND_EMPTY].sbs_before);
	munmap(s, NKINDS * sizeof(*s));
}

TEST_HARNESS_MAIN
