// SPDX-License-Identifier: GPL-2.0

//! The permanently empty directory at the root of every instance.

use crate::vfs::{
    Added, Attributes, DentryOperations, DirOperations, FileSystem, Inode, InodeFlag, InodeFlags,
    LookupFlags, New, NewDentry, Ready, SuperBlock,
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
    sb.set_dentry_operations::<EmptyDir>();
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
    // it, and answer the next lookup without us. Unless the caller means to
    // create the name: it must then fail with ENOENT, as from C nullfs,
    // which a negative dentry would turn into the missing operation's
    // EPERM.
    fn lookup<'a>(_dir: &Inode, dentry: NewDentry<'a>, flags: LookupFlags) -> Result<Added<'a>> {
        if flags.intends_to_create() {
            return Err(ENOENT);
        }
        Ok(dentry.add_negative())
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

#[vtable]
impl DentryOperations for EmptyDir {
    // A remembered miss answers every lookup but one that means to create
    // the name: that one goes back to `lookup`, to fail as above.
    fn revalidate(flags: LookupFlags) -> Result<bool> {
        Ok(!flags.intends_to_create())
    }
}
