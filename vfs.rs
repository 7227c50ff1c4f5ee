// SPDX-License-Identifier: GPL-2.0

//! A thin layer that lets filesystem types be written in safe Rust.
//!
//! Every `unsafe` block the module needs to talk to the VFS lives under this
//! module. A filesystem type is a Rust type implementing [`FileSystem`], and
//! its directories are served by a type implementing [`DirOperations`]. The
//! layer turns them into the C tables (`file_system_type`,
//! `fs_context_operations`, `super_operations`, `inode_operations`,
//! `file_operations`) and registers the type through a [`Registration`]
//! pinned in the module's struct. The `dentry_operations` are the layer's
//! own: the one rule for when a remembered miss may answer a lookup.
//!
//! The layer covers what in-memory filesystems that hold nothing need: a
//! superblock whose root is a directory, lookups that fail or remember a
//! miss, regular files whose data path is `/dev/null`'s, to root a mount
//! at, and a mount's own options. It also holds the task fs state
//! (`fs_struct`) and the paths that `scoped.rs` and `init_fs.rs` stand on.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/fs_context.h`](srctree/include/linux/fs_context.h),
//! [`include/linux/dcache.h`](srctree/include/linux/dcache.h).

mod dentry;
mod dir;
mod ffi;
mod file;
mod flags;
pub(crate) mod fs_struct;
mod inode;
pub(crate) mod path;
mod registration;
mod super_block;

use kernel::{bindings, prelude::*};

pub(crate) use dentry::{Added, LookupFlags, NewDentry};
pub(crate) use dir::DirOperations;
pub(crate) use ffi::NULL_FS_MAGIC;
pub(crate) use file::{AttrFlag, FileOperations};
pub(crate) use flags::{FsFlag, FsFlags, InodeFlag, InodeFlags, SbIFlag, SbIFlags};
pub(crate) use inode::{Attributes, Inode, NewInode};
pub(crate) use registration::Registration;
pub(crate) use super_block::{FileRoot, New, Ready, SuperBlock};

/// How the mounts of a filesystem type map to superblocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Instances {
    /// Every mount gets a superblock of its own (`get_tree_nodev()`).
    PerMount,
    /// All mounts share one superblock (`get_tree_single()`), created by the
    /// first mount and destroyed when the last one goes. It belongs to the
    /// initial user namespace (`fs_context::global`).
    Single,
}

/// A filesystem type.
pub(crate) trait FileSystem: Sized + Send + Sync + 'static {
    /// The name it is registered and mounted under.
    const NAME: &'static CStr;
    /// What `statfs(2)` reports in `f_type`.
    const MAGIC: u32;
    /// How mounts map to superblocks.
    const INSTANCES: Instances;
    /// Flags of the type.
    const FS_FLAGS: FsFlags;
    /// Flags every superblock of the type carries.
    const SB_IFLAGS: SbIFlags;

    /// Sets up a new superblock: makes its root inode and hands it over with
    /// [`SuperBlock::set_root`], which is the only way to the ready state
    /// this returns.
    ///
    /// The layer has already set the magic number and the parameters every
    /// in-memory filesystem shares: page-sized blocks, `MAX_LFS_FILESIZE`,
    /// nanosecond timestamps and `simple_statfs()`.
    fn fill_super(sb: SuperBlock<'_, Self, New>) -> Result<SuperBlock<'_, Self, Ready>>;

    /// Takes one option of a new mount into `options`. Other than the
    /// generic superblock flags and `source`, which the VFS takes itself,
    /// a type takes none unless it says so here.
    fn parse_option(_option: &MountOption<'_>, _options: &mut MountOptions) -> OptionResult {
        Err(OptionError::Unknown)
    }

    /// Makes the regular file that a mount is rooted at when its options
    /// ask for one ([`MountOptions::file`]), which only
    /// [`FileSystem::parse_option`] can: a type that takes no such option
    /// is never asked.
    fn new_file_root<'a>(_sb: &SuperBlock<'a, Self, Ready>) -> Result<FileRoot<'a>> {
        Err(EINVAL)
    }
}

/// What the options of one mount chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MountOptions {
    /// Root the mount at a new regular file ([`FileSystem::new_file_root`])
    /// rather than at the superblock's root directory.
    pub(crate) file: bool,
    /// Share one superblock among all the mounts made from the same mount
    /// namespace, rather than one per mount. Only for a type whose
    /// instances are [`Instances::PerMount`].
    pub(crate) per_mount_namespace: bool,
}

