#!/bin/bash
# rootfs_rs workflow 1, inside the guest, in a mount namespace of its own:
# boot-time switch root over the immutable root.  The mutable root (an
# "initramfs" tmpfs) covers rootfs_rs; the real root is mounted beneath it and
# switched to with pivot_root(".", "."); unmounting the real root at the end
# reveals only the empty immutable root.
#
# The first stage builds the mutable root and runs the second in it; when the
# second is done, the first looks at what is left where the root was.
set -eu
step() { printf '\n# %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# A usable root at $1: the host's programs and libraries, read-only.
populate() {
	for dir in usr etc; do
		mkdir "$1/$dir"
		mount --rbind -o ro "/$dir" "$1/$dir"
	done
	for link in bin sbin lib lib64; do
		if [ -L "/$link" ]; then ln -s "$(readlink "/$link")" "$1/$link"; fi
	done
	mkdir "$1/proc"
	mount -t proc proc "$1/proc"
}

if [ "${1:-}" != --stage2 ]; then
	mount --make-rprivate /
	mkdir -p /tmp/boot
	step "the immutable root, with the mutable root over it"
	run mount -t rootfs_rs rootfs_rs /tmp/boot
	run mount -t tmpfs initramfs /tmp/boot
	populate /tmp/boot
	cp "$0" /tmp/boot/switch_root.sh
	run chroot /tmp/boot /bin/bash /switch_root.sh --stage2

	step "what is left where the root was: the empty immutable root"
	run stat -f -c "type %t" /tmp/boot
	run ls -a /tmp/boot
	printf '$ mkdir /tmp/boot/new\n'
	if mkdir /tmp/boot/new; then exit 1; fi
	exit
fi

step "the real root, mounted beneath the mutable one"
mkdir /sysroot
run mount -t tmpfs sysroot /sysroot
populate /sysroot
echo "the real root" >/sysroot/motd

step "switch root"
run cd /sysroot
run pivot_root . .
run umount -l .
run cd /
run ls /
run cat /motd
run stat -f -c "/ is %T (type %t)" /

step "unmount the real root"
run umount -l /
