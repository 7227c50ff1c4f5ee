// SPDX-License-Identifier: GPL-2.0

//! Directory operations.

use super::Inode;
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::{from_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_char, c_int, c_uint},
    fs::LocalFile,
    prelude::*,
    types::Opaque,
};

/// The operations of a directory, as `file_operations` and `inode_operations`.
///
/// The layer's directories have no children, so the operations that would
/// reach one (lookup) or change one are defined here to fail.
#[vtable]
pub(crate) trait DirOperations: 'static {
    /// Whether the directory never changes. Its readers then skip the inode
    /// lock (`FOP_IMMUTABLE`).
    const IMMUTABLE: bool;

    /// Emits the entries from `ctx.pos()` on (`iterate_shared`).
    fn read_dir(dir: &LocalFile, ctx: &mut DirContext) -> Result;

    /// Looks a name up. There being no children, this only picks the error
    /// the lookup fails with.
    fn lookup(dir: &Inode) -> Error;

    /// Repositions an open directory (`llseek`). Without it, `lseek(2)`
    /// fails with `ESPIPE`.
    fn seek(_dir: &LocalFile, _offset: i64, _whence: c_int) -> Result<i64> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Answers a byte-range (`fcntl(2)`) or whole-file (`flock(2)`) lock
    /// request. Without it, the VFS's own locks apply.
    fn lock(_dir: &LocalFile) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Answers a change of attributes (`setattr`). Without it,
    /// `simple_setattr()` applies.
    fn setattr(_dir: &Inode) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Answers `listxattr(2)`. There are no extended attributes to list, so
    /// success means an empty list. Without it, only the LSMs' attributes
    /// are listed.
    fn listxattr(_dir: &Inode) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The position and the sink of a `readdir` in progress.
///
/// # Invariants
///
/// The context is valid, and exclusively ours, for as long as the
/// `&mut DirContext` is.
#[repr(transparent)]
pub(crate) struct DirContext(Opaque<bindings::dir_context>);

impl DirContext {
    /// Emits `.` and `..` if the position is before them, and moves past
    /// them. Returns false if the reader's buffer filled up first.
    pub(crate) fn emit_dots(&mut self, dir: &LocalFile) -> bool {
        // SAFETY: The file is valid while `dir` is, and the context is ours
        // by the type invariant.
        unsafe { bindings::dir_emit_dots(dir.as_ptr(), self.0.get()) }
    }
}

/// Repositions `dir` the way a directory of `entries` entries, one per
/// offset, is repositioned: `SEEK_SET`, `SEEK_CUR` and `SEEK_END` to an
/// offset from 0 to `entries`; anything else fails with `EINVAL`.
pub(crate) fn seek_in_dir(
    dir: &LocalFile,
    offset: i64,
    whence: c_int,
    entries: i64,
) -> Result<i64> {
    // SAFETY: The file is valid while `dir` is. `generic_file_llseek_size()`
    // needs no lock from us: for `SEEK_CUR` it takes `f_lock` itself (the
    // layer's directories have `iterate_shared`), and the other cases are a
    // single store of `f_pos`, as for any file.
    let pos = unsafe {
        bindings::generic_file_llseek_size(dir.as_ptr(), offset, whence, entries, entries)
    };
    if pos < 0 {
        return Err(Error::from_errno(pos as c_int));
    }
    Ok(pos)
}

/// The C tables and callbacks of `D`.
pub(super) struct DirOps<D>(PhantomData<D>);

impl<D: DirOperations> DirOps<D> {
    pub(super) const FILE_OPS: bindings::file_operations = bindings::file_operations {
        llseek: if D::HAS_SEEK {
            Some(Self::llseek)
        } else {
            None
        },
        // Like every directory: read(2) fails with EISDIR, fsync succeeds.
        read: Some(bindings::generic_read_dir),
        fsync: Some(bindings::noop_fsync),
        iterate_shared: Some(Self::iterate_shared),
        lock: if D::HAS_LOCK { Some(Self::lock) } else { None },
        flock: if D::HAS_LOCK { Some(Self::lock) } else { None },
        fop_flags: if D::IMMUTABLE {
            bindings::FOP_IMMUTABLE
        } else {
            0
        },
        ..pin_init::zeroed()
    };

