#!/usr/bin/env bash
# Fetch Debian's linux-source-7.3 package through a private apt configuration
# (the machine's own sources stay untouched) and leave the source tarball in
# the cache.  Prints the path of the tarball on stdout.
#
# The pinned version is checked against its SHA256.  If the archive no longer
# serves it, the newest 7.3.x it does serve is taken, and the script says so.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

PINNED_VERSION=7.3.4-1~bpo13+1
PINNED_SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
SUITES=(trixie-backports sid experimental)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

src_dir=$NULLFS_RS_CACHE/source
mkdir -p "$src_dir"

# The tarball of a version fetched before is reused as it is.
if [ -z "${NULLFS_RS_SOURCE_VERSION:-}" ] && [ -f "$src_dir/linux-source-$PINNED_VERSION.tar.xz" ]; then
	echo "$src_dir/linux-source-$PINNED_VERSION.tar.xz"
	exit 0
fi

mirror=$(debian_mirror)

apt_dir=$NULLFS_RS_CACHE/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
: >"$apt_dir/sources.list"
for suite in "${SUITES[@]}"; do
	echo "deb [signed-by=$KEYRING] $mirror $suite main" >>"$apt_dir/sources.list"
done
apt_opts=(
	-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
	-o "Dir::Etc::sourceparts=-"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::Cache=$apt_dir/cache"
	-o "APT::Get::List-Cleanup=0"
)
say "updating the private package index ($mirror: ${SUITES[*]})"
apt-get -q "${apt_opts[@]}" update >&2 || die "apt-get update failed for the private index"

available=$(apt-cache "${apt_opts[@]}" madison linux-source-7.3 | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
[ -n "$available" ] || die "the archive serves no linux-source-7.3"

version=${NULLFS_RS_SOURCE_VERSION:-$PINNED_VERSION}
if ! grep -qxF -- "$version" <<<"$available"; then
	newest=$(sort -V <<<"$available" | grep '^7\.3\.' | tail -n1 || true)
	[ -n "$newest" ] || die "linux-source-7.3 $version is gone and no 7.3.x is served (have: $(echo $available))"
	say "NOTE: linux-source-7.3 $version is not served any more; taking the newest 7.3.x: $newest"
	version=$newest
fi

tarball=$src_dir/linux-source-$version.tar.xz
if [ ! -f "$tarball" ]; then
	work=$(mktemp -d "$src_dir/fetch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	say "downloading linux-source-7.3 $version"
	(cd "$work" && apt-get -q "${apt_opts[@]}" download "linux-source-7.3=$version" >&2) ||
		die "apt-get download linux-source-7.3=$version failed"
	deb=$(ls "$work"/linux-source-7.3_*.deb)
	sha=$(sha256sum "$deb" | cut -d' ' -f1)
	if [ "$version" = "$PINNED_VERSION" ]; then
		[ "$sha" = "$PINNED_SHA256" ] || die "SHA256 mismatch for $deb: $sha, expected $PINNED_SHA256"
	else
		say "NOTE: unpinned $version has SHA256 $sha (apt checked it against the signed index)"
	fi
	dpkg-deb -x "$deb" "$work/x"
	mv "$work/x/usr/src/linux-source-7.3.tar.xz" "$tarball.tmp"
	mv "$tarball.tmp" "$tarball"
fi
echo "$tarball"
