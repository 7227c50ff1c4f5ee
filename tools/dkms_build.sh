#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `dkms build` and `dkms install` of this source, as a distribution's dkms
# would run them, in scratch dkms, source and install trees: the machine's
# /usr/src, /var/lib/dkms and /lib/modules are left alone.  Fails unless
# dkms built and installed nullfs_rs.ko with the aliases that make
# `mount -t` load it.
#
#   dkms_build.sh [RELEASE [OUTDIR]]
#
# Without RELEASE, for the project's kernel; with it, for that installed
# kernel, through its headers in /lib/modules/RELEASE/build (a Debian
# kernel's headers: the Makefile rebuilds the Rust artifacts they lack).
# OUTDIR, if given, receives the installed nullfs_rs.ko.
set -euo pipefail
release=${1:-}
[ -z "$release" ] || NULLFS_RS_KERNEL=stock
. "$(dirname "$0")/lib.sh"

install_opts=()
if [ -n "$release" ]; then
	kdir=/lib/modules/$release/build
else
	kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
	release=$(make -s -C "$kdir" kernelrelease)
	# This machine has no /lib/modules of its own for the project's
	# kernel, where dkms (before 3.1) would run depmod.
	install_opts+=(--no-depmod)
fi
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$NULLFS_RS_TOP/dkms.conf")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/nullfs_rs-dkms.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src=$scratch/source/nullfs_rs-$version
mkdir -p "$src" "$scratch/tree" "$scratch/install/$release"
# The install tree stands for /lib/modules: the kernel's entry there.
ln -s "$(readlink -f "$kdir")" "$scratch/install/$release/build"
tar -C "$NULLFS_RS_TOP" --exclude ./build --exclude ./.git -cf - . | tar -C "$src" -xf -

dkms=(dkms --sourcetree "$scratch/source" --dkmstree "$scratch/tree" --installtree "$scratch/install")
"${dkms[@]}" add "nullfs_rs/$version"
"${dkms[@]}" build "nullfs_rs/$version" -k "$release" --kernelsourcedir "$kdir"
"${dkms[@]}" install "nullfs_rs/$version" -k "$release" --force "${install_opts[@]}"
ko=$(find "$scratch/install" -name 'nullfs_rs.ko*' | head -n1)
[ -n "$ko" ] || die "dkms install left no nullfs_rs.ko under its install tree"
modinfo -F alias "$ko" | grep -qx fs-nullfs_rs || die "$ko has no alias fs-nullfs_rs"
modinfo -F vermagic "$ko" | grep -q "^$release " || die "$ko is not built for $release"
say "dkms built and installed $ko for $release"
if [ -n "${2:-}" ]; then
	mkdir -p "$2"
	cp "$ko" "$2/"
fi
