#!/usr/bin/env bash
# Boot the project's test kernel under virtme-ng and run one command in it.
#
#   boot.sh [--timeout SECONDS] [--results DIR] [--stock RELEASE | --modules DIR] [--] COMMAND [ARG...]
#   boot.sh [--stock RELEASE] --shell
#
# --stock boots Debian's own image of RELEASE instead (tools/stock/image.sh),
# unmodified; the guest's NULLFS_RS_MODULES then names the build of the
# module and samples for it (build/stock/RELEASE).  --modules names another
# build of them for the test kernel (a mutant's, tools/mutants.sh).
#
# The guest sees the host's root read-only (the repository included) and
# DIR read-write at the same path; the guest's environment names it
# NULLFS_RS_RESULTS.  The exit status is the guest command's, unless the boot
# timed out (124) or the guest's kernel log shows a splat (WARNING, BUG,
# Oops, KASAN, lockdep, kmemleak, panic, busy inodes after unmount, a hung
# task), dropped printk messages, a bug taint, or a log in which the
# detector misses the guest's canary (tools/guest/run.sh), which fail the
# run (125).  The kernel log is kept in DIR/console.log, the guest's dmesg
# in DIR/dmesg.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout=${NULLFS_RS_BOOT_TIMEOUT:-600}
results=
shell=
stock=
modules=
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--stock) stock=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ -n "$shell" ] || [ $# -gt 0 ] || die "no guest command given"

if [ -n "$stock" ]; then
	kernel=$("$NULLFS_RS_TOP/tools/stock/image.sh" "$stock")/usr/lib/modules/$stock/vmlinuz
	modules=$NULLFS_RS_TOP/build/stock/$stock
else
	kdir=${KDIR:-$NULLFS_RS_CACHE/kernel/${NULLFS_RS_FLAVOUR:-default}/build}
	kernel=$kdir/arch/x86/boot/bzImage
	modules=${modules:-$NULLFS_RS_OUT}
fi
[ -f "$kernel" ] || die "no kernel at $kernel (run make kernel)"
command -v vng >/dev/null || die "vng not found (run make setup)"

results=${results:-$(mktemp -d "${TMPDIR:-/tmp}/guest.XXXXXX")}
mkdir -p "$results"
results=$(cd "$results" && pwd)
console=$results/console.log

# no5lvl: on a CPU with 5-level paging (TCG's has it), KASAN reports a
# false wild-memory-access for an interrupt that lands while
# identify_boot_cpu() has cleared X86_FEATURE_LA57, on which KASAN's idea of
# the shadow's start depends.  With 4-level paging there is no such window.
vng_args=(--run "$kernel" --force-9p --memory 1G --cpus 2 --verbose
	--append "root=/dev/root panic=-1 oops=panic no5lvl")
if kvm_works "$kernel"; then
	accel=kvm
else
	accel=tcg
	vng_args+=(--disable-kvm)
	# Debian's kernel patches its text at run time more than the test
	# kernel (static branches of the scheduler among it). One boot under
	# multi-threaded TCG died of an int3 at a static branch being patched
	# (Documentation/stock_kernels.rst); one host thread for all vCPUs
	# serialises them, so no vCPU runs code that another is rewriting.
	[ -z "$stock" ] || vng_args+=(--qemu-opt=-accel --qemu-opt=tcg,thread=single)
fi
vng_args+=(--rwdir "$results")

canary=$(splat_canary "$(date +%s%N)")
guest_env=(NULLFS_RS_RESULTS="$results" NULLFS_RS_TOP="$NULLFS_RS_TOP" NULLFS_RS_OUT="$NULLFS_RS_OUT"
	NULLFS_RS_MODULES="$modules" NULLFS_RS_SPLAT_CANARY="$canary")
if [ -n "$shell" ]; then
	# vng runs the shell as it is: give it the environment through a wrapper.
	printf '#!/bin/sh\nexec env %s %q\n' "$(printf '%q ' "${guest_env[@]}")" \
		"$NULLFS_RS_TOP/tools/guest/shell.sh" >"$results/shell"
	chmod +x "$results/shell"
	say "interactive guest ($accel); exit the shell to power off"
	exec vng "${vng_args[@]}" --shell "$results/shell"
fi

# vng passes the guest's stderr to ours, mixed with the kernel's console:
# merge it into the guest's stdout instead.
guest_cmd=$(printf '%q ' env "${guest_env[@]}" "$NULLFS_RS_TOP/tools/guest/run.sh" "$@")
guest_cmd="$guest_cmd 2>&1"
say "booting ($accel, timeout ${timeout}s): $*"
rc=0
timeout -k 10 "$timeout" vng "${vng_args[@]}" --exec "$guest_cmd" \
	</dev/null >"$results/guest.out" 2>"$console" || rc=$?
# The guest command's output, without the kernel's console lines.
grep -v '^\[ *[0-9]*\.[0-9]*\] ' "$results/guest.out" || true
grep '^\[ *[0-9]*\.[0-9]*\] ' "$results/guest.out" >>"$console" || true

boot_verdict "$rc" "$timeout" "$console" "$results" "$canary"
exit "$rc"
