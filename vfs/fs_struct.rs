// SPDX-License-Identifier: GPL-2.0

//! The filesystem state of tasks (`fs_struct`), and init's in particular.
//!
//! On 7.3 every kthread starts with a private nullfs as its root, so a path
//! lookup from a kthread or a work item finds nothing unless it borrows the
//! fs state of PID 1, `userspace_init_fs`.
//!
//! # Context
//!
//! One rule holds for every entry point that resolves a path or takes
//! init's paths ([`check_context`]): task context only, and it may sleep.
//! Those that resolve with the current task's own fs state also need the
//! task to have one ([`check_own_fs`]). The guard, [`with_init_fs`], is the
//! exception: it only swaps a pointer, and is sound in any context.
//!
//! C header: [`include/linux/fs_struct.h`](srctree/include/linux/fs_struct.h)

use super::{ffi, path::Path};
use core::ptr::{read_volatile, write_volatile};
use kernel::{bindings, prelude::*, task::Task};

/// Reads `current->fs` as C's `READ_ONCE()` does.
///
/// # Safety
///
/// `task` must be the current task.
//
// FIXME: Replace with `READ_ONCE` when the kernel crate has it (as mainline
// `rust/kernel/fs/file.rs` says of its own `read_volatile`).
unsafe fn read_fs(task: *mut bindings::task_struct) -> *mut bindings::fs_struct {
    // SAFETY: The current task is valid while it runs this code, and only
    // code running as this task stores to `fs` (other tasks only read it),
    // so the volatile load sees a whole pointer.
    unsafe { read_volatile(&raw const (*task).fs) }
}

/// Whether the current task runs in task context: in a hardirq, a softirq
/// or an NMI, `current` is whichever task was interrupted, and it may hold
/// the spinlock of an `fs_struct` that a lookup would take.
fn in_task() -> bool {
    // SAFETY: `in_task()` only reads the preemption count of this CPU.
    unsafe { ffi::nullfs_rs_in_task() }
}

/// The context rule of every entry point that resolves a path or takes
/// init's paths: task context, where they may sleep.
///
/// Fails with `EINVAL` in a hardirq, a softirq or an NMI. In atomic task
/// context (a spinlock held) the kernel reports the caller when it checks
/// for sleeping there (`CONFIG_DEBUG_ATOMIC_SLEEP`).
#[track_caller]
pub(crate) fn check_context() -> Result {
    if !in_task() {
        return Err(EINVAL);
    }
    kernel::task::might_sleep();
    Ok(())
}

/// [`check_context`], and the current task has fs state to resolve paths
/// with: fails with `ENOENT` when it has none, as after `exit_fs()` (in a
/// file's `->release` run at exit, say).
#[track_caller]
pub(crate) fn check_own_fs() -> Result {
    check_context()?;
    // SAFETY: `Task::current_raw()` is the current task.
    if unsafe { read_fs(Task::current_raw()) }.is_null() {
        return Err(ENOENT);
    }
    Ok(())
}

/// A reference on init's root directory (`init_root()` of the design).
pub(crate) fn init_root() -> Result<Path> {
    check_context()?;
    // SAFETY: `get_fs_root()` fills the path and takes both references under
    // the `fs_struct`'s lock, which task context may take. `userspace_init_fs`
    // is set before PID 1 runs userspace, so before any module loads, is
    // never changed after, and the reference it holds keeps the `fs_struct`
    // alive for good.
    let root = unsafe {
        Path::from_filler(|path| ffi::nullfs_rs_get_fs_root(ffi::userspace_init_fs, path))
    };
    Ok(root)
}

/// A reference on init's working directory.
///
/// Taken apart from the root: a concurrent change can fall between the two.
pub(crate) fn init_pwd() -> Result<Path> {
    check_context()?;
    // SAFETY: As for `init_root()`, with `get_fs_pwd()`.
    let pwd = unsafe {
        Path::from_filler(|path| ffi::nullfs_rs_get_fs_pwd(ffi::userspace_init_fs, path))
    };
    Ok(pwd)
}

