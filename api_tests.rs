// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the `scoped_with_init_fs` API.
//!
//! They live apart from `scoped.rs` and `init_fs.rs` because other modules
//! build those two in, and a KUnit suite must be registered once. KUnit runs
//! every test case in a kthread of its own, which on 7.3 starts in nullfs:
//! the situation the API is for.

use kernel::prelude::*;

#[kunit_tests(nullfs_rs_init_fs)]
mod tests {
    use crate::init_fs::{InitFs, Path};
    use crate::scoped::{current_uses_own_fs, open_in_init_fs, with_init_fs};
    use crate::vfs::path::open as open_in_own_fs;
    use kernel::{fs::file::flags, prelude::*, uapi};

    fn resolves_in_init(init: &InitFs) -> Result<bool> {
        Ok(Path::lookup(c"/")? == *init.root())
    }

    #[test]
    fn kthread_starts_in_nullfs() -> Result {
        assert!(current_uses_own_fs());
        assert_eq!(
            Path::lookup(c"/")?.fs_magic(),
            u64::from(uapi::NULL_FS_MAGIC)
        );
        Ok(())
    }

    #[test]
    fn scope_borrows_and_restores() -> Result {
        let init = InitFs::get()?;
        assert!(!resolves_in_init(&init)?);
        let inside = with_init_fs(|| -> Result<bool> {
            Ok(!current_uses_own_fs() && resolves_in_init(&init)?)
        })?;
        assert!(inside);
        assert!(current_uses_own_fs());
        assert!(!resolves_in_init(&init)?);
        Ok(())
    }

    #[test]
    fn nested_scopes_restore_in_order() -> Result {
        let init = InitFs::get()?;
        let still_inside_outer = with_init_fs(|| -> Result<bool> {
            let inner = with_init_fs(|| resolves_in_init(&init))?;
            // Back in the outer scope, still in init's fs state.
            Ok(inner && !current_uses_own_fs() && resolves_in_init(&init)?)
        })?;
        assert!(still_inside_outer);
        assert!(current_uses_own_fs());
        assert!(!resolves_in_init(&init)?);
        Ok(())
    }

    #[test]
    fn scope_restores_on_error_path() -> Result {
        let init = InitFs::get()?;
        // Leaves the scope early with an error, after a lookup that only
        // finds init's root inside it.
        let left_early = with_init_fs(|| -> Result {
            if Path::lookup(c"/")? == *init.root() {
                return Err(EAGAIN);
            }
            Ok(())
        });
        assert_eq!(left_early, Err(EAGAIN));
        assert!(current_uses_own_fs());
        assert!(!resolves_in_init(&init)?);
        Ok(())
    }

    #[test]
    fn closure_form() -> Result {
        let init = InitFs::get()?;
        let root = with_init_fs(|| Path::lookup(c"/"))?;
        assert!(root == *init.root());
        assert!(current_uses_own_fs());
        // The closure's error comes out, and the scope still ends.
        assert_eq!(
            with_init_fs(|| Path::lookup(c"/nullfs_rs-kunit-does-not-exist")).err(),
            Some(ENOENT)
        );
        assert!(current_uses_own_fs());
        Ok(())
    }

    #[test]
    fn lookups_and_opens_from_init_root() -> Result {
        let init = InitFs::get()?;
        // No guard: init's tree all the same, with init's root as the root.
        assert!(current_uses_own_fs());
        assert!(init.lookup(c"/")? == *init.root());
        assert!(init.lookup(c"..")? == *init.root());
        assert!(init.lookup(c"/proc/..")? == *init.root());
        assert_eq!(init.lookup(c"/proc")?.fs_type_name(), c"proc");
        assert_eq!(
            init.lookup(c"nullfs_rs-kunit-does-not-exist").err(),
            Some(ENOENT)
        );
        assert!(init.open(c"/proc/version", flags::O_RDONLY).is_ok());
        // The kthread's own fs state finds nothing; the guarded open does.
        assert_eq!(
            open_in_own_fs(c"/proc/version", flags::O_RDONLY).err(),
            Some(ENOENT)
        );
        assert!(open_in_init_fs(c"/proc/version", flags::O_RDONLY).is_ok());
        assert!(current_uses_own_fs());
        Ok(())
    }

    /// The opens pass no mode, so they create nothing: a name that would be
    /// created (in the guest's writable `/tmp`) is refused and stays absent,
    /// however it is reached.
    #[test]
    fn creation_is_refused() -> Result {
        let init = InitFs::get()?;
        let name = c"/tmp/nullfs_rs-kunit-created";
        let create = flags::O_WRONLY | flags::O_CREAT;
        let tmpfile = flags::O_RDWR | flags::O_TMPFILE;
        assert_eq!(open_in_init_fs(name, create).err(), Some(EINVAL));
        assert_eq!(open_in_init_fs(c"/tmp", tmpfile).err(), Some(EINVAL));
        assert_eq!(init.open(name, create).err(), Some(EINVAL));
        assert_eq!(init.open(c"/tmp", tmpfile).err(), Some(EINVAL));
        assert_eq!(init.lookup(name).err(), Some(ENOENT));
        // The same flags without creation open what exists.
        assert!(init
            .open(c"/tmp", flags::O_RDONLY | flags::O_DIRECTORY)
            .is_ok());
        Ok(())
    }

    #[test]
    fn filesystem_type_of_a_path() -> Result {
        // A kthread's root is the kernel's nullfs, which is what a reverted
        // init has as its root; init's own root here is not.
        assert_eq!(Path::lookup(c"/")?.fs_type_name(), c"nullfs");
        assert!(InitFs::get()?.root().fs_type_name() != c"nullfs");
        Ok(())
    }

    #[test]
    fn init_fs_in_a_normal_boot() -> Result {
        let init = InitFs::get()?;
        assert!(!init.is_reverted());
        // Relative lookups inside the guard start from init's working
        // directory.
        assert!(with_init_fs(|| Path::lookup(c"."))? == *init.pwd());
        Ok(())
    }
}
