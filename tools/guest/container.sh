#!/bin/bash
# A container's view, inside the guest, for make run: an unprivileged user
# (nobody) makes a user and mount namespace with util-linux's unshare and,
# as root there, masks a directory with content by mounting nullfs_rs on it,
# which the C nullfs (SB_NOUSER) cannot do for anyone.  The mask hides the
# content and refuses every change; the inherited /proc stays locked.
set -eu
. "$(dirname "$0")/show.sh"

run id -u
run cat /tmp/secrets/key
run mount -t nullfs_rs container-mask /tmp/secrets
run ls -la /tmp/secrets
refused cat /tmp/secrets/key
refused touch /tmp/secrets/new
refused chmod 777 /tmp/secrets
# util-linux reports the EINVAL of a locked mount as "not mounted".
echo "# /proc came from the parent namespace: locked, it cannot be unmounted"
refused umount -l /proc
run umount /tmp/secrets
run cat /tmp/secrets/key
