#!/usr/bin/env bash
# `make check`: set up and build what is missing, lint, boot the test kernel
# once, run the module's KUnit suites and the kselftests in it, and count.
# The last line is "N passed, N failed, N skipped"; the exit status is
# non-zero if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NULLFS_RS_TOP"

out=$NULLFS_RS_OUT
logs=$out/logs
results=$out/results
rm -rf "$logs" "$results"
mkdir -p "$logs" "$results"
passed=0 failed=0 skipped=0

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}
# A step every later one depends on: on failure, say why in one line and stop.
step() {
	local what=$1 log=$logs/$2
	shift 2
	say "$what"
	if ! "$@" >"$log" 2>&1; then
		local reason
		# Our scripts' own "name.sh: error: ..." line says it best.
		reason=$(grep -m1 -E '^[[:alnum:]_.-]+\.sh: error: ' "$log" ||
			grep -m1 -E 'error|FAIL' "$log" || tail -n1 "$log")
		echo "FAIL: $what: $reason (log: $log)"
		failed=$((failed + 1))
		finish
	fi
}
# One counted check.
check() {
	local what=$1
	shift
	if "$@" >"$logs/$what.log" 2>&1; then
		echo "ok: $what"
		passed=$((passed + 1))
	else
		echo "FAIL: $what (log: $logs/$what.log)"
		failed=$((failed + 1))
	fi
}

step "toolchain" setup.log tools/setup.sh
step "kernel" kernel.log tools/kernel/build.sh
step "module" module.log make -s modules
step "samples" samples.log make -s samples
step "selftests" selftests.log make -s selftests

check lint-rustfmt tools/lint.sh rustfmt
check lint-clippy tools/lint.sh clippy
check lint-checkpatch tools/lint.sh checkpatch

# Every boot writes results/boot-NAME.log: "boot: ok N WHAT" or
# "boot: not ok N WHAT" lines, N 0 for the boot itself (timeout, splats),
# counted with the rest against tools/expected_tests.txt.
boot_result() {
	local name=$1 rc=$2 log=$3 why
	if [ "$rc" -eq 0 ]; then
		echo "boot: ok 0 the guest ran and its kernel log is clean"
	else
		why=$(sed -n 's/^FAIL: //p' "$log" | head -n1 | grep . || tail -n1 "$log")
		echo "boot: not ok 0 the guest ran and its kernel log is clean"
		echo "FAIL: boot $name: $why" >&2
	fi
}

# What users install it with: the module tree `make install` makes, which
# the guest's autoload and container tests load it from, and dkms.
check install make -s install INSTALL_MOD_PATH="$results/modroot"
check dkms-build tools/dkms_build.sh

say "booting the test kernel"
boot_rc=0
tools/boot.sh --results "$results" --timeout "${NULLFS_RS_CHECK_TIMEOUT:-3600}" \
	-- tools/guest/check.sh >"$logs/boot.log" 2>&1 || boot_rc=$?
boot_result main "$boot_rc" "$logs/boot.log" >"$results/boot-main.log"
if [ -s "$results/errors" ]; then
	while IFS= read -r line; do echo "FAIL: guest: $line"; done <"$results/errors"
	failed=$((failed + $(wc -l <"$results/errors")))
fi

# Boots whose PID 1 stops sharing its fs state, or does something else the
# guard must survive.
for scenario in clone_fs clone_newns thread tmpfs_over_root pivot_root; do
	say "booting with a PID 1 that does $scenario"
	boot_out=$out/unshare_init/$scenario
	unshare_rc=0
	tools/unshare_init_boot.sh "$boot_out" "$scenario" >"$logs/unshare_init-$scenario.log" 2>&1 ||
		unshare_rc=$?
	{
		boot_result "$scenario" "$unshare_rc" "$logs/unshare_init-$scenario.log"
		sed -n 's/^unshare_init: /boot: /p' "$boot_out/console.log" 2>/dev/null
	} >"$results/boot-$scenario.log"
done

# What ran, against what should have: the KUnit suites and kselftests,
# read with the kernel's own (K)TAP parser, and the boots.
kunit_py=$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/src/tools/testing/kunit/kunit.py
python3 tools/results.py "$kunit_py" tools/expected_tests.txt "$results" >"$logs/results.log" 2>&1
grep -v '^counts ' "$logs/results.log"
read -r _ p f s < <(grep '^counts ' "$logs/results.log" || echo "counts 0 1 0")
passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))

# The tables of Documentation/masking.rst, empty_root.rst and containers.rst
# are what the masking, empty_root and container tests printed this time.
check doc-tables python3 tools/selftests/doc_tables.py "$results"
finish
