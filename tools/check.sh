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

say "booting the test kernel"
boot_rc=0
tools/boot.sh --results "$results" --timeout "${NULLFS_RS_CHECK_TIMEOUT:-900}" \
	-- tools/guest/check.sh >"$logs/boot.log" 2>&1 || boot_rc=$?
if [ "$boot_rc" -ne 0 ]; then
	echo "FAIL: boot: $(sed -n 's/^FAIL: //p' "$logs/boot.log" | head -n1 | grep . || echo "guest exited with $boot_rc")"
	failed=$((failed + 1))
else
	echo "ok: boot (guest kernel log clean)"
	passed=$((passed + 1))
fi
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
	if [ "$unshare_rc" -ne 0 ]; then
		echo "FAIL: PID 1 $scenario boot: $(sed -n 's/^FAIL: //p' "$logs/unshare_init-$scenario.log" | head -n1 | grep . || tail -n1 "$logs/unshare_init-$scenario.log")"
		failed=$((failed + 1))
	else
		echo "ok: PID 1 $scenario boot ('Pid 1 stopped sharing' as expected, log otherwise clean)"
		passed=$((passed + 1))
	fi
	while IFS= read -r line; do
		case $line in
		"unshare_init: ok "*) echo "ok: $scenario: ${line#*ok [0-9]* }"; passed=$((passed + 1)) ;;
		"unshare_init: not ok "*) echo "FAIL: $scenario: ${line#*not ok [0-9]* }"; failed=$((failed + 1)) ;;
		esac
	done < <(cat "$boot_out/console.log" 2>/dev/null)
done

# KUnit: count the test cases of each suite (the lines one level in).
for ktap in "$results"/kunit-*.ktap; do
	[ -e "$ktap" ] || { echo "FAIL: no KUnit results"; failed=$((failed + 1)); break; }
	suite=$(basename "$ktap" .ktap)
	while IFS= read -r line; do
		case $line in
		"    ok "*"# SKIP"*) echo "skip: $suite: ${line#*ok }"; skipped=$((skipped + 1)) ;;
		"    ok "*) echo "ok: $suite: ${line#*ok }"; passed=$((passed + 1)) ;;
		"    not ok "*) echo "FAIL: $suite: ${line#*not ok }"; failed=$((failed + 1)) ;;
		esac
	done <"$ktap"
done

# kselftests: count the harness's top-level TAP lines; a binary that died
# without a plan or with a bad exit status counts as one failure more.
for tap in "$results"/kselftest-*.tap; do
	[ -e "$tap" ] || { echo "FAIL: no kselftest results"; failed=$((failed + 1)); break; }
	name=$(basename "$tap" .tap)
	name=${name#kselftest-}
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*) echo "skip: $name: ${line#ok }"; skipped=$((skipped + 1)) ;;
		"ok "*) echo "ok: $name: ${line#ok [0-9]* }"; passed=$((passed + 1)) ;;
		"not ok "*) echo "FAIL: $name: ${line#not ok [0-9]* }"; failed=$((failed + 1)) ;;
		esac
	done <"$tap"
	status=$(sed -n 's/^exit //p' "${tap%.tap}.exit" 2>/dev/null)
	if [ "$status" != 0 ] && [ "$status" != 4 ] && ! grep -q '^not ok ' "$tap"; then
		echo "FAIL: $name: exited with status ${status:-unknown} (log: $tap)"
		failed=$((failed + 1))
	fi
done

# The tables of Documentation/masking.rst and empty_root.rst are what the
# masking and empty_root tests printed this time.
check doc-tables python3 tools/selftests/doc_tables.py "$results"
finish
