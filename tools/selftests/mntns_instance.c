// SPDX-License-Identifier: GPL-2.0
/*
 * One superblock per container (mount option "instance=mntns"), and no
 * channel between containers through a shared mask.
 *
 * one_superblock_per_mount_namespace: a container (a user and mount
 * namespace) that mounts nullfs_rs at 96 paths with instance=mntns, file
 * masks among them, has one superblock, and another container has another;
 * without the option, every mount has its own.
 * sharing_needs_the_same_flags_and_user_namespace: read-only and read-write
 * mounts of a namespace get a superblock each, and so does root of the
 * initial user namespace mounting in a namespace a user namespace owns.
 * namespace_ids_are_not_reused: a superblock whose mount namespace is gone
 * is never found by a new namespace, which the allocator may well place at
 * the old one's address.
 * no_channel_between_containers: container A looks a missing name up in a
 * mask; container B probes it with openat2(RESOLVE_CACHED), which answers
 * ENOENT from a remembered miss and EAGAIN for a name never looked up.
 * Each way of masking prints whether B could tell; nullfs_rs must not let
 * it, and the control must, so that the probe is shown to see a channel
 * where there is one.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/openat2.h>

#include "kselftest_harness.h"
#include "nullfs_rs.h"

#define BASE "/tmp/nullfs_rs_mntns"
#define MASKS 96
#define FILE_MASKS 8

/* The exit status of @pid, or -1. */
static int wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The device of @path, or 0. */
static dev_t dev_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_dev;
}

/*
 * A container's masks: @n directories then FILE_MASKS files under @dir,
 * mounted with @options (and "file" for the files).  Writes the distinct
 * devices seen to @out; returns 0 or a step number.
 */
static int mount_masks(const char *dir, int n, const char *options, int out)
{
	char path[128], data[64];
	dev_t devs[MASKS + FILE_MASKS];
	int i, j, distinct = 0, fd;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return 1;
	for (i = 0; i < n + FILE_MASKS; i++) {
		bool file = i >= n;

		snprintf(path, sizeof(path), "%s/%d", dir, i);
		if (file) {
			fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
			if (fd < 0)
				return 2;
			close(fd);
		} else if (mkdir(path, 0755)) {
			return 3;
		}
		snprintf(data, sizeof(data), "%s%s%s", options, *options && file ? "," : "",
			 file ? "file" : "");
		if (sys_mount("none", path, "nullfs_rs", 0, data))
			return 4;
		devs[i] = dev_of(path);
		for (j = 0; j < i && devs[j] != devs[i]; j++)
			;
		distinct += j == i;
	}
	if (write(out, &distinct, sizeof(distinct)) != sizeof(distinct))
		return 5;
	if (write(out, &devs[0], sizeof(devs[0])) != sizeof(devs[0]))
		return 6;
	return 0;
}

struct container {
	const char *options;
	bool userns;
	int out;	/* what mount_masks() writes */
	int done;	/* closed when the container may exit */
};

static int container(void *arg)
{
	const struct container *c = arg;
	int ret;
	char x;

	if (c->userns ? enter_userns() : unshare(CLONE_NEWNS))
		return 10;
	if (sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    sys_mount("tmpfs", BASE, "tmpfs", 0, NULL))
		return 11;
	ret = mount_masks(BASE "/masks", c->userns ? MASKS : 1, c->options, c->out);
	if (!ret && read(c->done, &x, 1) != 0)
		ret = 12;
	return ret;
}

/*
 * Runs a container (a user and mount namespace, or a mount namespace
 * alone) that mounts its masks with @options and exits.  Its distinct
 * superblocks, and its first mask's device, whose superblock the returned
 * O_PATH descriptor keeps alive; -1 on failure.
 */
