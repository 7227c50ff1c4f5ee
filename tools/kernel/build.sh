#!/usr/bin/env bash
# Build the project's test kernel, or find it already built.  Prints the
# build directory (the KDIR modules are built against) on stdout.
#
# The test kernel is Debian's linux-source as it is, unpatched: the module
# carries what the kernel crate lacks (vfs/ffi.rs, vfs/helpers.c), so the
# same source builds for it and for Debian's own kernel.  What differs is
# the config (tools/kernel/config/), and the toolchain: clang of rustc's
# LLVM major, with inline helpers.
#
# NULLFS_RS_FLAVOUR=default|debug picks the config.  Each flavour keeps one
# source tree (a git repository at the Debian source) and one build directory
# in the cache.  A key over the source version, the toolchain and the config
# fragments records what they were built from: with the key unchanged
# nothing runs at all; otherwise make rebuilds only what the difference
# touches.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

flavour=${NULLFS_RS_FLAVOUR:-default}
here=$NULLFS_RS_TOP/tools/kernel
fragments=("$here/config/base.config")
case $flavour in
default) ;;
debug) fragments+=("$here/config/debug.config") ;;
*) die "unknown NULLFS_RS_FLAVOUR '$flavour' (default or debug)" ;;
esac

tarball=$("$here/fetch.sh")
version=$(basename "$tarball" .tar.xz)
version=${version#linux-source-}

top=$NULLFS_RS_CACHE/kernel/$flavour
src=$top/src
build=$top/build
check_toolchain
toolchain="rustc $RUST_TOOLCHAIN, clang$LLVM $(clang$LLVM --version | head -n1), $(bindgen --version), pahole $(pahole --version)"
key=$( (echo "$version $flavour $toolchain"; cat "${fragments[@]}") | sha256sum | cut -c1-16)

if [ "$(cat "$top/key" 2>/dev/null)" = "$key" ] && [ -f "$build/arch/x86/boot/bzImage" ]; then
	say "kernel $version ($flavour) is up to date"
	echo "$build"
	exit 0
fi
rm -f "$top/key"
mkdir -p "$top"

git_src() { git -C "$src" -c user.name=nullfs_rs -c user.email=nullfs_rs@localhost "$@"; }

if [ "$(cat "$src/.nullfs_rs-version" 2>/dev/null)" != "$version" ]; then
	say "unpacking linux-source $version"
	rm -rf "$src" "$build"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	# Debian's .gitignore ignores the whole top level: add with -f.
	git_src init -q
	git_src add -Af .
	git_src commit -qm "linux-source $version"
	git_src tag base
	echo "$version" >"$src/.nullfs_rs-version"
fi

# The source as Debian ships it, whatever an earlier version of this
# script applied to it.
git_src reset -q --hard base
git_src clean -qfdx -e .nullfs_rs-version

kmake() { make -C "$src" O="$build" LLVM="$LLVM" "$@"; }

say "configuring ($flavour)"
mkdir -p "$build"
kmake -s tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "${fragments[@]}" >"$top/merge.log"
kmake -s olddefconfig >/dev/null
# merge_config only warns when Kconfig drops a symbol: refuse instead.
for frag in "${fragments[@]}"; do
	while IFS= read -r line; do
		grep -qxF "$line" "$build/.config" ||
			die "${frag##*/}: '$line' did not survive olddefconfig (a dependency is missing)"
	done < <(grep '^CONFIG_' "$frag")
done
kmake -s rustavailable >/dev/null || die "the Rust toolchain does not satisfy the kernel (make rustavailable)"

say "building linux $version ($flavour); a cold build takes about 20 minutes, the debug one about 30"
jobs=$(($(nproc) + 1))
kmake -j"$jobs" -s >"$top/make.log" 2>&1 || { tail -n 40 "$top/make.log" >&2; die "kernel build failed (log: $top/make.log)"; }
kmake -s headers_install INSTALL_HDR_PATH="$top/usr" >/dev/null

echo "$key" >"$top/key"
say "kernel ready: $build"
echo "$build"
