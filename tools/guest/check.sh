#!/bin/bash
# Runs inside the test guest for `make check`: loads the module once to run
# its KUnit suites, then runs every kselftest binary.  Results land in
# $NULLFS_RS_RESULTS for the host to count.
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

for test in "$NULLFS_RS_OUT"/selftests/*; do
	[ -f "$test" ] && [ -x "$test" ] || continue
	name=$(basename "$test")
	echo "running $name"
	timeout 300 "$test" >"$results/kselftest-$name.tap" 2>&1
	echo "exit $?" >"$results/kselftest-$name.exit"
done

# The tests leave the module loaded; it must unload now that they are done,
# or something they mounted or opened leaked.
if grep -q '^nullfs_rs ' /proc/modules && ! rmmod nullfs_rs; then
	echo "rmmod nullfs_rs failed after the tests" >>"$results/errors"
fi

# The module as `make install` put it (the host ran it into $results):
# loaded by the kernel when a mount names its type, then by the OCI
# runtimes' mounts, with no insmod.
"$NULLFS_RS_TOP/tools/guest/autoload.sh" "$results/modroot" >"$results/kselftest-autoload.tap" 2>&1
echo "exit $?" >"$results/kselftest-autoload.exit"
timeout 900 python3 "$NULLFS_RS_TOP/tools/guest/oci.py" >"$results/kselftest-oci.tap" 2>&1
echo "exit $?" >"$results/kselftest-oci.exit"
if grep -q '^nullfs_rs ' /proc/modules && ! rmmod nullfs_rs; then
	echo "rmmod nullfs_rs failed after the container tests" >>"$results/errors"
fi
dmesg >"$results/dmesg.txt"
