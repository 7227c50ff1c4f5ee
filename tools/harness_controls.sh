#!/usr/bin/env bash
# Controls of make check's own harness: each feeds a judge a result it must
# refuse, and fails if the judge takes it.  The judges are lib.sh's
# boot_verdict (the kernel logs and taint of every boot) and results.py
# (the count).  With --boot, also a real boot of the test kernel whose
# guest sets a bug taint, which boot.sh must fail.
#
#   harness_controls.sh [--boot]
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NULLFS_RS_TOP"

work=$(mktemp -d "${TMPDIR:-/tmp}/harness.XXXXXX")
trap 'rm -rf "$work"' EXIT
bad=0
# expect WHAT STATUS PATTERN COMMAND...: COMMAND must exit STATUS and, if
# PATTERN is not empty, say it.
expect() {
	local what=$1 status=$2 pattern=$3 rc=0
	shift 3
	"$@" >"$work/out" 2>&1 || rc=$?
	if [ "$rc" -eq "$status" ] && { [ -z "$pattern" ] || grep -qE -- "$pattern" "$work/out"; }; then
		echo "ok: $what"
	else
		echo "FAIL: $what: exit $rc, not $status with /$pattern/:"
		sed 's/^/  /' "$work/out"
		bad=1
	fi
}

# A guest's logs as tools/guest/run.sh leaves them, then one thing wrong.
canary=$(splat_canary 42)
guest() {
	local dir=$work/$1
	mkdir -p "$dir"
	printf '[    1.000000] a line\n[    2.000000] %s\n' "$canary" >"$dir/console.log"
	printf '<6>[    1.000000] a line\n<2>[    2.000000] %s\n' "$canary" >"$dir/dmesg.txt"
	echo 4096 >"$dir/tainted.before"
	echo 4096 >"$dir/tainted.after"
	echo "$dir"
}
verdict() { (boot_verdict "$1" 600 "$2/console.log" "$2" "$canary"); }

dir=$(guest clean)
expect "a clean guest passes" 0 '' verdict 0 "$dir"
dir=$(guest midline)
echo 'boot: ok 2 unshare[    0.710358] WARNING: CPU: 0 PID: 1 at fs/x.c:1' >>"$dir/console.log"
expect "a splat in the middle of a line fails" 125 'shows: .*WARNING: CPU' verdict 0 "$dir"
dir=$(guest deprecation)
echo '[    3.000000] WARNING: The mand mount option has been deprecated and' >>"$dir/console.log"
expect "a deprecation notice that starts WARNING: passes" 0 '' verdict 0 "$dir"
dir=$(guest dmesg-only)
echo '<4>[    3.000000] BUG: unable to handle page fault' >>"$dir/dmesg.txt"
expect "a splat only in dmesg fails" 125 'BUG: unable' verdict 0 "$dir"
dir=$(guest dropped)
echo '[    3.000000] ** 12 printk messages dropped **' >>"$dir/console.log"
expect "dropped printk messages fail" 125 'dropped printk' verdict 0 "$dir"
dir=$(guest no-canary)
sed -i '/splat canary/d' "$dir/dmesg.txt"
expect "a dmesg without the canary fails" 125 'canary in .*dmesg.txt' verdict 0 "$dir"
dir=$(guest stale-canary)
sed -i 's/canary 42/canary 41/' "$dir/console.log"
# Seen as a splat of its own, since it is not this boot's canary.
expect "another boot's canary fails" 125 'canary 41' verdict 0 "$dir"
dir=$(guest taint)
echo $((4096 | 512)) >"$dir/tainted.after"
expect "a WARN taint added by the run fails" 125 'taint went from 4096 to 4608' verdict 0 "$dir"
dir=$(guest taint-before)
echo $((4096 | 512)) >"$dir/tainted.before"
echo $((4096 | 512)) >"$dir/tainted.after"
expect "a taint that was there before the run passes" 0 '' verdict 0 "$dir"
dir=$(guest taint-unread)
: >"$dir/tainted.after"
expect "a taint the guest could not read fails" 125 'did not record its taint' verdict 0 "$dir"
dir=$(guest timeout)
expect "a timeout fails" 124 'did not finish within 600s' verdict 124 "$dir"

# results.py: one binary's TAP against a list of four tests.
mkdir -p "$work/results"
cat >"$work/results/kselftest-harness.tap" <<'EOF'
TAP version 13
1..5
ok 1 global.passes
not ok 2 global.flaky
ok 3 global.flaky
ok 4 global.expected_to_fail # XFAIL not fixed yet
ok 5 global.unfinished # TODO write it
EOF
echo "exit 0" >"$work/results/kselftest-harness.exit"
printf 'kselftest harness %s\n' passes flaky expected_to_fail unfinished >"$work/expected.txt"
kunit_py=$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/src/tools/testing/kunit/kunit.py
count() { python3 tools/results.py "$kunit_py" "$work/expected.txt" "$work/results"; }
expect "results.py: a case that reports twice fails" 0 '^FAIL: kselftest harness \(duplicate flaky\)$' count
expect "results.py: XFAIL is not a pass" 0 '^FAIL: kselftest harness expected_to_fail \(xfail\)$' count
expect "results.py: TODO is not a pass" 0 '^FAIL: kselftest harness unfinished \(todo\)$' count
expect "results.py: the count" 0 '^counts 2 3 0$' count

if [ "${1:-}" = --boot ]; then
	expect "a real guest that taints the kernel fails its boot" 125 'taint went from' \
		tools/boot.sh --results "$work/boot" --timeout 600 -- \
		sh -c 'echo 512 >/proc/sys/kernel/tainted'
fi
exit "$bad"
