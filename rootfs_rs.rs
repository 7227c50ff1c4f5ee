// SPDX-License-Identifier: GPL-2.0

//! rootfs_rs: the immutable rootfs, a single, permanently empty root.
//!
//! A mount tree can be built on top of it, and unmounting whatever covers it
//! reveals nothing, because there is nothing in it to reveal.

#![forbid(unsafe_code)]

use crate::empty_dir::set_empty_root;
use crate::vfs::{FileSystem, FsFlags, Instances, New, Ready, SbIFlag, SbIFlags, SuperBlock};
use kernel::prelude::*;

/// The magic number of the immutable rootfs ("ROOT"), as the design proposes
/// it for `<uapi/linux/magic.h>`; the 7.3 uapi does not have it.
const ROOT_FS_MAGIC: u32 = 0x524f_4f54;

/// The `rootfs_rs` filesystem type.
pub(crate) struct RootFs;

impl FileSystem for RootFs {
    const NAME: &'static CStr = c"rootfs_rs";
    const MAGIC: u32 = ROOT_FS_MAGIC;
    // One root for the whole system, so only the initial user namespace may
    // mount it.
    const INSTANCES: Instances = Instances::Single;
    const FS_FLAGS: FsFlags = FsFlags::empty();
    const SB_IFLAGS: SbIFlags = SbIFlags::empty().with(SbIFlag::NoExec).with(SbIFlag::NoDev);

    fn fill_super(sb: SuperBlock<'_, Self, New>) -> Result<SuperBlock<'_, Self, Ready>> {
        // Permanently empty, and immutable. The design sets S_IMMUTABLE
        // only, but relatime then still moves the atime on a read, which an
        // immutable root should not show: the empty root has S_NOATIME too.
        set_empty_root(sb)
    }
}
