#!/usr/bin/env bash
# Build the kselftests in tools/selftests/ into OUTDIR, against the 7.3 tree's
# uapi headers and kselftest_harness.h (the host's own uapi headers are too
# old for the 7.x mount API).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

outdir=${1:?usage: build.sh OUTDIR}
kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
src=$kdir/source
[ -d "$src" ] || die "no kernel tree at $kdir (run make kernel)"
headers=$kdir/../usr/include
if [ ! -d "$headers" ]; then
	headers=$outdir-usr/include
	make -s -C "$kdir" headers_install INSTALL_HDR_PATH="$outdir-usr"
fi

# The kselftest target (Makefile, on the tree's lib.mk), then installed as
# the tree's own install would lay it out: run_kselftest.sh and the runner
# at the top, the target's binaries and settings in nullfs_rs/, and the
# list of collection:test the runner reads.
here=$NULLFS_RS_TOP/tools/selftests
ksft=$src/tools/testing/selftests
ksft_make=(make -s -C "$here" KSELFTEST_DIR="$ksft" OUTPUT="$outdir"
	KHDR_INCLUDES="-isystem $headers")
mkdir -p "$outdir"
"${ksft_make[@]}" all
install=$outdir-install
rm -rf "$install"
mkdir -p "$install"
"${ksft_make[@]}" install INSTALL_PATH="$install/nullfs_rs" >/dev/null
cp -r "$ksft/run_kselftest.sh" "$ksft/kselftest" "$install/"
"${ksft_make[@]}" emit_tests COLLECTION=nullfs_rs >"$install/kselftest-list.txt"

# The kernel tree's own selftests, as they are and pointed at nullfs_rs.
"$here/upstream/build.sh" "$outdir-upstream" "$src" "$headers"

# The userspace sample, which the empty_root test also builds in.
gcc -O2 -Wall -Werror -D_GNU_SOURCE -isystem "$headers" \
	-o "$outdir-empty_root" "$NULLFS_RS_TOP/samples/empty_root.c"

# The kernel module some tests load besides nullfs_rs.ko.
"$NULLFS_RS_TOP/tools/module_out.sh" "$kdir" "$outdir-kmod"
make -s -C "$kdir" M="$here/kmod" MO="$outdir-kmod" LLVM="$LLVM" modules
