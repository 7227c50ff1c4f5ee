// SPDX-License-Identifier: GPL-2.0

//! The part of the C API that the kernel crate does not reach, and the
//! check that Rust and C agree on every struct member Rust touches.
//!
//! A stock 7.3 kernel crate's bindings stop short of `fs_context.h`,
//! `fs_struct.h` and `namei.h`, and static inlines have no symbol to call.
//! Rather than patch the kernel, the module declares here the few exported
//! functions it calls that the bindings lack, and the C helpers it carries
//! (`vfs/helpers.c`, compiled by the kernel's own C compiler). The same
//! source then builds for a distribution's kernel as shipped and for the
//! project's test kernel.
//!
//! The constants come from `vfs/layout.c`, evaluated by that C compiler,
//! and so do the offsets and sizes that [`check_layout!`] compares with
//! bindgen's at build time: a member that bindgen puts elsewhere than the
//! kernel's compiler fails the build, naming it.

use kernel::{
    bindings,
    ffi::{c_char, c_int, c_uint, c_ulong, c_void},
};

/// What `vfs/layout.c` evaluated with the kernel's C compiler.
#[allow(non_upper_case_globals, dead_code)]
pub(super) mod c {
    include!(env!("NULLFS_RS_LAYOUT"));
}

pub(crate) use c::{
    FOP_IMMUTABLE, LOOKUP_CACHED, LOOKUP_CREATE, LOOKUP_EXCL, LOOKUP_FOLLOW, LOOKUP_RCU,
    LOOKUP_RENAME_TARGET, MAX_LFS_FILESIZE, NULL_FS_MAGIC,
};

/// The type of a `fill_super` callback of `get_tree_nodev()` and
/// `get_tree_single()`.
pub(crate) type FillSuper =
    unsafe extern "C" fn(sb: *mut bindings::super_block, fc: *mut bindings::fs_context) -> c_int;

/// `struct fs_context_operations` (`include/linux/fs_context.h`).
#[repr(C)]
pub(crate) struct FsContextOperations {
    pub(crate) free: Option<unsafe extern "C" fn(fc: *mut bindings::fs_context)>,
    pub(crate) dup: Option<
        unsafe extern "C" fn(
            fc: *mut bindings::fs_context,
            src: *mut bindings::fs_context,
        ) -> c_int,
    >,
    pub(crate) parse_param: Option<
        unsafe extern "C" fn(
            fc: *mut bindings::fs_context,
            param: *mut bindings::fs_parameter,
        ) -> c_int,
    >,
    pub(crate) parse_monolithic:
        Option<unsafe extern "C" fn(fc: *mut bindings::fs_context, data: *mut c_void) -> c_int>,
    pub(crate) get_tree: Option<unsafe extern "C" fn(fc: *mut bindings::fs_context) -> c_int>,
    pub(crate) reconfigure: Option<unsafe extern "C" fn(fc: *mut bindings::fs_context) -> c_int>,
}

