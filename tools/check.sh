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
check lint-layout tools/lint.sh layout
check lint-layout-control tools/lint.sh layout-control
# What the modules were built with, against the test kernel's own BTF:
# vfs/layout.c's entries and every type their objects' debug info has.
# (The build checks the same; this counts it.)
kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
check btf-layout python3 tools/btf_layout.py "$out/module/vfs/layout.rs" "$out/module/nullfs_rs.mod" \
	"$out/samples/init_fs_layout.rs" "$out/samples/rust_init_fs.mod" "$out/samples/c_init_fs.mod" \
	"$kdir/vmlinux"
# The tool that rewrites a spec's maskedPaths to nullfs_rs mounts.
check oci-mask-tool python3 tools/oci_mask_test.py
# The judges of this run refuse what they must (tools/harness_controls.sh).
check harness-controls tools/harness_controls.sh --boot
# The guard's cost, in instructions an empty scope runs, against C's.
check guard-instructions tools/bench/guard_insns.py \
	"$out/samples/rust_init_fs.ko" "$out/samples/c_init_fs.ko"

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
rm -rf "$NULLFS_RS_OUT/dkms"
check dkms-build tools/dkms_build.sh "" "$NULLFS_RS_OUT/dkms"

# The boots of one kernel, the project's or, given RELEASE, Debian's
# image of it: the guest's battery (boot "main", or "stock"), and the boots
# whose PID 1 stops sharing its fs state, or does something else the guard
# must survive.  Each boot writes RESULTS/boot-SCENARIO.log.
#   boots WHAT RESULTS [RELEASE]
boots() {
	local name=$1 dir=$2 release=${3:-} stock=() main=main boot_rc scenario boot_out unshare_rc
	[ -z "$release" ] || { stock=(--stock "$release"); main=stock; }
	say "booting $name"
	boot_rc=0
	tools/boot.sh "${stock[@]}" --results "$dir" --timeout "${NULLFS_RS_CHECK_TIMEOUT:-3600}" \
		-- tools/guest/check.sh >"$logs/boot-$main.log" 2>&1 || boot_rc=$?
	boot_result "$main" "$boot_rc" "$logs/boot-$main.log" >"$dir/boot-$main.log"
	if [ -s "$dir/errors" ]; then
		while IFS= read -r line; do echo "FAIL: $name: guest: $line"; done <"$dir/errors"
		failed=$((failed + $(wc -l <"$dir/errors")))
	fi
	for scenario in clone_fs clone_newns thread tmpfs_over_root pivot_root nullfs_rs_root; do
		say "booting $name with a PID 1 that does $scenario"
		boot_out=$out/unshare_init/${release:+$release-}$scenario
		unshare_rc=0
		tools/unshare_init_boot.sh "$boot_out" "$scenario" $release \
			>"$logs/unshare_init-${release:+$release-}$scenario.log" 2>&1 || unshare_rc=$?
		{
			boot_result "$scenario" "$unshare_rc" "$logs/unshare_init-${release:+$release-}$scenario.log"
			sed -n 's/^unshare_init: /boot: /p' "$boot_out/results.txt" 2>/dev/null
		} >"$dir/boot-$scenario.log"
	done
}
boots "the test kernel" "$results"

# Debian's stock kernel as it ships (tools/stock/): the module built for
# each flavour in a Debian 13 build root with the compilers the kernel's
# config names, its symbols proved against that kernel's Module.symvers;
# for the default flavour also installed with make install and with dkms,
# and tested in a boot of Debian's own, unmodified image.
. tools/stock/kernels.sh
in_root() { tools/stock/root.sh RUN "$@"; }
stock_results=$results/stock
mkdir -p "$stock_results"
say "Debian's stock kernel: build root"
check stock-root tools/stock/root.sh
for release in "${STOCK_RELEASES[@]}"; do
	say "Debian's stock kernel: build for $release"
	targets=(modules)
	[ "$release" != "$STOCK_BOOT_RELEASE" ] || targets+=(samples selftests-kmod)
	check "stock-build-$release" in_root make -s -C "$NULLFS_RS_TOP" KERNELRELEASE="$release" "${targets[@]}"
	check "stock-symbols-$release" in_root bash -c 'cd "$1" && shift && python3 tools/symcheck.py \
		"/usr/src/linux-headers-$1/Module.symvers" "$1" build/stock/$1/*/*.ko' \
		symcheck "$NULLFS_RS_TOP" "$release"
	check "stock-btf-$release" python3 tools/btf_layout.py "build/stock/$release/module/vfs/layout.rs" \
		"build/stock/$release/module/nullfs_rs.mod" "$(tools/stock/root.sh)/usr/src/linux-headers-$release/vmlinux"
done
# The checks refuse what they are for: a module of a rustc with another
# version text, layouts of a config regenerated here.
check stock-control-rustc tools/stock/controls.sh rustc "$STOCK_BOOT_RELEASE"
check stock-control-config tools/stock/controls.sh config "$STOCK_BOOT_RELEASE"
# The BTF check refuses Rust's view too: the -amd64 build on -rt.
check stock-control-flavour tools/stock/controls.sh flavour "$STOCK_BOOT_RELEASE" "${STOCK_RELEASES[-1]}"
release=$STOCK_BOOT_RELEASE
check stock-image tools/stock/image.sh "$release"
# The installed tree: Debian's modules, and nullfs_rs where make install
# puts it, for modprobe and the kernel's autoload in the guest.
stock_install() {
	local image modroot=$stock_results/modroot
	image=$(tools/stock/image.sh "$release") &&
		rm -rf "$modroot" && mkdir -p "$modroot/lib/modules" &&
		cp -al "$image/usr/lib/modules/$release" "$modroot/lib/modules/" &&
		in_root make -s -C "$NULLFS_RS_TOP" KERNELRELEASE="$release" install \
			INSTALL_MOD_PATH="$modroot" &&
		compgen -G "$modroot/lib/modules/$release/updates/nullfs_rs.ko*" >/dev/null &&
		grep -q '^updates/nullfs_rs.ko[.a-z]*:' "$modroot/lib/modules/$release/modules.dep"
}
check stock-install stock_install
rm -rf "build/stock/$release/dkms"
check stock-dkms in_root "$NULLFS_RS_TOP/tools/dkms_build.sh" "$release" \
	"$NULLFS_RS_TOP/build/stock/$release/dkms"

boots "Debian's $release image" "$stock_results" "$release"

# What ran, against what should have: the KUnit suites and kselftests,
# read with the kernel's own (K)TAP parser, and the boots; on the stock
# kernel, against its own list, which names what cannot run there and why.
kunit_py=$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/src/tools/testing/kunit/kunit.py
count_results() {
	local expected=$1 dir=$2 label=$3 log=$logs/results-$3.log
	python3 tools/results.py "$kunit_py" "$expected" "$dir" >"$log" 2>&1
	grep -v '^counts ' "$log" | sed "s/^\(ok\|FAIL\|skip\|n\/a\): /\1: $label: /"
	read -r _ p f s < <(grep '^counts ' "$log" || echo "counts 0 1 0")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}
count_results tools/expected_tests.txt "$results" "test kernel"
count_results tools/expected_tests_stock.txt "$stock_results" "$release"

# The tables of Documentation/masking.rst, empty_root.rst and containers.rst
# are what the masking, empty_root and container tests printed this time.
check doc-tables python3 tools/selftests/doc_tables.py "$results"
finish
