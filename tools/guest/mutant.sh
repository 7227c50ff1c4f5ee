#!/bin/bash
# Runs in a guest of tools/mutants.sh: the tests named as killers of one
# mutant, against the mutant's build of the module and samples
# ($NULLFS_RS_MODULES), with the project's own test programs
# ($NULLFS_RS_OUT).  Writes one line per killer to
# $NULLFS_RS_RESULTS/killers.txt, "killed KILLER" or "survived KILLER".
#
#   mutant.sh KILLER...    KILLER: kunit:CASE, or kselftest:BINARY
set -u
results=$NULLFS_RS_RESULTS
kmods=$NULLFS_RS_MODULES
export NULLFS_RS_KO=$kmods/module/nullfs_rs.ko
export NULLFS_RS_SAMPLES=$kmods/samples
export NULLFS_RS_SQUATTER_KO=$NULLFS_RS_OUT/selftests-kmod/fs_squatter.ko
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug

verdict() {
	if [ "$2" -eq 0 ]; then echo "survived $1"; else echo "killed $1"; fi >>"$results/killers.txt"
}

for killer; do
	case $killer in
	kunit:*)
		# KUnit runs the suites while the module loads; the named case
		# must have reported, and failed, to kill the mutant.
		case=${killer#kunit:}
		if [ ! -s "$results/kunit.ktap" ] && insmod "$NULLFS_RS_KO"; then
			cat /sys/kernel/debug/kunit/nullfs_rs*/results >"$results/kunit.ktap"
			rmmod nullfs_rs
		fi
		if grep -Eq "^ *not ok [0-9]+ $case\$" "$results/kunit.ktap" 2>/dev/null; then
			verdict "$killer" 1
		elif grep -Eq "^ *ok [0-9]+ $case\$" "$results/kunit.ktap" 2>/dev/null; then
			verdict "$killer" 0
		else
			echo "unknown killer $killer: the case did not report" >>"$results/killers.txt"
		fi
		;;
	kselftest:*)
		binary=${killer#kselftest:}
		(cd "$NULLFS_RS_OUT/selftests" && "./$binary") >"$results/$binary.tap" 2>&1
		rc=$?
		# A skip (4) shows nothing either way: it is no kill.
		verdict "$killer" "$((rc == 0 || rc == 4 ? 0 : 1))"
		grep -q '^nullfs_rs ' /proc/modules && rmmod nullfs_rs
		;;
	*)
		echo "unknown killer $killer" >>"$results/killers.txt"
		;;
	esac
done
exit 0
