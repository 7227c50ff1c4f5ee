#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test guest: the nullfs_rs.ko that dkms built and
# installed (tools/dkms_build.sh) loads, mounts, refuses a write, and
# unloads.  Prints TAP.
set -u
ko=${1:?usage: dkms.sh NULLFS_RS.KO}
n=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
loaded() { grep -q '^nullfs_rs ' /proc/modules; }

echo "TAP version 13"
echo "1..4"
! loaded || rmmod nullfs_rs
insmod "$ko" && loaded
result $? "insmod of the module dkms installed"
dir=$(mktemp -d)
mount -t nullfs_rs none "$dir" && [ "$(stat -f -c %t "$dir")" = 4e554c4c ]
result $? "it mounts an instance with nullfs's magic"
! mkdir "$dir/x" 2>/dev/null && [ -z "$(ls -A "$dir")" ]
result $? "the instance refuses a new name and stays empty"
umount "$dir" && rmmod nullfs_rs && ! loaded
result $? "it unmounts and unloads"
rmdir "$dir"
