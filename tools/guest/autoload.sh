#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test guest: the module as `make install` left it under
# $1 (an INSTALL_MOD_PATH) is loaded by the kernel itself when a mount
# names its type, and unloads with modprobe -r after the last unmount.
# Prints TAP.  The module tree is bind-mounted where modprobe looks, and
# stays there for the container tests that run next.
set -u
modroot=${1:?usage: autoload.sh INSTALL_MOD_PATH}
release=$(uname -r)
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
echo "1..9"
# The host's /lib/modules has no tree for this kernel: put the installed
# one where modprobe, which the kernel runs, looks for it.
mount -t tmpfs -o mode=755 tmpfs /lib/modules &&
	mkdir -p "/lib/modules/$release" &&
	mount --bind "$modroot/lib/modules/$release" "/lib/modules/$release"
result $? "the installed module tree is at /lib/modules/$release"
modinfo -F alias nullfs_rs 2>/dev/null | sort | tr '\n' ' ' | grep -qx 'fs-nullfs_rs fs-rootfs_rs '
result $? "modinfo nullfs_rs names the aliases fs-nullfs_rs and fs-rootfs_rs"
! loaded nullfs_rs || rmmod nullfs_rs
mkdir -p /tmp/autoload
mount -t nullfs_rs none /tmp/autoload && loaded nullfs_rs &&
	[ "$(stat -f -c %t /tmp/autoload)" = 4e554c4c ]
result $? "mount -t nullfs_rs loads the module and mounts"
! modprobe -r nullfs_rs 2>/dev/null && loaded nullfs_rs
result $? "modprobe -r refuses while it is mounted"
umount /tmp/autoload && modprobe -r nullfs_rs && ! loaded nullfs_rs
result $? "modprobe -r unloads it after the last unmount"
mount -t rootfs_rs none /tmp/autoload && loaded nullfs_rs &&
	[ "$(stat -f -c %t /tmp/autoload)" = 524f4f54 ]
result $? "mount -t rootfs_rs loads the module too"
umount /tmp/autoload && modprobe -r nullfs_rs
result $? "and it unloads again"
# From a user namespace, as a rootless runtime mounts it.
setpriv --reuid=65534 --regid=65534 --clear-groups \
	unshare --user --map-root-user --mount sh -c \
	'mount -t nullfs_rs none /tmp && [ "$(stat -f -c %t /tmp)" = 4e554c4c ]' &&
	loaded nullfs_rs
result $? "nobody's mount in a user namespace loads it"
# Unloaded again for the container tests, whose mounts load it: the
# namespace's mount goes when its last process has, a little later (the
# last mntput of an exiting task is deferred to a work item). Tries are
# counted, generously, and stop at the first success.
for _ in $(seq 600); do
	modprobe -r nullfs_rs 2>/dev/null && break
	sleep 0.1
done
! loaded nullfs_rs
result $? "modprobe -r once the namespace is gone"
