#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Makes DIR ready to be the output directory (MO=) of an external module
# built against KDIR: emptied first if KDIR's config is not the one DIR's
# objects were built with.
#
#   module_out.sh KDIR DIR
#
# kbuild notes the config options an object depends on as files under
# include/config/, relative to where it builds; an external module's output
# directory has none, so a kernel reconfigured under it would leave its
# objects stale.  (vfs/ffi.rs's check_layout! stopped such a build when
# the test kernel gained BTF, which grows struct module.)
set -euo pipefail
kdir=${1:?usage: module_out.sh KDIR DIR}
dir=$(realpath -m "${2:?usage: module_out.sh KDIR DIR}")
config=$kdir/include/config/auto.conf
if [ -f "$config" ] && ! cmp -s "$config" "$dir/.kernel-config"; then
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$config" "$dir/.kernel-config"
fi
mkdir -p "$dir"
