#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `dkms build` of this source against the project's kernel, as a
# distribution's dkms would build it, in a scratch dkms tree: the host's
# /usr/src and /var/lib/dkms are left alone.  Fails unless dkms built
# nullfs_rs.ko with the aliases that make `mount -t` load it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
release=$(make -s -C "$kdir" kernelrelease)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$NULLFS_RS_TOP/dkms.conf")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/nullfs_rs-dkms.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src=$scratch/source/nullfs_rs-$version
mkdir -p "$src" "$scratch/tree"
rsync -a --exclude /build --exclude /.git "$NULLFS_RS_TOP/" "$src/"

dkms=(dkms --sourcetree "$scratch/source" --dkmstree "$scratch/tree")
"${dkms[@]}" add "nullfs_rs/$version"
"${dkms[@]}" build "nullfs_rs/$version" -k "$release" --kernelsourcedir "$kdir"
ko=$(find "$scratch/tree/nullfs_rs/$version/$release" -name nullfs_rs.ko | head -n1)
[ -n "$ko" ] || die "dkms build left no nullfs_rs.ko"
modinfo -F alias "$ko" | grep -qx fs-nullfs_rs || die "$ko has no alias fs-nullfs_rs"
say "dkms built $ko for $release"
