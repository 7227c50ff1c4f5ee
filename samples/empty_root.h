/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shedding a process's filesystem state into a private, detached nullfs_rs
 * instance: an empty directory that behaves like one, as root and working
 * directory, reachable from nowhere and reaching nowhere.
 *
 * The steps, each a function below:
 *
 *   er_enter_userns()      become root of a new user namespace, in a new
 *                          mount namespace it owns (no privilege needed);
 *   er_new_nullfs_rs()     fsopen/fsconfig/fsmount a new nullfs_rs
 *                          superblock: a detached mount, in no mount
 *                          namespace that any task is in;
 *   er_shed_into()         make a directory fd the working directory and
 *                          the root;
 *   er_drop_privileges()   drop every capability, for good, and set
 *                          no_new_privs;
 *   er_install_seccomp()   refuse, with EPERM, the calls that could move
 *                          root or cwd again or mount anything.
 *
 * er_empty_root() does the two in the middle and closes the mount fd.  Only raw system calls are
 * used (no libcap, no libseccomp), so this builds against any C library
 * with the 7.3 uapi headers.  Every function returns 0 or -1 with errno
 * set, and prints nothing.
 *
 * The nullfs_rs module must be loaded (fsopen() fails with ENODEV if not).
 */
#ifndef EMPTY_ROOT_H
#define EMPTY_ROOT_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/seccomp.h>

#ifndef __NR_fchroot
#define __NR_fchroot 472	/* new in 7.3 */
#endif

/* Writes @text to the file at @path, as one write(2). */
static inline int er_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret, err;

	if (fd < 0)
		return -1;
	ret = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/*
 * Enters a new user namespace, and a new mount namespace owned by it, as
 * root of the user namespace (mapped to the caller's uid and gid).  Any
 * user may do this.  The mount namespace is needed because fsopen() asks
 * for CAP_SYS_ADMIN over the user namespace that owns the caller's mount
 * namespace, and the initial one belongs to the initial user namespace.
 */
static inline int er_enter_userns(void)
{
	char uid_map[32], gid_map[32];

	snprintf(uid_map, sizeof(uid_map), "0 %u 1", geteuid());
	snprintf(gid_map, sizeof(gid_map), "0 %u 1", getegid());
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -1;
	/* An unprivileged writer of gid_map must give up setgroups() first. */
	if (er_write_file("/proc/self/setgroups", "deny") ||
	    er_write_file("/proc/self/uid_map", uid_map) ||
	    er_write_file("/proc/self/gid_map", gid_map))
		return -1;
	return 0;
}

/*
 * A new nullfs_rs superblock, as a detached mount: returns its fd.
 *
 * fsmount() puts the mount in an anonymous mount namespace of its own,
 * which no task can setns() into; when the last fd to it is closed the
 * mount is dissolved out of that too, and is then in no namespace at all,
 * held only by whoever has it as root or cwd.  No mount attributes: with
 * MOUNT_ATTR_RDONLY a creation would fail with EROFS instead of the
 * ENOENT of an empty directory, and nullfs_rs is no-exec and no-dev
 * already.
 */