static int run_container(const char *options, bool userns, int *distinct, dev_t *dev)
{
	struct container c = { options, userns };
	int out[2], done[2], fd = -1, status;
	char path[64];
	pid_t pid;

	if (pipe(out) || pipe(done))
		return -1;
	c.out = out[1];
	c.done = done[0];
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(done[1]);
		_exit(container(&c));
	}
	close(out[1]);
	close(done[0]);
	if (read(out[0], distinct, sizeof(*distinct)) == sizeof(*distinct) &&
	    read(out[0], dev, sizeof(*dev)) == sizeof(*dev)) {
		snprintf(path, sizeof(path), "/proc/%d/root" BASE "/masks/0", pid);
		fd = open(path, O_PATH | O_CLOEXEC);
	}
	close(done[1]);
	close(out[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "# container: status %#x\n", status);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

TEST(one_superblock_per_mount_namespace)
{
	int distinct, other_distinct, pipefd[2], held, other_held;
	dev_t dev, other;

	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, private_tmpfs_at(BASE));

	held = run_container("instance=mntns", true, &distinct, &dev);
	ASSERT_LE(0, held);
	EXPECT_EQ(1, distinct);
	other_held = run_container("instance=mntns", true, &other_distinct, &other);
	ASSERT_LE(0, other_held);
	EXPECT_EQ(1, other_distinct);
	EXPECT_NE(dev, other);
	close(held);
	close(other_held);

	held = run_container("", true, &distinct, &dev);
	ASSERT_LE(0, held);
	EXPECT_EQ(MASKS + FILE_MASKS, distinct);
	close(held);
	held = run_container("instance=mount", true, &distinct, &dev);
	ASSERT_LE(0, held);
	EXPECT_EQ(MASKS + FILE_MASKS, distinct);
	close(held);

	/* Here, as root of the initial namespaces, too. */
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(0, mount_masks(BASE "/host", 4, "instance=mntns", pipefd[1]));
	ASSERT_EQ(sizeof(distinct), read(pipefd[0], &distinct, sizeof(distinct)));
	EXPECT_EQ(1, distinct);
	close(pipefd[0]);
	close(pipefd[1]);
	sys_umount2(BASE, MNT_DETACH);
	rmdir(BASE);
}

/*
 * Mount namespaces that each mount an instance=mntns mask and exit, their
 * superblocks kept alive: none finds another's, though the allocator may
 * well place a new namespace where a freed one was.
 */
