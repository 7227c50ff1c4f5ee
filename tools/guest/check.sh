#!/bin/bash
# Runs inside the test guest for `make check`: loads the module once to run
# its KUnit suites, then runs the kselftests with the kselftest runner.
# Results land in $NULLFS_RS_RESULTS for the host to count.
set -u
results=$NULLFS_RS_RESULTS
ko=$NULLFS_RS_OUT/module/nullfs_rs.ko
export NULLFS_RS_KO=$ko
export NULLFS_RS_SAMPLES=$NULLFS_RS_OUT/samples
export NULLFS_RS_SQUATTER_KO=$NULLFS_RS_OUT/selftests-kmod/fs_squatter.ko

mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug

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
dmesg >"$results/dmesg.txt"