// The bindings' structs with nothing in them on this config (such as
// `lock_class_key` without lockdep) are empty in Rust as in GNU C, and only
// pointers to them cross.
#[allow(improper_ctypes)]
extern "C" {
    /// PID 1's fs state, set before any module can load and never freed.
    pub(crate) static userspace_init_fs: *mut bindings::fs_struct;

    pub(crate) fn get_tree_nodev(fc: *mut bindings::fs_context, fill: Option<FillSuper>) -> c_int;
    pub(crate) fn get_tree_single(fc: *mut bindings::fs_context, fill: Option<FillSuper>) -> c_int;
    pub(crate) fn kern_path(name: *const c_char, flags: c_uint, path: *mut bindings::path)
        -> c_int;
    pub(crate) fn vfs_path_lookup(
        dentry: *mut bindings::dentry,
        mnt: *mut bindings::vfsmount,
        name: *const c_char,
        flags: c_uint,
        path: *mut bindings::path,
    ) -> c_int;

    /// For the KUnit case that makes a context as a mount would.
    #[cfg(CONFIG_KUNIT)]
    pub(crate) fn fs_context_for_mount(
        fs_type: *mut bindings::file_system_type,
        sb_flags: c_uint,
    ) -> *mut bindings::fs_context;
    #[cfg(CONFIG_KUNIT)]
    pub(crate) fn put_fs_context(fc: *mut bindings::fs_context);

    // vfs/helpers.c, one C operation each.
    pub(crate) fn nullfs_rs_get_fs_root(fs: *mut bindings::fs_struct, root: *mut bindings::path);
    pub(crate) fn nullfs_rs_get_fs_pwd(fs: *mut bindings::fs_struct, pwd: *mut bindings::path);
    pub(crate) fn nullfs_rs_in_task() -> bool;
    pub(crate) fn nullfs_rs_module_is_coming(module: *mut bindings::module) -> bool;
    pub(crate) fn nullfs_rs_dir_emit_dots(
        file: *mut bindings::file,
        ctx: *mut bindings::dir_context,
    ) -> bool;
    pub(crate) fn nullfs_rs_fs_context_owner(
        fc: *mut bindings::fs_context,
    ) -> *mut bindings::module;
    pub(crate) fn nullfs_rs_fs_context_init(
        fc: *mut bindings::fs_context,
        ops: *const FsContextOperations,
        s_iflags: c_uint,
        global: bool,
    );
    pub(crate) fn nullfs_rs_param(
        param: *const bindings::fs_parameter,
        key: *mut *const c_char,
        string: *mut *const c_char,
    ) -> bool;
    pub(crate) fn nullfs_rs_invalid_param(
        fc: *mut bindings::fs_context,
        key: *const c_char,
        why: *const c_char,
    ) -> c_int;
    pub(crate) fn nullfs_rs_fs_context_reconfigures(fc: *mut bindings::fs_context) -> bool;
    pub(crate) fn nullfs_rs_fs_context_options(fc: *mut bindings::fs_context) -> c_ulong;
    pub(crate) fn nullfs_rs_set_fs_context_options(fc: *mut bindings::fs_context, options: c_ulong);
    pub(crate) fn nullfs_rs_fs_context_sb(
        fc: *mut bindings::fs_context,
    ) -> *mut bindings::super_block;
    pub(crate) fn nullfs_rs_fs_context_set_root(
        fc: *mut bindings::fs_context,
        root: *mut bindings::dentry,
    );
    pub(crate) fn nullfs_rs_fs_context_drop_tree(fc: *mut bindings::fs_context);
    pub(crate) fn nullfs_rs_fs_context_root_is_file(fc: *mut bindings::fs_context) -> bool;
    pub(crate) fn nullfs_rs_fs_context_root_is_keyed(fc: *mut bindings::fs_context) -> bool;
    pub(crate) fn nullfs_rs_get_tree_keyed(
        fc: *mut bindings::fs_context,
        fill: Option<FillSuper>,
        key: *mut c_void,
    ) -> c_int;
    pub(crate) fn nullfs_rs_current_mnt_ns_id() -> u64;
    pub(crate) fn nullfs_rs_discard_iter(from: *mut bindings::iov_iter) -> usize;
    pub(crate) fn nullfs_rs_splice_discard(
        pipe: *mut bindings::pipe_inode_info,
        out: *mut bindings::file,
        ppos: *mut i64,
        len: usize,
        flags: c_uint,
    ) -> isize;
}

/// Fails the build unless `$type` has the C compiler's size, and each
/// member (a path through bindgen's anonymous-union fields where C has
/// none) its offset and size, as `vfs/layout.c` recorded them under `$c`.
///
/// Offsets and sizes only: a member of the same size but another type
/// (a callback whose prototype changed, say) passes. The declarations in
/// this file are checked against the C prototypes by reading them.
macro_rules! check_layout {
    ($type:ty = $size:ident { $($($member:ident).+ = $c:ident),* $(,)? }) => {
        const _: () = {
            const fn pointee_size<T>(_member: *const T) -> usize {
                core::mem::size_of::<T>()
            }
            assert!(
                core::mem::size_of::<$type>() == c::$size,
                concat!("Rust and the kernel's C compiler disagree on the size of ", stringify!($size)),
            );
            $(
                assert!(
                    core::mem::offset_of!($type, $($member).+) == c::$c.0,
                    concat!("Rust and the kernel's C compiler disagree on the offset of ", stringify!($c)),
                );
                assert!(
                    {
                        let value = core::mem::MaybeUninit::<$type>::uninit();
                        // SAFETY: Only the address of a member of the
                        // (uninitialised) value is taken; nothing is read.
                        pointee_size(unsafe { &raw const (*value.as_ptr()).$($member).+ })
                    } == c::$c.1,
                    concat!("Rust and the kernel's C compiler disagree on the size of ", stringify!($c)),
                );
            )*
        };
    };
}

