// SPDX-License-Identifier: GPL-2.0

//! Directory operations.

use super::{ffi, Added, Attributes, Inode, LookupFlags, NewDentry};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    bindings,
    error::{from_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_char, c_int, c_uint},
    fs::LocalFile,
    prelude::*,
};

/// The operations of a directory, as `file_operations` and `inode_operations`.
///
/// The layer's directories have no children of their own: operations that
/// would create, link, rename or remove one are not in the trait.
///
/// A directory that leaves out [`DirOperations::read_dir`] lists as empty,
/// `.` and `..` and nothing else, which the layer emits. That listing can
/// never change, so its readers skip the inode lock (`FOP_IMMUTABLE`), and
/// it seeks within those two entries. No other directory is marked
/// immutable: the claim follows from the trait's shape, and safe code cannot
/// make it for a listing that could change.
#[vtable]
pub(crate) trait DirOperations: 'static {
    /// Emits the entries from the reader's position on (`iterate_shared`).
    fn read_dir(_emitter: &mut DirEmitter<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Looks up `dentry`, a name that is not in the dcache. Either fails,
    /// which the caller sees, or adds the dentry to the dcache
    /// ([`NewDentry::add_negative`]), where the next lookup of the name finds
    /// it without asking again.
    fn lookup<'a>(dir: &Inode, dentry: NewDentry<'a>, flags: LookupFlags) -> Result<Added<'a>>;

    /// Repositions an open directory (`llseek`) and returns the new
    /// position; only with [`DirOperations::read_dir`]. A directory with a
    /// listing of its own and no `seek` cannot be repositioned: `lseek(2)`
    /// fails with `ESPIPE`.
    fn seek(_dir: &SeekingDir<'_>, _offset: i64, _whence: Whence) -> Result<Offset> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Refuses byte-range (`fcntl(2)`) and whole-file (`flock(2)`) locks on
    /// an open directory, and their release when it is closed, with the
    /// error returned. Without it, the VFS's own locks apply. (A hook that
    /// grants locks would need the request; the layer has none to give.)
    fn lock(_dir: &Inode) -> Error {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Answers a change of the attributes `attr` (`setattr`). Without it,
    /// `simple_setattr()` applies.
    fn setattr(_dir: &Inode, _attr: &Attributes) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Answers `listxattr(2)`. There are no extended attributes to list, so
    /// success means an empty list. Without it, only the LSMs' attributes
    /// are listed.
    fn listxattr(_dir: &Inode) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// Where `lseek(2)` counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Whence {
    /// From the start (`SEEK_SET`).
    Set,
    /// From the current position (`SEEK_CUR`).
    Cur,
    /// From the end (`SEEK_END`).
    End,
    /// To the next data at or after the offset (`SEEK_DATA`).
    Data,
    /// To the next hole at or after the offset (`SEEK_HOLE`).
    Hole,
}

impl TryFrom<c_int> for Whence {
    type Error = Error;

    fn try_from(whence: c_int) -> Result<Self> {
        match whence as u32 {
            bindings::SEEK_SET => Ok(Self::Set),
            bindings::SEEK_CUR => Ok(Self::Cur),
            bindings::SEEK_END => Ok(Self::End),
            bindings::SEEK_DATA => Ok(Self::Data),
            bindings::SEEK_HOLE => Ok(Self::Hole),
            _ => Err(EINVAL),
        }
    }
}

impl Whence {
    fn as_raw(self) -> c_int {
        (match self {
            Self::Set => bindings::SEEK_SET,
            Self::Cur => bindings::SEEK_CUR,
            Self::End => bindings::SEEK_END,
            Self::Data => bindings::SEEK_DATA,
            Self::Hole => bindings::SEEK_HOLE,
        }) as c_int
    }
}

/// A position in an open directory, as `llseek` returns it: never negative,
/// since the VFS takes a negative return for an errno.
///
/// # Invariants
///
/// The value is at least 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Offset(i64);

impl TryFrom<i64> for Offset {
    type Error = Error;

    /// The position `pos`, or `EINVAL` if it is negative.
    fn try_from(pos: i64) -> Result<Self> {
        if pos < 0 {
            return Err(EINVAL);
        }
        // INVARIANT: `pos` is not negative.
        Ok(Self(pos))
    }
}

/// An open directory inside its own `llseek`, the one place where its
/// position may be moved: the VFS serialises `f_pos` for the call.
///
/// # Invariants
///
/// `dir` is the file of an `llseek` call in progress, which holds
/// `f_pos_lock` if the file is shared.
pub(crate) struct SeekingDir<'a> {
    dir: &'a LocalFile,
}