/// The current task's `fs` and `real_fs`: the fs state it resolves paths
/// with, and its own. In interrupt context, the interrupted task's.
pub(super) fn current_fs() -> (*mut bindings::fs_struct, *mut bindings::fs_struct) {
    let task = Task::current_raw();
    // SAFETY: `task` is the current task. `real_fs` is stored only by the
    // task itself, as `fs` is.
    unsafe { (read_fs(task), read_volatile(&raw const (*task).real_fs)) }
}

/// Whether the current task resolves paths with its own fs state, that is
/// no override of `current->fs` is in force. In an interrupt it answers for
/// the interrupted task, which may be halfway through a switch.
pub fn current_uses_own_fs() -> bool {
    let (fs, real_fs) = current_fs();
    fs == real_fs
}

/// The current task switched to init's fs state: `current->fs` points at
/// `userspace_init_fs` until the value is dropped, which puts back exactly
/// what it replaced, as C's `DEFINE_CLASS(__override_init_fs, ...)` does.
///
/// Only [`with_init_fs`] makes one, for the duration of one call, so
/// overrides on a task end in the reverse order of their making and none
/// is leaked.
///
/// # Invariants
///
/// `task` is the task that made the override and the only one that holds
/// it (raw pointers make the type neither `Send` nor `Sync`). `saved` is
/// what `task->fs` was before, and is valid to put back until the value is
/// dropped: either the task's own `fs_struct`, which only `exit_fs()`,
/// `unshare_fs_struct()` or `switch_fs_struct()` could drop, each run by the
/// task on itself and none reachable from safe Rust; or `userspace_init_fs`
/// (an enclosing override), held for good; or NULL (after `exit_fs()`); or,
/// for an override made in an interrupt, whichever of these the interrupted
/// code had stored, perhaps the new `fs` of a `switch_fs_struct()` under
/// way, which that code holds until it resumes.
struct InitFsOverride {
    task: *mut bindings::task_struct,
    saved: *mut bindings::fs_struct,
}

impl InitFsOverride {
    /// Switches the current task to init's fs state.
    ///
    /// In any context: in an interrupt, `current` is the interrupted task,
    /// perhaps between the two stores of `switch_fs_struct()`, and the
    /// override nests strictly inside what it interrupted, putting back the
    /// very pointer it found before that code resumes. Meanwhile other CPUs
    /// may see the interrupted task with init's fs state, as they would
    /// inside a scope of its own: a sibling thread's setuid `execve()`
    /// (`check_unsafe_exec()`) then counts it as sharing another
    /// `fs_struct`, and is refused its privileges for that once.
    #[inline(always)]
    fn new() -> Self {
        let task = Task::current_raw();
        // SAFETY: `task` is the current task.
        let saved = unsafe { read_fs(task) };
        // SAFETY: Only code running as the task stores to its `fs`; other
        // tasks only read it (under `task_lock()`, or racily, as
        // `check_unsafe_exec()` does), and a volatile store of a whole
        // pointer is what they may see. `userspace_init_fs` is set before any
        // module can be loaded and never changes after.
        unsafe { write_volatile(&raw mut (*task).fs, ffi::userspace_init_fs) };
        // INVARIANT: `saved` is what `task->fs` was, by the argument above.
        Self { task, saved }
    }
}

impl Drop for InitFsOverride {
    #[inline(always)]
    fn drop(&mut self) {
        // As C's `__revert_init_fs()`: whatever the scope did, it must have
        // left init's fs state in place. (C warns once; `warn_on!` warns
        // every time, and this is a bug of the caller's either way.)
        #[cfg(CONFIG_DEBUG_VFS)]
        {
            // SAFETY: By the type invariant `self.task` is the current task;
            // `userspace_init_fs` never changes after boot.
            let (fs, init) = unsafe { (read_fs(self.task), ffi::userspace_init_fs) };
            kernel::warn_on!(fs != init);
        }
        // SAFETY: By the type invariant this runs as `self.task`, and
        // `self.saved` is what its `fs` was before the override and still
        // valid; stored as in `new()`.
        unsafe { write_volatile(&raw mut (*self.task).fs, self.saved) };
    }
}

/// Runs `f` with the current task switched to init's fs state, and puts back
/// what it replaced however `f` returns. Sound in any context; what runs
/// inside follows the [context rule](self#context).
#[inline(always)]
pub(crate) fn with_init_fs<T>(f: impl FnOnce() -> T) -> T {
    let _override = InitFsOverride::new();
    f()
}
