// SPDX-License-Identifier: GPL-2.0

//! Running a closure in a kthread of its own and waiting for its result.
//!
//! The 7.3 kernel crate has no kthread abstraction; this is the least the
//! sample needs.

use core::{ffi::c_void, ptr::addr_of_mut};
use kernel::{bindings, error::from_err_ptr, ffi::c_int, prelude::*, sync::Completion};

/// What the kthread and its creator share.
#[pin_data]
struct Job<F, T> {
    f: Option<F>,
    result: Option<T>,
    #[pin]
    done: Completion,
}

/// Runs `f` in a new kthread named `name` and returns what it returned.
pub(crate) fn run<F, T>(name: &CStr, f: F) -> Result<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let job = KBox::pin_init(
        pin_init!(Job {
            f: Some(f),
            result: None,
            done <- Completion::new(),
        }),
        GFP_KERNEL,
    )?;
    // SAFETY: The job is not moved: it goes from the box to a raw pointer
    // here and back into a box in place below.
    let job = KBox::into_raw(unsafe { Pin::into_inner_unchecked(job) });

    // SAFETY: `thread_fn::<F, T>` matches `job`'s type, and `job` stays
    // allocated until the thread has exited (below). The format string takes
    // one `%s`, and `name` is NUL-terminated.
    let task = from_err_ptr(unsafe {
        bindings::kthread_create_on_node(
            Some(thread_fn::<F, T>),
            job.cast::<c_void>(),
            bindings::NUMA_NO_NODE,
            c"%s".as_char_ptr(),
            name.as_char_ptr(),
        )
    });
    let result = task.map(|task| {
        // SAFETY: `task` is a new kthread. The reference taken here keeps it
        // valid until `kthread_stop_put()` drops it.
        unsafe {
            bindings::get_task_struct(task);
            bindings::wake_up_process(task);
        }
        // SAFETY: `job` is valid (see above); only shared access is made to
        // `done`, which the thread also only accesses through `&`.
        unsafe { (*job).done.wait_for_completion() };
        // SAFETY: We hold a reference on the task. The thread completed
        // `done` as its last access to `job`, so stopping it cannot keep it
        // from running `f` any more.
        unsafe { bindings::kthread_stop_put(task) };
    });

    // SAFETY: The thread, if it ran, has exited: nothing else accesses `job`,
    // which came from `KBox::into_raw()` above.
    let mut job = unsafe { KBox::from_raw(job) };
    result?;
    // The thread stored a result before it completed `done`.
    job.result.take().ok_or(EINVAL)
}

/// The kthread's function.
///
/// # Safety
///
/// `data` must point at a live `Job<F, T>` whose `f` and `result` nobody
/// else touches until `done` is completed.
unsafe extern "C" fn thread_fn<F, T>(data: *mut c_void) -> c_int
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let job = data.cast::<Job<F, T>>();
    // SAFETY: By the function's requirements `f` and `result` are ours until
    // `done` is completed; the raw places avoid a `&mut` to the whole `Job`
    // while the creator holds a `&` to `done`.
    unsafe {
        if let Some(f) = (*addr_of_mut!((*job).f)).take() {
            *addr_of_mut!((*job).result) = Some(f());
        }
        (*job).done.complete_all();
    }
    0
}
