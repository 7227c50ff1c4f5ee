#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# After `make install` for the running kernel: if it is locked down (Secure
# Boot), say in one line why the unsigned module will not load, and how to
# sign it.  Exits 0 either way: the install itself went through.
set -u
release=${1:?usage: lockdown.sh RELEASE}
[ "$(uname -r)" = "$release" ] || exit 0
mode=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
case $mode in
integrity | confidentiality)
	echo "nullfs_rs: $release is locked down ($mode, Secure Boot) and loads only signed modules; install with dkms, which signs with /var/lib/dkms/mok.key, and enroll that key: mokutil --import /var/lib/dkms/mok.pub, then reboot" >&2
	;;
esac
exit 0
