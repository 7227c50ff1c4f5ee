# Shared settings for the scripts in tools/: sourced, never run.
# shellcheck shell=bash

NULLFS_RS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NULLFS_RS_CACHE=${NULLFS_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nullfs_rs}
# Build output of the module, samples and tests, per kernel flavour (as the
# Makefile has it).
if [ "${NULLFS_RS_FLAVOUR:-default}" = debug ]; then
	NULLFS_RS_OUT=${NULLFS_RS_OUT:-$NULLFS_RS_TOP/build/debug}
else
	NULLFS_RS_OUT=${NULLFS_RS_OUT:-$NULLFS_RS_TOP/build}
fi

# The toolchain the project's 7.3 tree is built with (tools/toolchain.mk):
# clang of rustc's LLVM major for C and bindgen, rustc pinned through
# rustup.  A distribution's kernel (NULLFS_RS_KERNEL=stock) brings its own:
# the compilers its config names, as the distribution installs them.
. "$NULLFS_RS_TOP/tools/toolchain.mk"
if [ "${NULLFS_RS_KERNEL:-}" != stock ]; then
	export LLVM=-$LLVM_MAJOR
	export LIBCLANG_PATH=/usr/lib/llvm-$LLVM_MAJOR/lib
	export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN
	export PATH="$HOME/.cargo/bin:$PATH"
else
	# Nor what a caller set up for the project's kernel (make check does).
	unset LLVM LIBCLANG_PATH RUSTUP_TOOLCHAIN
fi
# virtme-ng, for the boots of either kernel.
export PATH="$NULLFS_RS_CACHE/venv/bin:$PATH"

