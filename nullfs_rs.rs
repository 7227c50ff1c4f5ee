// SPDX-License-Identifier: GPL-2.0

//! The `nullfs_rs` filesystem type: every mount a new, empty, immutable
//! directory, which root and user namespaces may mount.
//!
//! Two options:
//!
//! - `file`: the mount is an empty regular file instead, to mask a file.
//! - `instance=mntns`: every mount made from the same mount namespace
//!   shares one superblock, a container's masks among them, instead of one
//!   per mount (`instance=mount`, the default).

#![forbid(unsafe_code)]

use crate::empty_dir::set_empty_root;
use crate::empty_file::new_empty_file;
use crate::vfs::{
    FileRoot, FileSystem, FsFlag, FsFlags, Instances, MountOption, MountOptions, New, OptionError,
    OptionResult, Ready, SbIFlag, SbIFlags, SuperBlock, NULL_FS_MAGIC,
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

    fn parse_option(option: &MountOption<'_>, options: &mut MountOptions) -> OptionResult {
        match option.key().to_bytes() {
            b"file" => {
                option.flag()?;
                options.file = true;
            }
            b"instance" => {
                options.per_mount_namespace = match option.string()?.to_bytes() {
                    b"mount" => false,
                    b"mntns" => true,
                    _ => return Err(OptionError::Invalid(c"is mount or mntns")),
                };
            }
            _ => return Err(OptionError::Unknown),
        }
        Ok(())
    }

    fn new_file_root<'a>(sb: &SuperBlock<'a, Self, Ready>) -> Result<FileRoot<'a>> {
        new_empty_file(sb)
    }
}
