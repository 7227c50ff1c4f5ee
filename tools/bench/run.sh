#!/usr/bin/env bash
# `make bench`: measure nullfs_rs against the in-tree C nullfs, tmpfs and
# ramfs in one boot of the test kernel, then print the report and write it,
# its data and its plot to tools/bench/results/ (latest.txt, latest.json,
# ratios.png).  make builds the module, the samples and the vfs_bench helper
# first.
#
#   run.sh [--stock RELEASE]
#
# --stock boots Debian's image of RELEASE instead, with the builds for it,
# and writes to tools/bench/results/RELEASE/ (make bench KERNELRELEASE=...).
#
# NULLFS_RS_BENCH_ROUNDS sets the rounds (default 9), NULLFS_RS_BENCH_MISSES
# the missing names looked up to weigh the memory of remembered misses
# (default 1000000), NULLFS_RS_BENCH_MASKS the paths masked each of four
# ways, in half as many rounds, to weigh what masking costs (default 5000).
# The container rows (tools/bench/containers.py) take half as many rounds
# too.  This is a benchmark: it fails when a measurement cannot be taken,
# never because of a figure.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$NULLFS_RS_TOP"

stock=
case ${1:-} in
--stock) stock=${2:?usage: run.sh [--stock RELEASE]} ;;
"") ;;
*) die "usage: run.sh [--stock RELEASE]" ;;
esac

rounds=${NULLFS_RS_BENCH_ROUNDS:-9}
[[ $rounds =~ ^[1-9][0-9]*$ ]] ||
	die "NULLFS_RS_BENCH_ROUNDS must be a positive number, not '$rounds'"
misses=${NULLFS_RS_BENCH_MISSES:-1000000}
[[ $misses =~ ^[1-9][0-9]{0,8}$ ]] ||
	die "NULLFS_RS_BENCH_MISSES must be a number from 1 to 999999999, not '$misses'"
masks=${NULLFS_RS_BENCH_MASKS:-5000}
# A mount namespace holds at most fs.mount-max mounts, 100,000 by default.
[[ $masks =~ ^[1-9][0-9]{0,4}$ ]] && ((masks <= 90000)) ||
	die "NULLFS_RS_BENCH_MASKS must be a number from 1 to 90000, not '$masks'"
bench_out=$NULLFS_RS_OUT/bench
results=$bench_out/results
published=$NULLFS_RS_TOP/tools/bench/results${stock:+/$stock}

tools/setup.sh --bench

# The guest program, against the 7.3 tree's uapi headers as the selftests are.
if [ -n "$stock" ]; then
	# The test kernel's: the same linux-source, and uapi does not depend
	# on the config.
	headers=$NULLFS_RS_CACHE/kernel/default/usr/include
	[ -d "$headers" ] || die "no uapi headers in $headers (run make kernel: the test kernel's serve)"
	kernel=$(tools/stock/image.sh "$stock")/usr/lib/modules/$stock/vmlinuz
	boot=(--stock "$stock")
	flavour="Debian's stock"
	# The C nullfs is built into Debian's vmlinux: no object to weigh.
	c_nullfs_size=()
else
	kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
	headers=$kdir/../usr/include
	[ -d "$headers" ] || headers=$NULLFS_RS_OUT/selftests-usr/include
	[ -d "$headers" ] || die "no uapi headers for $kdir (run make selftests)"
	kernel=$kdir/arch/x86/boot/bzImage
	boot=()
	flavour=${NULLFS_RS_FLAVOUR:-default}
	c_nullfs_size=(--size c_nullfs="$kdir/fs/nullfs.o")
fi
rm -rf "$results"
mkdir -p "$results" "$published"
gcc -O2 -Wall -Werror -D_GNU_SOURCE -isystem "$headers" \
	-I "$NULLFS_RS_TOP/tools/selftests" -o "$bench_out/bench" tools/bench/bench.c
if kvm_works "$kernel"; then accel=kvm; else accel=tcg; fi
tools/boot.sh "${boot[@]}" --results "$results" --timeout "${NULLFS_RS_BENCH_TIMEOUT:-3600}" \
	-- tools/guest/bench.sh "$rounds" "$misses" "$masks" ||
	die "the guest's benchmark run failed (exit $?; output and console: $results)"

LLVM=-$LLVM_MAJOR "$NULLFS_RS_CACHE/venv/bin/python3" tools/bench/report.py \
	--samples "$results/samples.txt" \
	--profiles "$results" \
	--kernel "$(cat "$results/kernel")" \
	--flavour "$flavour" \
	--accelerator "$accel" \
	--rounds "$rounds" \
	--size nullfs_rs="$NULLFS_RS_OUT/module/nullfs_rs.ko" \
	"${c_nullfs_size[@]}" \
	--size rust_init_fs="$NULLFS_RS_OUT/samples/rust_init_fs.ko" \
	--size c_init_fs="$NULLFS_RS_OUT/samples/c_init_fs.ko" \
	--guard-code "$NULLFS_RS_OUT/samples/rust_init_fs.ko" "$NULLFS_RS_OUT/samples/c_init_fs.ko" \
	--json "$results/latest.json" \
	--plot "$results/ratios.png" >"$results/latest.txt" ||
	die "report.py failed (the guest's results: $results)"
# Published only whole: the three files always come from the same run.
mkdir -p "$published"
cp "$results"/{latest.txt,latest.json,ratios.png} "$published/"
cat "$results/latest.txt"
