#!/bin/bash
# The main job, inside the guest: load nullfs_rs, mount two nullfs_rs
# instances side by side, show what they are and what they refuse, switch
# root over rootfs_rs, mask a directory as an unprivileged container's root
# and in a rootless crun container, then unmount and unload; last, ask the Rust
# scoped_with_init_fs sample to read a file from a kthread and a work item.
# Exits non-zero as soon as something does not behave as shown.
set -eu
. "$(dirname "$0")/show.sh"

run insmod "$NULLFS_RS_MODULES/module/nullfs_rs.ko"
run grep nullfs_rs /proc/filesystems
mkdir -p /tmp/a /tmp/b
run mount -t nullfs_rs none /tmp/a
run mount -t nullfs_rs none /tmp/b
run grep -w nullfs_rs /proc/self/mounts
run stat -c '%n: dev %d ino %i mode %A links %h uid %u size %s' /tmp/a /tmp/b
run stat -f -c '%n: type %t blocksize %S namelen %l' /tmp/a
run ls -la /tmp/a
refused touch /tmp/a/file
refused mkdir /tmp/a/dir
refused chmod 700 /tmp/a
refused flock /tmp/a true
refused rmmod nullfs_rs

echo
echo "# rootfs_rs: switching root over the immutable root"
run unshare --mount "$NULLFS_RS_TOP/tools/guest/switch_root.sh"

echo
echo "# nullfs_rs in an unprivileged container: nobody masks a directory"
mkdir -p /tmp/secrets
echo "host secret" >/tmp/secrets/key
chmod -R a+rX /tmp/secrets
run setpriv --reuid=65534 --regid=65534 --clear-groups \
	unshare --user --map-root-user --mount --propagation private \
	"$NULLFS_RS_TOP/tools/guest/container.sh"

echo
echo "# nullfs_rs in an OCI container: crun, rootless, masks /secret"
run python3 "$NULLFS_RS_TOP/tools/guest/oci.py" --demo

run umount /tmp/a
run umount /tmp/b
run rmmod nullfs_rs
refused grep -E 'nullfs_rs|rootfs_rs' /proc/filesystems

echo
echo "# scoped_with_init_fs: a kthread and a work item read a file of init's"
echo "# namespace, each without and with the guard"
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
echo "init's view" >/tmp/motd
run insmod "$NULLFS_RS_MODULES/samples/rust_init_fs.ko"
printf '\n$ echo /tmp/motd >/sys/kernel/debug/rust_init_fs/probe\n'
echo /tmp/motd >/sys/kernel/debug/rust_init_fs/probe
run cat /sys/kernel/debug/rust_init_fs/probe
run rmmod rust_init_fs
echo
echo "demo: done"
