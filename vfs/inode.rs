// SPDX-License-Identifier: GPL-2.0

//! Inodes.

use super::{
    dir::DirOps,
    file::{AttrFlags, FileOps},
    DirOperations, FileOperations, FileSystem, InodeFlags,
};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{bindings, page::PAGE_SHIFT, types::Opaque};

/// An inode the VFS handed to an operation.
///
/// Not generic over its filesystem type: nothing of the type hangs off the
/// layer's inodes (`i_private` is unused), so there is nothing to type.
///
/// # Invariants
///
/// The inode is valid, and referenced, for as long as the `&Inode` is.
#[repr(transparent)]
pub(crate) struct Inode(Opaque<bindings::inode>);

impl Inode {
    /// Creates a reference to an inode.
    ///
    /// # Safety
    ///
    /// `ptr` must point at a valid inode that stays referenced for `'a`.
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: `Inode` is a transparent wrapper of `inode`, and the caller
        // guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }
}

/// A new inode of a superblock of `T` that the current thread holds locked
/// (`s_umount`) for `'a`, being filled or just found by a mount, not yet
/// reachable from any dentry.
///
/// # Invariants
///
/// `ptr` points at an inode fresh from `new_inode()` on that superblock: the
/// reference is owned here. It is on the superblock's list of inodes, whose
/// walkers (eviction at unmount, `drop_caches`) skip an inode in use, and
/// cannot unmount the superblock while its `s_umount` is held.
pub(crate) struct NewInode<'a, T: FileSystem> {
    ptr: NonNull<bindings::inode>,
    _sb: PhantomData<(&'a bindings::super_block, T)>,
}

impl<'a, T: FileSystem> NewInode<'a, T> {
    /// Takes ownership of a new inode, or returns `None` for NULL.
    ///
    /// # Safety
    ///
    /// `ptr` must be NULL or returned by `new_inode()` on a superblock of `T`
    /// that the current thread holds locked for `'a`, with its reference
    /// passed to the caller.
    pub(super) unsafe fn from_raw(ptr: *mut bindings::inode) -> Option<Self> {
        // INVARIANT: The caller passes the one reference of a new inode.
        NonNull::new(ptr).map(|ptr| Self {
            ptr,
            _sb: PhantomData,
        })
    }

    /// The superblock the inode was made on.
    pub(super) fn super_block(&self) -> *mut bindings::super_block {
        // SAFETY: By the type invariant the inode is valid; `i_sb` never
        // changes.
        unsafe { (*self.ptr.as_ptr()).i_sb }
    }

    /// Gives up ownership: the caller now holds the reference.
    pub(super) fn into_raw(self) -> *mut bindings::inode {
        let ptr = self.ptr.as_ptr();
        core::mem::forget(self);
        ptr
    }

    /// Makes the inode a directory served by `D`.
    pub(super) fn init_dir<D: DirOperations>(&self, ino: u64, perm: u16, flags: InodeFlags) {
        let inode = self.ptr.as_ptr();
        // SAFETY: By the type invariant the inode is valid and nobody else
        // looks at it yet, so these plain writes do not race. The tables are
        // static.
        unsafe {
            (*inode).i_ino = ino;
            (*inode).i_mode = bindings::S_IFDIR as u16 | (perm & 0o7777);
            (*inode).i_uid = bindings::kuid_t { val: 0 };
            (*inode).i_gid = bindings::kgid_t { val: 0 };
            (*inode).i_size = 0;
            (*inode).i_blkbits = PAGE_SHIFT as u8;
            (*inode).i_blocks = 0;
            (*inode).i_flags |= u32::from(flags);
            (*inode).i_op = &DirOps::<D>::INODE_OPS;
            (*inode).__bindgen_anon_3.i_fop = &DirOps::<D>::FILE_OPS;
        }
        // SAFETY: The inode is valid, by the type invariant, and nobody else
        // looks at it yet. `new_inode()` gave it one link, so `set_nlink()`
        // only stores the count.
        unsafe { bindings::set_nlink(inode, 2) };
        // SAFETY: The inode is valid, by the type invariant, and its
        // superblock is set; the timestamps are not read by anyone yet.
        unsafe { bindings::simple_inode_init_ts(inode) };
    }

    /// Makes the inode an empty regular file served by `F`: owned by the
    /// global root, one link, no size, and all three timestamps set to now.
    pub(super) fn init_file<F: FileOperations>(&self, ino: u64, perm: u16, flags: InodeFlags) {
        let inode = self.ptr.as_ptr();
        // SAFETY: By the type invariant the inode is valid and nobody else
        // looks at it yet, so these plain writes do not race. The tables are
        // static. `new_inode()` left one link, the owner, the size and the
        // block size as an empty file has them.
        unsafe {
            (*inode).i_ino = ino;
            (*inode).i_mode = bindings::S_IFREG as u16 | (perm & 0o7777);
            (*inode).i_flags |= u32::from(flags);
            (*inode).i_op = &FileOps::<F>::INODE_OPS;
            (*inode).__bindgen_anon_3.i_fop = &FileOps::<F>::FILE_OPS;
        }
        // SAFETY: The inode is valid, by the type invariant, and its
        // superblock is set; the timestamps are not read by anyone yet.
        unsafe { bindings::simple_inode_init_ts(inode) };
    }
}

impl<T: FileSystem> Drop for NewInode<'_, T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the reference is ours to drop.
        unsafe { bindings::iput(self.ptr.as_ptr()) };
    }
}

/// The attributes a `setattr` is asked to change (`struct iattr`).
///
/// # Invariants
///
/// The attributes are valid for as long as the `&Attributes` is.
#[repr(transparent)]
pub(crate) struct Attributes(Opaque<bindings::iattr>);

impl Attributes {
    /// Creates a reference to the attributes of a `setattr` call.
    ///
    /// # Safety
    ///
    /// `ptr` must point at a valid `iattr` that stays valid for `'a`.
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::iattr) -> &'a Self {
        // SAFETY: `Attributes` is a transparent wrapper of `iattr`, and the
        // caller guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The named attributes the call would change.
    pub(crate) fn changes(&self) -> AttrFlags {
        // SAFETY: By the type invariant the attributes are valid; nobody
        // changes them during the call.
        AttrFlags::from_raw(unsafe { (*self.0.get()).ia_valid })
    }
}
