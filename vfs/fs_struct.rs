// SPDX-License-Identifier: GPL-2.0

//! The filesystem state of tasks (`fs_struct`), and init's in particular.
//!
//! On 7.3 every kthread starts with a private nullfs as its root, so a path
//! lookup from a kthread or a work item finds nothing unless it borrows the
//! fs state of PID 1, `userspace_init_fs`.
//!
//! C header: [`include/linux/fs_struct.h`](srctree/include/linux/fs_struct.h)

use super::path::Path;
use kernel::{bindings, types::NotThreadSafe};

/// A reference on init's root directory (`init_root()` of the design).
pub(crate) fn init_root() -> Path {
    // SAFETY: `get_fs_root()` fills the path and takes both references under
    // the `fs_struct`'s lock. `userspace_init_fs` is set before PID 1 runs
    // userspace, so before any module loads, is never changed after, and the
    // reference it holds keeps the `fs_struct` alive for good.
    unsafe { Path::from_filler(|path| bindings::get_fs_root(bindings::userspace_init_fs, path)) }
}

/// A reference on init's working directory.
///
/// Taken apart from the root: a concurrent change can fall between the two.
pub(crate) fn init_pwd() -> Path {
    // SAFETY: As in `init_root()`, with `get_fs_pwd()`.
    unsafe { Path::from_filler(|path| bindings::get_fs_pwd(bindings::userspace_init_fs, path)) }
}

/// The current task's `fs` and `real_fs`: the fs state it resolves paths
/// with, and its own.
fn current_fs() -> (*mut bindings::fs_struct, *mut bindings::fs_struct) {
    let task = kernel::current!().as_ptr();
    // SAFETY: The current task is valid while it runs this. Only the task
    // itself changes its `fs` and `real_fs`, so reading them does not race.
    // (The build checks that bindgen places both where C does.)
    unsafe { ((*task).fs, (*task).real_fs) }
}

/// Whether the current task resolves paths with its own fs state, that is
/// no override of `current->fs` is in force.
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
/// `nested` says whether an override was already in force when the value
/// was made. The value never leaves the task that made it (it is neither
/// `Send` nor `Sync`).
struct InitFsOverride {
    nested: bool,
    _not_send: NotThreadSafe,
}

impl InitFsOverride {
    /// Switches the current task to init's fs state.
    #[track_caller]
    fn new() -> Self {
        // In interrupt context `current` is whatever task was interrupted:
        // catch that in kernels that check for atomic context (the debug
        // flavour does), naming the caller. Elsewhere might_sleep() would
        // only add a might_resched() call to every override.
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        kernel::task::might_sleep();
        let nested = !current_uses_own_fs();
        // SAFETY: `__override_init_fs()` only swaps `current->fs`, which the
        // current task owns. `userspace_init_fs` is set before any module can
        // be loaded.
        unsafe { bindings::__override_init_fs() };
        // INVARIANT: `nested` is whether an override was in force.
        Self {
            nested,
            _not_send: NotThreadSafe,
        }
    }
}

impl Drop for InitFsOverride {
    fn drop(&mut self) {
        // What to put back is read now, from the task and from init, rather
        // than kept since `new`: the task's own fs state is `real_fs`, which
        // is valid as long as the task is, whatever the scope did meanwhile,
        // and an enclosing override's is `userspace_init_fs`, never freed.
        let restore = if self.nested {
            // SAFETY: Reading the address that the global holds.
            unsafe { bindings::userspace_init_fs }
        } else {
            current_fs().1
        };
        // SAFETY: By the type invariant this runs on the task that made the
        // override, and `restore` is valid as just said.
        // `__revert_init_fs()` warns if `current->fs` is not init's any more.
        unsafe { bindings::__revert_init_fs(restore) };
    }
}

/// Runs `f` with the current task switched to init's fs state, and puts back
/// the task's own however `f` returns.
#[track_caller]
pub(crate) fn with_init_fs<T>(f: impl FnOnce() -> T) -> T {
    let _override = InitFsOverride::new();
    f()
}
