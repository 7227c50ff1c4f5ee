// SPDX-License-Identifier: GPL-2.0
/*
 * empty_root: run a command, or look around, with nothing of the host's
 * filesystem in reach.
 *
 *	empty_root [-n] [COMMAND [ARG...]]
 *
 * The process becomes root of a new user namespace, makes a private
 * nullfs_rs instance (an empty, immutable directory that nobody else has)
 * its root and working directory, drops every capability, sets
 * no_new_privs and (unless -n) installs a seccomp filter that refuses to
 * move root or cwd or to mount.  Then it runs COMMAND, or without one
 * prints what it sees.  No privilege is needed; the nullfs_rs module must
 * be loaded.
 *
 * COMMAND is opened before the shed (there is nothing to find it in
 * after) and run from that fd with execveat(AT_EMPTY_PATH).  It must be
 * statically linked: an empty root has no dynamic loader, so the exec of a
 * dynamically linked program fails with ENOENT, as does a script's.
 *
 * Build: gcc -O2 -Wall -D_GNU_SOURCE -isystem <7.3 uapi headers> \
 *	      -o empty_root samples/empty_root.c
 * The steps are in empty_root.h, which the selftest uses too.
 */
#include <stdlib.h>
#include <linux/close_range.h>

#include "empty_root.h"

static void print_usage(const char *argv0)
{
	fprintf(stderr, "Usage: %s [-n] [COMMAND [ARG...]]\n"
		"  -n  no seccomp filter\n"
		"COMMAND is a path (no $PATH search) to a static binary.\n",
		argv0);
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, "empty_root: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char *argv[], char *envp[])
{
	int filter = 1, cmdfd = -1, opt;

	while ((opt = getopt(argc, argv, "+nh")) != -1) {
		if (opt != 'n')
			print_usage(argv[0]);
		filter = 0;
	}

	/*
	 * Whatever fds we inherited could lead back to the host (an fd is a
	 * way out of any root): none of them goes past the exec.  stdin,
	 * stdout and stderr stay, to talk to the caller.
	 */
	if (syscall(__NR_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC))
		die("close_range");
	if (optind < argc) {
		cmdfd = open(argv[optind], O_PATH | O_CLOEXEC);
		if (cmdfd < 0)
			die(argv[optind]);
	}

	if (er_enter_userns())
		die("entering a user namespace");
	if (er_empty_root())
		die("shedding into nullfs_rs (is the module loaded?)");
	if (er_drop_privileges())
		die("dropping privileges");
	if (filter && er_install_seccomp())
		die("installing the seccomp filter (-n: go without)");

	if (cmdfd < 0) {
		er_show(stdout);
		return 0;
	}
	syscall(__NR_execveat, cmdfd, "", &argv[optind], envp, AT_EMPTY_PATH);
	die(argv[optind]);
}
