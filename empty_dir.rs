// SPDX-License-Identifier: GPL-2.0

//! The permanently empty directory at the root of every instance.

use crate::vfs::{seek_in_dir, DirContext, DirOperations, Inode};
use kernel::{ffi::c_int, fs::LocalFile, prelude::*};

/// A directory with nothing in it but `.` and `..`, and nothing that can be
/// added, changed or locked.
pub(crate) struct EmptyDir;

#[vtable]
impl DirOperations for EmptyDir {
    // Nothing ever changes, so readers need no lock.
    const IMMUTABLE: bool = true;

    fn read_dir(dir: &LocalFile, ctx: &mut DirContext) -> Result {
        ctx.emit_dots(dir);
        Ok(())
    }

    fn lookup(_dir: &Inode) -> Error {
        ENOENT
    }

    fn seek(dir: &LocalFile, offset: i64, whence: c_int) -> Result<i64> {
        // `.` and `..` at offsets 0 and 1.
        seek_in_dir(dir, offset, whence, 2)
    }

    // The one directory is shared by every holder: no one may lock it.
    fn lock(_dir: &LocalFile) -> Result {
        Err(ENOLCK)
    }

    fn setattr(_dir: &Inode) -> Result {
        Err(EPERM)
    }

    fn listxattr(_dir: &Inode) -> Result {
        Err(EOPNOTSUPP)
    }
}
