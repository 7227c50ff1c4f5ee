// SPDX-License-Identifier: GPL-2.0

//! Registration of a filesystem type and its `fs_context` callbacks.

use super::{
    ffi, FileSystem, Instances, MountOption, MountOptions, New, OptionError, OptionValue, Ready,
    SuperBlock,
};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::{from_result, to_result},
    ffi::{c_char, c_int, c_ulong},
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
/// `parse_param` hands every option but the generic superblock flags to
/// [`FileSystem::parse_option`]; one that the type does not know, the VFS
/// then refuses with `EINVAL` and an "Unknown parameter" message in the
/// context's log. Without `reconfigure` a remount changes only the generic
/// flags.
struct ContextOps<T>(PhantomData<T>);

impl<T: FileSystem> ContextOps<T> {
    const OPS: ffi::FsContextOperations = ffi::FsContextOperations {
        free: None,
        dup: None,
        parse_param: Some(parse_param::<T>),
        parse_monolithic: None,
        get_tree: Some(get_tree::<T>),
        reconfigure: None,
    };
}

impl MountOptions {
    const FILE: c_ulong = 1 << 0;
    const PER_MOUNT_NAMESPACE: c_ulong = 1 << 1;

    /// The options parsed so far into `fc`.
    ///
    /// # Safety
    ///
    /// `fc` must be a valid context of a mount of the layer's.
    unsafe fn of_context(fc: *mut bindings::fs_context) -> Self {
        // SAFETY: As the caller guarantees, the context is valid; the layer
        // keeps only these bits in its `fs_private`, which starts NULL.
        let bits = unsafe { ffi::nullfs_rs_fs_context_options(fc) };
        Self {
            file: bits & Self::FILE != 0,
            per_mount_namespace: bits & Self::PER_MOUNT_NAMESPACE != 0,
        }
    }

    /// What the mount that `fc` remounts is.
    ///
    /// # Safety
    ///
    /// `fc` must be a valid remount context of a mount of the layer's.
    unsafe fn of_mount(fc: *mut bindings::fs_context) -> Self {
        // SAFETY: As the caller guarantees, the context is valid, and a
        // remount's context holds the root of the mount it remounts.
        unsafe {
            Self {
                file: ffi::nullfs_rs_fs_context_root_is_file(fc),
                per_mount_namespace: ffi::nullfs_rs_fs_context_root_is_keyed(fc),
            }
        }
    }

    /// Stores the options into `fc`.
    ///
    /// # Safety
    ///
    /// `fc` must be a valid context of a mount of the layer's, being set up
    /// by the current thread.
    unsafe fn store(self, fc: *mut bindings::fs_context) {
        let mut bits = 0;
        if self.file {
            bits |= Self::FILE;
        }
        if self.per_mount_namespace {
            bits |= Self::PER_MOUNT_NAMESPACE;
        }
        // SAFETY: As the caller guarantees.
        unsafe { ffi::nullfs_rs_set_fs_context_options(fc, bits) };
    }
}

