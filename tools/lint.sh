#!/usr/bin/env bash
# Lint checks: rustfmt, clippy, checkpatch or layout; all four without an
# argument.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NULLFS_RS_TOP"

kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
src=$kdir/source
[ -d "$src" ] || die "no kernel tree at $kdir (run make kernel)"

case ${1:-all} in
all)
	rc=0
	for check in rustfmt clippy checkpatch layout; do
		"$0" "$check" >/dev/null 2>&1 && echo "ok: $check" || { echo "FAIL: $check (run tools/lint.sh $check)"; rc=1; }
	done
	exit "$rc"
	;;
rustfmt)
	# rustfmt follows the `mod` items from the crate roots.
	rustfmt --check --edition 2021 --config-path "$src/.rustfmt.toml" \
		nullfs_rs_main.rs samples/rust_init_fs_main.rs
	;;
clippy)
	# Builds of their own, so the modules the tests load are left alone;
	# the Rust crates are always recompiled so that every warning shows.
	log=
	for dir in . samples; do
		mo=$NULLFS_RS_TOP/build/clippy/$dir
		tools/module_out.sh "$kdir" "$mo"
		rm -f "$mo"/nullfs_rs_main.o "$mo"/rust_init_fs_main.o
		log+=$(make -C "$kdir" M="$NULLFS_RS_TOP/$dir" MO="$mo" LLVM="$LLVM" \
			CLIPPY=1 modules 2>&1) || { echo "$log"; exit 1; }
	done
	echo "$log"
	! grep -q 'warning' <<<"$log"
	;;
checkpatch)
	# The project's kernel C: the layer's C half and the samples, the
	# helper modules of the benchmarks and tests.
	(cd "$src" && scripts/checkpatch.pl -q --no-tree -f "$NULLFS_RS_TOP"/vfs/*.[ch] \
			"$NULLFS_RS_TOP"/samples/*.c \
			"$NULLFS_RS_TOP"/tools/bench/kmod/*.c \
			"$NULLFS_RS_TOP"/tools/selftests/kmod/*.c \
			"$NULLFS_RS_TOP"/tools/selftests/upstream/*.h)
	;;
layout)
	# Every C member Rust touches in place is in vfs/layout.c, so that the
	# build and the BTF check compare it.
	python3 tools/layout_lint.py vfs/layout.c ./*.rs vfs/*.rs samples/*.rs
	;;
*)
	die "usage: lint.sh [rustfmt|clippy|checkpatch|layout]"
	;;
esac
