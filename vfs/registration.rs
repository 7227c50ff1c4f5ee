// SPDX-License-Identifier: GPL-2.0

//! Registration of a filesystem type and its `fs_context` callbacks.

use super::{FileSystem, Instances, New, SuperBlock};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::{from_result, to_result},
    ffi::c_int,
    prelude::*,
    types::Opaque,
    ThisModule,
};

/// A registered filesystem type.
///
/// The type is owned by the module that registered it, so the module cannot
/// be unloaded while a superblock of the type exists: `rmmod` fails
/// (`delete_module()` answers `EWOULDBLOCK`) until the last mount is gone.
///
/// It must live in static storage, in practice the module's own
/// [`InPlaceModule`](kernel::InPlaceModule) struct: `file_system_type` embeds
/// the lockdep class keys of the superblocks, and lockdep accepts only keys
/// in static memory.
///
/// # Invariants
///
/// `fs_type` is registered with `register_filesystem()` from the moment the
/// initializer succeeds until `drop`.
#[pin_data(PinnedDrop)]
pub(crate) struct Registration<T: FileSystem> {
    #[pin]
    fs_type: Opaque<bindings::file_system_type>,
    _fs: PhantomData<T>,
}

// SAFETY: The registration only gives access to the `file_system_type`, which
// the VFS protects with its own locks; it may be dropped on any thread.
unsafe impl<T: FileSystem> Send for Registration<T> {}
// SAFETY: `Registration` has no `&self` methods that touch its contents.
unsafe impl<T: FileSystem> Sync for Registration<T> {}

impl<T: FileSystem> Registration<T> {
    /// Registers the filesystem type `T`, owned by `module`.
    pub(crate) fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            fs_type <- Opaque::try_ffi_init(|slot: *mut bindings::file_system_type| {
                let fs_type = bindings::file_system_type {
                    name: T::NAME.as_char_ptr(),
                    fs_flags: T::FS_FLAGS,
                    init_fs_context: Some(init_fs_context::<T>),
                    kill_sb: Some(bindings::kill_anon_super),
                    owner: module.as_ptr(),
                    ..pin_init::zeroed()
                };
                // SAFETY: `slot` is valid for writes, and pinned.
                unsafe { slot.write(fs_type) };
                // SAFETY: `slot` holds a fully initialised `file_system_type`
                // that stays at this address until `drop` unregisters it.
                // INVARIANT: on success the type is registered.
                to_result(unsafe { bindings::register_filesystem(slot) })
            }),
            _fs: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: FileSystem> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the type is registered. It has no
        // superblocks left: each one holds a reference on the module, so a
        // loaded module (and with it `self`) cannot go away before they do.
        //
        // One window remains, common to every module that registers more than
        // one thing: if a later registration of the module's init fails, the
        // module core frees the module whatever its references, and a mount
        // that got in between would be left with a dangling `s_type`.
        unsafe { bindings::unregister_filesystem(self.fs_type.get()) };
    }
}

/// `file_system_type::init_fs_context`: sets up a context for a new mount.
///
/// # Safety
///
/// `fc` must be a valid `fs_context` being created for a `T` mount.
unsafe extern "C" fn init_fs_context<T: FileSystem>(fc: *mut bindings::fs_context) -> c_int {
    // SAFETY: The VFS passes a valid, exclusively owned context.
    let fc = unsafe { &mut *fc };
    fc.ops = &ContextOps::<T>::OPS;
    fc.s_iflags |= T::SB_IFLAGS;
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
        // `SuperBlock::<New>::from_raw`.
        let sb = unsafe { SuperBlock::<New>::from_raw(sb) };
        sb.set_params(T::MAGIC, &super::SUPER_OPERATIONS);
        let root = T::fill_super(sb)?;
        sb.set_root(root)?;
        Ok(0)
    })
}