# The Debian mirror this machine is already configured with.
debian_mirror() {
	local mirror
	mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		tr ' ' '\n' | grep -m1 '/debian/*$' || true)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null || true)
	[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list*"
	echo "$mirror"
}

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Fails with one line saying why unless rustc, clang and bindgen are the
# ones tools/toolchain.mk names: a rustc of another LLVM major would make
# Kconfig drop CONFIG_RUST_INLINE_HELPERS without a word.
check_toolchain() {
	local rustc_llvm clang_major
	rustc_llvm=$(rustc -vV 2>/dev/null | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
	[ "$(rustc -vV 2>/dev/null | sed -n 's/^release: //p')" = "$RUST_TOOLCHAIN" ] ||
		die "rustc is not $RUST_TOOLCHAIN (RUSTUP_TOOLCHAIN=$RUSTUP_TOOLCHAIN; run tools/setup.sh)"
	clang_major=$(clang$LLVM --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p')
	[ "$rustc_llvm" = "$LLVM_MAJOR" ] && [ "$clang_major" = "$LLVM_MAJOR" ] ||
		die "rustc $RUST_TOOLCHAIN is on LLVM ${rustc_llvm:-?} and clang$LLVM on ${clang_major:-none}: inline helpers need both on LLVM $LLVM_MAJOR"
	[ "$(bindgen --version 2>/dev/null)" = "bindgen $BINDGEN_VERSION" ] ||
		die "bindgen is not $BINDGEN_VERSION ($(bindgen --version 2>&1 | head -n1); run tools/setup.sh)"
	command -v pahole >/dev/null ||
		die "pahole not found: the test kernel's BTF needs it (dwarves; run tools/setup.sh)"
}

# QEMU's KVM acceleration is broken on some hosts (it fails at vCPU setup or
# hangs): trust it only after a short boot of the kernel $1 under KVM came
# back, and remember the answer until the host reboots.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	local stamp
	stamp=$NULLFS_RS_CACHE/kvm-probe.$(cat /proc/sys/kernel/random/boot_id)
	if [ ! -f "$stamp" ]; then
		mkdir -p "$NULLFS_RS_CACHE"
		# (Braces around the subshell: bash reports its death by a signal,
		# QEMU's abort on a broken KVM, on the script's stderr otherwise.)
		if { (timeout -k 5 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 \
			-nodefaults -display none -no-reboot -serial none \
			-kernel "$1" -append "panic=-1 root=/dev/nonexistent") \
			>/dev/null 2>&1; } 2>/dev/null; then
			echo kvm >"$stamp"
		else
			echo tcg >"$stamp"
		fi
	fi
	[ "$(cat "$stamp")" = kvm ]
}

# Prints the lines of the kernel log $1 that report a splat (WARNING, BUG,
# Oops, KASAN, lockdep, kmemleak, panic, busy inodes after unmount, a hung
# task); fails if there is none.  The patterns are the reports' own
# lines, not the debug features' boot banners.
SPLAT='WARNING:|BUG:|Oops|KASAN:|suspected memory leak|possible circular locking|possible recursive locking|inconsistent lock state|INFO: lockdep|lockdep: .*(bug|BUG)|Kernel panic|general protection fault|Call Trace:|Busy inodes after unmount|blocked for more than [0-9]+ seconds'
# Lines that match SPLAT but report no kernel bug: a pr_warn() that starts
# "WARNING:" for a deprecated mount flag, which trinity (as the root of its
# user namespace) passes to mount(2).  Such a line taints nothing; a real
# WARN does, and the taint is checked apart.
NOT_A_SPLAT='WARNING: The mand mount option has been deprecated'
splat_in() {
	grep -E "$SPLAT" "$1" | grep -vE "$NOT_A_SPLAT"
}

# A line for the guest to write to /dev/kmsg last (tools/guest/run.sh,
# unshare_init.c), new for each boot, which the splat detector must find: proof that it read a
# whole log rather than nothing.
#   splat_canary NONCE
splat_canary() {
	echo "nullfs_rs splat canary $1: WARNING: the detector must see this line"
}

# Taints that only a kernel bug sets: MACHINE_CHECK, BAD_PAGE, DIE, WARN
# and SOFTLOCKUP (bits 4, 5, 7, 9, 14), not those of loading this module.
TAINT_BUGS=$(((1 << 4) | (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))

# The verdict on a guest run: exit status $1 of `timeout ... qemu/vng`,
# with timeout $2 and kernel console log $3.  With $4 (the results
# directory of a guest run through tools/guest/run.sh) and $5 (its canary),
# also the guest's dmesg, the canary and the taint.  Fails (printing why) on
# a timeout, a splat, dropped printk messages, a canary the detector did not
# see, or a bug taint that the run added; returns otherwise.
boot_verdict() {
	local rc=$1 timeout=$2 console=$3 dir=${4:-} canary=${5:-} logs log splat before after
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "FAIL: the guest did not finish within ${timeout}s (log: $console)" >&2
		exit 124
	fi
	logs=("$console")
	[ -z "$dir" ] || [ ! -s "$dir/dmesg.txt" ] || logs+=("$dir/dmesg.txt")
	for log in "${logs[@]}"; do
		splat=$(splat_in "$log" | { if [ -n "$canary" ]; then grep -vF "$canary"; else cat; fi; } |
			head -n1) || true
		if [ -n "$splat" ]; then
			echo "FAIL: the guest kernel log shows: $splat (log: $log)" >&2
			exit 125
		fi
		if grep -qm1 'printk messages dropped' "$log"; then
			echo "FAIL: the guest kernel dropped printk messages (log: $log)" >&2
			exit 125
		fi
	done
	[ -n "$dir" ] || return 0
	for log in "$console" "$dir/dmesg.txt"; do
		if ! grep -E "$SPLAT" "$log" 2>/dev/null | grep -qF "$canary"; then
			echo "FAIL: the splat detector did not see the guest's canary in $log: that log is cut short or was not read" >&2
			exit 125
		fi
	done
	before=$(cat "$dir/tainted.before" 2>/dev/null) || true
	after=$(cat "$dir/tainted.after" 2>/dev/null) || true
	if [[ ! $before =~ ^[0-9]+$ ]] || [[ ! $after =~ ^[0-9]+$ ]]; then
		echo "FAIL: the guest did not record its taint before and after (in $dir)" >&2
		exit 125
	fi
	if (((after & ~before) & TAINT_BUGS)); then
		echo "FAIL: the guest kernel's taint went from $before to $after: a bug was reported" >&2
		exit 125
	fi
}
