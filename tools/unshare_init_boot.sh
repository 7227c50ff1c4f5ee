#!/usr/bin/env bash
# A boot of `make check` whose PID 1 is tools/guest/unshare_init.c, in a
# tiny initramfs with the two samples, doing what SCENARIO names (see
# unshare_init.c).  It prints TAP lines prefixed "unshare_init:" to the
# console, which is kept in OUTDIR/console.log.  Fails on a timeout, a
# splat, or if the kernel did not log its "Pid 1 stopped sharing" warning
# exactly once where PID 1 stops sharing its fs state, and never elsewhere.
#
#   unshare_init_boot.sh OUTDIR SCENARIO [RELEASE]
#
# With RELEASE, Debian's own image of that stock kernel boots, with the
# samples built for it (build/stock/RELEASE/samples).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: unshare_init_boot.sh OUTDIR SCENARIO}
scenario=${2:?usage: unshare_init_boot.sh OUTDIR SCENARIO}
case $scenario in
clone_fs | clone_newns) expected_warnings=1 ;;
thread | tmpfs_over_root | pivot_root) expected_warnings=0 ;;
*) die "unknown scenario '$scenario'" ;;
esac
stock=${3:-}
accel=(-accel tcg)
if [ -n "$stock" ]; then
	kernel=$("$NULLFS_RS_TOP/tools/stock/image.sh" "$stock")/usr/lib/modules/$stock/vmlinuz
	samples=$NULLFS_RS_TOP/build/stock/$stock/samples
	# See boot.sh: one host thread for the vCPUs of Debian's kernel.
	accel=(-accel tcg,thread=single)
else
	kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
	kernel=$kdir/arch/x86/boot/bzImage
	samples=$NULLFS_RS_OUT/samples
fi
[ -f "$kernel" ] || die "no kernel at $kernel (run make kernel)"
[ -f "$samples/rust_init_fs.ko" ] || die "no samples in $samples (run make samples)"

rm -rf "$out"
mkdir -p "$out/initramfs"
gcc -static -O2 -Wall -Werror -o "$out/initramfs/init" "$NULLFS_RS_TOP/tools/guest/unshare_init.c"
cp "$samples/rust_init_fs.ko" "$samples/c_init_fs.ko" "$out/initramfs/"
echo "a file of init's root" >"$out/initramfs/probe.txt"
(cd "$out/initramfs" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"

if kvm_works "$kernel"; then
	accel=(-accel kvm -cpu host)
fi
console=$out/console.log
rc=0
timeout=${NULLFS_RS_BOOT_TIMEOUT:-300}
# no5lvl: see boot.sh.
timeout -k 10 "$timeout" qemu-system-x86_64 "${accel[@]}" \
	-m 512 -smp 2 -nodefaults -display none -no-reboot -serial stdio \
	-kernel "$kernel" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 rdinit=/init panic=-1 oops=panic no5lvl nullfs_rs_scenario=$scenario" \
	</dev/null >"$console" 2>&1 || rc=$?
boot_verdict "$rc" "$timeout" "$console"
# The one line the kernel is expected to add, once, when PID 1 stops
# sharing.
warnings=$(grep -c 'VFS: Pid 1 stopped sharing filesystem state' "$console" || true)
if [ "$warnings" -ne "$expected_warnings" ]; then
	echo "FAIL: the kernel logged 'Pid 1 stopped sharing' $warnings times, not $expected_warnings (log: $console)" >&2
	exit 1
fi
grep 'unshare_init:' "$console"
