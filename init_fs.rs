// SPDX-License-Identifier: GPL-2.0

//! A view of init's filesystem state for in-kernel callers.
//!
//! What a lookup inside [`crate::scoped::with_init_fs`] starts from: PID 1's
//! root and working directory, taken as references, and whether they still
//! lead anywhere.

use crate::vfs::fs_struct::{init_pwd, init_root};
use kernel::uapi;

pub use crate::vfs::path::Path;

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
    /// now.
    pub fn get() -> Self {
        Self {
            root: init_root(),
            pwd: init_pwd(),
        }
    }

    /// Init's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Init's working directory.
    pub fn pwd(&self) -> &Path {
        &self.pwd
    }

    /// Whether init's root is a nullfs: what the kernel resets the root and
    /// working directory of `userspace_init_fs` to after PID 1 stopped
    /// sharing its fs state. Lookups through init's fs state then find
    /// nothing.
    pub fn is_reverted(&self) -> bool {
        self.root.fs_magic() == u64::from(uapi::NULL_FS_MAGIC)
    }
}
