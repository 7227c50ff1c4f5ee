// SPDX-License-Identifier: GPL-2.0

//! Typed flag sets that admit only the bits the layer supports.
//!
//! A bit that the layer does not know how to honour (`FS_REQUIRES_DEV`,
//! `FS_ALLOW_IDMAP`, `S_DAX`, `S_SWAPFILE`, most `SB_I_*`) has no name here,
//! so a filesystem type cannot ask for it.

use kernel::bindings;

/// [`kernel::impl_flags!`], plus a `const` way to build a set, which trait
/// constants need (the operators of `impl_flags!` are not `const`). The
/// bits, as C has them, come from `impl_flags!`'s `From` for the integer.
macro_rules! flag_set {
    (
        $(#[$set_meta:meta])* $set:ident($ty:ty);
        $(#[$flag_meta:meta])* $flag:ident {
            $($(#[$name_meta:meta])* $name:ident = $value:expr),+ $(,)?
        }
    ) => {
        kernel::impl_flags!(
            $(#[$set_meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub(crate) struct $set($ty);

            $(#[$flag_meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub(crate) enum $flag {
                $($(#[$name_meta])* $name = $value),+
            }
        );

        impl $set {
            /// The set with `flag` added.
            pub(crate) const fn with(self, flag: $flag) -> Self {
                Self(self.0 | flag as $ty)
            }
        }
    };
}

flag_set! {
    /// Flags of a filesystem type (`file_system_type::fs_flags`).
    FsFlags(i32);
    /// A flag of a filesystem type.
    FsFlag {
        /// Root in a user namespace may mount it.
        UsernsMount = bindings::FS_USERNS_MOUNT as i32,
        /// No fsnotify marks on its objects.
        DisallowNotify = bindings::FS_DISALLOW_NOTIFY as i32,
    }
}

flag_set! {
    /// Flags every superblock of a type carries (`super_block::s_iflags`).
    SbIFlags(u32);
    /// A superblock flag.
    SbIFlag {
        /// Executables on it are not run.
        NoExec = bindings::SB_I_NOEXEC,
        /// Device nodes on it are not opened.
        NoDev = bindings::SB_I_NODEV,
    }
}

flag_set! {
    /// Flags of an inode (`inode::i_flags`).
    InodeFlags(u32);
    /// An inode flag.
    InodeFlag {
        /// Nothing about the inode may change.
        Immutable = bindings::S_IMMUTABLE,
        /// Reading it does not update its access time.
        NoAtime = bindings::S_NOATIME,
    }
}