static inline int er_new_nullfs_rs(void)
{
	int fsfd, mntfd, err;

	fsfd = syscall(__NR_fsopen, "nullfs_rs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -1;
	if (syscall(__NR_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = errno;
		close(fsfd);
		errno = err;
		return -1;
	}
	mntfd = syscall(__NR_fsmount, fsfd, FSMOUNT_CLOEXEC, 0);
	err = errno;
	close(fsfd);
	errno = err;
	return mntfd;
}

/*
 * Makes the directory @dirfd the working directory and the root.
 *
 * The working directory goes first: a chroot() that left it behind would
 * leave a way out ("../../.." from a cwd outside the root is not clamped).
 * 7.3's fchroot(fd, 0) takes the fd itself; older kernels get chroot(".")
 * of the cwd just set.  Either asks for CAP_SYS_CHROOT in the caller's user
 * namespace, which root of a user namespace has.
 */
static inline int er_shed_into(int dirfd)
{
	if (fchdir(dirfd))
		return -1;
	if (!syscall(__NR_fchroot, dirfd, 0))
		return 0;
	if (errno != ENOSYS)
		return -1;
	return chroot(".");
}

/*
 * Sheds the caller's filesystem state into a private nullfs_rs instance:
 * afterwards "/" and "." are the root of a superblock of nobody else's,
 * and the mount fd is closed, so the mount is in no mount namespace.
 */
static inline int er_empty_root(void)
{
	int mntfd = er_new_nullfs_rs();
	int ret, err;

	if (mntfd < 0)
		return -1;
	ret = er_shed_into(mntfd);
	err = errno;
	close(mntfd);
	errno = err;
	return ret;
}

/*
 * Gives up every capability for good: the bounding set (so that an exec by
 * uid 0 gains nothing back; this needs CAP_SETPCAP, hence done first), the
 * ambient set, then effective, permitted and inheritable with capset().
 * Last no_new_privs, so no exec can gain privilege (setuid files, file
 * capabilities) ever again; seccomp filters need it too.
 */
static inline int er_drop_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -1;
	memset(data, 0, sizeof(data));
	if (syscall(__NR_capset, &hdr, data))
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/*
 * Installs a seccomp filter that fails the calls in denied[] below with
 * EPERM and allows everything else.  A classic BPF program, written by
 * hand:
 *
 *	load arch;  if not x86-64: kill the process
 *	load nr;    if an x32 call (nr has __X32_SYSCALL_BIT): EPERM
 *	for each denied call: if nr is it: EPERM
 *	allow
 *
 * Checking the arch matters: a call has another number in another ABI, and
 * a filter that looked at numbers only would be bypassed by switching.
 * Installing a filter needs no_new_privs (or CAP_SYS_ADMIN); the filter
 * is inherited by children and kept across exec.  x86-64 only, as written.
 *
 * Without it, a process with no capabilities can still chdir() about
 * inside its empty root (harmless: there is nowhere to go), and can never
 * chroot() again; the filter makes that explicit and also covers calls a
 * future kernel might allow unprivileged.
 */
static inline int er_install_seccomp(void)
{
#if defined(__x86_64__)
	static const unsigned int denied[] = {
		/* Moving root or cwd. */
		__NR_chdir, __NR_fchdir, __NR_chroot, __NR_fchroot,
		/* Mounting, by either API, and changing mounts. */
		__NR_mount, __NR_umount2, __NR_pivot_root, __NR_mount_setattr,
		__NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick,
		__NR_move_mount, __NR_open_tree,
#ifdef __NR_open_tree_attr
		__NR_open_tree_attr,
#endif
		/* Namespaces, which bring a root and cwd of their own. */
		__NR_unshare, __NR_setns,
	};
#define ER_NR_DENIED (sizeof(denied) / sizeof(denied[0]))
	/* 4 to check the arch and load nr, 2 for x32, 2 per call, 1 allow */
	struct sock_filter filter[4 + 2 + 2 * ER_NR_DENIED + 1];
	struct sock_fprog prog;
	unsigned int i, n = 0;

	filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				offsetof(struct seccomp_data, arch));
	filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				AUDIT_ARCH_X86_64, 1, 0);
	filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
				SECCOMP_RET_KILL_PROCESS);
	filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				offsetof(struct seccomp_data, nr));
	/*
	 * x32 calls come with AUDIT_ARCH_X86_64 too, their numbers with bit
	 * 30 set: refuse that whole ABI.  Each test jumps over nothing when
	 * it matches (to the refusal right after it) and over the refusal
	 * when it does not.
	 */
	filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
				__X32_SYSCALL_BIT, 0, 1);
	filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
				SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	for (i = 0; i < ER_NR_DENIED; i++) {
		filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					denied[i], 0, 1);
		filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	}
	filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
				SECCOMP_RET_ALLOW);

	prog.len = n;
	prog.filter = filter;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
#undef ER_NR_DENIED
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* How a call went: "ok" or the errno's name, for er_show(). */
static inline const char *er_result(int ret)
{
	const char *name;

	if (ret >= 0)
		return "ok";
	name = strerrorname_np(errno);
	return name ? name : "?";
}

/*
 * Prints what the process sees of its filesystem (what the sample does
 * without a command to run): what "/" is, what it holds, and what happens
 * on trying to create something in it, look something up or walk out.
 */
static inline void er_show(FILE *out)
{
	char cwd[256];
	struct statfs sfs;
	struct stat st;
	struct dirent *d;
	DIR *dir;
	int ret;

	ret = stat("/", &st);
	fprintf(out, "stat(\"/\"):                %s", er_result(ret));
	if (!ret)
		fprintf(out, ", mode %o, uid %u, inode %lu, %lu links",
			st.st_mode, st.st_uid, (unsigned long)st.st_ino,
			(unsigned long)st.st_nlink);
	fputc('\n', out);

	ret = statfs("/", &sfs);
	fprintf(out, "statfs(\"/\"):              %s", er_result(ret));
	if (!ret)
		fprintf(out, ", f_type %#lx", (unsigned long)sfs.f_type);
	fputc('\n', out);

	dir = opendir("/");
	fprintf(out, "readdir(\"/\"):             %s", dir ? "ok:" : er_result(-1));
	while (dir && (d = readdir(dir)))
		fprintf(out, " \"%s\"", d->d_name);
	if (dir)
		closedir(dir);
	fputc('\n', out);

	ret = open("/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	fprintf(out, "open(\"/x\", O_CREAT):      %s\n", er_result(ret));
	if (ret >= 0)
		close(ret);
	fprintf(out, "mkdir(\"/x\"):              %s\n", er_result(mkdir("/x", 0755)));
	ret = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	fprintf(out, "open(\"/etc/passwd\"):      %s\n", er_result(ret));
	if (ret >= 0)
		close(ret);
	fprintf(out, "chdir(\"..\"):              %s\n", er_result(chdir("..")));
	ret = syscall(__NR_getcwd, cwd, sizeof(cwd));
	fprintf(out, "getcwd():                 %s%s%s\n", er_result(ret),
		ret > 0 ? ": " : "", ret > 0 ? cwd : "");
	fprintf(out, "unshare(CLONE_NEWUSER):   %s\n",
		er_result(unshare(CLONE_NEWUSER)));
}

#endif /* EMPTY_ROOT_H */
