#!/usr/bin/env bash
# Lint checks: rustfmt, clippy or checkpatch; all three without an argument.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NULLFS_RS_TOP"

kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
src=$kdir/source
[ -d "$src" ] || die "no kernel tree at $kdir (run make kernel)"

case ${1:-all} in
all)
	rc=0
	for check in rustfmt clippy checkpatch; do
		"$0" "$check" >/dev/null 2>&1 && echo "ok: $check" || { echo "FAIL: $check (run tools/lint.sh $check)"; rc=1; }
	done
	exit "$rc"
	;;
rustfmt)
	# rustfmt follows the `mod` items from the crate roots.
	rustfmt --check --edition 2021 --config-path "$src/.rustfmt.toml" \
		nullfs_rs.rs samples/rust_init_fs.rs
	;;
clippy)
	# Builds of their own, so the modules the tests load are left alone;
	# the Rust crates are always recompiled so that every warning shows.
	log=
	for dir in . samples; do
		mo=$NULLFS_RS_TOP/build/clippy/$dir
		mkdir -p "$mo"
		rm -f "$mo"/nullfs_rs.o "$mo"/rust_init_fs.o
		log+=$(make -C "$kdir" M="$NULLFS_RS_TOP/$dir" MO="$mo" LLVM="$LLVM" \
			CLIPPY=1 modules 2>&1) || { echo "$log"; exit 1; }
	done
	echo "$log"
	! grep -q 'warning' <<<"$log"
	;;
checkpatch)
	# From the kernel tree: inside this repository checkpatch would take
	# the patch files, tracked here, for source files.
	patches=("$NULLFS_RS_TOP"/tools/kernel/patches/*.patch)
	# A new file under rust/ is covered by MAINTAINERS' "RUST" entry, so
	# checkpatch's question whether MAINTAINERS needs updating is answered.
	(cd "$src" && scripts/checkpatch.pl -q --ignore FILE_PATH_CHANGES "${patches[@]}" &&
		scripts/checkpatch.pl -q --no-tree -f "$NULLFS_RS_TOP"/samples/*.c \
			"$NULLFS_RS_TOP"/tools/bench/kmod/*.c \
			"$NULLFS_RS_TOP"/tools/selftests/kmod/*.c \
			"$NULLFS_RS_TOP"/tools/selftests/upstream/*.h)
	;;
*)
	die "usage: lint.sh [rustfmt|clippy|checkpatch]"
	;;
esac
