// SPDX-License-Identifier: GPL-2.0

//! Superblocks.

use super::{
    dentry::DENTRY_OPERATIONS, ffi, DirOperations, FileOperations, FileSystem, InodeFlags, NewInode,
};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{bindings, ffi::c_ulong, page::PAGE_SHIFT, prelude::*};

/// The states a [`SuperBlock`] handle can be in; only the layer's two.
pub(crate) trait SuperBlockState: private::Sealed {}

mod private {
    /// Keeps [`super::SuperBlockState`] to the states of this file.
    pub(crate) trait Sealed {}
}

/// Typestate of a superblock that is being set up: locked, not yet visible,
/// and without a root.
pub(crate) struct New;

/// Typestate of a superblock with its root set: what `fill_super` returns.
pub(crate) struct Ready;

impl private::Sealed for New {}
impl SuperBlockState for New {}
impl private::Sealed for Ready {}
impl SuperBlockState for Ready {}

/// A superblock of the filesystem type `T` in state `S`, for `'a`.
///
/// # Invariants
///
/// `sb` points at a superblock of `T` that is valid for `'a`. In state
/// [`New`] it is being filled by the current thread: locked, not yet visible
/// to anyone else, and `s_root` is NULL. In state [`Ready`] its `s_root` is
/// set, and the current thread holds its `s_umount`. The state only ever moves forward, by [`SuperBlock::set_root`], which
/// consumes the `New` value (it is neither `Copy` nor `Clone`).
pub(crate) struct SuperBlock<'a, T: FileSystem, S: SuperBlockState> {
    sb: NonNull<bindings::super_block>,
    _type: PhantomData<(&'a bindings::super_block, T, S)>,
}

impl<'a, T: FileSystem> SuperBlock<'a, T, New> {
    /// Wraps a superblock being filled.
    ///
    /// # Safety
    ///
    /// `ptr` must point at a superblock of `T` that the current thread is
    /// filling (inside the `fill_super` callback of `get_tree_*()`), with
    /// `s_root` still NULL, for all of `'a`.
    pub(super) unsafe fn from_raw(ptr: *mut bindings::super_block) -> Self {
        // INVARIANT: The caller guarantees the state.
        Self {
            // SAFETY: The caller guarantees a valid superblock, which is not
            // NULL.
            sb: unsafe { NonNull::new_unchecked(ptr) },
            _type: PhantomData,
        }
    }

    /// Sets what every superblock of the layer has in common.
    pub(super) fn set_params(&self, magic: u32, ops: &'static bindings::super_operations) {
        let sb = self.sb.as_ptr();
        // SAFETY: By the type invariant the superblock is valid and nobody
        // else accesses it while it is being filled, so these plain writes
        // do not race.
        unsafe {
            (*sb).s_magic = magic as c_ulong;
            (*sb).s_op = ops;
            (*sb).s_maxbytes = ffi::MAX_LFS_FILESIZE;
            (*sb).s_blocksize = 1 << PAGE_SHIFT;
            (*sb).s_blocksize_bits = PAGE_SHIFT as u8;
            (*sb).s_time_gran = 1;
        }
    }

