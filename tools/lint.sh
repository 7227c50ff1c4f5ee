#!/usr/bin/env bash
# Lint checks: rustfmt, clippy, checkpatch or layout; all four without an
# argument.  layout-control shows the layout lint refuses what it must.
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
layout-control)
	# The layout lint refuses what it is for: a copy of vfs/inode.rs that
	# reads one member vfs/layout.c does not list, sets another in a table
	# and calls a bitfield accessor must fail it, naming all three.
	work=$(mktemp -d "${TMPDIR:-/tmp}/layout-control.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	cp vfs/inode.rs "$work/inode.rs"
	cat >>"$work/inode.rs" <<-'EOF'

		fn generation(inode: *mut bindings::inode) -> u32 {
		    // SAFETY: a control for the lint, never built.
		    unsafe { (*inode).i_generation }
		}

		fn set_global(fc: *mut bindings::fs_context) {
		    // SAFETY: a control for the lint, never built.
		    unsafe { (*fc).set_global(1) }
		}

		static CONTROL_OPS: bindings::super_operations = bindings::super_operations {
		    drop_inode: None,
		    ..pin_init::zeroed()
		};
	EOF
	if report=$(python3 tools/layout_lint.py vfs/layout.c "$work/inode.rs"); then
		die "layout_lint.py let an unlisted member through"
	fi
	echo "$report"
	grep -q '(\*\.\.\.)\.i_generation has no RUST_MEMBER' <<<"$report" ||
		die "layout_lint.py did not name the read of inode.i_generation"
	grep -q 'super_operations { drop_inode: ... } has no RUST_MEMBER' <<<"$report" ||
		die "layout_lint.py did not name super_operations.drop_inode"
	grep -q '(\*\.\.\.)\.set_global() calls a method in place' <<<"$report" ||
		die "layout_lint.py did not name the bitfield accessor set_global()"
	;;
*)
	die "usage: lint.sh [rustfmt|clippy|checkpatch|layout|layout-control]"
	;;
esac
