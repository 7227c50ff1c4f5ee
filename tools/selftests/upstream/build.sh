#!/usr/bin/env bash
# Build the kernel tree's own filesystem selftests that exercise what
# nullfs_rs claims, twice each: as the tree has them, into OUTDIR/control/,
# and from a copy with this directory's substitutions applied (NAME.subst)
# that points them at nullfs_rs, into OUTDIR/nullfs_rs/ (the substituted
# sources in OUTDIR/src/). The tests whose nullfs_rs build says something
# only an empty, immutable root passes are built a third time with tmpfs
# substituted, into OUTDIR/tmpfs/: the negative controls, which must fail.
# No test source is kept here: all are made from the cached 7.3 tree at
# build time.
#
#   build.sh OUTDIR KERNEL_SRC UAPI_HEADERS
set -euo pipefail
. "$(dirname "$0")/../../lib.sh"

outdir=${1:?usage: build.sh OUTDIR KERNEL_SRC UAPI_HEADERS}
src=${2:?usage: build.sh OUTDIR KERNEL_SRC UAPI_HEADERS}
headers=${3:?usage: build.sh OUTDIR KERNEL_SRC UAPI_HEADERS}
here=$NULLFS_RS_TOP/tools/selftests/upstream
selftests=$src/tools/testing/selftests
fs_tests=$selftests/filesystems

# NAME, its source under tools/testing/selftests/filesystems/, whether it
# links the directory's utils.c (which needs libcap), the header of this
# directory its substitutions call, and whether a tmpfs build must fail.
tests=(
	"move_mount_test move_mount/move_mount_test.c utils nullfs_rs_mount.h -"
	"fsmount_ns_test fsmount_ns/fsmount_ns_test.c utils - -"
	"root_readdir_test empty_mntns/root_readdir_test.c - nullfs_rs_empty_mntns.h negative"
	"nullfs_atime_test empty_mntns/nullfs_atime_test.c - nullfs_rs_empty_mntns.h negative"
	"rw_hint_test rw_hint_test.c - nullfs_rs_empty_mntns.h negative"
	"locked_mount_test umount_propagation/locked_mount_test.c - - -"
)

# Applies the substitutions in SUBST (lines of COUNT<tab>SED-COMMAND) to the
# copy of a test at FILE, one command at a time, each of which must change
# exactly COUNT lines: a test the tree changed fails the build rather than
# quietly running unsubstituted.
substitute() {
	local subst=$1 file=$2 count expr changed
	while IFS=$'\t' read -r count expr; do
		case $count in '' | '#'*) continue ;; esac
		sed -e "$expr" "$file" >"$file.next"
		changed=$(diff "$file" "$file.next" | grep -c '^>' || true)
		[ "$changed" = "$count" ] ||
			die "${subst##*/}: '$expr' changed $changed lines of ${file##*/}, not $count"
		mv "$file.next" "$file"
	done <"$subst"
}

# The flags the tree's Makefiles give: its uapi headers, tools' uapi
# headers, the selftests directory for kselftest_harness.h, and the test's
# own directory for its relative includes. No -Werror: the code is the
# tree's.
compile() {
	local out=$1 test_c=$2 dir=$3 utils=$4
	shift 4
	local extra=()
	if [ "$utils" = utils ]; then
		extra=("$fs_tests/utils.c" -lcap)
	fi
	gcc -O2 -g -Wall -isystem "$headers" -isystem "$src/tools/include/uapi" \
		-I "$selftests" -I "$dir" "$@" -o "$out" "$test_c" "${extra[@]}" -pthread
}

mkdir -p "$outdir/control" "$outdir/nullfs_rs" "$outdir/tmpfs" "$outdir/src"
for entry in "${tests[@]}"; do
	read -r name source utils header negative <<<"$entry"
	test_c=$fs_tests/$source
	dir=$(dirname "$test_c")
	[ -f "$test_c" ] || die "no $source in the kernel tree at $src"

	inputs=("$test_c" "$fs_tests/utils.c" "$here/build.sh" "$here/$name.subst"
		"$here/nullfs_rs_mount.h" "$here/nullfs_rs_empty_mntns.h")
	bins=("$outdir/control/$name" "$outdir/nullfs_rs/$name")
	[ "$negative" = - ] || bins+=("$outdir/tmpfs/$name")
	fresh=1
	for input in "${inputs[@]}"; do
		for bin in "${bins[@]}"; do
			[ "$bin" -nt "$input" ] || fresh=
		done
	done
	[ -z "$fresh" ] || continue

	compile "$outdir/control/$name" "$test_c" "$dir" "$utils"

	copy=$outdir/src/$name.c
	cp "$test_c" "$copy"
	substitute "$here/$name.subst" "$copy"
	include=()
	[ "$header" = - ] || include=(-include "$here/$header")
	compile "$outdir/nullfs_rs/$name" "$copy" "$dir" "$utils" "${include[@]}"
	[ "$negative" = - ] ||
		compile "$outdir/tmpfs/$name" "$copy" "$dir" "$utils" "${include[@]}" \
			-DNULLFS_RS_SUBSTITUTE_FS='"tmpfs"'
done
