// SPDX-License-Identifier: GPL-2.0

//! The filesystem state of tasks (`fs_struct`), and init's in particular.
//!
//! On 7.3 every kthread starts with a private nullfs as its root, so a path
//! lookup from a kthread or a work item finds nothing unless it borrows the
//! fs state of PID 1, `userspace_init_fs`.
//!
//! C header: [`include/linux/fs_struct.h`](srctree/include/linux/fs_struct.h)

use super::{ffi, path::Path};
use kernel::{bindings, pr_warn_once, prelude::*, types::NotThreadSafe};

/// A reference on init's root directory (`init_root()` of the design).
pub(crate) fn init_root() -> Path {
    // SAFETY: `get_fs_root()` fills the path and takes both references under
    // the `fs_struct`'s lock. `userspace_init_fs` is set before PID 1 runs
    // userspace, so before any module loads, is never changed after, and the
    // reference it holds keeps the `fs_struct` alive for good.
    unsafe { Path::from_filler(|path| ffi::nullfs_rs_get_fs_root(ffi::userspace_init_fs, path)) }
}

/// A reference on init's working directory.
///
/// Taken apart from the root: a concurrent change can fall between the two.
pub(crate) fn init_pwd() -> Path {
    // SAFETY: `get_fs_pwd()` fills the path and takes both references under
    // the `fs_struct`'s lock. `userspace_init_fs` is set before any module
    // loads, is never changed after, and is never freed.
    unsafe { Path::from_filler(|path| ffi::nullfs_rs_get_fs_pwd(ffi::userspace_init_fs, path)) }
}

/// Whether the current task is in task context, the only one where
/// `current` is the task that is running the code: in a hardirq, a softirq
/// or an NMI it is whichever task was interrupted.
fn in_task() -> bool {
    // SAFETY: `in_task()` only reads the preemption count of this CPU.
    unsafe { ffi::nullfs_rs_in_task() }
}

/// The current task's `fs` and `real_fs`: the fs state it resolves paths
/// with, and its own. Only meaningful in task context.
pub(super) fn current_fs() -> (*mut bindings::fs_struct, *mut bindings::fs_struct) {
    let mut real_fs = core::ptr::null_mut();
    // SAFETY: Reads the current task's two pointers, with `READ_ONCE()`.
    // Only the task itself stores to them, so in task context the reads do
    // not race; in interrupt context they may see one store of a pair and
    // not the other, which is why the override is refused there.
    let fs = unsafe { ffi::nullfs_rs_current_fs(&mut real_fs) };
    (fs, real_fs)
}

/// Whether the current task resolves paths with its own fs state, that is
/// no override of `current->fs` is in force. Only meaningful in task
/// context: in an interrupt it answers for the interrupted task, which may
/// be halfway through a switch.
pub fn current_uses_own_fs() -> bool {
    let (fs, real_fs) = current_fs();
    fs == real_fs
}

/// The current task switched to init's fs state: `current->fs` points at
/// `userspace_init_fs` until the value is dropped, which puts back the
/// fs state the task used before (`__override_init_fs()` and
/// `__revert_init_fs()`, as the C `scoped_with_init_fs()` does).
///
/// Only [`with_init_fs`] makes one, for the duration of one call, so
/// overrides end in the reverse order of their making and none is leaked:
/// either would leave the task in init's fs state, where a user task could
/// go on to drop references of `userspace_init_fs` it does not hold.
///
/// # Invariants
///
/// The value was made in task context, by the task that holds it, and never
/// leaves that task (it is neither `Send` nor `Sync`). `nested` says whether
/// an override was already in force when it was made.
struct InitFsOverride {
    nested: bool,
    _not_send: NotThreadSafe,
}

impl InitFsOverride {
    /// Switches the current task to init's fs state, in task context only.
    ///
    /// Fails with `EINVAL`, and leaves `current` alone, in a hardirq,
    /// softirq or NMI: `current` there is the interrupted task, which may be
    /// between the two stores of `switch_fs_struct()` (`fs` set, `real_fs`
    /// not yet), where `nested` would be wrong and the revert would leave the
    /// task in init's fs state for good.
    #[track_caller]
    fn new() -> Result<Self> {
        if !in_task() {
            // A caller's bug, which the errno alone would not tell apart
            // from the lookup's own EINVAL.
            let caller = core::panic::Location::caller();
            pr_warn_once!(
                "with_init_fs() outside task context, from {}:{}\n",
                caller.file(),
                caller.line()
            );
            return Err(EINVAL);
        }
        // Task context, but maybe atomic (a spinlock held): the lookups the
        // scope is for may sleep. Kernels that check for that (the debug
        // flavour does) name the caller; elsewhere might_sleep() would only
        // add a might_resched() call to every override.
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        kernel::task::might_sleep();
        let nested = !current_uses_own_fs();
        // SAFETY: In task context, `__override_init_fs()` only swaps
        // `current->fs`, which the current task owns. `userspace_init_fs` is
        // set before any module can be loaded.
        unsafe { ffi::nullfs_rs_override_init_fs() };
        // INVARIANT: Made in task context; `nested` is whether an override
        // was in force.
        Ok(Self {
            nested,
            _not_send: NotThreadSafe,
        })
    }
}

impl Drop for InitFsOverride {
    fn drop(&mut self) {
        // What to put back is read now, from the task and from init, rather
        // than kept since `new`: the task's own fs state is `real_fs`, valid
        // as long as the task is, whatever the scope did meanwhile (or NULL
        // after `exit_fs()`, as it was before the scope), and an enclosing
        // override's is `userspace_init_fs`, never freed.
        let restore = if self.nested {
            // SAFETY: Reads the address that the global holds, which is set
            // before any module loads and never changes after.
            unsafe { ffi::userspace_init_fs }
        } else {
            current_fs().1
        };
        // SAFETY: By the type invariant this runs in task context, on the
        // task that made the override. `restore` is the task's own
        // `real_fs` or `userspace_init_fs`, each what `current->fs` was
        // before the override. `__revert_init_fs()` warns if `current->fs`
        // is not init's any more.
        unsafe { ffi::nullfs_rs_revert_init_fs(restore) };
    }
}

/// Runs `f` with the current task switched to init's fs state, and puts back
/// the task's own however `f` returns.
///
/// Fails with `EINVAL`, without calling `f` or touching `current`, outside
/// task context.
#[track_caller]
pub(crate) fn with_init_fs<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    let _override = InitFsOverride::new()?;
    f()
}
