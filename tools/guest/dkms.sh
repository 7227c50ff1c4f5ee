#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test guest: the nullfs_rs.ko that dkms built and
# installed (tools/dkms_build.sh) loads, mounts, refuses a write, and
# unloads.  Prints TAP.
set -u
ko=${1:?usage: dkms.sh NULLFS_RS.KO}
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
echo "1..4"
! loaded nullfs_rs || rmmod nullfs_rs
insmod "$ko" && loaded nullfs_rs
result $? "insmod of the module dkms installed"
dir=$(mktemp -d)
mount -t nullfs_rs none "$dir" && [ "$(stat -f -c %t "$dir")" = 4e554c4c ]
result $? "it mounts an instance with nullfs's magic"
! mkdir "$dir/x" 2>/dev/null && [ -z "$(ls -A "$dir")" ]
result $? "the instance refuses a new name and stays empty"
umount "$dir" && rmmod nullfs_rs && ! loaded nullfs_rs
result $? "it unmounts and unloads"
rmdir "$dir"
