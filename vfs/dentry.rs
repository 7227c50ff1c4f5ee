// SPDX-License-Identifier: GPL-2.0

//! Dentries: the names a lookup adds to the dcache, and the operations that
//! decide when a cached one may answer.

use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    bindings,
    error::{from_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_uint},
    prelude::*,
};

/// The flags of a lookup (`LOOKUP_*`): how the caller walks, and why it looks
/// the name up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LookupFlags(c_uint);

impl LookupFlags {
    pub(super) fn from_raw(flags: c_uint) -> Self {
        Self(flags)
    }

    /// Whether the caller means to create the name or rename onto it
    /// (`LOOKUP_CREATE`, `LOOKUP_EXCL`, `LOOKUP_RENAME_TARGET`): what it does
    /// next depends on the directory's own answer, not on a cached one.
    pub(crate) fn intends_to_create(self) -> bool {
        self.0 & (bindings::LOOKUP_CREATE | bindings::LOOKUP_EXCL | bindings::LOOKUP_RENAME_TARGET)
            != 0
    }
}

/// A dentry that a lookup is asked to fill: allocated by the VFS, not yet in
/// the dcache.
///
/// # Invariants
///
/// `dentry` is valid, and ours to instantiate, for `'a`: the duration of the
/// `lookup` call it was passed to.
pub(crate) struct NewDentry<'a> {
    dentry: NonNull<bindings::dentry>,
    _lookup: PhantomData<&'a mut bindings::dentry>,
}

/// Proof that a lookup added its dentry to the dcache, which is what the
/// VFS then uses.
pub(crate) struct Added<'a>(PhantomData<&'a mut bindings::dentry>);

impl<'a> NewDentry<'a> {
    /// # Safety
    ///
    /// `dentry` must be the dentry passed to a `lookup` call, which lasts at
    /// least `'a`.
    pub(super) unsafe fn from_raw(dentry: *mut bindings::dentry) -> Self {
        // INVARIANT: As the caller guarantees.
        Self {
            // SAFETY: By the safety requirements the dentry is the one the VFS
            // passed to `lookup`, which is never NULL.
            dentry: unsafe { NonNull::new_unchecked(dentry) },
            _lookup: PhantomData,
        }
    }

    /// Adds the name to the dcache as missing (a negative dentry): the next
    /// lookup of it finds that answer in the dcache, without calling the
    /// directory, until the dentry is evicted or fails revalidation.
    pub(crate) fn add_negative(self) -> Added<'a> {
        // SAFETY: By the type invariant the dentry is valid and ours to
        // instantiate during the lookup; `d_add()` with no inode hashes it as
        // negative, and the lookup then returns NULL to say so.
        unsafe { bindings::d_add(self.dentry.as_ptr(), core::ptr::null_mut()) };
        Added(PhantomData)
    }
}

/// The operations of every dentry of a superblock (`dentry_operations`),
/// attached with [`SuperBlock::set_dentry_operations`](super::SuperBlock).
#[vtable]
pub(crate) trait DentryOperations: 'static {
    /// Whether a dentry found in the dcache may answer a lookup with `flags`
    /// (`d_revalidate`). `false` drops it, and the name is looked up in the
    /// directory again. It may be called in RCU-walk (`LOOKUP_RCU`), where it
    /// must not block; there `ECHILD` retries the lookup in ref-walk, and
    /// anywhere else an error fails the lookup.
    ///
    /// The layer's directories have no children that could change under a
    /// cached name, so the hook gets only the flags; one whose children can
    /// would pass the dentry and its directory too.
    fn revalidate(_flags: LookupFlags) -> Result<bool> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The C table and callbacks of `D`.
pub(super) struct DentryOps<D>(PhantomData<D>);

impl<D: DentryOperations> DentryOps<D> {
    pub(super) const OPS: bindings::dentry_operations = bindings::dentry_operations {
        d_revalidate: if D::HAS_REVALIDATE {
            Some(Self::revalidate)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// The callback uses none of its pointers, so it is safe to call.
    extern "C" fn revalidate(
        _dir: *mut bindings::inode,
        _name: *const bindings::qstr,
        _dentry: *mut bindings::dentry,
        flags: c_uint,
    ) -> c_int {
        from_result(|| D::revalidate(LookupFlags::from_raw(flags)).map(c_int::from))
    }
}
