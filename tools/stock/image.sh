#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian's own image of a stock kernel, as its packages ship it: the signed
# kernel (linux-binary-RELEASE), its modules (linux-modules-RELEASE) and
# the lists of what is built in (linux-base-RELEASE),
# fetched with apt in the build root, which checks them against the
# archive's signed index, and unpacked into the cache as a root directory
# that virtme-ng boots the kernel from.  Prints that directory.
#
#   image.sh RELEASE
set -euo pipefail
NULLFS_RS_KERNEL=stock
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/kernels.sh"

release=${1:?usage: image.sh RELEASE}
dir=$NULLFS_RS_CACHE/stock/image/$release
packages=(linux-binary linux-modules linux-base)
stamp="$STOCK_VERSION ${packages[*]}"
if [ "$(cat "$dir.version" 2>/dev/null)" = "$stamp" ] && [ -f "$dir/usr/lib/modules/$release/vmlinuz" ]; then
	echo "$dir"
	exit 0
fi

root=$("$(dirname "$0")/root.sh")
debs=/root/.cache/nullfs_rs/stock/debs
say "downloading Debian's image of $release ($STOCK_VERSION)"
"$(dirname "$0")/root.sh" RUN bash -euc '
	dir=$1 release=$2 version=$3
	shift 3
	mkdir -p "$dir" && cd "$dir" && rm -f ./*.deb
	apt-get update -q >/dev/null
	apt-get download -q -o APT::Sandbox::User=root "${@/%/-$release=$version}" >/dev/null
' image "$debs" "$release" "$STOCK_VERSION" "${packages[@]}" >&2 || die "apt-get download of the $release image failed"

rm -rf "$dir" "$dir.version"
mkdir -p "$dir"
for deb in "$root$debs"/*.deb; do
	dpkg-deb -x "$deb" "$dir"
done
rm -f "$root$debs"/*.deb
# Debian 13 keeps modules in /usr/lib/modules; virtme-ng looks in /lib.
ln -s usr/lib "$dir/lib"
[ -f "$dir/usr/lib/modules/$release/vmlinuz" ] || die "the $release packages hold no vmlinuz"
echo "$stamp" >"$dir.version"
echo "$dir"