impl SeekingDir<'_> {
    /// Repositions the directory the way a listing of `entries` entries, one
    /// per offset, is repositioned: to an offset from 0 to `entries`, or
    /// `EINVAL`; as a file of `entries` bytes of data for `SEEK_DATA` and
    /// `SEEK_HOLE`.
    pub(crate) fn seek_in_listing(
        &self,
        offset: i64,
        whence: Whence,
        entries: i64,
    ) -> Result<Offset> {
        // SAFETY: The file is valid while `self` is. By the type invariant
        // this is its `llseek`: `f_pos` is ours to move (for `SEEK_CUR`,
        // `generic_file_llseek_size()` takes `f_lock` itself).
        let pos = unsafe {
            bindings::generic_file_llseek_size(
                self.dir.as_ptr(),
                offset,
                whence.as_raw(),
                entries,
                entries,
            )
        };
        if pos < 0 {
            return Err(Error::from_errno(pos as c_int));
        }
        Offset::try_from(pos)
    }
}

/// A `readdir` in progress: the open directory and the reader's context,
/// which come and stay together.
///
/// # Invariants
///
/// `ctx` is the context of a call of `iterate_shared` on `dir`, valid and
/// exclusively ours for `'a`.
pub(crate) struct DirEmitter<'a> {
    dir: &'a LocalFile,
    ctx: NonNull<bindings::dir_context>,
    _ctx: PhantomData<&'a mut bindings::dir_context>,
}

impl DirEmitter<'_> {
    /// Emits `.` and `..` if the position is before them, and moves past
    /// them. Returns false if the reader's buffer filled up first.
    pub(crate) fn emit_dots(&mut self) -> bool {
        // SAFETY: By the type invariant the context belongs to this call on
        // this file, and is ours.
        unsafe { ffi::nullfs_rs_dir_emit_dots(self.dir.as_ptr(), self.ctx.as_ptr()) }
    }
}

/// The C tables and callbacks of `D`.
pub(super) struct DirOps<D>(PhantomData<D>);

