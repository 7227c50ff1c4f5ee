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

    // A lock on a directory that can never change would guard nothing, and
    // every holder of the root would contend for it: refuse, as C nullfs does.
    fn lock(_dir: &LocalFile) -> Result {
        Err(ENOLCK)
    }

    // While the root is S_IMMUTABLE the VFS refuses first; this keeps the
    // directory refusing by itself, as libfs's empty directories do.
    fn setattr(_dir: &Inode) -> Result {
        Err(EPERM)
    }

    fn listxattr(_dir: &Inode) -> Result {
        Err(EOPNOTSUPP)
    }
}
