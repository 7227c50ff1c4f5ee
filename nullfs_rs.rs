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
pub mod init_fs;
mod rootfs_rs;
pub mod scoped;
mod vfs;

use empty_dir::EmptyDir;
use kernel::{prelude::*, uapi};
use rootfs_rs::RootFs;
use vfs::{fs_flags, inode_flags, sb_iflags, FileSystem, Instances, New, NewInode, SuperBlock};

module! {
    type: NullfsModule,
    name: "nullfs_rs",
    authors: ["The nullfs_rs developers"],
    description: "nullfs and the immutable rootfs in Rust",
    license: "GPL",
}

/// The `nullfs_rs` filesystem type.
struct NullFs;

impl FileSystem for NullFs {
    const NAME: &'static CStr = c"nullfs_rs";
    const MAGIC: u32 = uapi::NULL_FS_MAGIC;
    const INSTANCES: Instances = Instances::PerMount;
    // An empty, immutable tree reveals nothing, so a user namespace may mount
    // it; and there is nothing on it to watch.
    const FS_FLAGS: i32 = fs_flags::USERNS_MOUNT | fs_flags::DISALLOW_NOTIFY;
    const SB_IFLAGS: u32 = sb_iflags::NOEXEC | sb_iflags::NODEV;

    fn fill_super(sb: &SuperBlock<New>) -> Result<NewInode> {
        // Reading the root leaves no trace either.
        sb.new_dir::<EmptyDir>(1, 0o555, inode_flags::IMMUTABLE | inode_flags::NOATIME)
    }
}

#[pin_data]
struct NullfsModule {
    #[pin]
    nullfs: vfs::Registration<NullFs>,
    #[pin]
    rootfs: vfs::Registration<RootFs>,
}

impl kernel::InPlaceModule for NullfsModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            nullfs <- vfs::Registration::new(module),
            rootfs <- vfs::Registration::new(module),
        })
    }
}
