#!/bin/bash
# Runs in the test guest: the kernel tree's own selftests that build.sh
# built, each as the tree has it (the control) and pointed at nullfs_rs.
# TAP and exit status go to
# $NULLFS_RS_RESULTS/kselftest-upstream-{control,nullfs_rs}-NAME.{tap,exit}
# for tools/results.py, and the negative controls (tmpfs substituted,
# which must fail) as one TAP, kselftest-upstream-negative.tap; problems of the run itself to
# $NULLFS_RS_RESULTS/errors. Loads nullfs_rs.ko if it is not loaded, and
# leaves it loaded but unloadable: every superblock holds a reference on
# the module, so one left over fails the run.
set -u
results=$NULLFS_RS_RESULTS
bindir=$NULLFS_RS_OUT/selftests-upstream

# The tests make directories in "/" (move_mount_test: /mnt_dir, /chroot_dir),
# which the guest shares read-only with the host. So they run in a mount
# namespace of their own whose root is a tmpfs with the guest's top-level
# directories bound into it: the writable root that the tests expect of the
# machine they run on, the same for the control and for nullfs_rs.
enter_writable_root() {
	local root entry
	root=$(mktemp -d /tmp/upstream-root.XXXXXX)
	mount -t tmpfs -o mode=0755 upstream-root "$root"
	# Unbindable while the binds are made: the bind of /tmp, which holds
	# it, leaves it out.
	mount --make-unbindable "$root"
	for entry in /*; do
		if [ -L "$entry" ]; then
			cp -P "$entry" "$root/"
		elif [ -d "$entry" ]; then
			mkdir "$root/${entry##*/}"
			mount --rbind "$entry" "$root/${entry##*/}"
		fi
	done
	# The control clones "/" with open_tree(), which refuses an
	# unbindable mount.
	mount --make-private "$root"
	cd "$root"
	mkdir old-root
	pivot_root . old-root
	cd /
	umount -l /old-root
	rmdir /old-root
}

# The harness's filters (-r FIXTURE:VARIANT:TEST runs only the tests
# named) for the cases that cannot run here, the same for the control and
# for nullfs_rs; Documentation/upstream_selftests.rst says why each is
# left out. fsmount_ns_test: the cases its variants cloexec_only and
# namespace_only skip by the test's own design ("only for basic case",
# "only for FSMOUNT_NAMESPACE case").
filters() {
	local case
	case $1 in
	fsmount_ns_test)
		for case in basic_tmpfs:create_namespace basic_tmpfs:setns_into_namespace \
			basic_tmpfs:verify_mount_properties basic_tmpfs:verify_tmpfs_type \
			cloexec_only:create_namespace namespace_only:create_namespace \
			namespace_only:setns_into_namespace; do
			echo "-r fsmount_ns:$case"
		done
		for case in caps:requires_cap_sys_admin mount_attrs:combined mount_attrs:noatime \
			mount_attrs:noexec mount_attrs:nosuid mount_attrs:readonly \
			userns:create_in_userns userns:setns_in_userns \
			userns:umount_fails_einval userns:umount_succeeds; do
			echo "-r fsmount_ns_${case%%:*}:${case#*:}"
		done
		;;
	esac
}

run_tests() {
	local bin name kind tap status
	for bin in "$bindir"/control/*; do
		name=${bin##*/}
		for kind in control nullfs_rs; do
			tap=$results/kselftest-upstream-$kind-$name
			# shellcheck disable=SC2046 # one option and its argument a line
			timeout 300 "$bindir/$kind/$name" $(filters "$name") >"$tap.tap" 2>&1
			status=$?
			echo "exit $status" >"$tap.exit"
			echo "upstream $kind $name: exit $status," \
				"$(grep -m1 '^# Totals:' "$tap.tap" || echo 'no totals')"
		done
	done
}

# The tmpfs builds: each must fail, or its nullfs_rs twin shows nothing
# that only an empty, immutable root has.
run_negative_controls() {
	local bin name status n=0 tap=$results/kselftest-upstream-negative
	local bins=("$bindir"/tmpfs/*)
	{
		echo "TAP version 13"
		echo "1..${#bins[@]}"
		for bin in "${bins[@]}"; do
			name=${bin##*/}
			n=$((n + 1))
			timeout 300 "$bin" $(filters "$name") >"$tap-$name.log" 2>&1
			status=$?
			# A failure, not a skip (4) or a timeout (124).
			if [ "$status" -ne 0 ] && [ "$status" -ne 4 ] && [ "$status" -ne 124 ]; then
				echo "ok $n ${name}_fails_on_tmpfs"
			else
				echo "# exit $status; $tap-$name.log"
				echo "not ok $n ${name}_fails_on_tmpfs"
			fi
		done
	} >"$tap.tap"
	echo "exit 0" >"$tap.exit"
}

if [ "${1:-}" = --in-writable-root ]; then
	set -e
	enter_writable_root
	set +e
	run_tests
	run_negative_controls
	exit 0
fi

if ! grep -q '^nullfs_rs ' /proc/modules &&
	! insmod "$NULLFS_RS_KO"; then
	echo "upstream selftests: insmod nullfs_rs.ko failed" >>"$results/errors"
	exit 1
fi

if ! unshare --mount --propagation private -- "$BASH" "$0" --in-writable-root; then
	echo "upstream selftests: the writable root could not be set up" >>"$results/errors"
	exit 1
fi

# The namespaces of the tests are gone with their processes; allow the
# last references a moment to drop (a bound for a loaded TCG guest).
for _ in $(seq 60); do
	[ "$(cat /sys/module/nullfs_rs/refcnt)" = 0 ] && exit 0
	sleep 1
done
echo "upstream selftests: nullfs_rs still has $(cat /sys/module/nullfs_rs/refcnt)" \
	"references after its tests" >>"$results/errors"
exit 1
