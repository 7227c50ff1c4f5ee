// SPDX-License-Identifier: GPL-2.0

//! Paths, and looking them up.
//!
//! C header: [`include/linux/namei.h`](srctree/include/linux/namei.h)

use super::{
    ffi,
    fs_struct::{check_context, check_own_fs},
};
use core::{mem::MaybeUninit, ptr::NonNull};
use kernel::{
    bindings,
    error::{from_err_ptr, to_result},
    ffi::c_int,
    fs::File,
    prelude::*,
    sync::aref::ARef,
};

/// A path: a mount and a dentry on it.
///
/// # Invariants
///
/// Both pointers are valid and a reference on each is owned by the `Path`.
pub struct Path(bindings::path);

// SAFETY: A path is two reference-counted pointers; their references may be
// dropped by any task.
unsafe impl Send for Path {}
// SAFETY: `&Path` only reads the pointers and what they keep alive.
unsafe impl Sync for Path {}

impl Path {
    /// Makes a path with what `fill` stores.
    ///
    /// # Safety
    ///
    /// `fill` must initialise the path it is given and take a reference on
    /// its mount and its dentry, which the `Path` then owns.
    pub(super) unsafe fn from_filler(fill: impl FnOnce(*mut bindings::path)) -> Self {
        let mut path = MaybeUninit::<bindings::path>::uninit();
        fill(path.as_mut_ptr());
        // SAFETY: `fill` initialised the path.
        // INVARIANT: With both references, which are now ours.
        Self(unsafe { path.assume_init() })
    }

    /// Resolves `name` with the current task's root and working directory,
    /// following symlinks (`kern_path()`). Follows the
    /// [context rule](super::fs_struct#context): `EINVAL` outside task
    /// context, `ENOENT` for a task without fs state.
    pub fn lookup(name: &CStr) -> Result<Self> {
        check_own_fs()?;
        let mut path = MaybeUninit::<bindings::path>::uninit();
        // SAFETY: `name` is NUL-terminated and `path` is valid for writes.
        to_result(unsafe {
            ffi::kern_path(name.as_char_ptr(), ffi::LOOKUP_FOLLOW, path.as_mut_ptr())
        })?;
        // SAFETY: `kern_path()` filled in `path` and took both references.
        // INVARIANT: The references are now ours.
        Ok(Self(unsafe { path.assume_init() }))
    }

    /// The magic number of the filesystem the path is on, as `statfs(2)`
    /// reports it in `f_type`.
    pub fn fs_magic(&self) -> u64 {
        // SAFETY: By the type invariant the dentry is referenced, which keeps
        // it and its superblock alive; `s_magic` never changes.
        unsafe { (*(*self.0.dentry).d_sb).s_magic as u64 }
    }
}

impl Path {
    /// Resolves `name` with this directory as the root, following symlinks
    /// (`vfs_path_lookup()`): relative and absolute names and absolute
    /// symlinks start here and `..` stops here, as after `chroot()`. It is
    /// not `RESOLVE_BENEATH`: a magic link (`/proc/*/root`, `/proc/*/fd/*`)
    /// leads wherever it points. `EINVAL` outside task context.
    pub fn lookup_at_root(&self, name: &CStr) -> Result<Path> {
        check_context()?;
        let mut path = MaybeUninit::<bindings::path>::uninit();
        // SAFETY: By the type invariant both pointers are valid; `name` is
        // NUL-terminated and `path` is valid for writes.
        to_result(unsafe {
            ffi::vfs_path_lookup(
                self.0.dentry,
                self.0.mnt,
                name.as_char_ptr(),
                ffi::LOOKUP_FOLLOW,
                path.as_mut_ptr(),
            )
        })?;
        // SAFETY: `vfs_path_lookup()` filled in `path` and took both
        // references.
        // INVARIANT: The references are now ours.
        Ok(Self(unsafe { path.assume_init() }))
    }

    /// Opens `name`, resolved as [`Path::lookup_at_root`] does, with
    /// `flags` from [`kernel::fs::file::flags`] (`file_open_root()`). Only
    /// what exists is opened: `O_CREAT` and `O_TMPFILE` fail with `EINVAL`,
    /// as any call outside task context does.
    pub fn open_at_root(&self, name: &CStr, flags: u32) -> Result<ARef<File>> {
        check_context()?;
        refuse_creation(flags)?;
        // SAFETY: The path is valid by the type invariant and `name` is
        // NUL-terminated.
        let file =
            unsafe { bindings::file_open_root(&self.0, name.as_char_ptr(), flags as c_int, 0) };
        // SAFETY: A file fresh from `file_open_root()`.
        unsafe { file_from_open(file) }
    }

    /// The name of the filesystem type the path is on, as
    /// `/proc/filesystems` lists it.
    pub fn fs_type_name(&self) -> &CStr {
        // SAFETY: By the type invariant the dentry is referenced, which keeps
        // its superblock alive; `s_type` never changes and outlives its
        // superblocks, and its name is a NUL-terminated string for as long.
        unsafe { CStr::from_char_ptr((*(*(*self.0.dentry).d_sb).s_type).name) }
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.0.mnt == other.0.mnt && self.0.dentry == other.0.dentry
    }
}

impl Drop for Path {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the references are ours to drop.
        unsafe { bindings::path_put(&self.0) };
    }
}

/// Opens `name` with the current task's root and working directory, with
/// `flags` from [`kernel::fs::file::flags`] (`filp_open()`). Only what exists
/// is opened: `O_CREAT` and `O_TMPFILE` fail with `EINVAL`. Follows the
/// context rule as [`Path::lookup`] does.
pub(crate) fn open(name: &CStr, flags: u32) -> Result<ARef<File>> {
    check_own_fs()?;
    refuse_creation(flags)?;
    // SAFETY: `name` is NUL-terminated.
    let file = unsafe { bindings::filp_open(name.as_char_ptr(), flags as c_int, 0) };
    // SAFETY: A file fresh from `filp_open()`.
    unsafe { file_from_open(file) }
}

/// The opens here pass no mode: a file they created would have mode 0.
fn refuse_creation(flags: u32) -> Result {
    if flags & (bindings::O_CREAT | bindings::__O_TMPFILE) != 0 {
        return Err(EINVAL);
    }
    Ok(())
}

/// Takes over the reference of a file that was just opened, or its error.
///
/// # Safety
///
/// `file` must be an error pointer, or an open file whose one reference is
/// passed to the caller and that is in no file descriptor table.
unsafe fn file_from_open(file: *mut bindings::file) -> Result<ARef<File>> {
    let file = from_err_ptr(file)?;
    // SAFETY: `File` is a transparent wrapper of `file`, and the reference is
    // ours. No `fdget_pos()` can be using the file without `f_pos_lock`, as
    // `File` requires: it is in no file descriptor table.
    Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(file.cast::<File>())) })
}