TEST(namespace_ids_are_not_reused)
{
	int held[32], distinct, i, j;
	dev_t seen[32];

	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, private_tmpfs_at(BASE));
	for (i = 0; i < 32; i++) {
		held[i] = run_container("instance=mntns", false, &distinct, &seen[i]);
		ASSERT_LE(0, held[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(seen[j], seen[i]) TH_LOG("namespace %d found %d's", i, j);
	}
	for (i = 0; i < 32; i++)
		close(held[i]);
	sys_umount2(BASE, MNT_DETACH);
	rmdir(BASE);
}

/*
 * In one mount namespace, mounts share a superblock only when they also
 * agree on read-only and come from the same user namespace: a shared
 * superblock keeps the first mount's flags, and sget_fc() would refuse
 * another user namespace's mount outright (EBUSY).
 */
static int userns_owned_ns(void *arg)
{
	int *pipes = arg;
	dev_t dev;
	char x;

	if (enter_userns() || sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 1;
	if (sys_mount("none", BASE "/a", "nullfs_rs", MS_RDONLY, "instance=mntns"))
		return 2;
	dev = dev_of(BASE "/a");
	if (write(pipes[1], &dev, sizeof(dev)) != sizeof(dev))
		return 3;
	/* Until the parent has mounted in this namespace too. */
	return read(pipes[2], &x, 1) == 0 ? 0 : 4;
}

TEST(sharing_needs_the_same_flags_and_user_namespace)
{
	int pipes[4], fd, ns;
	dev_t ro, rw, ro_again, theirs;
	pid_t pid, joiner;
	char path[64];

	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, private_tmpfs_at(BASE));
	ASSERT_EQ(0, mkdir(BASE "/a", 0755));
	ASSERT_EQ(0, mkdir(BASE "/b", 0755));
	ASSERT_EQ(0, mkdir(BASE "/c", 0755));
	fd = open(BASE "/f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);

	/* Read-only and read-write mounts of one namespace: two superblocks. */
	ASSERT_EQ(0, sys_mount("none", BASE "/a", "nullfs_rs", MS_RDONLY, "instance=mntns"));
	ASSERT_EQ(0, sys_mount("none", BASE "/f", "nullfs_rs", 0, "instance=mntns,file"));
	ASSERT_EQ(0, sys_mount("none", BASE "/b", "nullfs_rs", MS_RDONLY, "instance=mntns"));
	ro = dev_of(BASE "/a");
	rw = dev_of(BASE "/f");
	ro_again = dev_of(BASE "/b");
	EXPECT_EQ(ro, ro_again);
	EXPECT_NE(ro, rw);
	/* The read-write file mask takes writes, as /dev/null does. */
	fd = open(BASE "/f", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(2, write(fd, "xy", 2));
	close(fd);

	/*
	 * A namespace owned by a user namespace, which mounted first; root of
	 * the initial user namespace, joining only the mount namespace, gets
	 * a superblock of its own, not EBUSY.
	 */
	ASSERT_EQ(0, pipe(pipes));
	ASSERT_EQ(0, pipe(pipes + 2));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int child_pipes[3] = { pipes[0], pipes[1], pipes[2] };

		close(pipes[3]);
		_exit(userns_owned_ns(child_pipes));
	}
	close(pipes[2]);
	ASSERT_EQ(sizeof(theirs), read(pipes[0], &theirs, sizeof(theirs)));
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ns);
	joiner = fork();
	ASSERT_LE(0, joiner);
	if (joiner == 0) {
		dev_t mine;

		if (setns(ns, CLONE_NEWNS) ||
		    sys_mount("none", BASE "/c", "nullfs_rs", MS_RDONLY, "instance=mntns"))
			_exit(1);
		mine = dev_of(BASE "/c");
		_exit(mine && mine != theirs && mine != dev_of(BASE "/a") ? 0 : 2);
	}
	EXPECT_EQ(0, wait_exit(joiner));
	close(pipes[3]);
	EXPECT_EQ(0, wait_exit(pid));
	close(ns);
	close(pipes[0]);
	close(pipes[1]);
	sys_umount2(BASE, MNT_DETACH);
	rmdir(BASE);
}

/* openat2(RESOLVE_CACHED) of @path: 0 for a descriptor, else errno. */
static int cached_open(const char *path)
{
	struct open_how how = { .flags = O_PATH, .resolve = RESOLVE_CACHED };
	int fd = syscall(__NR_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#define RULE "====================================  ========  ==========  ======="

enum way { SHARED_NULLFS_RS, PER_CONTAINER_NULLFS_RS, SHARED_TMPFS, SHARED_OVERLAY, NWAYS };

static const char *const way_name[NWAYS] = {
	"nullfs_rs, one host instance in both",
	"nullfs_rs, instance=mntns in each",
	"tmpfs, one host instance in both",
	"host directory (overlayfs) in both",
};

struct probe {
	enum way way;
	const char *mask;
	int looked_up;	/* B's answer for A's name */
	int fresh;	/* B's answer for a name nobody looked up */
};

/* Container A: its own namespaces; looks up the secret name. */
static int container_a(void *arg)
{
	struct probe *p = arg;
	struct stat st;

	if (enter_userns())
		return 1;
	if (p->way == PER_CONTAINER_NULLFS_RS &&
	    sys_mount("none", p->mask, "nullfs_rs", 0, "instance=mntns"))
		return 2;
	return stat("/tmp/nullfs_rs_mntns/mask/secret-name", &st) == -1 ? 0 : 3;
}

/* Container B: its own namespaces; probes both names, answers on @out. */
static int container_b(void *arg)
{
	struct probe *p = arg;
	int answers[2];
	int out = p->looked_up;

	if (enter_userns())
		return 1;
	if (p->way == PER_CONTAINER_NULLFS_RS &&
	    sys_mount("none", p->mask, "nullfs_rs", 0, "instance=mntns"))
		return 2;
	answers[0] = cached_open(BASE "/mask/secret-name");
	answers[1] = cached_open(BASE "/mask/other-name");
	return write(out, answers, sizeof(answers)) == sizeof(answers) ? 0 : 3;
}

static int probe_way(struct __test_metadata *_metadata, struct probe *p)
{
	int pipefd[2], answers[2];

	p->mask = BASE "/mask";
	mkdir(p->mask, 0755);
	switch (p->way) {
	case SHARED_NULLFS_RS:
		if (sys_mount("none", p->mask, "nullfs_rs", 0, NULL))
			return -1;
		break;
	case SHARED_TMPFS:
		if (sys_mount("tmpfs", p->mask, "tmpfs", MS_RDONLY, NULL))
			return -1;
		break;
	case SHARED_OVERLAY:
		mkdir(BASE "/lower", 0755);
		mkdir(BASE "/upper", 0755);
		mkdir(BASE "/work", 0755);
		if (sys_mount("overlay", p->mask, "overlay", 0,
			      "lowerdir=" BASE "/lower,upperdir=" BASE "/upper,workdir=" BASE "/work"))
			return -1;
		break;
	default:
		break;
	}
	if (in_child(container_a, p) || pipe(pipefd))
		return -1;
	p->looked_up = pipefd[1];
	if (in_child(container_b, p) ||
	    read(pipefd[0], answers, sizeof(answers)) != sizeof(answers))
		return -1;
	close(pipefd[0]);
	close(pipefd[1]);
	p->looked_up = answers[0];
	p->fresh = answers[1];
	sys_umount2(p->mask, MNT_DETACH);
	return 0;
}

TEST(no_channel_between_containers)
{
	struct probe p[NWAYS];
	int way;

	ASSERT_EQ(0, load_module());
	ASSERT_EQ(0, private_tmpfs_at(BASE));
	for (way = 0; way < NWAYS; way++) {
		p[way].way = way;
		ASSERT_EQ(0, probe_way(_metadata, &p[way])) TH_LOG("%s", way_name[way]);
	}
	/* The table of Documentation/containers.rst. */
	printf("# doc-table: channel begin\n");
	printf("# %s\n# %-36s  %-8s  %-10s  %s\n# %s\n", RULE, "mask", "A's name",
	       "fresh name", "channel", RULE);
	for (way = 0; way < NWAYS; way++)
		printf("# %-36s  %-8s  %-10s  %s\n", way_name[way],
		       p[way].looked_up ? strerrorname_np(p[way].looked_up) : "opens",
		       p[way].fresh ? strerrorname_np(p[way].fresh) : "opens",
		       p[way].looked_up == p[way].fresh ? "closed" : "open");
	printf("# %s\n# doc-table: channel end\n", RULE);
	EXPECT_EQ(EAGAIN, p[SHARED_NULLFS_RS].looked_up);
	EXPECT_EQ(EAGAIN, p[SHARED_NULLFS_RS].fresh);
	EXPECT_EQ(EAGAIN, p[PER_CONTAINER_NULLFS_RS].looked_up);
	EXPECT_EQ(EAGAIN, p[PER_CONTAINER_NULLFS_RS].fresh);
	/* The control: where misses are remembered, B can tell. */
	EXPECT_EQ(ENOENT, p[SHARED_OVERLAY].looked_up);
	EXPECT_EQ(EAGAIN, p[SHARED_OVERLAY].fresh);
	sys_umount2(BASE, MNT_DETACH);
	rmdir(BASE);
}

TEST_HARNESS_MAIN
