#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Controls for the two checks that stand between a stock-kernel build and
# a load: each builds the module the wrong way on purpose and passes only
# if the check refuses it, naming what is wrong.
#
#   controls.sh rustc RELEASE    The Rust crates and the module compiled by
#                                rustup's rustc of the same version as the
#                                kernel's, without the kernel's version
#                                text: tools/symcheck.py must refuse the
#                                module, naming a Rust symbol.
#   controls.sh config RELEASE   vfs/layout.c and vfs/helpers.c compiled in
#                                a tree whose config was regenerated with
#                                this machine's C compiler:
#                                tools/btf_layout.py must refuse both
#                                against the kernel's BTF, naming
#                                task_struct.fs and, of the object's types,
#                                task_struct.
#   controls.sh flavour RELEASE OTHER
#                                The module built for RELEASE, checked
#                                against the BTF of OTHER, another flavour
#                                of the same kernel: tools/btf_layout.py
#                                must refuse the types of its Rust object,
#                                bindgen's, and not only C's.
#
# Runs on the host; the build root supplies the kernel's headers and
# source.  The wrong trees are cached like the right ones.
set -euo pipefail
NULLFS_RS_KERNEL=stock
. "$(dirname "$0")/../lib.sh"

usage="usage: controls.sh rustc|config RELEASE, or flavour RELEASE OTHER"
what=${1:?$usage}
release=${2:?$usage}
root=$("$NULLFS_RS_TOP/tools/stock/root.sh")
headers=$root/usr/src/linux-headers-$release
config=$headers/.config
tarball=$root/usr/src/linux-source-7.3.tar.xz
top=$NULLFS_RS_CACHE/stock/control-$what/$release
out=$NULLFS_RS_OUT/stock-control-$what/$release

# A tree of the kernel's source with its config, made with the make
# variables "$@" and prepared (PREPARE), kept until its inputs change.
wrong_tree() {
	local key
	key=$( (echo "$*"; cat "$config" "$0") | sha256sum | cut -c1-16)
	if [ "$(cat "$top/key" 2>/dev/null)" != "$key" ]; then
		rm -rf "$top"
		mkdir -p "$top/linux"
		tar -xJf "$tarball" -C "$top/linux" --strip-components=1
		cp "$config" "$top/linux/.config"
		make -s -C "$top/linux" ARCH=x86 KERNELRELEASE="$release" "$@" olddefconfig
		make -s -C "$top/linux" ARCH=x86 KERNELRELEASE="$release" "$@" -j"$(($(nproc) + 1))" \
			"${PREPARE[@]}"
		cp "$headers/Module.symvers" "$top/linux/"
		echo "$key" >"$top/key"
	fi
}

