// SPDX-License-Identifier: GPL-2.0

//! A thin layer that lets filesystem types be written in safe Rust.
//!
//! Every `unsafe` block the module needs to talk to the VFS lives under this
//! module. A filesystem type is a Rust type implementing [`FileSystem`]; its
//! directories are served by a type implementing [`DirOperations`]. The layer
//! turns both into the C tables (`file_system_type`, `fs_context_operations`,
//! `super_operations`, `inode_operations`, `file_operations`) and registers
//! the type with a pinned [`Registration`].
//!
//! The layer covers what in-memory filesystems without regular files need:
//! a superblock whose root is a directory, and no other inodes. It also
//! holds the task fs state (`fs_struct`) that `scoped.rs` and `init_fs.rs`
//! stand on.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h).

mod dir;
pub(crate) mod fs_struct;
mod inode;
mod registration;
mod super_block;

use kernel::{bindings, prelude::*};

pub(crate) use dir::{seek_in_dir, DirContext, DirOperations};
pub(crate) use inode::{Inode, NewInode};
pub(crate) use registration::Registration;
pub(crate) use super_block::{New, SuperBlock};

/// How the mounts of a filesystem type map to superblocks.
pub(crate) enum Instances {
    /// Every mount gets a superblock of its own (`get_tree_nodev()`).
    PerMount,
    /// All mounts share one superblock (`get_tree_single()`), created by the
    /// first mount and destroyed when the last one goes. It belongs to the
    /// initial user namespace (`fs_context::global`).
    Single,
}

/// Flags of a filesystem type (`file_system_type::fs_flags`).
pub(crate) mod fs_flags {
    use kernel::bindings;

    /// Root in a user namespace may mount it.
    pub(crate) const USERNS_MOUNT: i32 = bindings::FS_USERNS_MOUNT as i32;
    /// No fsnotify marks on its objects.
    pub(crate) const DISALLOW_NOTIFY: i32 = bindings::FS_DISALLOW_NOTIFY as i32;
}

/// Flags every superblock of a type carries (`super_block::s_iflags`).
pub(crate) mod sb_iflags {
    use kernel::bindings;

    /// Executables on it are not run.
    pub(crate) const NOEXEC: u32 = bindings::SB_I_NOEXEC;
    /// Device nodes on it are not opened.
    pub(crate) const NODEV: u32 = bindings::SB_I_NODEV;
}

/// Flags of an inode (`inode::i_flags`).
pub(crate) mod inode_flags {
    use kernel::bindings;

    /// Nothing about the inode may change.
    pub(crate) const IMMUTABLE: u32 = bindings::S_IMMUTABLE;
    /// Reading it does not update its access time.
    pub(crate) const NOATIME: u32 = bindings::S_NOATIME;
}

/// A filesystem type.
pub(crate) trait FileSystem: Sized + Send + Sync + 'static {
    /// The name it is registered and mounted under.
    const NAME: &'static CStr;
    /// What `statfs(2)` reports in `f_type`.
    const MAGIC: u32;
    /// How mounts map to superblocks.
    const INSTANCES: Instances;
    /// A combination of [`fs_flags`].
    const FS_FLAGS: i32;
    /// A combination of [`sb_iflags`], set on every superblock of the type.
    const SB_IFLAGS: u32;

    /// Makes the root inode of a superblock being set up.
    ///
    /// The layer has already set the magic number and the parameters every
    /// in-memory filesystem shares: page-sized blocks, `MAX_LFS_FILESIZE`,
    /// nanosecond timestamps and `simple_statfs()`.
    fn fill_super(sb: &SuperBlock<New>) -> Result<NewInode>;
}

/// The `super_operations` of every type: statfs(2) reports the magic number,
/// the block size and the name length, and nothing is counted.
static SUPER_OPERATIONS: bindings::super_operations = bindings::super_operations {
    statfs: Some(bindings::simple_statfs),
    ..pin_init::zeroed()
};

#[kunit_tests(nullfs_rs_vfs)]
mod tests {
    use super::{dir::DirOps, *};
    use crate::empty_dir::EmptyDir;
    use core::ptr::fn_addr_eq;
    use kernel::{
        ffi::{c_char, c_int},
        fs::LocalFile,
    };

    type ReadFn = unsafe extern "C" fn(*mut bindings::file, *mut c_char, usize, *mut i64) -> isize;
    type StatfsFn = unsafe extern "C" fn(*mut bindings::dentry, *mut bindings::kstatfs) -> c_int;

    /// A directory with only the operations every directory must have.
    struct MinimalDir;

    #[vtable]
    impl DirOperations for MinimalDir {
        const IMMUTABLE: bool = false;

        fn read_dir(_dir: &LocalFile, _ctx: &mut DirContext) -> Result {
            Ok(())
        }

        fn lookup(_dir: &Inode) -> Error {
            ENOENT
        }
    }

    #[test]
    fn unimplemented_operations_are_null() {
        let fops = &DirOps::<MinimalDir>::FILE_OPS;
        assert!(fops.iterate_shared.is_some());
        assert!(fops
            .read
            .is_some_and(|read| fn_addr_eq(read, bindings::generic_read_dir as ReadFn)));
        assert!(fops.llseek.is_none());
        assert!(fops.lock.is_none());
        assert!(fops.flock.is_none());
        assert_eq!(fops.fop_flags, 0);

        let iops = &DirOps::<MinimalDir>::INODE_OPS;
        assert!(iops.lookup.is_some());
        assert!(iops.setattr.is_none());
        assert!(iops.listxattr.is_none());
    }

    #[test]
    fn empty_dir_tables() {
        let fops = &DirOps::<EmptyDir>::FILE_OPS;
        assert!(fops.llseek.is_some());
        assert!(fops.lock.is_some());
        assert!(fops.flock.is_some());
        assert_eq!(fops.fop_flags, bindings::FOP_IMMUTABLE);
        // Nothing to read, write, map or open specially.
        assert!(fops.read_iter.is_none());
        assert!(fops.write.is_none());
        assert!(fops.write_iter.is_none());
        assert!(fops.mmap.is_none());
        assert!(fops.open.is_none());

        // Nothing can be created, linked, renamed or removed.
        let iops = &DirOps::<EmptyDir>::INODE_OPS;
        assert!(iops.create.is_none());
        assert!(iops.mkdir.is_none());
        assert!(iops.mknod.is_none());
        assert!(iops.symlink.is_none());
        assert!(iops.link.is_none());
        assert!(iops.unlink.is_none());
        assert!(iops.rmdir.is_none());
        assert!(iops.rename.is_none());
        assert!(iops.tmpfile.is_none());
        assert!(iops.atomic_open.is_none());
        assert!(iops.setattr.is_some());
        assert!(iops.listxattr.is_some());
    }

    #[test]
    fn superblock_operations_report_only_statfs() {
        assert!(SUPER_OPERATIONS
            .statfs
            .is_some_and(|statfs| fn_addr_eq(statfs, bindings::simple_statfs as StatfsFn)));
        assert!(SUPER_OPERATIONS.alloc_inode.is_none());
        assert!(SUPER_OPERATIONS.write_inode.is_none());
        assert!(SUPER_OPERATIONS.sync_fs.is_none());
    }
}