check_layout!(bindings::file_system_type = file_system_type {
    name = file_system_type__name,
    fs_flags = file_system_type__fs_flags,
    init_fs_context = file_system_type__init_fs_context,
    kill_sb = file_system_type__kill_sb,
    owner = file_system_type__owner,
});

check_layout!(FsContextOperations = fs_context_operations {
    free = fs_context_operations__free,
    dup = fs_context_operations__dup,
    parse_param = fs_context_operations__parse_param,
    parse_monolithic = fs_context_operations__parse_monolithic,
    get_tree = fs_context_operations__get_tree,
    reconfigure = fs_context_operations__reconfigure,
});

check_layout!(bindings::super_operations = super_operations {
    statfs = super_operations__statfs,
});

check_layout!(bindings::inode_operations = inode_operations {
    lookup = inode_operations__lookup,
    setattr = inode_operations__setattr,
    listxattr = inode_operations__listxattr,
});

check_layout!(bindings::file_operations = file_operations {
    llseek = file_operations__llseek,
    read = file_operations__read,
    read_iter = file_operations__read_iter,
    write_iter = file_operations__write_iter,
    splice_read = file_operations__splice_read,
    splice_write = file_operations__splice_write,
    iterate_shared = file_operations__iterate_shared,
    fsync = file_operations__fsync,
    lock = file_operations__lock,
    flock = file_operations__flock,
    fop_flags = file_operations__fop_flags,
});

check_layout!(bindings::dentry_operations = dentry_operations {
    d_revalidate = dentry_operations__d_revalidate,
});

check_layout!(bindings::super_block = super_block {
    s_blocksize_bits = super_block__s_blocksize_bits,
    s_blocksize = super_block__s_blocksize,
    s_maxbytes = super_block__s_maxbytes,
    s_type = super_block__s_type,
    s_op = super_block__s_op,
    s_magic = super_block__s_magic,
    s_root = super_block__s_root,
    s_time_gran = super_block__s_time_gran,
});

check_layout!(bindings::inode = inode {
    i_mode = inode__i_mode,
    i_uid = inode__i_uid,
    i_gid = inode__i_gid,
    i_flags = inode__i_flags,
    i_op = inode__i_op,
    i_sb = inode__i_sb,
    i_ino = inode__i_ino,
    i_size = inode__i_size,
    i_blkbits = inode__i_blkbits,
    i_blocks = inode__i_blocks,
    __bindgen_anon_3.i_fop = inode__i_fop,
});

check_layout!(bindings::dentry = dentry {
    d_inode = dentry__d_inode,
    d_sb = dentry__d_sb,
    __bindgen_anon_1.d_name = dentry__d_name,
});

check_layout!(bindings::qstr = qstr {
    __bindgen_anon_1.__bindgen_anon_1.len = qstr__len,
});

check_layout!(bindings::file = file {
    f_inode = file__f_inode,
    __bindgen_anon_1.f_path = file__f_path,
});

check_layout!(bindings::task_struct = task_struct {
    fs = task_struct__fs,
    real_fs = task_struct__real_fs,
});

// A KUnit case makes a stand-in module and sets its state.
#[cfg(CONFIG_KUNIT)]
check_layout!(bindings::module = module {
    state = module__state,
});

check_layout!(bindings::path = path {
    mnt = path__mnt,
    dentry = path__dentry,
});

check_layout!(bindings::iattr = iattr {
    ia_valid = iattr__ia_valid,
});

check_layout!(bindings::kstat = kstat {
    size = kstat__size,
});
