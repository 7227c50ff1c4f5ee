// SPDX-License-Identifier: GPL-2.0

//! Paths, and looking them up.
//!
//! C header: [`include/linux/namei.h`](srctree/include/linux/namei.h)

use core::mem::MaybeUninit;
use kernel::{bindings, error::to_result, prelude::*};

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
    /// following symlinks (`kern_path()`).
    pub fn lookup(name: &CStr) -> Result<Self> {
        let mut path = MaybeUninit::<bindings::path>::uninit();
        // SAFETY: `name` is NUL-terminated and `path` is valid for writes.
        to_result(unsafe {
            bindings::kern_path(
                name.as_char_ptr(),
                bindings::LOOKUP_FOLLOW,
                path.as_mut_ptr(),
            )
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
