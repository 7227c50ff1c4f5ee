// SPDX-License-Identifier: GPL-2.0

//! Reading the head of a file by path, as in-kernel readers of config files
//! and firmware do.

use crate::scoped_with_init_fs::path;
use core::mem::MaybeUninit;
use kernel::{bindings, error::to_result, ffi::c_int, fs::file::flags, prelude::*};

/// Opens `name` read-only with the current task's fs state and reads the
/// start of it into `buf`. Returns the file's size and the bytes read.
pub(crate) fn read_head(name: &CStr, buf: &mut [u8]) -> Result<(u64, usize)> {
    let file = path::open(name, flags::O_RDONLY)?;
    // SAFETY: `file` is open and referenced for as long as it lives.
    unsafe { read_open(file.as_ptr(), buf) }
}

/// Reads the size and the start of an open file.
///
/// # Safety
///
/// `file` must be an open file that the caller holds a reference on for the
/// duration of the call.
unsafe fn read_open(file: *mut bindings::file, buf: &mut [u8]) -> Result<(u64, usize)> {
    let mut stat = MaybeUninit::<bindings::kstat>::zeroed();
    // SAFETY: The open file keeps `f_path` valid (the function's safety
    // requirements); `stat` is valid for writes.
    to_result(unsafe {
        bindings::vfs_getattr(
            &(*file).__bindgen_anon_1.f_path,
            stat.as_mut_ptr(),
            bindings::STATX_SIZE,
            bindings::AT_STATX_SYNC_AS_STAT,
        )
    })?;
    // SAFETY: `vfs_getattr()` filled in what it was asked for, and the rest
    // is zeroes.
    let size = unsafe { stat.assume_init() }.size;

    let mut pos = 0;
    // SAFETY: `file` is open and referenced; `buf` is valid for writes of
    // `buf.len()` bytes.
    let read = unsafe { bindings::kernel_read(file, buf.as_mut_ptr().cast(), buf.len(), &mut pos) };
    let read = usize::try_from(read).map_err(|_| Error::from_errno(read as c_int))?;
    Ok((u64::try_from(size).unwrap_or(0), read))
}
