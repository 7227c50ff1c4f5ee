#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Rebuild the Rust artifacts that a distribution's headers package leaves
# out, for one installed kernel, so that out-of-tree Rust modules can be
# built for it.  Runs on the distribution itself (Debian 13 with
# trixie-backports' kernel), or in the build root of tools/stock/root.sh.
#
#   tree.sh RELEASE
#
# Prints the directory to build modules against (KDIR).  It is the
# distribution's source of that kernel, configured with the headers' own
# .config, prepared, with rust/ built and the headers' Module.symvers and
# vmlinux beside it.  Nothing is regenerated with a compiler other than the
# one the config records: rustc, bindgen and the C compiler must print the
# config's version texts, or the script stops and says which did not.
# The result is checked before it is used: the regenerated config is the
# headers' byte for byte, and every Rust symbol that the kernel exports is
# defined, by exact name, in the rebuilt crates.
set -euo pipefail
NULLFS_RS_KERNEL=stock
. "$(dirname "$0")/../lib.sh"

release=${1:?usage: tree.sh RELEASE}
headers=$(readlink -f "/lib/modules/$release/build" 2>/dev/null || true)
[ -n "$headers" ] && [ -f "$headers/.config" ] ||
	die "no headers for $release in /lib/modules/$release/build: install linux-headers-$release"
config=$headers/.config

conf() { sed -n "s/^$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$config"; }
[ "$(conf CONFIG_RUST)" = y ] || die "$release has no CONFIG_RUST: it cannot load Rust modules"

# The compilers the kernel was built with, by the texts its config records.
cc=$(conf CONFIG_CC_VERSION_TEXT)
cc_cmd=${cc%% *}
command -v "$cc_cmd" >/dev/null || die "$release was built with $cc_cmd, which is not installed"
[ "$("$cc_cmd" --version | head -n1)" = "$cc" ] ||
	die "$cc_cmd is '$("$cc_cmd" --version | head -n1)', $release was built with '$cc'"
rustc_text=$(conf CONFIG_RUSTC_VERSION_TEXT)
[ "$(rustc --version 2>/dev/null)" = "$rustc_text" ] ||
	die "rustc is '$(rustc --version 2>&1 | head -n1)', $release was built with '$rustc_text': the crates' symbol hashes follow that text (install the distribution's rustc and rust-src)"
bindgen_text=$(conf CONFIG_BINDGEN_VERSION_TEXT)
[ "$(bindgen --version 2>/dev/null)" = "$bindgen_text" ] ||
	die "bindgen is '$(bindgen --version 2>&1 | head -n1)', $release was built with '$bindgen_text'"

# The source: the distribution's package of the same version.
common=$(readlink -f "/lib/modules/$release/source")
version=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$common/Makefile" 2>/dev/null |
	paste -sd.)
[ -n "$version" ] || die "cannot read the kernel version of $release from its headers ($common/Makefile)"
tarball=/usr/src/linux-source-${version%.*}.tar.xz
[ -f "$tarball" ] || die "no $tarball: install linux-source-${version%.*}, the source of $release"

top=$NULLFS_RS_CACHE/stock/$release
tree=$top/linux
key=$( (echo "$release $cc $rustc_text $bindgen_text"; cat "$config" "$headers/Module.symvers" "$tarball" "$0") |
	sha256sum | cut -c1-16)
if [ "$(cat "$top/key" 2>/dev/null)" = "$key" ]; then
	echo "$tree"
	exit 0
fi
rm -rf "$top"
mkdir -p "$tree"

say "unpacking $(basename "$tarball") for $release"
tar -xJf "$tarball" -C "$tree" --strip-components=1
src_version=$(make -s -C "$tree" kernelversion)
[ "$src_version" = "$version" ] || die "$tarball is linux $src_version, the headers of $release are $version"
# The headers' copy of the source's include/ must be the source's own.
for header in include/linux/fs.h include/linux/fs_struct.h include/linux/fs_context.h include/linux/sched.h; do
	cmp -s "$tree/$header" "$common/$header" ||
		die "$header differs between $tarball and the headers of $release: not the same source version"
done

kmake() { make -C "$tree" -s ARCH=x86 CC="$cc_cmd" HOSTCC="$cc_cmd" KERNELRELEASE="$release" "$@"; }
cp "$config" "$tree/.config"
kmake olddefconfig
cmp -s "$config" "$tree/.config" ||
	die "olddefconfig changed the config of $release: the compilers here are not the ones it was built with ($(diff "$config" "$tree/.config" | grep -m1 '^[<>]'))"
say "building the Rust crates of $release (about two minutes)"
jobs=$(($(nproc) + 1))
kmake -j"$jobs" prepare
kmake -j"$jobs" rust/
cp "$headers/Module.symvers" "$tree/Module.symvers"
# With vmlinux beside them, modules get BTF of their own, as the
# distribution's do.
[ ! -f "$headers/vmlinux" ] || ln -sf "$headers/vmlinux" "$tree/vmlinux"
kmake -j"$jobs" modules_prepare
cmp -s "$headers/include/generated/autoconf.h" "$tree/include/generated/autoconf.h" ||
	die "the rebuilt tree's autoconf.h is not the headers' of $release"

# Every Rust symbol the kernel exports is defined by the rebuilt crates,
# under the same mangled name: same crate hashes, same items.
missing=$(comm -23 \
	<(awk '$2 ~ /^_R/ { print $2 }' "$tree/Module.symvers" | sort -u) \
	<(nm --defined-only "$tree"/rust/*.o 2>/dev/null | awk '{ print $3 }' | sort -u))
if [ -n "$missing" ]; then
	die "$(wc -l <<<"$missing") Rust symbols that $release exports are not in the rebuilt crates, e.g. $(head -n1 <<<"$missing"): another rustc, bindgen or source than the kernel's"
fi
echo "$key" >"$top/key"
say "Rust artifacts for $release ready: $(awk '$2 ~ /^_R/' "$tree/Module.symvers" | wc -l) exported Rust symbols matched"
echo "$tree"
