#!/usr/bin/env bash
# A boot of `make check` whose PID 1 is tools/guest/unshare_init.c, in a
# tiny initramfs with the two samples, doing what SCENARIO names (see
# unshare_init.c).  It writes TAP lines prefixed "unshare_init:" to the
# second serial port, kept in OUTDIR/results.txt and printed here, and the
# kernel log to the third, OUTDIR/dmesg.txt; the console is kept in
# OUTDIR/console.log.  Fails as boot.sh does (a timeout, a splat, dropped
# messages, a missed canary, a bug taint), or if the kernel did not log its
# "Pid 1 stopped sharing" warning exactly once where PID 1 stops sharing its
# fs state, and never elsewhere.
#
#   unshare_init_boot.sh OUTDIR SCENARIO [RELEASE]
#
# KUnit is off: nullfs_rs.ko's suites run in make check's main boot, not
# in this bare initramfs.
#
# With RELEASE, Debian's own image of that stock kernel boots, with the
# samples built for it (build/stock/RELEASE/samples).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: unshare_init_boot.sh OUTDIR SCENARIO}
scenario=${2:?usage: unshare_init_boot.sh OUTDIR SCENARIO}
case $scenario in
clone_fs | clone_newns) expected_warnings=1 ;;
thread | tmpfs_over_root | pivot_root | nullfs_rs_root) expected_warnings=0 ;;
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
[ -f "$samples/../module/nullfs_rs.ko" ] || die "no module beside $samples (run make)"

rm -rf "$out"
mkdir -p "$out/initramfs"
gcc -static -O2 -Wall -Werror -o "$out/initramfs/init" "$NULLFS_RS_TOP/tools/guest/unshare_init.c"
cp "$samples/rust_init_fs.ko" "$samples/c_init_fs.ko" "$samples/../module/nullfs_rs.ko" "$out/initramfs/"
echo "a file of init's root" >"$out/initramfs/probe.txt"
(cd "$out/initramfs" && find . | cpio -o -H newc --quiet) >"$out/initramfs.cpio"

if kvm_works "$kernel"; then
	accel=(-accel kvm -cpu host)
fi
console=$out/console.log
nonce=$(date +%s%N)
rc=0
timeout=${NULLFS_RS_BOOT_TIMEOUT:-300}
# no5lvl: see boot.sh.
timeout -k 10 "$timeout" qemu-system-x86_64 "${accel[@]}" \
	-m 512 -smp 2 -nodefaults -display none -no-reboot -serial stdio \
	-serial "file:$out/results.raw" -serial "file:$out/dmesg.txt" \
	-kernel "$kernel" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 rdinit=/init panic=-1 oops=panic no5lvl kunit.enable=0 nullfs_rs_scenario=$scenario nullfs_rs_canary=$nonce" \
	</dev/null >"$console" 2>&1 || rc=$?
# A tty's output turns "\n" into "\r\n".
: >"$out/results.txt"
tr -d '\r' <"$out/results.raw" >"$out/results.txt" 2>/dev/null || true
sed -n 's/^# tainted before: //p' "$out/results.txt" >"$out/tainted.before" || true
sed -n 's/^# tainted after: //p' "$out/results.txt" >"$out/tainted.after" || true
boot_verdict "$rc" "$timeout" "$console" "$out" "$(splat_canary "$nonce")"
# The one line the kernel is expected to add, once, when PID 1 stops
# sharing.
warnings=$(grep -c 'VFS: Pid 1 stopped sharing filesystem state' "$out/dmesg.txt" || true)
if [ "$warnings" -ne "$expected_warnings" ]; then
	echo "FAIL: the kernel logged 'Pid 1 stopped sharing' $warnings times, not $expected_warnings (log: $console)" >&2
	exit 1
fi
grep '^unshare_init:' "$out/results.txt"
