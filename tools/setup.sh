#!/usr/bin/env bash
# Install everything the build, boot and tests need, and nothing that is
# already there.  Idempotent: a second run only prints what it skipped.
#
#   setup.sh [--bench]
#
# --bench also installs what make bench needs: perf, for its profiles, and
# matplotlib in the venv, for its plot.
set -euo pipefail
# The project's toolchain, whichever kernel the caller builds for.
unset NULLFS_RS_KERNEL
. "$(dirname "$0")/lib.sh"

VIRTME_NG_VERSION=1.42
MATPLOTLIB_VERSION=3.10.7

bench=
case ${1:-} in
--bench) bench=1 ;;
"") ;;
*) die "unknown option $1" ;;
esac

DEB_PACKAGES=(
	"clang-$LLVM_MAJOR" "lld-$LLVM_MAJOR" "llvm-$LLVM_MAJOR" "libclang-$LLVM_MAJOR-dev"
	make gcc libc6-dev flex bison bc libelf-dev libssl-dev cpio kmod rsync
	qemu-system-x86 udev python3-venv xz-utils
	# The OCI runtimes the container tests run, and the container's userland.
	crun runc busybox-static
	# podman, on top of crun, in the container tests.
	podman
	# `make check` builds the module with dkms, as a distribution would.
	dkms
	# The kernel's syscall fuzzer, aimed at the module's mounts.
	trinity
	# The kernel tree's filesystem selftests link libcap.
	libcap-dev
	# The Debian 13 build root of the stock-kernel builds (tools/stock/).
	mmdebstrap
	# pahole: the test kernel's BTF, which the module's layouts are checked
	# against.
	dwarves
)
[ -z "$bench" ] || DEB_PACKAGES+=(linux-perf)

have=() missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		have+=("$pkg")
	else
		missing+=("$pkg")
	fi
done
if ((${#missing[@]})); then
	say "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v rustup >/dev/null || die "rustup not found: the Rust toolchain comes from rustup"
# The pinned toolchain, which RUSTUP_TOOLCHAIN (lib.sh, Makefile) selects.
components=(rust-src rustfmt clippy)
if ! rustup toolchain list | grep -q "^$RUST_TOOLCHAIN-"; then
	say "installing Rust $RUST_TOOLCHAIN"
	rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal
fi
for component in "${components[@]}"; do
	if rustup component list --installed | grep -q "^$component"; then
		have+=("$component")
	else
		say "installing $component for Rust $RUST_TOOLCHAIN"
		rustup component add "$component"
	fi
done

if [ "$(bindgen --version 2>/dev/null)" = "bindgen $BINDGEN_VERSION" ]; then
	have+=("bindgen-$BINDGEN_VERSION")
else
	say "installing bindgen-cli $BINDGEN_VERSION"
	cargo install --locked --force --version "$BINDGEN_VERSION" bindgen-cli
fi
check_toolchain

venv=$NULLFS_RS_CACHE/venv
if [ -x "$venv/bin/vng" ] && [ "$("$venv/bin/pip" show virtme-ng 2>/dev/null | sed -n 's/^Version: //p')" = "$VIRTME_NG_VERSION" ]; then
	have+=("virtme-ng-$VIRTME_NG_VERSION")
else
	say "installing virtme-ng $VIRTME_NG_VERSION into $venv"
	mkdir -p "$NULLFS_RS_CACHE"
	python3 -m venv "$venv"
	"$venv/bin/pip" install -q "virtme-ng==$VIRTME_NG_VERSION"
fi
if [ -n "$bench" ]; then
	if [ "$("$venv/bin/pip" show matplotlib 2>/dev/null | sed -n 's/^Version: //p')" = "$MATPLOTLIB_VERSION" ]; then
		have+=("matplotlib-$MATPLOTLIB_VERSION")
	else
		say "installing matplotlib $MATPLOTLIB_VERSION into $venv"
		"$venv/bin/pip" install -q "matplotlib==$MATPLOTLIB_VERSION"
	fi
fi
say "already there: ${have[*]}"
