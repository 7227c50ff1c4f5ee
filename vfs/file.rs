// SPDX-License-Identifier: GPL-2.0

//! Regular files that hold nothing: reads are at end of file, and writes
//! are taken and dropped, as with `/dev/null`.
//!
//! The data path is the layer's, like the empty listing of its directories;
//! a [`FileOperations`] type decides what else a file answers.

use super::{Attributes, Inode};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::{from_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_uint},
    prelude::*,
};

kernel::impl_flags!(
    /// What a `setattr` is asked to change (`ATTR_*` of `ia_valid`). Only
    /// the bits the layer's users read have a name; the others are dropped.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) struct AttrFlags(u32);

    /// An attribute a `setattr` may change.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum AttrFlag {
        /// The permission bits (`ATTR_MODE`).
        Mode = bindings::ATTR_MODE,
        /// The owner (`ATTR_UID`).
        Uid = bindings::ATTR_UID,
        /// The group (`ATTR_GID`).
        Gid = bindings::ATTR_GID,
    }
);

impl AttrFlags {
    /// The flags of `ia_valid`, less the bits without a name here.
    pub(super) fn from_raw(valid: c_uint) -> Self {
        Self(valid & Self::all_bits())
    }
}

/// What a file of the layer answers besides its data, which is always
/// none.
///
/// Operations left out fall back to the VFS's defaults.
#[vtable]
pub(crate) trait FileOperations: 'static {
    /// A POSIX or BSD lock on the file (`->lock`, `->flock`): the error
    /// that refuses it.
    fn lock(_file: &Inode) -> Error {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// A change of attributes (`->setattr`). Nothing is stored either way:
    /// the inode keeps its mode, owner and timestamps.
    fn setattr(_file: &Inode, _attr: &Attributes) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The C tables of a file served by `F`.
pub(super) struct FileOps<F>(PhantomData<F>);

impl<F: FileOperations> FileOps<F> {
    pub(super) const FILE_OPS: bindings::file_operations = bindings::file_operations {
        llseek: Some(bindings::generic_file_llseek),
        read_iter: Some(Self::read_iter),
        write_iter: Some(Self::write_iter),
        splice_read: Some(Self::splice_read),
        splice_write: Some(Self::splice_write),
        fsync: Some(bindings::noop_fsync),
        lock: if F::HAS_LOCK { Some(Self::lock) } else { None },
        flock: if F::HAS_LOCK { Some(Self::lock) } else { None },
        ..pin_init::zeroed()
    };

    pub(super) const INODE_OPS: bindings::inode_operations = bindings::inode_operations {
        setattr: if F::HAS_SETATTR {
            Some(Self::setattr)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// Nothing to read: every read is at end of file.
    extern "C" fn read_iter(_iocb: *mut bindings::kiocb, _to: *mut bindings::iov_iter) -> isize {
        0
    }

    extern "C" fn splice_read(
        _file: *mut bindings::file,
        _pos: *mut i64,
        _pipe: *mut bindings::pipe_inode_info,
        _len: usize,
        _flags: c_uint,
    ) -> isize {
        0
    }

    /// Every byte is taken and dropped; the size stays 0.
    ///
    /// # Safety
    ///
    /// `from` must be a valid iterator, for the call.
    unsafe extern "C" fn write_iter(
        _iocb: *mut bindings::kiocb,
        from: *mut bindings::iov_iter,
    ) -> isize {
        // SAFETY: The VFS passes a valid iterator of the caller's data.
        let count = unsafe { super::ffi::nullfs_rs_discard_iter(from) };
        // A single write is at most `MAX_RW_COUNT` bytes.
        count as isize
    }

    /// Every byte in the pipe, up to `len`, is taken and dropped.
    ///
    /// # Safety
    ///
    /// The arguments must be those of a `splice_write` call of the VFS.
    unsafe extern "C" fn splice_write(
        pipe: *mut bindings::pipe_inode_info,
        out: *mut bindings::file,
        pos: *mut i64,
        len: usize,
        flags: c_uint,
    ) -> isize {
        // SAFETY: The VFS passes the arguments of its `splice_write` call
        // unchanged, as `splice_from_pipe()` expects them.
        unsafe { super::ffi::nullfs_rs_splice_discard(pipe, out, pos, len, flags) }
    }

    /// # Safety
    ///
    /// `file` must be an open file of an inode served by `F`.
    unsafe extern "C" fn lock(
        file: *mut bindings::file,
        _cmd: c_int,
        _fl: *mut bindings::file_lock,
    ) -> c_int {
        // SAFETY: An open file's inode is valid and referenced for the call.
        let inode = unsafe { Inode::from_raw((*file).f_inode) };
        F::lock(inode).to_errno()
    }

    /// # Safety
    ///
    /// `dentry` must be a positive dentry of an inode served by `F`, and
    /// `attr` valid, for the call.
    unsafe extern "C" fn setattr(
        _idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        // SAFETY: The dentry is positive, so its inode is valid and
        // referenced for the call.
        let inode = unsafe { Inode::from_raw((*dentry).d_inode) };
        // SAFETY: The VFS passes valid attributes for the call.
        let attr = unsafe { Attributes::from_raw(attr) };
        from_result(|| F::setattr(inode, attr).map(|()| 0))
    }
}
