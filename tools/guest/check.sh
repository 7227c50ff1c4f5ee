#!/bin/bash
# Runs inside the test guest for `make check`: loads the module once to run
# its KUnit suites, then runs the kselftests with the kselftest runner.
# Results land in $NULLFS_RS_RESULTS for the host to count.
#
# The test programs are the project's build ($NULLFS_RS_OUT); the kernel
# modules are the ones built for the kernel the guest runs
# ($NULLFS_RS_MODULES: the same directory on the project's kernel, the
# stock build on Debian's).
set -u
results=$NULLFS_RS_RESULTS
kmods=${NULLFS_RS_MODULES:-$NULLFS_RS_OUT}
ko=$kmods/module/nullfs_rs.ko
export NULLFS_RS_KO=$ko
export NULLFS_RS_SAMPLES=$kmods/samples
export NULLFS_RS_SQUATTER_KO=$kmods/selftests-kmod/fs_squatter.ko

mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug

# Before anything loads: the modules' layouts, vfs/layout.c's entries and
# every type their objects' debug info has, against the running kernel's
# own BTF.  Modules whose layouts differ are not loaded at all.
if [ -r /sys/kernel/btf/vmlinux ]; then
	python3 "$NULLFS_RS_TOP/tools/btf_layout.py" --tap \
		"$kmods/module/vfs/layout.rs" "$kmods/module/nullfs_rs.mod" \
		"$kmods/samples/init_fs_layout.rs" "$kmods/samples/rust_init_fs.mod" \
		"$kmods/samples/c_init_fs.mod" /sys/kernel/btf/vmlinux >"$results/kselftest-btf_layout.tap" 2>&1
	status=$?
	echo "exit $status" >"$results/kselftest-btf_layout.exit"
	if [ "$status" -ne 0 ]; then
		echo "the modules' layouts differ from the running kernel's BTF: not loaded" >>"$results/errors"
		exit 1
	fi
else
	echo "the running kernel has no /sys/kernel/btf/vmlinux: layouts not checked, modules not loaded" >>"$results/errors"
	exit 1
fi

# KUnit runs a module's suites while the module is being loaded.
if insmod "$ko"; then
	for suite in /sys/kernel/debug/kunit/nullfs_rs*/; do
		[ -d "$suite" ] && cp "$suite/results" "$results/kunit-$(basename "$suite").ktap"
	done
	rmmod nullfs_rs || echo "rmmod nullfs_rs failed after KUnit" >>"$results/errors"
else
	echo "insmod $ko failed" >>"$results/errors"
fi

# The kselftests, run by the kselftest runner from where build.sh installed
# them: each binary's output (the runner prefixes it with "# ") becomes its
# TAP, and the runner's verdict on the binary its exit status (124 for a
# timeout).
logs=$(mktemp -d)
"$NULLFS_RS_OUT/selftests-install/run_kselftest.sh" --per-test-log "$logs" \
	>"$results/kselftest-runner.log" 2>&1
while read -r verdict; do
	name=${verdict#*selftests: nullfs_rs: }
	name=${name%% *}
	case $verdict in
	"not ok "*"# TIMEOUT"*) status=124 ;;
	"not ok "*"# exit="*) status=${verdict##*# exit=} ;;
	"not ok "*) status=1 ;;
	*"# SKIP"*) status=4 ;;
	*) status=0 ;;
	esac
	sed 's/^# //' "$logs/$name" >"$results/kselftest-$name.tap"
	echo "exit $status" >"$results/kselftest-$name.exit"
done < <(grep -E '^(not )?ok [0-9]+ selftests: nullfs_rs: ' "$results/kselftest-runner.log")
grep -q '^TAP version' "$results/kselftest-runner.log" ||
	echo "the kselftest runner did not run: $(head -n1 "$results/kselftest-runner.log")" \
		>>"$results/errors"
rm -rf "$logs"

# The kernel tree's own selftests, as they are and pointed at nullfs_rs
# (tools/selftests/upstream/); they leave the module loaded and unloadable.
"$NULLFS_RS_TOP/tools/selftests/upstream/run.sh"

# trinity, short: a counted run aimed at both types' mounts.
"$NULLFS_RS_TOP/tools/guest/trinity.sh" --ops 20000 1 >"$results/kselftest-trinity.tap" 2>&1
echo "exit $?" >"$results/kselftest-trinity.exit"

# The tests leave the module loaded; it must unload now that they are done,
# or something they mounted or opened leaked.
if grep -q '^nullfs_rs ' /proc/modules && ! rmmod nullfs_rs; then
	echo "rmmod nullfs_rs failed after the tests" >>"$results/errors"
fi

# The module as `make install` put it (the host ran it into $results):
# loaded by the kernel when a mount names its type, then by the OCI
# runtimes' mounts, with no insmod; then podman on top of them.
"$NULLFS_RS_TOP/tools/guest/autoload.sh" "$results/modroot" >"$results/kselftest-autoload.tap" 2>&1
echo "exit $?" >"$results/kselftest-autoload.exit"
timeout 900 python3 "$NULLFS_RS_TOP/tools/guest/oci.py" >"$results/kselftest-oci.tap" 2>&1
echo "exit $?" >"$results/kselftest-oci.exit"
timeout 900 python3 "$NULLFS_RS_TOP/tools/guest/podman.py" >"$results/kselftest-podman.tap" 2>&1
echo "exit $?" >"$results/kselftest-podman.exit"
if grep -q '^nullfs_rs ' /proc/modules && ! rmmod nullfs_rs; then
	echo "rmmod nullfs_rs failed after the container tests" >>"$results/errors"
fi

# The module dkms built and installed, where the host's check put it.
if [ -f "$kmods/dkms/nullfs_rs.ko" ]; then
	"$NULLFS_RS_TOP/tools/guest/dkms.sh" "$kmods/dkms/nullfs_rs.ko" >"$results/kselftest-dkms.tap" 2>&1
	echo "exit $?" >"$results/kselftest-dkms.exit"
fi