case $what in
rustc)
	# rustc 1.85.1 as rustup ships it: the same compiler, another version
	# text, so other crate hashes.
	version=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="rustc \([0-9.]*\) .*/\1/p' "$config")
	if ! rustup toolchain list | grep -q "^$version-"; then
		say "installing Rust $version for the control"
		rustup toolchain install "$version" --profile minimal --component rust-src >&2
	fi
	sysroot=$(rustup run "$version" rustc --print sysroot)
	cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' "$config")
	# The build root's C compiler and bindgen, with rustup's rustc (its
	# sysroot bound into the root): only the Rust compiler is wrong.
	in_root() {
		unshare --mount --propagation private -- bash -euc '
			root=$1 sysroot=$2 cache=$3
			shift 3
			mkdir -p "$root$sysroot" "$root$cache"
			mount --bind "$sysroot" "$root$sysroot"
			mount --bind "$cache" "$root$cache"
			exec "$@"
		' in-root "$root" "$sysroot" "$NULLFS_RS_CACHE/stock/control-rustc" \
			"$NULLFS_RS_TOP/tools/stock/root.sh" RUN "$@"
	}
	mkdir -p "$top"
	key=$(cat "$config" "$0" | sha256sum | cut -c1-16)
	if [ "$(cat "$top/key" 2>/dev/null)" != "$key" ]; then
		in_root bash -euc '
			top=$1 config=$2 tarball=$3 symvers=$4 cc=$5 rustc=$6 release=$7 key=$8
			rm -rf "$top/linux"; mkdir -p "$top/linux"
			tar -xJf "$tarball" -C "$top/linux" --strip-components=1
			cp "$config" "$top/linux/.config"
			k=(make -s -C "$top/linux" ARCH=x86 CC="$cc" HOSTCC="$cc" RUSTC="$rustc" KERNELRELEASE="$release")
			"${k[@]}" olddefconfig
			"${k[@]}" -j3 prepare
			"${k[@]}" -j3 rust/
			cp "$symvers" "$top/linux/"
			"${k[@]}" -j3 modules_prepare
			echo "$key" >"$top/key"
		' tree "$top" "/usr/src/linux-headers-$release/.config" /usr/src/linux-source-7.3.tar.xz \
			"/usr/src/linux-headers-$release/Module.symvers" "$cc" "$sysroot/bin/rustc" "$release" \
			"$key" >&2
	fi
	rm -rf "$out"
	mkdir -p "$out"
	# modpost refuses the module already; made to warn, it leaves the .ko
	# for the check whose message says what is wrong.
	in_root make -s -C "$top/linux" M="$NULLFS_RS_TOP" MO="$out" ARCH=x86 CC="$cc" HOSTCC="$cc" \
		RUSTC="$sysroot/bin/rustc" KERNELRELEASE="$release" KBUILD_MODPOST_WARN=1 modules >&2
	if report=$(in_root python3 "$NULLFS_RS_TOP/tools/symcheck.py" \
		"/usr/src/linux-headers-$release/Module.symvers" "$release" "$out/nullfs_rs.ko"); then
		echo "$report"
		die "symcheck.py let a module built by rustup's rustc $version through"
	fi
	echo "$report" | head -n 3
	grep -q "crate 'kernel' has hash" <<<"$report" ||
		die "symcheck.py refused the module, but did not name the kernel crate's hash"
	say "refused, as it must be: the module of rustup's rustc $version names other crate hashes"
	;;
config)
	# This machine's gcc, and no pahole, as on a Debian 12 machine without
	# dwarves: olddefconfig drops what they cannot do, DEBUG_INFO_BTF and
	# with it SCHED_CLASS_EXT, which moves task_struct's members.  (With
	# the pahole tools/setup.sh installs, gcc 12 alone still changes
	# settings, but not that one.)
	PREPARE=(modules_prepare)
	wrong_tree CC=gcc HOSTCC=gcc PAHOLE=/nonexistent/pahole
	changed=$(diff <(grep '^CONFIG_' "$config") <(grep '^CONFIG_' "$top/linux/.config") | grep -c '^<' || true)
	say "the regenerated config changed $changed of the kernel's settings"
	rm -rf "$out"
	mkdir -p "$out"
	make -s -C "$top/linux" M="$NULLFS_RS_TOP" MO="$out" ARCH=x86 CC=gcc HOSTCC=gcc \
		PAHOLE=/nonexistent/pahole KERNELRELEASE="$release" vfs/layout.s vfs/helpers.o >&2
	if report=$(python3 "$NULLFS_RS_TOP/tools/btf_layout.py" "$out/vfs/layout.s" \
		"$out/vfs/helpers.o" "$headers/vmlinux"); then
		echo "$report"
		die "btf_layout.py let layouts from a regenerated config through"
	fi
	grep -v ': [0-9]* entries match' <<<"$report"
	grep -q '^btf_layout: task_struct\.fs: offset' <<<"$report" ||
		die "btf_layout.py refused the layouts, but did not name task_struct.fs"
	grep -q '^btf_layout: helpers\.o: task_struct' <<<"$report" ||
		die "btf_layout.py refused the layouts, but not task_struct among helpers.o's types"
	say "refused, as it must be: task_struct.fs is elsewhere in a regenerated config"
	;;
flavour)
	other=${3:?$usage}
	module=$NULLFS_RS_TOP/build/stock/$release/module
	if report=$(python3 "$NULLFS_RS_TOP/tools/btf_layout.py" "$module/vfs/layout.rs" \
		"$module/nullfs_rs.mod" "$root/usr/src/linux-headers-$other/vmlinux"); then
		echo "$report"
		die "btf_layout.py let the module built for $release through on $other"
	fi
	grep -v ': [0-9]* entries match' <<<"$report" | sed -n '1,20p'
	grep -q '^btf_layout: nullfs_rs_main\.o: ' <<<"$report" ||
		die "btf_layout.py refused the module, but none of its Rust object's types"
	say "refused, as it must be: the Rust crate's view of $other's structs differs"
	;;
*)
	die "$usage"
	;;
esac
