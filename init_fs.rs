// SPDX-License-Identifier: GPL-2.0

//! A view of init's filesystem state for in-kernel callers.
//!
//! What a lookup inside [`super::scoped::with_init_fs`] starts from: PID 1's
//! root and working directory, taken as references, and whether they still
//! lead anywhere.

#![forbid(unsafe_code)]

use super::vfs::fs_struct::{init_pwd, init_root};
use kernel::{fs::File, prelude::*, sync::aref::ARef};

pub use super::vfs::path::Path;

/// PID 1's root and working directory, held.
///
/// Holding them keeps both directories (and their mounts) alive; it does
/// not keep PID 1 from changing its own.
pub struct InitFs {
    root: Path,
    pwd: Path,
}

impl InitFs {
    /// Takes references on init's root and working directory as they are
    /// now. In task context only, as every lookup: `EINVAL` elsewhere, where
    /// the interrupted task could hold the lock of init's fs state.
    pub fn get() -> Result<Self> {
        Ok(Self {
            root: init_root()?,
            pwd: init_pwd()?,
        })
    }

    /// Init's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Init's working directory.
    pub fn pwd(&self) -> &Path {
        &self.pwd
    }

    /// Resolves `name` in init's tree, with init's root as the root whatever
    /// the current task's fs state, and no guard (`vfs_path_lookup()` from
    /// the design's `init_root()`). A relative name starts at init's root
    /// too, not at its working directory.
    pub fn lookup(&self, name: &CStr) -> Result<Path> {
        self.root.lookup_at_root(name)
    }

    /// Opens `name`, resolved as [`InitFs::lookup`] does (`file_open_root()`).
    pub fn open(&self, name: &CStr, flags: u32) -> Result<ARef<File>> {
        self.root.open_at_root(name, flags)
    }

    /// Whether init's root is the kernel's own nullfs: what the kernel
    /// resets the root and working directory of `userspace_init_fs` to after
    /// PID 1 stopped sharing its fs state. Lookups through init's fs state
    /// then find nothing.
    ///
    /// The filesystem type tells it apart from a PID 1 that chose an empty
    /// root of another type, such as a `nullfs_rs` mount, which has the same
    /// magic number. A PID 1 that chose a mount of the kernel's own nullfs
    /// as its root is taken for reverted: lookups find nothing there either.
    pub fn is_reverted(&self) -> bool {
        self.root.fs_type_name() == c"nullfs"
    }
}
