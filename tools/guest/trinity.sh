#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test guest: Debian's trinity, the kernel's own syscall
# fuzzer, with its VFS syscalls aimed at a nullfs_rs and a rootfs_rs mount.
#
#   trinity.sh --ops N SEED        N syscalls, then trinity exits
#
# Counted, not timed: a run stopped by SIGINT after a time did not end on
# the debug kernel (trinity's main waits for its children).
#
# trinity runs as nobody, which is how users reach nullfs_rs, and there as
# root of a user namespace of its own with a mount namespace of its own, in
# which it mounted its victims itself: it holds every capability over them,
# so that "the root is unchanged" is more than file permissions (as root of
# the machine it would sooner wreck the guest than the module).  It runs
# twice, half of the run each, with a nullfs_rs and then a rootfs_rs root as
# its victim path (it does not cross into mounts under the one it is
# given), so the files and directories it opens and names are theirs.  Only its
# VFS group of syscalls, 64-bit (the test kernel has no 32-bit entry), and
# no socket fds (trinity 2023.01 crashes setting up its socket cache on
# 7.3).  Afterwards both roots must be the empty directories they were, both
# must unmount and the module must unload; the boot runner fails the run on
# any splat in the kernel log.  Prints TAP.
set -u
self=$(readlink -f "$0")
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
		return 1
	fi
}
# What must not change about a root: type, mode, owner, links, size, and
# its three times to the nanosecond.
root_state() { stat -c '%F %a %u %g %h %s %x %y %z' "$1" && ls -A "$1"; }

# In trinity's namespaces, as their root: mounts TYPE on VICTIM (unless
# TYPE is "inherited"), records its state, runs trinity on it, and writes
# the state before and after to OUT.before and OUT.after.  The state is
# read through a descriptor of the root, not the path: trinity may unmount
# the victim or mount over it in its own namespace, which reveals or hides
# other directories but changes nothing of the root.
if [ "${1:-}" = --in-userns ]; then
	type=$2 victim=$3 out=$4
	shift 4
	[ "$type" = inherited ] || mount -t "$type" none "$victim" || exit 3
	exec {root}<"$victim" || exit 3
	root_state "/proc/self/fd/$root/" >"$out.before"
	"$@" {root}<&-
	status=$?
	root_state "/proc/self/fd/$root/" >"$out.after"
	exit "$status"
fi

[ "${1:-}" = --ops ] || { echo "usage: trinity.sh --ops N SEED" >&2; exit 2; }
mode=$1
amount=${2:?usage: trinity.sh --ops N SEED}
seed=${3:?usage: trinity.sh --ops N SEED}
work=/tmp/trinity
victims=$work/victims
n=0 failed=0

echo "TAP version 13"
echo "1..7"
echo "# trinity $mode $amount, seed $seed"
{ grep -q '^nullfs_rs ' /proc/modules || insmod "$NULLFS_RS_KO"; } &&
	mkdir -p "$victims/nullfs_rs" "$victims/rootfs_rs" "$work/cwd"
if ! result $? "the module is loaded and the victims' mount points are made"; then
	echo "Bail out! no victims to aim trinity at"
	exit 1
fi

# trinity writes its logs and test files where it runs: a directory of
# its own, not the victims', on a small tmpfs of its own.  Its fallocate()
# on a test file or a memfd otherwise fills the guest's memory until the
# OOM killer, whose report is a splat, takes a trinity child (seen once on
# Debian's kernel: 843 MiB of shmem in shmem_fallocate()); the test files
# now run out of space instead, and trinity makes no memfds.
mount -t tmpfs -o size=32m trinity "$work/cwd"
chown nobody: "$work/cwd"
half=$(((amount + 1) / 2))
# trinity stops at any new taint.  Only those that mean a kernel bug count
# here: Debian's kernel taints itself (TAINT_AUX) when a task asks
# fanotify for permission events, which trinity does as a matter of course.
taints=BAD_PAGE,DIE,WARN,MACHINE_CHECK,USER
for type in nullfs_rs rootfs_rs; do
	out=$work/cwd/out-$type
	# rootfs_rs's one superblock belongs to the initial user namespace, and
	# no other may mount it: root mounts it, and trinity's namespace gets a
	# locked copy of that mount.
	mount_as=$type
	if [ "$type" = rootfs_rs ]; then
		mount -t rootfs_rs none "$victims/rootfs_rs" || mount_as=failed
		mount_as=${mount_as/rootfs_rs/inherited}
	fi
	# --dangerous: trinity refuses uid 0 without it, even a namespace's.
	run=(setpriv --reuid=nobody --regid=nogroup --clear-groups
		unshare --user --map-root-user --mount --propagation private
		"$self" --in-userns "$mount_as" "$victims/$type" "$out"
		trinity -q -l off -C 2 -g vfs -a 64 --disable-fds=sockets,memfd -T "$taints"
		--dangerous -V "$victims/$type" -s "$seed")
	cd "$work/cwd" || exit 1
	# A bound, not a timing: a hang must leave the later tests time, and
	# the debug kernel under TCG was seen at 20 to 120 syscalls a second.
	timeout --kill-after=60 $((600 + half / 10)) "${run[@]}" -N "$half" >"$out" 2>&1
	status=$?
	cd / || exit 1
	# Overran its bound (timeout's 124, or 137 once it had to kill): say
	# where trinity's tasks are, and have the kernel dump its blocked ones.
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "# trinity on $type overran its bound; its tasks left:"
		for pid in $(pgrep -u nobody); do
			echo "# $pid $(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) $(cat "/proc/$pid/wchan" 2>/dev/null)"
			sed 's/^/#   /' "/proc/$pid/stack" 2>/dev/null
		done
		echo w >/proc/sysrq-trigger
	fi
	# A child trinity left behind would hold the victim busy: it is
	# trinity's, not the module's, so it goes before the checks.
	pkill -KILL -u nobody
	for _ in $(seq 60); do
		pgrep -u nobody >/dev/null || break
		sleep 1
	done
	tail -n 5 "$out" | sed 's/^/# /'
	# Its last words count what it did: "Ran N syscalls. Successes: ...".
	calls=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' "$out" | tail -n 1)
	echo "# trinity on $type: ${calls:-no} syscalls counted, exit status $status"
	[ "$status" -eq 0 ] && [ "${calls:-0}" -gt 0 ]
	result $? "trinity on $type ran as the root of its user namespace, made syscalls and exited cleanly"
	sed "s/^/# before: /" "$out.before" 2>/dev/null
	sed "s/^/# after:  /" "$out.after" 2>/dev/null
	[ -s "$out.before" ] && cmp -s "$out.before" "$out.after"
	result $? "the $type root is the empty directory it was, to its times' nanoseconds"
done
umount "$work/cwd"

umount "$victims/rootfs_rs"
result $? "the rootfs_rs mount unmounts"
# Its namespaces went with it, and with them its mounts: nothing it did may
# hold the module.  The last references drop after trinity's exit; a bound
# of 60 seconds for a loaded TCG guest, as the upstream selftests' run has.
for _ in $(seq 60); do
	[ "$(cat /sys/module/nullfs_rs/refcnt 2>/dev/null)" = 0 ] && break
	sleep 1
done
rmmod nullfs_rs
result $? "the module unloads: nothing trinity did kept a reference"
[ "$failed" -eq 0 ]
