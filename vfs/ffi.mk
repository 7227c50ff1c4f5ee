# SPDX-License-Identifier: GPL-2.0
#
# For a Kbuild whose Rust crate builds in nullfs_rs's VFS layer: the C
# side of vfs/ffi.rs.  A LAYOUT.c compiled to assembly with the kernel's own
# C compiler and flags (as asm-offsets.c is) becomes LAYOUT.rs, the Rust
# items that vfs/ffi.rs includes through NULLFS_RS_LAYOUT.
#
# The including Kbuild sets nullfs_rs_layout to that .rs target, and makes
# its crate's object depend on it.

quiet_cmd_rust_layout = GEN     $@
      cmd_rust_layout = sed -n 's/\$$//g; s/^[[:space:]]*\.ascii[[:space:]]*"->\([^"]*\)".*/\1/p' $< >$@

$(obj)/$(nullfs_rs_layout): $(obj)/$(nullfs_rs_layout:.rs=.s) FORCE
	$(call if_changed,rust_layout)

targets += $(nullfs_rs_layout) $(nullfs_rs_layout:.rs=.s)
export NULLFS_RS_LAYOUT := $(abspath $(obj)/$(nullfs_rs_layout))
