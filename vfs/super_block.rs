// SPDX-License-Identifier: GPL-2.0

//! Superblocks.

use super::{DirOperations, NewInode};
use core::marker::PhantomData;
use kernel::{bindings, ffi::c_ulong, page::PAGE_SHIFT, prelude::*, types::Opaque};

/// Typestate of a superblock that is being set up: locked, not yet visible,
/// and without a root.
pub(crate) struct New;

/// A superblock in state `S`.
///
/// # Invariants
///
/// While a `&SuperBlock<New>` exists, the superblock is being filled by the
/// current thread: locked, not yet visible to anyone else, and `s_root` is
/// NULL until [`SuperBlock::set_root`] succeeds.
#[repr(transparent)]
pub(crate) struct SuperBlock<S> {
    sb: Opaque<bindings::super_block>,
    _state: PhantomData<S>,
}

impl SuperBlock<New> {
    /// Creates a reference to a superblock being filled.
    ///
    /// # Safety
    ///
    /// `ptr` must point at a superblock that the current thread is filling
    /// (inside the `fill_super` callback of `get_tree_*()`), with `s_root`
    /// still NULL, for all of `'a`; only [`SuperBlock::set_root`] may set the
    /// root in that time.
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: `SuperBlock<New>` is a transparent wrapper of `super_block`,
        // and the caller guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Sets what every superblock of the layer has in common.
    pub(super) fn set_params(&self, magic: u32, ops: &'static bindings::super_operations) {
        let sb = self.sb.get();
        // SAFETY: By the type invariant nobody else accesses the superblock
        // while it is being filled, so these plain writes do not race.
        unsafe {
            (*sb).s_magic = magic as c_ulong;
            (*sb).s_op = ops;
            (*sb).s_maxbytes = bindings::MAX_LFS_FILESIZE;
            (*sb).s_blocksize = 1 << PAGE_SHIFT;
            (*sb).s_blocksize_bits = PAGE_SHIFT as u8;
            (*sb).s_time_gran = 1;
        }
    }

    /// Allocates a directory inode served by `D`, as libfs makes its empty
    /// directories: owned by the global root, two links, no size, no blocks,
    /// and all three timestamps set to now.
    ///
    /// `perm` gives the permission bits (`0o7777` at most) and `flags` a
    /// combination of [`inode_flags`](super::inode_flags).
    pub(crate) fn new_dir<D: DirOperations>(
        &self,
        ino: u64,
        perm: u16,
        flags: u32,
    ) -> Result<NewInode> {
        // SAFETY: The superblock is valid by the type invariant.
        let inode = unsafe { bindings::new_inode(self.sb.get()) };
        // SAFETY: `new_inode()` returns NULL or a new inode whose one
        // reference is ours.
        let inode = unsafe { NewInode::from_raw(inode) }.ok_or(ENOMEM)?;
        inode.init_dir::<D>(ino, perm, flags);
        Ok(inode)
    }

    /// Makes `root` the root of the superblock.
    pub(super) fn set_root(&self, root: NewInode) -> Result {
        // SAFETY: `d_make_root()` takes over the inode reference, and drops
        // it if it fails.
        let dentry = unsafe { bindings::d_make_root(root.into_raw()) };
        if dentry.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: By the type invariant the superblock is not visible yet and
        // has no root; the VFS puts the dentry in `kill_anon_super()`.
        unsafe { (*self.sb.get()).s_root = dentry };
        Ok(())
    }
}
