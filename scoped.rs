// SPDX-License-Identifier: GPL-2.0

//! `scoped_with_init_fs()` for Rust: borrowing init's filesystem state for
//! one scope.
//!
//! On 7.3 every kthread starts with a private, empty nullfs as its root and
//! working directory, and a work item runs in such a kthread. A path lookup
//! there finds nothing: `filp_open("/etc/foo")` fails with `ENOENT`. Kernel
//! code that must resolve a path in init's namespace from there, with no
//! process to do it for (unpacking the initramfs, populating devtmpfs, a
//! module's own configuration file), borrows PID 1's fs state,
//! `userspace_init_fs`, for exactly the scope of that lookup. (Where only a
//! path is needed, [`super::init_fs::InitFs::lookup`] resolves it from
//! init's root without borrowing anything.)
//!
//! The scope is a closure, `with_init_fs(|| Path::lookup(c"/etc/foo.conf"))`,
//! which puts the task's own fs state back on every path out of it, as C's
//! `scoped_with_init_fs()` block does. The KUnit tests in `api_tests.rs` use
//! it.
//!
//! What it is not for: moving work that must be done with the credentials
//! and the namespace of a particular user process into a kthread. Resolving
//! a path supplied by userspace in init's namespace from a kthread is how a
//! confused deputy is built; such work belongs in the process's own
//! context (see the rules for usermode helpers in "[PATCH RFC DRAFT POC
//! 00/11] fs,kthread: isolate all kthreads in nullfs", 2026-03-03, and its
//! review). The better pattern there is to resolve the path where the
//! request comes in, in the process's context (`Path::lookup()` in the
//! syscall), and hand the resolved [`super::init_fs::Path`], which is
//! `Send`, to the kthread or work item: it then needs no fs state at all.
//!
//! If PID 1 stops sharing its fs state (`unshare(CLONE_FS)` or
//! `unshare(CLONE_NEWNS)`), the kernel logs "VFS: Pid 1 stopped sharing
//! filesystem state" and resets the root and working directory of
//! `userspace_init_fs` to nullfs: from then on every lookup inside the scope
//! fails with `ENOENT`, by design. See [`super::init_fs::InitFs::is_reverted`].
//!
//! Other modules build this API in with one line, a `#[path]` module of
//! `scoped_with_init_fs.rs`; see `Documentation/scoped_with_init_fs.rst`.

#![forbid(unsafe_code)]

use super::vfs::{fs_struct, path};
use kernel::{fs::File, prelude::*, sync::aref::ARef};

pub use super::vfs::fs_struct::current_uses_own_fs;

/// Runs `f` with the current task switched to init's fs state: while it
/// runs, `current->fs` points at `userspace_init_fs`. Then it puts back the
/// pointer it replaced, however `f` returns, and warns (with
/// `CONFIG_DEBUG_VFS`) if something else changed `current->fs` meanwhile.
/// What `f` returns comes out as it is: the scope itself cannot fail.
///
/// # Context
///
/// Any: the scope costs what C's `scoped_with_init_fs()` does (a load and a
/// store on entry, a store on exit) and is sound in a hardirq or a softirq,
/// where it nests inside the interrupted task's code and restores before
/// that resumes. The lookups and opens that `f` runs, though, follow one
/// rule: task context only, and they may sleep; elsewhere they fail with
/// `EINVAL` (see [`super::init_fs::Path::lookup`]).
///
/// Scopes nest. There is no guard value to hold instead of the closure: one
/// could be leaked or dropped out of order from safe code, which would leave
/// the task in init's fs state, and a user task in that state could then
/// drop references of `userspace_init_fs` it does not hold
/// (`unshare(CLONE_FS)`). It allocates nothing.
#[inline(always)]
pub fn with_init_fs<T>(f: impl FnOnce() -> T) -> T {
    fs_struct::with_init_fs(f)
}

/// Opens `name` with init's root and working directory, with `flags` from
/// [`kernel::fs::file::flags`]: the design's `filp_open_init()`. Only what
/// exists is opened (`O_CREAT` and `O_TMPFILE` fail with `EINVAL`), in task
/// context only (`EINVAL` elsewhere).
pub fn open_in_init_fs(name: &CStr, flags: u32) -> Result<ARef<File>> {
    with_init_fs(|| path::open(name, flags))
}