/// An option of a new mount, as `mount(2)`'s data or `fsconfig(2)` gave it.
pub(crate) struct MountOption<'a> {
    key: &'a CStr,
    value: OptionValue<'a>,
}

/// The value of a [`MountOption`].
#[derive(Clone, Copy)]
pub(crate) enum OptionValue<'a> {
    /// None: `key` alone, or `FSCONFIG_SET_FLAG`.
    Flag,
    /// A string: `key=value`, or `FSCONFIG_SET_STRING`.
    String(&'a CStr),
    /// A blob, a path or a file descriptor (`fsconfig(2)` only).
    Other,
}

impl<'a> MountOption<'a> {
    /// The option's name.
    pub(crate) fn key(&self) -> &'a CStr {
        self.key
    }

    /// Checks that the option came without a value.
    pub(crate) fn flag(&self) -> Result<(), OptionError> {
        match self.value {
            OptionValue::Flag => Ok(()),
            _ => Err(OptionError::Invalid(c"takes no value")),
        }
    }

    /// The option's value, which must be a string.
    pub(crate) fn string(&self) -> Result<&'a CStr, OptionError> {
        match self.value {
            OptionValue::String(value) => Ok(value),
            _ => Err(OptionError::Invalid(c"takes a value")),
        }
    }
}

/// Why a type did not take an option.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OptionError {
    /// The type has no option of that name: the VFS then refuses it with
    /// its "Unknown parameter" message.
    Unknown,
    /// The type has the option, but not like this: the mount fails with
    /// `EINVAL`, and the context's log says `key: why`.
    Invalid(&'static CStr),
}

/// What [`FileSystem::parse_option`] returns.
pub(crate) type OptionResult = core::result::Result<(), OptionError>;

/// The `super_operations` of every type: statfs(2) reports the magic number,
/// the block size and the name length, and nothing is counted.
static SUPER_OPERATIONS: bindings::super_operations = bindings::super_operations {
    statfs: Some(bindings::simple_statfs),
    ..pin_init::zeroed()
};

#[kunit_tests(nullfs_rs_vfs)]
mod tests {
    use super::{
        dentry::{LookupFlag, DENTRY_OPERATIONS},
        dir::{DirEmitter, DirOps, Offset, SeekingDir, Whence},
        file::FileOps,
        fs_struct::{self, current_fs, with_init_fs},
        *,
    };
    use crate::{empty_dir::EmptyDir, empty_file::EmptyFile};
    use core::ptr::fn_addr_eq;
    use kernel::{
        ffi::{c_char, c_int},
        sync::{
            atomic::{Atomic, Relaxed},
            Arc, Completion,
        },
        workqueue::{self, impl_has_work, new_work, Work, WorkItem},
    };

    type ReadFn = unsafe extern "C" fn(*mut bindings::file, *mut c_char, usize, *mut i64) -> isize;
    type LlseekFn = unsafe extern "C" fn(*mut bindings::file, i64, c_int) -> i64;
    type StatfsFn = unsafe extern "C" fn(*mut bindings::dentry, *mut bindings::kstatfs) -> c_int;

    /// A directory with only the operation every directory must have.
    struct MinimalDir;

