#!/bin/bash
# Runs inside the debug guest for `make stress`: kmemleak cleared, the
# reliability kselftests at full length, then the figures: slab delta of
# the module's objects, kmemleak reports.  TAP goes to $NULLFS_RS_RESULTS.
set -u
results=$NULLFS_RS_RESULTS
export NULLFS_RS_KO=$NULLFS_RS_OUT/module/nullfs_rs.ko
export NULLFS_RS_SAMPLES=$NULLFS_RS_OUT/samples
export NULLFS_RS_STRESS_SECONDS NULLFS_RS_STRESS_THREADS NULLFS_RS_FUZZ_OPS NULLFS_RS_FUZZ_SEED
trinity_ops=${NULLFS_RS_TRINITY_OPS:-40000}

mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
kmemleak=/sys/kernel/debug/kmemleak
if [ ! -w "$kmemleak" ]; then
	echo "no kmemleak in this kernel: not the debug flavour" >>"$results/errors"
else
	# Whatever boot left unreferenced is not ours to report.
	echo clear >"$kmemleak"
fi
inodes() { echo 2 >/proc/sys/vm/drop_caches; awk '$1 == "inode_cache" { print $2 }' /proc/slabinfo; }
inodes_before=$(inodes)

for test in stress fault_injection hostile fuzz; do
	echo "running $test"
	timeout 1800 "$NULLFS_RS_OUT/selftests/$test" >"$results/kselftest-$test.tap" 2>&1
	echo "exit $?" >"$results/kselftest-$test.exit"
done

"$NULLFS_RS_TOP/tools/guest/trinity.sh" --ops "$trinity_ops" "$NULLFS_RS_FUZZ_SEED" \
	>"$results/kselftest-trinity.tap" 2>&1
echo "exit $?" >"$results/kselftest-trinity.exit"

# The OCI runtimes, rootful and rootless, on this kernel too, with the
# module as `make install` left it for this kernel (the host ran it).
"$NULLFS_RS_TOP/tools/guest/autoload.sh" "$results/modroot" >"$results/kselftest-autoload.tap" 2>&1
echo "exit $?" >"$results/kselftest-autoload.exit"
timeout 1800 python3 "$NULLFS_RS_TOP/tools/guest/oci.py" >"$results/kselftest-oci.tap" 2>&1
echo "exit $?" >"$results/kselftest-oci.exit"

if grep -q '^nullfs_rs ' /proc/modules && ! rmmod nullfs_rs; then
	echo "rmmod nullfs_rs failed after the tests" >>"$results/errors"
fi
sleep 2
inodes_after=$(inodes)
echo "inode_cache $inodes_before -> $inodes_after" >"$results/slab"
if [ -w "$kmemleak" ]; then
	# An object must be unreferenced for a few seconds and two scans.
	sleep 6
	echo scan >"$kmemleak"
	sleep 1
	echo scan >"$kmemleak"
	cat "$kmemleak" >"$results/kmemleak"
fi
