// SPDX-License-Identifier: GPL-2.0

//! Registration of a filesystem type and its `fs_context` callbacks.

use super::{FileSystem, Instances, New, SuperBlock};
use core::{marker::PhantomData, ptr};
use kernel::{
    bindings,
    error::{from_result, to_result},
    ffi::c_int,
    prelude::*,
    types::Opaque,
    ThisModule,
};

/// A filesystem type, meant for a `static` of the module that owns it, as
/// `nullfs_rs.rs` has them, registered from the module's init.
///
/// [`Registration::register`] takes `&'static self`, so the
/// `file_system_type` outlives every superblock that points at it: once
/// registered, each superblock holds a reference on the owning module, and
/// a module's statics live until it is unloaded. A `static` is also where
/// lockdep wants the class keys that `file_system_type` embeds; a leaked heap
/// allocation would be sound as well, but lockdep would report its keys.
pub(crate) struct Registration<T: FileSystem> {
    fs_type: Opaque<bindings::file_system_type>,
    _fs: PhantomData<T>,
}

// SAFETY: The VFS changes the `file_system_type` only under its own locks, and
// the layer never touches it after `new`.
unsafe impl<T: FileSystem> Sync for Registration<T> {}

impl<T: FileSystem> Registration<T> {
    /// The filesystem type `T`, owned by `module`, not registered yet.
    // `CStrExt::as_char_ptr()` is not `const`; the cast is what it does.
    #[expect(clippy::disallowed_methods)]
    pub(crate) const fn new(module: &'static ThisModule) -> Self {
        // register_filesystem() BUG()s on a name with a dot in it: refuse it
        // when the static is built.
        let name = T::NAME.to_bytes();
        let mut i = 0;
        while i < name.len() {
            assert!(name[i] != b'.', "a filesystem type's name has no '.'");
            i += 1;
        }
        Self {
            fs_type: Opaque::new(bindings::file_system_type {
                name: T::NAME.as_ptr().cast(),
                fs_flags: T::FS_FLAGS.bits(),
                init_fs_context: Some(init_fs_context::<T>),
                kill_sb: Some(bindings::kill_anon_super),
                owner: module.as_ptr(),
                ..pin_init::zeroed()
            }),
            _fs: PhantomData,
        }
    }

    /// Registers the type, until the returned value is dropped.
    ///
    /// Fails with `EBUSY` if a type of the same name is registered, this one
    /// included.
    pub(crate) fn register(&'static self) -> Result<Registered<T>> {
        // SAFETY: The type is fully initialised and lives for good. A second
        // call while it is registered fails with EBUSY before changing
        // anything (`register_filesystem()` checks first that the type is on
        // no list).
        to_result(unsafe { bindings::register_filesystem(self.fs_type.get()) })?;
        // INVARIANT: The type is registered.
        Ok(Registered(self))
    }
}

/// A registered filesystem type; dropping it unregisters the type.
///
/// It must be dropped before the module unloads, as a field of the module's
/// struct is: a leaked one would leave the module's `file_system_type` on
/// the VFS's list after the module's memory is gone (the gap every module
/// static has, whose lifetime is `'static` only until `rmmod`).
///
/// Unregistering stops new mounts; existing superblocks keep their
/// `file_system_type` (it is static) and keep the module loaded until they
/// go, so `rmmod` fails (`delete_module()` answers `EWOULDBLOCK`) while any
/// is mounted.
///
/// # Invariants
///
/// The registration is registered with `register_filesystem()`.
pub(crate) struct Registered<T: FileSystem>(&'static Registration<T>);

impl<T: FileSystem> Drop for Registered<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the type is registered.
        unsafe { bindings::unregister_filesystem(self.0.fs_type.get()) };
    }
}

/// Whether `module` is still running its init function.
///
/// # Safety
///
/// `module` must be NULL (built in) or a module that is loaded.
unsafe fn module_is_coming(module: *mut bindings::module) -> bool {
    // SAFETY: The caller guarantees the module is valid. The module loader
    // writes `state` while others read it, so read it once, as C's
    // `READ_ONCE()` does.
    !module.is_null()
        && unsafe { ptr::read_volatile(&raw const (*module).state) }
            == bindings::module_state_MODULE_STATE_COMING
}

/// `file_system_type::init_fs_context`: sets up a context for a new mount.
///
/// # Safety
///
/// `fc` must be a valid `fs_context` being created for a `T` mount.
unsafe extern "C" fn init_fs_context<T: FileSystem>(fc: *mut bindings::fs_context) -> c_int {
    // SAFETY: The VFS passes a valid, exclusively owned context.
    let fc = unsafe { &mut *fc };
    // No superblock before the module's init has succeeded: a later step of
    // it can still fail, and the module is then freed whatever references
    // superblocks hold on it. `fs_type` is valid and holds a reference on
    // its (loaded) module while the context exists.
    // SAFETY: As just said.
    if unsafe { module_is_coming((*fc.fs_type).owner) } {
        return ENODEV.to_errno();
    }
    fc.ops = &ContextOps::<T>::OPS;
    fc.s_iflags |= T::SB_IFLAGS.bits();
    // The one superblock of a single-instance type is everyone's: it belongs
    // to the initial user namespace, not to whoever mounted it first.
    if matches!(T::INSTANCES, Instances::Single) {
        fc.set_global(true);
    }
    0
}

/// The `fs_context_operations` of `T`.
///
/// Without `parse_param` the VFS refuses every option other than the generic
/// superblock flags and `source` with `EINVAL` and an "Unknown parameter"
/// message in the context's log; without `reconfigure` a remount changes
/// only those generic flags.
struct ContextOps<T>(PhantomData<T>);

impl<T: FileSystem> ContextOps<T> {
    const OPS: bindings::fs_context_operations = bindings::fs_context_operations {
        get_tree: Some(get_tree::<T>),
        ..pin_init::zeroed()
    };
}

/// `fs_context_operations::get_tree`: finds or creates the superblock.
///
/// # Safety
///
/// `fc` must be a valid `fs_context` of a `T` mount.
unsafe extern "C" fn get_tree<T: FileSystem>(fc: *mut bindings::fs_context) -> c_int {
    let fill = Some(fill_super::<T> as unsafe extern "C" fn(_, _) -> _);
    match T::INSTANCES {
        // SAFETY: `fc` is valid by the function's safety requirements.
        Instances::PerMount => unsafe { bindings::get_tree_nodev(fc, fill) },
        // SAFETY: As above.
        Instances::Single => unsafe { bindings::get_tree_single(fc, fill) },
    }
}

/// The `fill_super` callback of `get_tree_nodev()` and `get_tree_single()`.
///
/// # Safety
///
/// `sb` must be a new superblock of `T`, locked and not yet visible to anyone
/// else; its `s_root` is still NULL.
unsafe extern "C" fn fill_super<T: FileSystem>(
    sb: *mut bindings::super_block,
    _fc: *mut bindings::fs_context,
) -> c_int {
    from_result(|| {
        // SAFETY: The safety requirements of this function are those of
        // `SuperBlock::<T, New>::from_raw`, for the duration of the call.
        let sb = unsafe { SuperBlock::<T, New>::from_raw(sb) };
        sb.set_params(T::MAGIC, &super::SUPER_OPERATIONS);
        T::fill_super(sb)?;
        Ok(0)
    })
}
