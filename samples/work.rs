// SPDX-License-Identifier: GPL-2.0

//! Waiting for a work item to finish running, which the 7.3 kernel crate's
//! workqueue cannot do yet.

use kernel::{bindings, workqueue::Work};

/// Waits until `work` is neither queued nor running (`flush_work()`).
///
/// Once this returns, the worker has left the module's code for this item,
/// so the module may be unloaded.
pub(crate) fn flush<T: ?Sized>(work: &Work<T>) {
    // SAFETY: `work` is an initialised, pinned `work_struct` that the
    // reference keeps alive during the call; `flush_work()` may sleep, and
    // the callers run in process context.
    unsafe { bindings::flush_work(Work::raw_get(work)) };
}