    pub(super) const INODE_OPS: bindings::inode_operations = bindings::inode_operations {
        lookup: Some(Self::lookup),
        setattr: if D::HAS_SETATTR {
            Some(Self::setattr)
        } else {
            None
        },
        listxattr: if D::HAS_LISTXATTR {
            Some(Self::listxattr)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// # Safety
    ///
    /// `file` must be an open file of a `D` directory, referenced for the
    /// duration of the call.
    unsafe extern "C" fn llseek(file: *mut bindings::file, offset: i64, whence: c_int) -> i64 {
        // SAFETY: The caller keeps the file referenced during the call. Every
        // `fdget_pos()` of it takes `f_pos_lock`: the layer sets
        // `iterate_shared` on every directory, so `file_needs_f_pos_lock()`
        // is true for it.
        let dir = unsafe { LocalFile::from_raw_file(file) };
        from_result(|| D::seek(dir, offset, whence))
    }

    /// # Safety
    ///
    /// `file` must be an open file of a `D` directory and `ctx` a valid
    /// context owned by the caller, both for the duration of the call.
    unsafe extern "C" fn iterate_shared(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> c_int {
        // SAFETY: As in `llseek`.
        let dir = unsafe { LocalFile::from_raw_file(file) };
        // SAFETY: `DirContext` is a transparent wrapper, and the context is
        // the caller's, lent to us for the call.
        let ctx = unsafe { &mut *ctx.cast::<DirContext>() };
        from_result(|| D::read_dir(dir, ctx).map(|()| 0))
    }

    /// # Safety
    ///
    /// `file` must be an open file of a `D` directory for the duration of
    /// the call.
    unsafe extern "C" fn lock(
        file: *mut bindings::file,
        _cmd: c_int,
        _fl: *mut bindings::file_lock,
    ) -> c_int {
        // SAFETY: As in `llseek` (`fcntl(2)` and `flock(2)` hold a reference
        // from `fdget()`).
        let dir = unsafe { LocalFile::from_raw_file(file) };
        from_result(|| D::lock(dir).map(|()| 0))
    }

    /// # Safety
    ///
    /// `dir` must be a referenced `D` directory inode for the duration of
    /// the call.
    unsafe extern "C" fn lookup(
        dir: *mut bindings::inode,
        _dentry: *mut bindings::dentry,
        _flags: c_uint,
    ) -> *mut bindings::dentry {
        // SAFETY: The VFS holds a reference on the parent during the lookup.
        let dir = unsafe { Inode::from_raw(dir) };
        D::lookup(dir).to_ptr()
    }

    /// # Safety
    ///
    /// `dentry` must be a positive dentry of a `D` directory, referenced for
    /// the duration of the call.
    unsafe extern "C" fn setattr(
        _idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        _attr: *mut bindings::iattr,
    ) -> c_int {
        // SAFETY: The dentry is positive and referenced, so its inode is.
        let dir = unsafe { Inode::from_raw((*dentry).d_inode) };
        from_result(|| D::setattr(dir).map(|()| 0))
    }

    /// # Safety
    ///
    /// `dentry` must be a positive dentry of a `D` directory, referenced for
    /// the duration of the call.
    unsafe extern "C" fn listxattr(
        dentry: *mut bindings::dentry,
        _list: *mut c_char,
        _size: usize,
    ) -> isize {
        // SAFETY: The dentry is positive and referenced, so its inode is.
        let dir = unsafe { Inode::from_raw((*dentry).d_inode) };
        from_result(|| D::listxattr(dir).map(|()| 0))
    }
}
