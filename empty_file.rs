// SPDX-License-Identifier: GPL-2.0

//! The empty regular file that a `nullfs_rs` file mask is rooted at.

#![forbid(unsafe_code)]

use crate::vfs::{
    AttrFlag, Attributes, FileOperations, FileRoot, FileSystem, Inode, InodeFlag, InodeFlags,
    Ready, SuperBlock,
};
use kernel::prelude::*;

/// Makes a new empty file on `sb`, as C nullfs's `nullfs_new_file()` makes
/// the file that stands in for an unmounted file: inode 2 (the root
/// directory is 1), mode 0666, and no access time to move.
///
/// Every file mount gets an inode of its own, which goes with the mount.
pub(crate) fn new_empty_file<'a, T: FileSystem>(
    sb: &SuperBlock<'a, T, Ready>,
) -> Result<FileRoot<'a>> {
    sb.new_file::<EmptyFile>(2, 0o666, InodeFlags::empty().with(InodeFlag::NoAtime))
}

/// A file that holds nothing and keeps nothing: reads are at end of file,
/// writes are discarded, truncation and timestamp changes succeed without
/// effect, as with `/dev/null`.
///
/// Unlike `/dev/null`, it is not a device, so it works on a `nodev` mount
/// and needs nothing from the container, and its mode and owner cannot be
/// changed.
pub(crate) struct EmptyFile;

#[vtable]
impl FileOperations for EmptyFile {
    // Every holder of the file shares the inode: a lock would let one
    // holder stall the others, so there are none, as on C nullfs.
    fn lock(_file: &Inode) -> Error {
        ENOLCK
    }

    // The mode and the owner are what every holder relies on; everything
    // else is accepted and dropped, as C nullfs's file does.
    fn setattr(_file: &Inode, attr: &Attributes) -> Result {
        if attr
            .changes()
            .contains_any(AttrFlag::Mode | AttrFlag::Uid | AttrFlag::Gid)
        {
            return Err(EPERM);
        }
        Ok(())
    }
}
