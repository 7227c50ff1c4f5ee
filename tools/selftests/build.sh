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

mkdir -p "$outdir"
here=$NULLFS_RS_TOP/tools/selftests
for test_c in "$here"/*.c; do
	bin=$outdir/$(basename "$test_c" .c)
	if [ "$bin" -nt "$test_c" ] && [ "$bin" -nt "$here/nullfs_rs.h" ] &&
		[ "$bin" -nt "$NULLFS_RS_TOP/samples/empty_root.h" ]; then
		continue
	fi
	gcc -O2 -Wall -Werror -D_GNU_SOURCE -isystem "$headers" \
		-I "$src/tools/testing/selftests" -I "$here" -o "$bin" "$test_c" -lpthread
done

# The userspace sample, which the empty_root test also builds in.
gcc -O2 -Wall -Werror -D_GNU_SOURCE -isystem "$headers" \
	-o "$outdir-empty_root" "$NULLFS_RS_TOP/samples/empty_root.c"

# The kernel module some tests load besides nullfs_rs.ko.
mkdir -p "$outdir-kmod"
make -s -C "$kdir" M="$here/kmod" MO="$outdir-kmod" LLVM="$LLVM" modules