impl<D: DirOperations> DirOps<D> {
    pub(super) const FILE_OPS: bindings::file_operations = bindings::file_operations {
        llseek: match (D::HAS_READ_DIR, D::HAS_SEEK) {
            (false, false) => Some(Self::llseek_empty),
            (true, true) => Some(Self::llseek),
            (true, false) => None,
            (false, true) => panic!("the layer's empty listing seeks by itself"),
        },
        // Like every directory: read(2) fails with EISDIR, fsync succeeds.
        read: Some(bindings::generic_read_dir),
        fsync: Some(bindings::noop_fsync),
        iterate_shared: if D::HAS_READ_DIR {
            Some(Self::iterate_shared)
        } else {
            Some(Self::iterate_empty)
        },
        lock: if D::HAS_LOCK { Some(Self::lock) } else { None },
        flock: if D::HAS_LOCK { Some(Self::lock) } else { None },
        // Only the layer's own, empty, listing is known never to change.
        fop_flags: if D::HAS_READ_DIR {
            0
        } else {
            ffi::FOP_IMMUTABLE
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
        // `fdget_pos()` of a shared one takes `f_pos_lock`:
        // `file_needs_f_pos_lock()` is true for a file with `FMODE_ATOMIC_POS`,
        // which `do_dentry_open()` sets for every directory, and
        // `iterate_shared`, which the layer sets on every directory.
        let dir = unsafe { LocalFile::from_raw_file(file) };
        // INVARIANT: This is the file's `llseek`.
        let dir = SeekingDir { dir };
        from_result(|| Ok(D::seek(&dir, offset, Whence::try_from(whence)?)?.0))
    }

    /// `llseek` of the empty listing: `.` and `..` at offsets 0 and 1.
    ///
    /// # Safety
    ///
    /// As for `llseek`.
    unsafe extern "C" fn llseek_empty(
        file: *mut bindings::file,
        offset: i64,
        whence: c_int,
    ) -> i64 {
        // SAFETY: The caller keeps the file referenced during the call, and
        // every `fdget_pos()` of a shared directory takes `f_pos_lock`
        // (`FMODE_ATOMIC_POS`, which `do_dentry_open()` sets on every
        // directory, and `iterate_shared`, which the layer sets on all).
        let dir = unsafe { LocalFile::from_raw_file(file) };
        // INVARIANT: This is the file's `llseek`.
        let dir = SeekingDir { dir };
        from_result(|| Ok(dir.seek_in_listing(offset, Whence::try_from(whence)?, 2)?.0))
    }

    /// # Safety
    ///
    /// `file` must be an open file of a `D` directory and `ctx` a valid
    /// context owned by the caller, both for the duration of the call.
    unsafe extern "C" fn iterate_shared(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> c_int {
        // SAFETY: The caller keeps the file referenced and lends us the
        // context, not NULL, for the call. Every `fdget_pos()` of a shared
        // directory takes `f_pos_lock` (`FMODE_ATOMIC_POS`, which
        // `do_dentry_open()` sets on every directory).
        let mut emitter = unsafe { DirEmitter::from_raw(file, ctx) };
        from_result(|| D::read_dir(&mut emitter).map(|()| 0))
    }

    /// `iterate_shared` of the empty listing.
    ///
    /// # Safety
    ///
    /// As for `iterate_shared`.
    unsafe extern "C" fn iterate_empty(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> c_int {
        // SAFETY: The caller keeps the file referenced and lends us the
        // context, not NULL, for the call; `iterate_shared` runs under the
        // file's `f_pos_lock` if the file is shared.
        let mut emitter = unsafe { DirEmitter::from_raw(file, ctx) };
        emitter.emit_dots();
        0
    }

    /// `lock` and `flock`.
    ///
    /// # Safety
    ///
    /// `file` must be a file of a `D` directory whose memory and inode are
    /// valid for the duration of the call.
    unsafe extern "C" fn lock(
        file: *mut bindings::file,
        _cmd: c_int,
        _fl: *mut bindings::file_lock,
    ) -> c_int {
        // SAFETY: The callers are `fcntl(2)` and `flock(2)`, which hold a
        // reference on the file, and `__fput()` (through
        // `locks_remove_file()`), which calls with the count already zero but
        // before it frees the file or drops its inode and dentry. So the file
        // may not be referenced, but `f_inode` is valid, and referenced by
        // the file, on every path: the hook gets the inode, not the file.
        let dir = unsafe { Inode::from_raw((*file).f_inode) };
        D::lock(dir).to_errno()
    }

    /// # Safety
    ///
    /// `dir` must be a referenced `D` directory inode and `dentry` a dentry
    /// being looked up in it, in-lookup or unhashed, for the duration of the
    /// call.
    unsafe extern "C" fn lookup(
        dir: *mut bindings::inode,
        dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> *mut bindings::dentry {
        // SAFETY: The VFS holds a reference on the parent during the lookup.
        let dir = unsafe { Inode::from_raw(dir) };
        // SAFETY: The dentry is the VFS's, not yet in the dcache, and ours to
        // instantiate until we return; `flags` are the lookup's.
        let dentry = unsafe { NewDentry::from_raw(dentry, flags) };
        match D::lookup(dir, dentry, LookupFlags::from_raw(flags)) {
            // The dentry the VFS passed is the one that was added.
            Ok(_) => core::ptr::null_mut(),
            Err(err) => err.to_ptr(),
        }
    }

    /// # Safety
    ///
    /// `dentry` must be a positive dentry of a `D` directory and `attr` valid
    /// attributes, both referenced for the duration of the call.
    unsafe extern "C" fn setattr(
        _idmap: *mut bindings::mnt_idmap,
        dentry: *mut bindings::dentry,
        attr: *mut bindings::iattr,
    ) -> c_int {
        // SAFETY: The dentry is positive and referenced, so its inode is.
        let dir = unsafe { Inode::from_raw((*dentry).d_inode) };
        // SAFETY: The caller's attributes are valid for the call.
        let attr = unsafe { Attributes::from_raw(attr) };
        from_result(|| D::setattr(dir, attr).map(|()| 0))
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

impl DirEmitter<'_> {
    /// # Safety
    ///
    /// `file` must be an open, referenced file of a directory and `ctx` the
    /// context of the `iterate_shared` call on it, valid and exclusively the
    /// caller's for `'a`, with no `fdget_pos()` of the file that skipped
    /// `f_pos_lock` on another thread.
    unsafe fn from_raw<'a>(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> DirEmitter<'a> {
        // INVARIANT: The caller guarantees the context belongs to this call
        // on this file.
        DirEmitter {
            // SAFETY: The caller guarantees that the file is open and
            // referenced for `'a`, and that no `fdget_pos()` on another
            // thread skipped `f_pos_lock`.
            dir: unsafe { LocalFile::from_raw_file(file) },
            // SAFETY: The caller guarantees a valid context, which is not
            // NULL.
            ctx: unsafe { NonNull::new_unchecked(ctx) },
            _ctx: PhantomData,
        }
    }
}
