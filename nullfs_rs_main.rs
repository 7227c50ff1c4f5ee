// SPDX-License-Identifier: GPL-2.0

//! A Rust implementation of nullfs: a permanently empty, immutable directory.
//!
//! Unlike the in-tree C nullfs, which only the kernel mounts, `nullfs_rs` is
//! mountable from userspace, by root and inside user namespaces: every mount
//! is a new instance, an empty directory that reveals nothing.
//!
//! The module also registers `rootfs_rs`, the immutable rootfs. And it is
//! the home of the `scoped_with_init_fs` API for in-kernel Rust callers
//! ([`scoped`], [`init_fs`]), which other modules build in from source.

mod api_tests;
mod empty_dir;
mod empty_file;
pub mod init_fs;
mod nullfs_rs;
mod rootfs_rs;
pub mod scoped;
mod vfs;

use kernel::prelude::*;
use nullfs_rs::NullFs;
use rootfs_rs::RootFs;
use vfs::Registration;

module! {
    type: NullfsModule,
    name: "nullfs_rs",
    authors: ["The nullfs_rs developers"],
    description: "nullfs and the immutable rootfs in Rust",
    license: "GPL",
    // What `mount -t` asks modprobe for (request_module("fs-%s")).
    alias: ["fs-nullfs_rs", "fs-rootfs_rs"],
}

/// The module: its two filesystem types, registered while it is loaded.
#[pin_data]
struct NullfsModule {
    #[pin]
    nullfs: Registration<NullFs>,
    #[pin]
    rootfs: Registration<RootFs>,
}

impl kernel::InPlaceModule for NullfsModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // If the second registration fails, the first is dropped, which
        // unregisters it; no superblock of either type can have been made
        // in between, as the layer refuses them until the module is live.
        try_pin_init!(Self {
            nullfs <- Registration::new(module),
            rootfs <- Registration::new(module),
        })
    }
}
