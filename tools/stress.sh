#!/usr/bin/env bash
# `make stress`: the reliability run on the debug kernel (KASAN, lockdep,
# kmemleak, failslab, debugobjects): stress with rmmod/insmod in a loop,
# every mount allocation failed in turn, hostile input, the user namespace
# rules and the seeded fuzzer, at full length; then the figures.
#
#   NULLFS_RS_STRESS_SECONDS (60), NULLFS_RS_STRESS_THREADS (8),
#   NULLFS_RS_FUZZ_OPS (200000), NULLFS_RS_FUZZ_SEED (random; printed)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NULLFS_RS_TOP"

[ "${NULLFS_RS_FLAVOUR:-}" = debug ] || die "make stress runs on the debug flavour (NULLFS_RS_FLAVOUR=debug)"
export NULLFS_RS_FUZZ_SEED=${NULLFS_RS_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
out=$NULLFS_RS_OUT
results=$out/stress
logs=$out/logs
rm -rf "$results" "$logs"
mkdir -p "$results" "$logs"

for step in setup kernel modules samples selftests; do
	say "$step"
	make -s "$step" >"$logs/$step.log" 2>&1 ||
		die "$step failed: $(grep -m1 -E 'error' "$logs/$step.log" || tail -n1 "$logs/$step.log")"
done

say "booting the debug kernel (fuzzer seed $NULLFS_RS_FUZZ_SEED)"
boot_rc=0
# The guest gets no environment from here but what its command line sets.
tools/boot.sh --results "$results" --timeout "${NULLFS_RS_STRESS_TIMEOUT:-5400}" \
	-- env NULLFS_RS_FUZZ_SEED="$NULLFS_RS_FUZZ_SEED" \
	NULLFS_RS_FUZZ_OPS="${NULLFS_RS_FUZZ_OPS:-200000}" \
	NULLFS_RS_STRESS_SECONDS="${NULLFS_RS_STRESS_SECONDS:-60}" \
	NULLFS_RS_STRESS_THREADS="${NULLFS_RS_STRESS_THREADS:-8}" \
	tools/guest/stress.sh >"$logs/boot.log" 2>&1 || boot_rc=$?

passed=0 failed=0
for tap in "$results"/kselftest-*.tap; do
	[ -e "$tap" ] || break
	passed=$((passed + $(grep -c '^ok ' "$tap")))
	failed=$((failed + $(grep -c '^not ok ' "$tap")))
	grep -E '^# /' "$tap" | sed 's/^# [^:]*:[0-9]*:[a-z_]*://'
done
# The run only counts on the debug kernel it claims.
grep -q 'KernelAddressSanitizer initialized' "$results/console.log" ||
	echo "the guest kernel has no KASAN: not the debug flavour" >>"$results/errors"
splats=0
[ "$boot_rc" -eq 125 ] && splats=$(grep -cE 'WARNING:|BUG:|Oops|KASAN:|suspected memory leak|INFO: lockdep|Call Trace:' "$results/console.log")
leaks=$(grep -c 'unreferenced object' "$results/kmemleak" 2>/dev/null)
leaks=${leaks:-0}
rmmod_mounted=$(sed -n 's/.*rmmod successes while mounted: //p' "$results/kselftest-stress.tap" | head -n1)

echo
echo "fuzzer seed: $NULLFS_RS_FUZZ_SEED (replay: NULLFS_RS_FUZZ_SEED=$NULLFS_RS_FUZZ_SEED make stress)"
echo "splats in dmesg: $splats"
echo "kmemleak reports: $leaks"
echo "slab (other caches dropped): $(cat "$results/slab" 2>/dev/null || echo 'not measured')"
echo "rmmod successes while mounted: ${rmmod_mounted:-not measured}"
[ -s "$results/errors" ] && { cat "$results/errors"; failed=$((failed + 1)); }
[ "$boot_rc" -ne 0 ] && { echo "boot: $(sed -n 's/^FAIL: //p' "$logs/boot.log" | head -n1)"; failed=$((failed + 1)); }
[ "$leaks" -ne 0 ] && failed=$((failed + 1))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