/// `fs_context_operations::parse_param`: one option of a new mount.
///
/// # Safety
///
/// `fc` must be a valid `fs_context` of a `T` mount, and `param` a valid
/// parameter, for the call.
unsafe extern "C" fn parse_param<T: FileSystem>(
    fc: *mut bindings::fs_context,
    param: *mut bindings::fs_parameter,
) -> c_int {
    let mut key: *const c_char = core::ptr::null();
    let mut string: *const c_char = core::ptr::null();
    // SAFETY: The parameter is valid for the call; the helper only reads it.
    let simple = unsafe { ffi::nullfs_rs_param(param, &mut key, &mut string) };
    let value = match (simple, string.is_null()) {
        (false, _) => OptionValue::Other,
        (true, true) => OptionValue::Flag,
        // SAFETY: A string parameter's value is a NUL-terminated string
        // that the parameter owns for the call.
        (true, false) => OptionValue::String(unsafe { CStr::from_char_ptr(string) }),
    };
    let option = MountOption {
        // SAFETY: Every parameter has a NUL-terminated key for the call.
        key: unsafe { CStr::from_char_ptr(key) },
        value,
    };
    // SAFETY: The context is valid, by the function's safety requirements.
    let reconfigures = unsafe { ffi::nullfs_rs_fs_context_reconfigures(fc) };
    let mut options = if reconfigures {
        // SAFETY: A remount's context is valid and has the mount's root.
        unsafe { MountOptions::of_mount(fc) }
    } else {
        // SAFETY: The context is valid, by the function's safety
        // requirements.
        unsafe { MountOptions::of_context(fc) }
    };
    let before = options;
    let why = match T::parse_option(&option, &mut options) {
        Err(OptionError::Unknown) => return -(bindings::ENOPARAM as c_int),
        Err(OptionError::Invalid(why)) => why,
        // A remount may repeat what the mount is (mount(8) passes an fstab
        // entry's options again), and change nothing of it.
        Ok(()) if reconfigures && options == before => return 0,
        Ok(()) if reconfigures => c"is set when mounting, and a remount cannot change it",
        Ok(()) if options.per_mount_namespace && T::INSTANCES != Instances::PerMount => {
            c"is for types with a superblock per mount"
        }
        Ok(()) => {
            // SAFETY: The context is valid and being set up by us.
            unsafe { options.store(fc) };
            return 0;
        }
    };
    // SAFETY: The context is valid; the helper copies both strings into the
    // context's log.
    unsafe { ffi::nullfs_rs_invalid_param(fc, key, why.as_char_ptr()) }
}

/// `fs_context_operations::get_tree`: finds or creates the superblock, and
/// roots the mount.
///
/// # Safety
///
/// `fc` must be a valid `fs_context` of a `T` mount.
unsafe extern "C" fn get_tree<T: FileSystem>(fc: *mut bindings::fs_context) -> c_int {
    let fill = Some(fill_super::<T> as ffi::FillSuper);
    // SAFETY: The context is valid, by the function's safety requirements.
    let options = unsafe { MountOptions::of_context(fc) };
    let ret = match T::INSTANCES {
        Instances::PerMount if options.per_mount_namespace => {
            // The namespace's id, never reused, unlike its address: a
            // superblock left behind by a namespace that is gone can
            // never be found again by a new one.
            // SAFETY: Reads the current task's own namespace, which it
            // cannot leave during the call.
            let id = unsafe { ffi::nullfs_rs_current_mnt_ns_id() };
            let Ok(key) = usize::try_from(id) else {
                return EOVERFLOW.to_errno();
            };
            // SAFETY: `fc` is a valid context of a `T` mount; the key is
            // compared, never dereferenced, and the superblock's
            // `s_fs_info` holding it is freed by nobody.
            unsafe {
                ffi::nullfs_rs_get_tree_keyed(fc, fill, core::ptr::without_provenance_mut(key))
            }
        }
        // SAFETY: `fc` is a valid context of a `T` mount, by the function's
        // safety requirements.
        Instances::PerMount => unsafe { ffi::get_tree_nodev(fc, fill) },
        // SAFETY: `fc` is a valid context of a `T` mount, by the function's
        // safety requirements.
        Instances::Single => unsafe { ffi::get_tree_single(fc, fill) },
    };
    if ret != 0 || !options.file {
        return ret;
    }
    let root = {
        // SAFETY: `get_tree_*()` succeeded: the context's root is the root
        // of a superblock of `T`, which it returns locked, and which stays
        // so until the caller has made the mount or dropped it below.
        let sb = unsafe { SuperBlock::<T, Ready>::from_raw(ffi::nullfs_rs_fs_context_sb(fc)) };
        T::new_file_root(&sb)
    };
    match root {
        Ok(root) => {
            // SAFETY: The context is ours; it takes over the file's
            // reference and drops the one it had on the superblock's root.
            unsafe { ffi::nullfs_rs_fs_context_set_root(fc, root.into_raw()) };
            0
        }
        Err(err) => {
            // The VFS does not undo a `get_tree` that fails: drop the root
            // and the superblock's lock and active reference here.
            // SAFETY: The context holds the root of the superblock that
            // `get_tree_*()` returned locked; nothing else uses it.
            unsafe { ffi::nullfs_rs_fs_context_drop_tree(fc) };
            err.to_errno()
        }
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
