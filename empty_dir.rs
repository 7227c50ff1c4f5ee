// SPDX-License-Identifier: GPL-2.0

//! The permanently empty directory at the root of every instance.

#![forbid(unsafe_code)]

use crate::vfs::{
    Added, Attributes, DirOperations, FileSystem, Inode, InodeFlag, InodeFlags, LookupFlags, New,
    NewDentry, Ready, SuperBlock,
};
use kernel::prelude::*;

/// Gives `sb` its root: an [`EmptyDir`], inode 1, mode 0555, immutable, and
/// with no access time to move, so that reading it leaves no trace either.
pub(crate) fn set_empty_root<T: FileSystem>(
    sb: SuperBlock<'_, T, New>,
) -> Result<SuperBlock<'_, T, Ready>> {
    let flags = InodeFlags::empty()
        .with(InodeFlag::Immutable)
        .with(InodeFlag::NoAtime);
    let root = sb.new_dir::<EmptyDir>(1, 0o555, flags)?;
    sb.set_root(root)
}

/// A directory with nothing in it but `.` and `..`, and nothing that can be
/// added, changed or locked; the names looked up in it are remembered as
/// missing.
///
/// It leaves the listing to the layer, whose empty listing is the only one
/// readers may take without the inode lock.
pub(crate) struct EmptyDir;

#[vtable]
impl DirOperations for EmptyDir {
    // The name is missing, and will be for good: let the dcache remember
    // it, and answer the next lookup without us. (The layer answers ENOENT
    // and keeps nothing where a remembered miss would be wrong or costly: a
    // lookup that means to create, a name over NAME_MAX.)
    fn lookup<'a>(_dir: &Inode, dentry: NewDentry<'a>, _flags: LookupFlags) -> Result<Added<'a>> {
        dentry.add_negative()
    }

    // A lock on a directory that can never change would guard nothing, and
    // every holder of the root would contend for it: refuse, as C nullfs does.
    fn lock(_dir: &Inode) -> Error {
        ENOLCK
    }

    // While the root is S_IMMUTABLE the VFS refuses first; this keeps the
    // directory refusing by itself, as libfs's empty directories do.
    fn setattr(_dir: &Inode, _attr: &Attributes) -> Result {
        Err(EPERM)
    }

    fn listxattr(_dir: &Inode) -> Result {
        Err(EOPNOTSUPP)
    }
}
