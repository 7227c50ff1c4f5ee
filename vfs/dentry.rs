// SPDX-License-Identifier: GPL-2.0

//! Dentries: the names a lookup adds to the dcache, and the rule that
//! decides when a cached miss may answer.

use super::ffi;
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    bindings,
    ffi::{c_int, c_uint},
    prelude::*,
};

kernel::impl_flags!(
    /// The flags of a lookup (`LOOKUP_*`): how the caller walks, and why it
    /// looks the name up. Only the bits the layer reads have a name; the
    /// others are dropped.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) struct LookupFlags(u32);

    /// A flag of a lookup.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum LookupFlag {
        /// The caller means to create the name (`LOOKUP_CREATE`).
        Create = ffi::LOOKUP_CREATE,
        /// ... and fails if it exists (`LOOKUP_EXCL`).
        Excl = ffi::LOOKUP_EXCL,
        /// The caller means to rename onto the name (`LOOKUP_RENAME_TARGET`).
        RenameTarget = ffi::LOOKUP_RENAME_TARGET,
        /// The walk is in RCU mode (`LOOKUP_RCU`).
        Rcu = ffi::LOOKUP_RCU,
        /// The caller takes only what the dcache answers without leaving
        /// RCU-walk (`LOOKUP_CACHED`: `RESOLVE_CACHED`, io_uring's first
        /// try).
        Cached = ffi::LOOKUP_CACHED,
    }
);

impl LookupFlags {
    /// The flags the VFS passes, less the bits without a name here.
    pub(super) fn from_raw(flags: c_uint) -> Self {
        Self(flags & Self::all_bits())
    }

    /// Whether the caller means to create the name or rename onto it: what
    /// it does next depends on the directory's own answer, not on a cached
    /// one.
    pub(crate) fn intends_to_create(self) -> bool {
        self.contains_any(LookupFlag::Create | LookupFlag::Excl | LookupFlag::RenameTarget)
    }
}

/// A dentry that a lookup is asked to fill: allocated by the VFS, not yet in
/// the dcache.
///
/// # Invariants
///
/// `dentry` is valid, and ours to instantiate, for `'a`: the duration of the
/// `lookup` call it was passed to, with `flags`.
pub(crate) struct NewDentry<'a> {
    dentry: NonNull<bindings::dentry>,
    flags: LookupFlags,
    _lookup: PhantomData<&'a mut bindings::dentry>,
}

/// Proof that a lookup added its dentry to the dcache, which is what the
/// VFS then uses.
///
/// # Invariants
///
/// Only [`NewDentry::add_negative`] makes one, after `d_add()` of the
/// dentry of the lookup call that lasts `'a`.
pub(crate) struct Added<'a>(PhantomData<&'a mut bindings::dentry>);

impl<'a> NewDentry<'a> {
    /// # Safety
    ///
    /// `dentry` must be the dentry passed to a `lookup` call with `flags`,
    /// which lasts at least `'a`.
    pub(super) unsafe fn from_raw(dentry: *mut bindings::dentry, flags: c_uint) -> Self {
        // INVARIANT: As the caller guarantees.
        Self {
            // SAFETY: By the safety requirements the dentry is the one the VFS
            // passed to `lookup`, which is never NULL.
            dentry: unsafe { NonNull::new_unchecked(dentry) },
            flags: LookupFlags::from_raw(flags),
            _lookup: PhantomData,
        }
    }

    /// Remembers the name as missing: adds it to the dcache as a negative
    /// dentry, so that the next lookup of it is answered from there, without
    /// calling the directory, until the dentry is evicted or fails the
    /// layer's revalidation.
    ///
    /// Two lookups get `ENOENT` instead, and nothing is kept:
    ///
    /// - one that means to create the name or rename onto it: the layer's
    ///   directories have no operations that create, so a negative dentry
    ///   would turn the caller's `ENOENT` into the missing operation's
    ///   `EPERM`; the layer's `d_revalidate` drops a remembered miss for such
    ///   a lookup, so that it comes back here;
    /// - a name longer than `NAME_MAX`, which no directory can hold: the
    ///   answer is the same, and the dcache is not filled with names of up
    ///   to `PATH_MAX` bytes.
    pub(crate) fn add_negative(self) -> Result<Added<'a>> {
        if self.flags.intends_to_create() || self.name_len() > bindings::NAME_MAX {
            return Err(ENOENT);
        }
        // SAFETY: By the type invariant the dentry is valid and ours to
        // instantiate during the lookup; `d_add()` with no inode hashes it as
        // negative, and the lookup then returns NULL to say so.
        unsafe { bindings::d_add(self.dentry.as_ptr(), core::ptr::null_mut()) };
        // INVARIANT: The dentry of this lookup was added with `d_add()`.
        Ok(Added(PhantomData))
    }

    /// The length of the name being looked up.
    fn name_len(&self) -> u32 {
        // SAFETY: By the type invariant the dentry is valid; its name does
        // not change during the lookup (only d_move() renames, and the
        // dentry is not in the dcache yet).
        unsafe {
            (*self.dentry.as_ptr())
                .__bindgen_anon_1
                .d_name
                .__bindgen_anon_1
                .__bindgen_anon_1
                .len
        }
    }
}

/// The `dentry_operations` of every superblock of the layer: the rule for
/// remembered misses, in one place with [`NewDentry::add_negative`] that
/// makes them.
pub(super) static DENTRY_OPERATIONS: bindings::dentry_operations = bindings::dentry_operations {
    d_revalidate: Some(revalidate),
    ..pin_init::zeroed()
};

/// `d_revalidate`: a remembered miss answers every lookup but two.
///
/// - One that means to create the name or rename onto it goes back to the
///   directory's `lookup` (and from there to `ENOENT`, see
///   [`NewDentry::add_negative`]).
/// - One that takes only cached answers (`LOOKUP_CACHED`) is told to leave
///   RCU-walk, which it cannot: `EAGAIN`, as for a name never looked up.
///   Answering it would let anyone who reaches an instance learn which
///   missing names someone else looked up there, another container
///   through a shared mask among them; the answer it would give, `ENOENT`,
///   is the one its caller gets on retrying without the flag.
///
/// It reads only the flags: it neither blocks nor fails otherwise, so it
/// answers in RCU-walk as in ref-walk. The only dentries it is called for
/// are the negative ones `add_negative` made: the layer's directories have
/// no positive children.
extern "C" fn revalidate(
    _dir: *mut bindings::inode,
    _name: *const bindings::qstr,
    _dentry: *mut bindings::dentry,
    flags: c_uint,
) -> c_int {
    let flags = LookupFlags::from_raw(flags);
    // `ECHILD` is an answer in RCU-walk only, which is the only walk
    // `LOOKUP_CACHED` takes (`path_init()` refuses it in ref-walk).
    if flags.contains_all(LookupFlag::Rcu | LookupFlag::Cached) {
        return ECHILD.to_errno();
    }
    c_int::from(!flags.intends_to_create())
}
