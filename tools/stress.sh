#!/usr/bin/env bash
# `make stress`: the reliability run on the debug kernel (KASAN, lockdep,
# kmemleak, failslab, debugobjects): stress with rmmod/insmod in a loop,
# every mount allocation failed in turn, hostile input, the user namespace
# rules and the seeded fuzzer, at full length; trinity for a count of syscalls;
# the OCI runtimes' container tests on this kernel too; then the figures.
#
#   NULLFS_RS_STRESS_SECONDS (60), NULLFS_RS_STRESS_THREADS (8),
#   NULLFS_RS_FUZZ_OPS (200000), NULLFS_RS_FUZZ_SEED (random; printed; also
#   trinity's seed), NULLFS_RS_TRINITY_OPS (40000)
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

# The module tree the guest's autoload and container tests load it from.
make -s install INSTALL_MOD_PATH="$results/modroot" >"$logs/install.log" 2>&1 ||
	die "make install failed: $(tail -n1 "$logs/install.log")"

say "booting the debug kernel (fuzzer seed $NULLFS_RS_FUZZ_SEED)"
boot_rc=0
# The guest gets no environment from here but what its command line sets.
tools/boot.sh --results "$results" --timeout "${NULLFS_RS_STRESS_TIMEOUT:-5400}" \
	-- env NULLFS_RS_FUZZ_SEED="$NULLFS_RS_FUZZ_SEED" \
	NULLFS_RS_FUZZ_OPS="${NULLFS_RS_FUZZ_OPS:-200000}" \
	NULLFS_RS_STRESS_SECONDS="${NULLFS_RS_STRESS_SECONDS:-60}" \
	NULLFS_RS_STRESS_THREADS="${NULLFS_RS_STRESS_THREADS:-8}" \
	NULLFS_RS_TRINITY_OPS="${NULLFS_RS_TRINITY_OPS:-40000}" \
	tools/guest/stress.sh >"$logs/boot.log" 2>&1 || boot_rc=$?

passed=0 failed=0 skipped=0
for test in stress fault_injection hostile fuzz trinity autoload oci; do
	tap=$results/kselftest-$test.tap
	status=$(sed -n 's/^exit //p' "$results/kselftest-$test.exit" 2>/dev/null)
	grep -E '^# /' "$tap" 2>/dev/null | sed 's/^# [^:]*:[0-9]*:[a-z_]*://'
	skipped=$((skipped + $(grep -c '^ok .*# SKIP' "$tap" 2>/dev/null)))
	passed=$((passed + $(grep '^ok ' "$tap" 2>/dev/null | grep -vc '# SKIP')))
	failed=$((failed + $(grep -c '^not ok ' "$tap" 2>/dev/null)))
	# Killed, or never run: no TAP line says so.
	if [ "$status" != 0 ] && [ "$status" != 4 ] && ! grep -q '^not ok ' "$tap" 2>/dev/null; then
		echo "$test: exited with status ${status:-unknown}"
		failed=$((failed + 1))
	fi
done
# The run only counts on the debug kernel it claims.
grep -q 'KernelAddressSanitizer initialized' "$results/console.log" ||
	echo "the guest kernel has no KASAN: not the debug flavour" >>"$results/errors"
# A report's "Call Trace:" is part of it, not one more, and the canary of
# tools/guest/run.sh none (boot.sh has already failed if it was missing).
splats=$(splat_in "$results/console.log" 2>/dev/null |
	grep -v 'nullfs_rs splat canary' | grep -vc 'Call Trace:')
leaks=$(grep -c 'unreferenced object' "$results/kmemleak" 2>/dev/null)
leaks=${leaks:-0}
rmmod_mounted=$(sed -n 's/.*rmmod successes with a mount held: //p' "$results/kselftest-stress.tap" | head -n1)
unloaded_mounts=$(sed -n 's/.*mounts while unloaded: //p' "$results/kselftest-stress.tap" | head -n1)

echo
echo "fuzzer seed: $NULLFS_RS_FUZZ_SEED (replay: NULLFS_RS_FUZZ_SEED=$NULLFS_RS_FUZZ_SEED make stress)"
echo "splats in dmesg: $splats"
echo "kmemleak reports: $leaks"
echo "inode slab before and after (other caches dropped): $(cat "$results/slab" 2>/dev/null || echo 'not measured')"
echo "rmmod successes with a mount held: ${rmmod_mounted:-not measured}"
echo "mounts that succeeded while the module was unloaded: ${unloaded_mounts:-not measured}"
[ -s "$results/errors" ] && { cat "$results/errors"; failed=$((failed + 1)); }
[ "$boot_rc" -ne 0 ] && { echo "boot: $(sed -n 's/^FAIL: //p' "$logs/boot.log" | head -n1)"; failed=$((failed + 1)); }
[ "$leaks" -ne 0 ] && failed=$((failed + 1))
[ "$splats" -ne 0 ] && [ "$boot_rc" -eq 0 ] && failed=$((failed + 1))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
