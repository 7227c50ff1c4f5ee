// SPDX-License-Identifier: GPL-2.0

//! Registration of a filesystem type and its `fs_context` callbacks.

use super::{ffi, FileSystem, Instances, New, SuperBlock};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::{from_result, to_result},
    ffi::c_int,
    prelude::*,
    types::Opaque,
    ThisModule,
};

/// A registered filesystem type: a field of the module's struct, initialised
/// in place when the module loads ([`kernel::InPlaceModule`]) and
/// unregistered when the module's struct is dropped at unload.
///
/// The `file_system_type` is pinned inside the registration, and the VFS
/// keeps pointers to it: on its list of types, and in every superblock of the
/// type. Each superblock also holds a reference on the owning module, so
/// the module, and with it the registration, outlives all of them; `rmmod`
/// fails (`delete_module()` answers `EWOULDBLOCK`) while any is mounted.
/// Dropping the registration stops new mounts.
///
/// It must be a field of the module's `InPlaceModule` struct: there it
/// cannot be moved out nor forgotten in place, and its memory is static
/// memory of the module, where lockdep wants the class keys that
/// `file_system_type` embeds. (Pinning it in a heap allocation of its own
/// would put those keys on the heap, and leaking that allocation would
/// leave the type registered after the module is gone, as with every
/// registration of the kernel crate that points at module code, a misc
/// device's among them.)
///
/// # Invariants
///
/// `fs_type` is registered with `register_filesystem()` for as long as the
/// registration exists.
#[pin_data(PinnedDrop)]
pub(crate) struct Registration<T: FileSystem> {
    #[pin]
    fs_type: Opaque<bindings::file_system_type>,
    _fs: PhantomData<T>,
}

// SAFETY: The registration has no methods that take `&self`: nothing can
// reach the `file_system_type` through a shared reference, and the VFS
// changes it only under its own locks.
unsafe impl<T: FileSystem> Sync for Registration<T> {}

// SAFETY: `unregister_filesystem()` may be called from any task, not only
// the one that registered the type.
unsafe impl<T: FileSystem> Send for Registration<T> {}

impl<T: FileSystem> Registration<T> {
    /// Registers the filesystem type `T`, owned by `module`.
    ///
    /// Fails with `EBUSY` if a type of the same name is registered. A name
    /// with a `.` in it fails the build (`register_filesystem()` would BUG
    /// on it).
    pub(crate) fn new(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        const { assert_no_dot(T::NAME) };
        // INVARIANT: The initialiser succeeds only once
        // `register_filesystem()` has.
        try_pin_init!(Self {
            fs_type <- Opaque::try_ffi_init(|fs_type: *mut bindings::file_system_type| {
                // SAFETY: `fs_type` is valid for writes; it is not yet
                // shared with anyone.
                unsafe {
                    fs_type.write(bindings::file_system_type {
                        name: T::NAME.as_char_ptr(),
                        fs_flags: T::FS_FLAGS.into(),
                        init_fs_context: Some(init_fs_context::<T>),
                        kill_sb: Some(bindings::kill_anon_super),
                        owner: module.as_ptr(),
                        ..pin_init::zeroed()
                    })
                };
                // SAFETY: The type is initialised and pinned, and stays
                // registered until `drop` unregisters it, before its memory
                // can go. If registration fails, nothing keeps a pointer to
                // it (`register_filesystem()` checks for a name clash before
                // linking the type in).
                to_result(unsafe { bindings::register_filesystem(fs_type) })
            }),
            _fs: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T: FileSystem> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the type is registered.
        unsafe { bindings::unregister_filesystem(self.fs_type.get()) };
    }
}

/// Fails the build of a type whose name has a `.`.
const fn assert_no_dot(name: &CStr) {
    let name = name.to_bytes();
    let mut i = 0;
    while i < name.len() {
        assert!(name[i] != b'.', "a filesystem type's name has no '.'");
        i += 1;
    }
}

/// Whether `module` is still running its init function.
///
/// # Safety
///
/// `module` must be NULL (built in) or a module that is loaded.
unsafe fn module_is_coming(module: *mut bindings::module) -> bool {
    // SAFETY: The caller guarantees that a non-NULL module is valid.
    // `module_is_coming()` reads its state as C code does.
    !module.is_null() && unsafe { ffi::nullfs_rs_module_is_coming(module) }
}

/// `file_system_type::init_fs_context`: sets up a context for a new mount.
///
/// # Safety
///
/// `fc` must be a valid `fs_context` being created for a `T` mount.
pub(super) unsafe extern "C" fn init_fs_context<T: FileSystem>(
    fc: *mut bindings::fs_context,
) -> c_int {
    // No superblock before the module's init has succeeded: a later step of
    // it can still fail, and the module is then freed whatever references
    // superblocks hold on it.
    // SAFETY: The VFS passes a valid context, whose `fs_type` is valid; the
    // context holds a reference on the type's module (`get_filesystem()` in
    // `alloc_fs_context()`) while it exists.
    if unsafe { module_is_coming(ffi::nullfs_rs_fs_context_owner(fc)) } {
        return ENODEV.to_errno();
    }
    // The one superblock of a single-instance type is everyone's: it belongs
    // to the initial user namespace, not to whoever mounted it first.
    let global = matches!(T::INSTANCES, Instances::Single);
    // The context keeps the pointer for as long as it lives.
    let ops: &'static ffi::FsContextOperations = &ContextOps::<T>::OPS;
    // SAFETY: The context is valid and exclusively ours while it is being
    // set up; `ops` lives for good.
    unsafe { ffi::nullfs_rs_fs_context_init(fc, ops, T::SB_IFLAGS.into(), global) };
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
    const OPS: ffi::FsContextOperations = ffi::FsContextOperations {
        free: None,
        dup: None,
        parse_param: None,
        parse_monolithic: None,
        get_tree: Some(get_tree::<T>),
        reconfigure: None,
    };
}

/// `fs_context_operations::get_tree`: finds or creates the superblock.
///
/// # Safety
///
/// `fc` must be a valid `fs_context` of a `T` mount.
unsafe extern "C" fn get_tree<T: FileSystem>(fc: *mut bindings::fs_context) -> c_int {
    let fill = Some(fill_super::<T> as ffi::FillSuper);
    match T::INSTANCES {
        // SAFETY: `fc` is a valid context of a `T` mount, by the function's
        // safety requirements.
        Instances::PerMount => unsafe { ffi::get_tree_nodev(fc, fill) },
        // SAFETY: `fc` is a valid context of a `T` mount, by the function's
        // safety requirements.
        Instances::Single => unsafe { ffi::get_tree_single(fc, fill) },
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
