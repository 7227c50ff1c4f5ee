// SPDX-License-Identifier: GPL-2.0

//! The filesystem state of tasks (`fs_struct`), and init's in particular.
//!
//! On 7.3 every kthread starts with a private nullfs as its root, so a path
//! lookup from a kthread or a work item finds nothing unless it borrows the
//! fs state of PID 1, `userspace_init_fs`.
//!
//! C header: [`include/linux/fs_struct.h`](srctree/include/linux/fs_struct.h)

use core::mem::MaybeUninit;
use kernel::{bindings, error::to_result, prelude::*, types::NotThreadSafe};

/// A path: a mount and a dentry on it.
///
/// # Invariants
///
/// Both pointers are valid and a reference on each is owned by the `Path`.
pub struct Path(bindings::path);

// SAFETY: A path is two reference-counted pointers; their references may be
// dropped by any task.
unsafe impl Send for Path {}
// SAFETY: `&Path` only reads the pointers and what they keep alive.
unsafe impl Sync for Path {}

impl Path {
    /// Resolves `name` with the current task's root and working directory,
    /// following symlinks (`kern_path()`).
    pub fn lookup(name: &CStr) -> Result<Self> {
        let mut path = MaybeUninit::<bindings::path>::uninit();
        // SAFETY: `name` is NUL-terminated and `path` is valid for writes.
        to_result(unsafe {
            bindings::kern_path(
                name.as_char_ptr(),
                bindings::LOOKUP_FOLLOW,
                path.as_mut_ptr(),
            )
        })?;
        // SAFETY: `kern_path()` filled in `path` and took both references.
        // INVARIANT: the references are now ours.
        Ok(Self(unsafe { path.assume_init() }))
    }

    /// The magic number of the filesystem the path is on, as `statfs(2)`
    /// reports it in `f_type`.
    pub fn fs_magic(&self) -> u64 {
        // SAFETY: By the type invariant the dentry is referenced, which keeps
        // it and its superblock alive; `s_magic` never changes.
        unsafe { (*(*self.0.dentry).d_sb).s_magic as u64 }
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.0.mnt == other.0.mnt && self.0.dentry == other.0.dentry
    }
}

impl Drop for Path {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the references are ours to drop.
        unsafe { bindings::path_put(&self.0) };
    }
}

/// A reference on a path of PID 1's fs state, taken by `get` (`get_fs_root()`
/// or `get_fs_pwd()`).
fn init_path(get: unsafe extern "C" fn(*mut bindings::fs_struct, *mut bindings::path)) -> Path {
    let mut path = MaybeUninit::<bindings::path>::uninit();
    // SAFETY: `userspace_init_fs` is set before PID 1 runs userspace, so
    // before any module loads, and never changes after; the reference it
    // holds keeps the `fs_struct` alive for good. `get` fills `path` and takes
    // references under the `fs_struct`'s lock.
    unsafe { get(bindings::userspace_init_fs, path.as_mut_ptr()) };
    // SAFETY: `get` initialised `path`.
    // INVARIANT: with both references, which are now ours.
    Path(unsafe { path.assume_init() })
}

/// A reference on init's root directory (`init_root()` of the design).
pub(crate) fn init_root() -> Path {
    init_path(bindings::get_fs_root)
}

/// A reference on init's working directory.
///
/// Taken apart from the root: a concurrent change can fall between the two.
pub(crate) fn init_pwd() -> Path {
    init_path(bindings::get_fs_pwd)
}

/// Whether the current task resolves paths with its own fs state, that is
/// no override of `current->fs` is in force.
pub fn current_uses_own_fs() -> bool {
    // SAFETY: The helper only compares two fields of the running task. (Rust
    // must not read them itself: the bindgen layout of `task_struct` is not
    // the compiler's.)
    unsafe { bindings::current_uses_real_fs() }
}

/// The current task switched to init's fs state: `current->fs` points at
/// `userspace_init_fs` until the value is dropped, which puts back the
/// fs state the task used before (`__override_init_fs()` and
/// `__revert_init_fs()`, as the C `scoped_with_init_fs()` does).
///
/// Dropping overrides out of the order they were made, or leaking one,
/// is not memory-unsafe but leaves the task in init's fs state (and the
/// misordered drop warns): scopes keep the order by themselves.
///
/// # Invariants
///
/// `saved` is what `current->fs` was when the value was made: the task's own
/// `real_fs`, or `userspace_init_fs` when nested. The value never leaves the
/// task that made it (it is neither `Send` nor `Sync`), and it is made in
/// process context, so `saved` is still valid when it is put back: a task's
/// `real_fs` lives as long as the task and is only replaced by
/// `unshare_fs_struct()` and `switch_fs_struct()`, which safe Rust cannot
/// call, and `userspace_init_fs` is never freed.
pub(crate) struct InitFsOverride {
    saved: *mut bindings::fs_struct,
    _not_send: NotThreadSafe,
}

impl InitFsOverride {
    /// Switches the current task to init's fs state.
    pub(crate) fn new() -> Self {
        // In interrupt context `current` is whatever task was interrupted:
        // catch that in kernels that check for atomic context (the debug
        // flavour does). Elsewhere might_sleep() is only an empty
        // out-of-line call, a third one next to the two helpers.
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        kernel::task::might_sleep();
        // SAFETY: `__override_init_fs()` only swaps `current->fs`, which the
        // current task owns. `userspace_init_fs` is set before any module can
        // be loaded.
        let saved = unsafe { bindings::__override_init_fs() };
        // INVARIANT: `saved` is what `current->fs` was.
        Self {
            saved,
            _not_send: NotThreadSafe,
        }
    }
}

impl Drop for InitFsOverride {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this runs on the task that made the
        // override and `saved` is still valid. `__revert_init_fs()` warns if
        // `current->fs` is not init's any more.
        unsafe { bindings::__revert_init_fs(self.saved) };
    }
}
