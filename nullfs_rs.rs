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

use empty_dir::set_empty_root;
use kernel::{prelude::*, uapi, ModuleMetadata};
use rootfs_rs::RootFs;
use vfs::{
    FileSystem, FsFlag, FsFlags, Instances, New, Ready, Registered, Registration, SbIFlag,
    SbIFlags, SuperBlock,
};

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
    const FS_FLAGS: FsFlags = FsFlags::empty()
        .with(FsFlag::UsernsMount)
        .with(FsFlag::DisallowNotify);
    const SB_IFLAGS: SbIFlags = SbIFlags::empty().with(SbIFlag::NoExec).with(SbIFlag::NoDev);

    fn fill_super(sb: SuperBlock<'_, Self, New>) -> Result<SuperBlock<'_, Self, Ready>> {
        set_empty_root(sb)
    }
}

static NULLFS: Registration<NullFs> = Registration::new(&NullfsModule::THIS_MODULE);
static ROOTFS: Registration<RootFs> = Registration::new(&NullfsModule::THIS_MODULE);

struct NullfsModule {
    _nullfs: Registered<NullFs>,
    _rootfs: Registered<RootFs>,
}

impl kernel::Module for NullfsModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // If the second registration fails, the first is undone; no mount of
        // either type can have been made in between, as the layer refuses
        // them until the module is live.
        Ok(Self {
            _nullfs: NULLFS.register()?,
            _rootfs: ROOTFS.register()?,
        })
    }
}
