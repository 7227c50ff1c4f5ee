// SPDX-License-Identifier: GPL-2.0

//! What the API answers in a file's `->release` run while its task exits.
//!
//! A task that exits with a file open drops it from `exit_task_work()`,
//! after `exit_fs()` has left the task with no fs state (`current->fs` is
//! NULL). Open `/dev/rust_init_fs_exit` and exit without closing it; the
//! release then tries a lookup with the task's own fs state, one inside the
//! guard and one from init's root, and the next read of the device reports
//! what each got. A read reports the release before it, not its own.

use crate::scoped_with_init_fs::{
    init_fs::{InitFs, Path},
    scoped::{current_uses_own_fs, with_init_fs},
};
use kernel::{
    fs::{File, Kiocb},
    iov::IovIterDest,
    miscdevice::{MiscDevice, MiscDeviceRegistration},
    prelude::*,
    str::CString,
    sync::atomic::{Atomic, Relaxed},
};

/// Not yet measured: no errno is positive.
const NOT_RUN: i32 = 1;

/// What the last release got: 0 or a negative errno for each attempt.
static OWN_LOOKUP: Atomic<i32> = Atomic::new(NOT_RUN);
static GUARDED_LOOKUP: Atomic<i32> = Atomic::new(NOT_RUN);
static INIT_LOOKUP: Atomic<i32> = Atomic::new(NOT_RUN);
static OWN_FS_AFTER: Atomic<bool> = Atomic::new(false);

fn errno_of<T>(result: Result<T>) -> i32 {
    result.err().map_or(0, |err| err.to_errno())
}

/// The device; nothing is kept per open file.
pub(crate) struct ExitProbe;

#[vtable]
impl MiscDevice for ExitProbe {
    type Ptr = ();

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result {
        Ok(())
    }

    fn read_iter(mut kiocb: Kiocb<'_, ()>, iov: &mut IovIterDest<'_>) -> Result<usize> {
        let own_fs = if OWN_FS_AFTER.load(Relaxed) {
            "own"
        } else {
            "init's"
        };
        let own = OWN_LOOKUP.load(Relaxed);
        let guarded = GUARDED_LOOKUP.load(Relaxed);
        let init = INIT_LOOKUP.load(Relaxed);
        let report = CString::try_from_fmt(fmt!(
            "lookup: {own}\nlookup with init fs: {guarded}\ninit lookup: {init}\nfs after the guard: {own_fs}\n"
        ))?;
        iov.simple_read_from_buffer(kiocb.ki_pos_mut(), report.to_bytes())
    }

    fn release(_device: (), _file: &File) {
        OWN_LOOKUP.store(errno_of(Path::lookup(c"/")), Relaxed);
        GUARDED_LOOKUP.store(errno_of(with_init_fs(|| Path::lookup(c"/"))), Relaxed);
        INIT_LOOKUP.store(
            errno_of(InitFs::get().and_then(|init| init.lookup(c"/"))),
            Relaxed,
        );
        OWN_FS_AFTER.store(current_uses_own_fs(), Relaxed);
    }
}
