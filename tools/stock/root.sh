#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A Debian 13 build root in the cache: what a Debian 13 machine with the
# backports kernel has once its user installed the packages README names
# (the kernel's headers and source, Debian's rustc, rust-src, bindgen and
# gcc-14, dkms).  The project's own machines are Debian 12, whose
# compilers are not the ones Debian's 7.3 kernel was built with; the
# stock-kernel builds and the dkms run happen in here.  Prints its path.
#
#   root.sh            make it unless it is there
#   root.sh RUN CMD... run CMD in it, as root, with the project bind-mounted
#                      at its own path and a private /tmp
set -euo pipefail
NULLFS_RS_KERNEL=stock
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/kernels.sh"
# What README tells a Debian 13 user to install.
PACKAGES=(
	make gcc-14 flex bison bc libelf-dev libssl-dev dwarves python3 cpio kmod
	xz-utils binutils openssl rustc rust-src bindgen libclang1-19 dkms
	"linux-source-7.3=$STOCK_VERSION"
)
for release in "${STOCK_RELEASES[@]}"; do
	PACKAGES+=("linux-headers-$release=$STOCK_VERSION")
done

root=$NULLFS_RS_CACHE/stock/root
key=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-16)

if [ "$(cat "$root.key" 2>/dev/null)" != "$key" ]; then
	command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (tools/setup.sh installs it)"
	mirror=$(debian_mirror)
	say "making a Debian 13 build root in $root (about a minute)"
	rm -rf "$root" "$root.key"
	mkdir -p "$(dirname "$root")"
	# apt checks every package against the archive's signed index.
	mmdebstrap --variant=minbase --aptopt='APT::Install-Recommends "false"' \
		--include="$(IFS=,; echo "${PACKAGES[*]}")" \
		trixie "$root.tmp" "deb $mirror trixie main" "deb $mirror trixie-backports main" \
		>"$NULLFS_RS_CACHE/stock/mmdebstrap.log" 2>&1 ||
		die "mmdebstrap failed (log: $NULLFS_RS_CACHE/stock/mmdebstrap.log)"
	mv "$root.tmp" "$root"
	echo "$key" >"$root.key"
fi

if [ "${1:-}" != RUN ]; then
	echo "$root"
	exit 0
fi
shift
# A mount namespace of its own: the binds go when the command ends, however
# it ends.
exec unshare --mount --propagation private -- bash -euc '
	root=$1 top=$2
	shift 2
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	mount -t tmpfs tmpfs "$root/tmp"
	# After the tmpfs: the project may live under /tmp.
	mkdir -p "$root$top"
	mount --bind "$top" "$root$top"
	cd /
	exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 ${CI:+CI=$CI} "$@"
' root-run "$root" "$NULLFS_RS_TOP" "$@"