    /// Allocates a directory inode served by `D`, as libfs makes its empty
    /// directories: owned by the global root, two links, no size, no blocks,
    /// and all three timestamps set to now.
    ///
    /// `perm` gives the permission bits; bits outside `0o7777` are ignored.
    pub(crate) fn new_dir<D: DirOperations>(
        &self,
        ino: u64,
        perm: u16,
        flags: InodeFlags,
    ) -> Result<NewInode<'a, T>> {
        // SAFETY: The superblock is valid by the type invariant.
        let inode = unsafe { bindings::new_inode(self.sb.as_ptr()) };
        // SAFETY: `new_inode()` returns NULL or a new inode of this
        // superblock whose one reference is ours.
        let inode = unsafe { NewInode::from_raw(inode) }.ok_or(ENOMEM)?;
        inode.init_dir::<D>(ino, perm, flags);
        Ok(inode)
    }

    /// Makes `root` the root of the superblock, which is then ready.
    ///
    /// Fails with `EINVAL` if `root` belongs to another superblock.
    pub(crate) fn set_root(self, root: NewInode<'a, T>) -> Result<SuperBlock<'a, T, Ready>> {
        if root.super_block() != self.sb.as_ptr() {
            return Err(EINVAL);
        }
        // SAFETY: `root` owns a reference on a valid inode of this
        // superblock; `d_make_root()` takes it over, and drops it if it fails.
        let dentry = unsafe { bindings::d_make_root(root.into_raw()) };
        if dentry.is_null() {
            return Err(ENOMEM);
        }
        let sb = self.sb.as_ptr();
        // SAFETY: By the type invariant the superblock is not visible yet and
        // has no root; the VFS puts the dentry in `kill_anon_super()`.
        unsafe { (*sb).s_root = dentry };
        // The dentry operations of remembered misses, for every dentry made
        // from now on. Not for the root, which is made already: a root that
        // revalidates makes overlayfs take its layer for a remote one, which
        // C nullfs's root is not.
        // SAFETY: The superblock is still being filled by us, and the table
        // is static.
        unsafe { bindings::set_default_d_op(sb, &DENTRY_OPERATIONS) };
        // INVARIANT: `s_root` is set; `self` is consumed.
        Ok(SuperBlock {
            sb: self.sb,
            _type: PhantomData,
        })
    }
}

impl<'a, T: FileSystem> SuperBlock<'a, T, Ready> {
    /// Wraps a superblock that a `get_tree_*()` call has just returned.
    ///
    /// # Safety
    ///
    /// `ptr` must point at a superblock of `T` with its root set, which the
    /// current thread holds locked (`s_umount`) for all of `'a`.
    pub(super) unsafe fn from_raw(ptr: *mut bindings::super_block) -> Self {
        // INVARIANT: The caller guarantees the state.
        Self {
            // SAFETY: The caller guarantees a valid superblock, which is not
            // NULL.
            sb: unsafe { NonNull::new_unchecked(ptr) },
            _type: PhantomData,
        }
    }

    /// Makes an empty regular file served by `F`, as a dentry of its own:
    /// no lookup finds it, and only the mount it roots holds it. Each call
    /// makes a new inode.
    ///
    /// `perm` gives the permission bits; bits outside `0o7777` are ignored.
    pub(crate) fn new_file<F: FileOperations>(
        &self,
        ino: u64,
        perm: u16,
        flags: InodeFlags,
    ) -> Result<FileRoot<'a>> {
        let sb = self.sb.as_ptr();
        // SAFETY: The superblock is valid by the type invariant, and alive:
        // its `s_umount` is held.
        let inode = unsafe { bindings::new_inode(sb) };
        // SAFETY: `new_inode()` returns NULL or a new inode of this
        // superblock whose one reference is ours; the superblock is locked
        // by this thread, by the type invariant.
        let inode = unsafe { NewInode::<T>::from_raw(inode) }.ok_or(ENOMEM)?;
        inode.init_file::<F>(ino, perm, flags);
        // SAFETY: As above, the superblock is valid and alive.
        let dentry = unsafe { bindings::d_alloc_anon(sb) };
        if dentry.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: The dentry is new and unhashed, and ours; it takes over
        // the inode's reference.
        unsafe { bindings::d_instantiate(dentry, inode.into_raw()) };
        // INVARIANT: The reference from `d_alloc_anon()` is passed on.
        Ok(FileRoot {
            // SAFETY: Checked not NULL above.
            dentry: unsafe { NonNull::new_unchecked(dentry) },
            _sb: PhantomData,
        })
    }
}

/// A regular file's own dentry, made by [`SuperBlock::new_file`] on a
/// superblock that lives for `'a`, to root a mount.
///
/// # Invariants
///
/// `dentry` is positive and unhashed, and one reference on it is owned
/// here.
pub(crate) struct FileRoot<'a> {
    dentry: NonNull<bindings::dentry>,
    _sb: PhantomData<&'a bindings::super_block>,
}

impl FileRoot<'_> {
    /// Gives up ownership: the caller now holds the reference.
    pub(super) fn into_raw(self) -> *mut bindings::dentry {
        let dentry = self.dentry.as_ptr();
        core::mem::forget(self);
        dentry
    }
}

impl Drop for FileRoot<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the reference is ours; the unhashed
        // dentry and its inode go with it.
        unsafe { bindings::dput(self.dentry.as_ptr()) };
    }
}