    #[vtable]
    impl DirOperations for MinimalDir {
        fn lookup<'a>(
            _dir: &Inode,
            _dentry: NewDentry<'a>,
            _flags: LookupFlags,
        ) -> Result<Added<'a>> {
            Err(ENOENT)
        }
    }

    /// A directory with a listing of its own, and a seek to go with it.
    struct ListedDir;

    #[vtable]
    impl DirOperations for ListedDir {
        // Not the layer's empty listing, which the linker would otherwise
        // fold this into: no entries at all.
        fn read_dir(_emitter: &mut DirEmitter<'_>) -> Result {
            Ok(())
        }

        fn lookup<'a>(
            _dir: &Inode,
            _dentry: NewDentry<'a>,
            _flags: LookupFlags,
        ) -> Result<Added<'a>> {
            Err(ENOENT)
        }

        fn seek(dir: &SeekingDir<'_>, offset: i64, whence: Whence) -> Result<Offset> {
            dir.seek_in_listing(offset, whence, 3)
        }
    }

    #[test]
    fn unimplemented_operations_are_null() {
        // The layer's empty listing, and the seek and the lock-free reading
        // that go with it.
        let fops = &DirOps::<MinimalDir>::FILE_OPS;
        assert!(fops.iterate_shared.is_some());
        assert!(fops.llseek.is_some());
        assert_eq!(fops.fop_flags, ffi::FOP_IMMUTABLE);
        assert!(fops
            .read
            .is_some_and(|read| fn_addr_eq(read, bindings::generic_read_dir as ReadFn)));
        assert!(fops.lock.is_none());
        assert!(fops.flock.is_none());

        let iops = &DirOps::<MinimalDir>::INODE_OPS;
        assert!(iops.lookup.is_some());
        assert!(iops.setattr.is_none());
        assert!(iops.listxattr.is_none());
    }

    #[test]
    fn own_listing_is_not_immutable() {
        let own = &DirOps::<ListedDir>::FILE_OPS;
        let empty = &DirOps::<MinimalDir>::FILE_OPS;
        assert_eq!(own.fop_flags, 0);
        assert!(own.llseek.is_some());
        // Neither the listing nor the seek is the layer's empty one.
        assert!(own
            .iterate_shared
            .zip(empty.iterate_shared)
            .is_some_and(|(own, empty)| !fn_addr_eq(own, empty)));
        assert!(own
            .llseek
            .zip(empty.llseek)
            .is_some_and(|(own, empty)| !fn_addr_eq(own, empty)));
    }

    #[test]
    fn empty_dir_tables() {
        let fops = &DirOps::<EmptyDir>::FILE_OPS;
        assert!(fops.llseek.is_some());
        assert!(fops.lock.is_some());
        assert!(fops.flock.is_some());
        assert_eq!(fops.fop_flags, ffi::FOP_IMMUTABLE);
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

    /// A file mask's tables: `/dev/null`'s data path, C nullfs's locks and
    /// attributes, and nothing that maps, opens specially or lists.
    #[test]
    fn empty_file_tables() {
        let fops = &FileOps::<EmptyFile>::FILE_OPS;
        assert!(fops.read_iter.is_some());
        assert!(fops.write_iter.is_some());
        assert!(fops.splice_read.is_some());
        assert!(fops.splice_write.is_some());
        assert!(fops.lock.is_some());
        assert!(fops.flock.is_some());
        assert!(fops
            .llseek
            .is_some_and(|llseek| fn_addr_eq(llseek, bindings::generic_file_llseek as LlseekFn)));
        assert!(fops.read.is_none());
        assert!(fops.write.is_none());
        assert!(fops.mmap.is_none());
        assert!(fops.open.is_none());
        assert!(fops.iterate_shared.is_none());
        assert_eq!(fops.fop_flags, 0);

        let iops = &FileOps::<EmptyFile>::INODE_OPS;
        assert!(iops.setattr.is_some());
        assert!(iops.lookup.is_none());
        assert!(iops.listxattr.is_none());
    }

    /// The layer's one dentry operation: a remembered miss answers every
    /// lookup but one that means to create the name, in RCU-walk as in
    /// ref-walk, and one that takes only cached answers, which it sends
    /// out of RCU-walk (`ECHILD`, which such a lookup turns into `EAGAIN`).
    #[test]
    fn remembered_misses_are_revalidated_by_intent() -> Result {
        assert!(DENTRY_OPERATIONS.d_delete.is_none());
        assert!(DENTRY_OPERATIONS.d_release.is_none());
        assert!(DENTRY_OPERATIONS.d_hash.is_none());
        let revalidate = DENTRY_OPERATIONS.d_revalidate.ok_or(EINVAL)?;
        let answer = |flags: u32| {
            let null = core::ptr::null_mut();
            // SAFETY: The layer's `d_revalidate` reads only its flags.
            unsafe { revalidate(null, core::ptr::null(), null.cast(), flags) }
        };
        for walk in [0, ffi::LOOKUP_RCU] {
            assert_eq!(answer(walk), 1);
            assert_eq!(answer(walk | ffi::LOOKUP_FOLLOW), 1);
            assert_eq!(answer(walk | ffi::LOOKUP_CREATE), 0);
            assert_eq!(answer(walk | ffi::LOOKUP_CREATE | ffi::LOOKUP_EXCL), 0);
            assert_eq!(answer(walk | ffi::LOOKUP_RENAME_TARGET), 0);
        }
        let echild = ECHILD.to_errno();
        assert_eq!(answer(ffi::LOOKUP_RCU | ffi::LOOKUP_CACHED), echild);
        assert_eq!(
            answer(ffi::LOOKUP_RCU | ffi::LOOKUP_CACHED | ffi::LOOKUP_FOLLOW),
            echild
        );
        // Never out of RCU-walk, where `ECHILD` would reach the caller.
        assert_eq!(answer(ffi::LOOKUP_CACHED), 1);
        Ok(())
    }

    #[test]
    fn lookup_flags_keep_only_named_bits() {
        let raw = ffi::LOOKUP_RCU | ffi::LOOKUP_FOLLOW | ffi::LOOKUP_EXCL;
        let flags = LookupFlags::from_raw(raw);
        assert_eq!(u32::from(flags), ffi::LOOKUP_RCU | ffi::LOOKUP_EXCL);
        assert!(flags.contains(LookupFlag::Excl));
        assert!(flags.intends_to_create());
        assert!(!LookupFlags::from_raw(ffi::LOOKUP_RCU).intends_to_create());
    }

    #[test]
    fn offsets_are_never_negative() {
        assert_eq!(Offset::try_from(-1), Err(EINVAL));
        assert_eq!(Offset::try_from(i64::MIN), Err(EINVAL));
        assert!(Offset::try_from(0).is_ok());
        assert!(Offset::try_from(i64::MAX).is_ok());
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

    /// A work item on the BH workqueue, which runs it in softirq context,
    /// and what it saw there. Atomics, not a lock: a mutex must not be
    /// taken in a softirq, and the completion orders the stores before the
    /// test's loads.
    #[pin_data]
    struct BhProbe {
        #[pin]
        work: Work<BhProbe>,
        fs_unchanged: Atomic<bool>,
        init_fs_inside: Atomic<bool>,
        lookup_errno: Atomic<i32>,
        guarded_lookup_errno: Atomic<i32>,
        open_errno: Atomic<i32>,
        init_root_errno: Atomic<i32>,
        #[pin]
        done: Completion,
    }

    impl_has_work! {
        impl HasWork<Self> for BhProbe { self.work }
    }

    fn errno_of<T>(result: Result<T>) -> i32 {
        result.err().map_or(0, |err| err.to_errno())
    }

    impl WorkItem for BhProbe {
        type Pointer = Arc<BhProbe>;

        fn run(this: Arc<BhProbe>) {
            let before = current_fs();
            let (inside, guarded) = with_init_fs(|| {
                // SAFETY: Reads the address the global holds, set before any
                // module loads.
                let init = unsafe { ffi::userspace_init_fs };
                (current_fs().0 == init, path::Path::lookup(c"/"))
            });
            this.fs_unchanged.store(current_fs() == before, Relaxed);
            this.init_fs_inside.store(inside, Relaxed);
            this.guarded_lookup_errno.store(errno_of(guarded), Relaxed);
            this.lookup_errno
                .store(errno_of(path::Path::lookup(c"/")), Relaxed);
            this.open_errno.store(
                errno_of(path::open(c"/", kernel::fs::file::flags::O_RDONLY)),
                Relaxed,
            );
            this.init_root_errno
                .store(errno_of(fs_struct::init_root()), Relaxed);
            this.done.complete_all();
        }
    }

    /// In a softirq `current` is whichever task was interrupted. The guard
    /// runs there and puts back exactly the `fs` it found, leaving `real_fs`
    /// alone; every lookup, guarded or not, is refused before it could take
    /// a lock the interrupted task may hold.
    #[test]
    fn softirq_scope_restores_and_lookups_are_refused() -> Result {
        let probe = Arc::pin_init(
            pin_init!(BhProbe {
                work <- new_work!("BhProbe::work"),
                fs_unchanged: Atomic::new(false),
                init_fs_inside: Atomic::new(false),
                lookup_errno: Atomic::new(0),
                guarded_lookup_errno: Atomic::new(0),
                open_errno: Atomic::new(0),
                init_root_errno: Atomic::new(0),
                done <- Completion::new(),
            }),
            GFP_KERNEL,
        )?;
        workqueue::system_bh()
            .enqueue(probe.clone())
            .map_err(|_| EBUSY)?;
        probe.done.wait_for_completion();
        // Until the worker has left this module's code, which it runs a
        // little past `complete_all()`.
        // SAFETY: The work item is initialised and kept alive by `probe`;
        // `flush_work()` may sleep, and KUnit cases run in a kthread.
        unsafe { bindings::flush_work(Work::raw_get(&probe.work)) };
        assert!(probe.fs_unchanged.load(Relaxed));
        assert!(probe.init_fs_inside.load(Relaxed));
        let einval = EINVAL.to_errno();
        assert_eq!(probe.lookup_errno.load(Relaxed), einval);
        assert_eq!(probe.guarded_lookup_errno.load(Relaxed), einval);
        assert_eq!(probe.open_errno.load(Relaxed), einval);
        assert_eq!(probe.init_root_errno.load(Relaxed), einval);
        // In task context, the same calls go through.
        assert!(with_init_fs(|| path::Path::lookup(c"/")).is_ok());
        assert!(fs_struct::init_root().is_ok());
        Ok(())
    }

    /// Makes a context for a `nullfs_rs`-like type owned by a stand-in
    /// module in `state`, as a mount would, and drops it again: the refusal
    /// reads only the owner's state, and the context takes and drops one
    /// reference on it.
    fn context_for_owner_in(state: bindings::module_state) -> Result<Result> {
        let mut owner = KBox::init(pin_init::zeroed::<bindings::module>(), GFP_KERNEL)?;
        owner.state = state;
        let mut fs_type = bindings::file_system_type {
            name: c"nullfs_rs_kunit".as_char_ptr(),
            init_fs_context: Some(registration::init_fs_context::<crate::nullfs_rs::NullFs>),
            kill_sb: Some(bindings::kill_anon_super),
            owner: &mut *owner,
            ..pin_init::zeroed()
        };
        // SAFETY: The type and its owner are valid for the call, which keeps
        // no pointer to either once it returns an error; a context it returns
        // is put below, while both still live. No superblock is made.
        let fc = unsafe { ffi::fs_context_for_mount(&mut fs_type, 0) };
        Ok(kernel::error::from_err_ptr(fc).map(|fc| {
            // SAFETY: A context fresh from `fs_context_for_mount()`.
            unsafe { ffi::put_fs_context(fc) }
        }))
    }

    /// While its owner's init has not returned, a type makes no context, so
    /// no superblock: a later step of init can still fail and free the
    /// module. The racing mounter of the `module` selftest reaches that
    /// window by chance; this reaches the refusal every time.
    #[test]
    fn no_context_while_the_module_is_coming() -> Result {
        assert_eq!(
            context_for_owner_in(bindings::module_state_MODULE_STATE_COMING)?,
            Err(ENODEV)
        );
        assert_eq!(
            context_for_owner_in(bindings::module_state_MODULE_STATE_LIVE)?,
            Ok(())
        );
        Ok(())
    }

    /// What Rust reads from `task_struct` through the kernel crate's `Task`
    /// is what C reads for the same task, through `struct pid`. (bindgen
    /// 0.73 laid `task_struct` out 48 bytes off from C here.)
    #[test]
    fn task_fields_read_where_c_has_them() {
        let task = kernel::current!();
        // SAFETY: The current task is valid; a NULL namespace means the
        // caller's own.
        let pid = unsafe {
            bindings::__task_pid_nr_ns(
                task.as_ptr(),
                bindings::pid_type_PIDTYPE_PID,
                core::ptr::null_mut(),
            )
        };
        assert!(pid > 0);
        assert_eq!(task.pid(), pid);
        assert_eq!(task.tgid(), task.tgid_nr_ns(None));
    }

    #[test]
    fn flag_sets_carry_their_bits() {
        let fs = FsFlags::empty()
            .with(FsFlag::UsernsMount)
            .with(FsFlag::DisallowNotify);
        assert_eq!(
            i32::from(fs),
            (bindings::FS_USERNS_MOUNT | bindings::FS_DISALLOW_NOTIFY) as i32
        );
        assert_eq!(i32::from(FsFlags::empty()), 0);
        let sb = SbIFlags::empty().with(SbIFlag::NoExec);
        assert_eq!(u32::from(sb), bindings::SB_I_NOEXEC);
        let inode = InodeFlags::empty()
            .with(InodeFlag::Immutable)
            .with(InodeFlag::NoAtime);
        assert_eq!(
            u32::from(inode),
            bindings::S_IMMUTABLE | bindings::S_NOATIME
        );
    }
}
