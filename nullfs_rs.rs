// SPDX-License-Identifier: GPL-2.0

//! The `nullfs_rs` filesystem type: every mount a new, empty, immutable
//! directory, which root and user namespaces may mount.

#![forbid(unsafe_code)]

use crate::empty_dir::set_empty_root;
use crate::vfs::{
    FileSystem, FsFlag, FsFlags, Instances, New, Ready, SbIFlag, SbIFlags, SuperBlock,
    NULL_FS_MAGIC,
};
use kernel::prelude::*;

/// The `nullfs_rs` filesystem type.
pub(crate) struct NullFs;

impl FileSystem for NullFs {
    const NAME: &'static CStr = c"nullfs_rs";
    const MAGIC: u32 = NULL_FS_MAGIC;
    const INSTANCES: Instances = Instances::PerMount;
    // An empty, immutable tree reveals nothing, so a user namespace may mount
    // it; and there is nothing on it to watch.
    const FS_FLAGS: FsFlags = FsFlags::empty()
        .with(FsFlag::UsernsMount)
        .with(FsFlag::DisallowNotify);
    const SB_IFLAGS: SbIFlags = SbIFlags::empty().with(SbIFlag::NoExec).with(SbIFlag::NoDev);

    fn fill_super(sb: SuperBlock<'_, Self, New>) -> Result<SuperBlock<'_, Self, Ready>> {
        set_empty_root(sb)
    }
}
