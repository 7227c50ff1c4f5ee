// SPDX-License-Identifier: GPL-2.0

//! `scoped_with_init_fs` for Rust, for other modules to build in with one
//! line:
//!
//! ```text
//! #[path = "../nullfs_rs/scoped_with_init_fs.rs"]
//! pub mod scoped_with_init_fs;
//! ```
//!
//! (`pub` so that the parts a module leaves unused are not warned about.)
//! This file pulls in the API, [`scoped`] and [`init_fs`], and the three
//! files of nullfs_rs's layer they stand on, `vfs/fs_struct.rs`,
//! `vfs/path.rs` and `vfs/ffi.rs`, where the API expects them. nullfs_rs
//! itself builds the same files in through its own layer. The layer's C
//! half comes along in the module's Kbuild (`samples/Kbuild` shows how).

#[path = "init_fs.rs"]
pub mod init_fs;
#[path = "vfs/path.rs"]
pub mod path;
#[path = "scoped.rs"]
pub mod scoped;

// The guard uses part of the layer's C interface; the rest is nullfs_rs's.
#[allow(dead_code, unused_imports)]
#[path = "vfs/ffi.rs"]
mod ffi;
#[path = "vfs/fs_struct.rs"]
mod fs_struct;

/// Where `scoped.rs` and `init_fs.rs` find the layer, as in nullfs_rs.
mod vfs {
    pub(super) use super::{fs_struct, path};
}
