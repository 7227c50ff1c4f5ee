// SPDX-License-Identifier: GPL-2.0

//! Borrowing init's filesystem state from a kthread and from a work item.
//!
//! Write a path to `/sys/kernel/debug/rust_init_fs/probe`, then read the file
//! back. The module resolves and opens that path from a kthread of its own
//! and from a work item on the system workqueue, each once as it is and once
//! inside the `scoped_with_init_fs` guard, and reports what each got: an
//! errno, or the file's size and first bytes. On 7.3 the first of each pair
//! fails, because kthreads start in nullfs.
//!
//! `c_init_fs.c` does the same in C with the kernel's own
//! `scoped_with_init_fs()`; both print the same report.
//!
//! For `make bench`, write `GUARDS LOOKUPS PATH` to `.../rust_init_fs/bench`:
//! a kthread times `GUARDS` enters and exits of the guard, then `LOOKUPS`
//! guarded lookups of `PATH` (each count at most ten million), and the file
//! reads back the two times in nanoseconds, as the C sample's does.
//!
//! For fault injection, write a path to `.../rust_init_fs/open_here`
//! (write-only): the writer's own task, not a kthread, resolves and opens it
//! once inside the guard and drops what it got, and the write returns the
//! byte count or the errno. There `/proc/thread-self/fail-nth` of the writer
//! reaches every allocation of the guarded lookup and open, as it does in the
//! C sample's file of the same name. Like `probe`, it is a root-only test
//! hook: a path from userspace resolved in init's namespace is what a
//! confused deputy is made of (see `scoped.rs`).
//!
//! `/dev/rust_init_fs_exit` shows what the API answers in a file's
//! `->release` run at exit, when the task has no fs state left (`exit.rs`).
//!
//! This module builds nullfs_rs's `scoped_with_init_fs` API in with one
//! line, which is how other modules use it.

use core::fmt;
use kernel::{
    debugfs::Scope,
    fs::file::flags,
    miscdevice::{MiscDeviceOptions, MiscDeviceRegistration},
    new_mutex,
    prelude::*,
    str::CString,
    sync::{Arc, Mutex},
    time::{Delta, Instant, Monotonic},
    uaccess::UserSliceReader,
    workqueue::{self, impl_has_work, new_work, Work, WorkItem},
};

mod exit;
mod file;
mod kthread;
mod work;

/// nullfs_rs's `scoped_with_init_fs` for Rust.
#[path = "../scoped_with_init_fs.rs"]
pub mod scoped_with_init_fs;

use scoped_with_init_fs::{
    init_fs::{InitFs, Path},
    path,
    scoped::{current_uses_own_fs, with_init_fs},
};

module! {
    type: RustInitFs,
    name: "rust_init_fs",
    authors: ["The nullfs_rs developers"],
    description: "Sample: scoped_with_init_fs from a kthread and a work item",
    license: "GPL",
}

/// How many bytes of the file a report shows.
const HEAD: usize = 16;

/// What one attempt to resolve and read the path got.
#[derive(Clone, Copy)]
enum Outcome {
    Failed(Error),
    Read {
        size: u64,
        head: [u8; HEAD],
        len: usize,
    },
}

impl Outcome {
    fn of(path: &CStr) -> Self {
        let mut head = [0; HEAD];
        let result = Path::lookup(path).and_then(|_| file::read_head(path, &mut head));
        match result {
            Ok((size, len)) => Self::Read { size, head, len },
            Err(err) => Self::Failed(err),
        }
    }

    /// What the same attempt gets inside the guard.
    fn guarded(path: &CStr) -> Self {
        with_init_fs(|| Self::of(path))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(err) => write!(f, "error {}", err.to_errno()),
            Self::Read { size, head, len } => {
                write!(f, "size {size} bytes ")?;
                head[..*len]
                    .iter()
                    .try_for_each(|byte| write!(f, "{byte:02x}"))
            }
        }
    }
}

/// Everything one probe found out.
struct Report {
    kthread: Outcome,
    kthread_guarded: Outcome,
    work: Outcome,
    work_guarded: Outcome,
    kthread_root_magic: u64,
    kthread_own_fs_after: bool,
    init_root_magic: u64,
    init_reverted: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "kthread: {}", self.kthread)?;
        writeln!(f, "kthread with init fs: {}", self.kthread_guarded)?;
        writeln!(f, "work item: {}", self.work)?;
        writeln!(f, "work item with init fs: {}", self.work_guarded)?;
        writeln!(f, "kthread root magic: {:x}", self.kthread_root_magic)?;
        let own = if self.kthread_own_fs_after {
            "own"
        } else {
            "init's"
        };
        writeln!(f, "kthread fs after the guard: {own}")?;
        writeln!(f, "init root magic: {:x}", self.init_root_magic)?;
        writeln!(
            f,
            "init fs reverted: {}",
            if self.init_reverted { "yes" } else { "no" }
        )
    }
}

/// A work item that tries the path twice: as it is, then in init's fs state.
#[pin_data]
struct ProbeWork {
    path: CString,
    #[pin]
    work: Work<ProbeWork>,
    #[pin]
    outcomes: Mutex<Option<(Outcome, Outcome)>>,
}

impl_has_work! {
    impl HasWork<Self> for ProbeWork { self.work }
}

impl WorkItem for ProbeWork {
    type Pointer = Arc<ProbeWork>;

    fn run(this: Arc<ProbeWork>) {
        let unguarded = Outcome::of(&this.path);
        let guarded = Outcome::guarded(&this.path);
        *this.outcomes.lock() = Some((unguarded, guarded));
    }
}

fn run_probe(path: CString) -> Result<Report> {
    let (kthread_root_magic, kthread, kthread_guarded, kthread_own_fs_after) =
        kthread::run(c"rust_init_fs", || {
            let root_magic = Path::lookup(c"/").map_or(0, |root| root.fs_magic());
            let unguarded = Outcome::of(&path);
            let guarded = Outcome::guarded(&path);
            (root_magic, unguarded, guarded, current_uses_own_fs())
        })?;

    let work = Arc::pin_init(
        pin_init!(ProbeWork {
            path,
            work <- new_work!("ProbeWork::work"),
            outcomes <- new_mutex!(None),
        }),
        GFP_KERNEL,
    )?;
    // A new item cannot be queued already.
    workqueue::system()
        .enqueue(work.clone())
        .map_err(|_| EBUSY)?;
    // Not just until it has its results: until the worker has left this
    // module's code, or rmmod could pull it from under the worker.
    work::flush(&work.work);
    let (work, work_guarded) = work.outcomes.lock().take().ok_or(EINVAL)?;

    let init = InitFs::get()?;
    Ok(Report {
        kthread,
        kthread_guarded,
        work,
        work_guarded,
        kthread_root_magic,
        kthread_own_fs_after,
        init_root_magic: init.root().fs_magic(),
        init_reverted: init.is_reverted(),
    })
}

/// Enough for seconds of either timed loop, not for minutes of a writer
/// waiting.
const BENCH_MAX_ITERATIONS: u32 = 10_000_000;

/// What one timing run measured, in a kthread: `guards` enters and exits of
/// the guard, then `lookups` guarded lookups of a path.
struct Timing {
    guards: u32,
    guard_time: Delta,
    lookups: u32,
    lookup_time: Delta,
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let guard_ns = self.guard_time.as_nanos();
        writeln!(f, "guards {} in {guard_ns} ns", self.guards)?;
        let lookup_ns = self.lookup_time.as_nanos();
        writeln!(f, "lookups {} in {lookup_ns} ns", self.lookups)
    }
}

/// C's `barrier()`: no code, but the compiler may neither move memory
/// accesses across it nor assume that memory is unchanged after it.
fn compiler_barrier() {
    // SAFETY: An empty asm statement does nothing; without `nomem` the
    // compiler must assume it reads and writes any memory.
    unsafe { core::arch::asm!("", options(nostack, preserves_flags)) };
}

/// One empty scope of the guard, out of line so that `make bench` can count
/// its instructions against the C sample's `guard_scope()`. As there,
/// something in the scope, so that the compiler keeps what the guard does
/// around it.
#[inline(never)]
fn guard_scope() {
    with_init_fs(compiler_barrier);
}

fn run_bench(guards: u32, lookups: u32, path: CString) -> Result<Timing> {
    kthread::run(c"rust_init_fs", move || {
        let start = Instant::<Monotonic>::now();
        for _ in 0..guards {
            guard_scope();
        }
        let guard_time = start.elapsed();

        let start = Instant::<Monotonic>::now();
        for _ in 0..lookups {
            // The path is put after the guard, as in the C sample.
            with_init_fs(|| Path::lookup(&path))?;
        }
        Ok(Timing {
            guards,
            guard_time,
            lookups,
            lookup_time: start.elapsed(),
        })
    })?
}

/// The debugfs side: the last report and the last timing.
#[pin_data]
struct State {
    #[pin]
    report: Mutex<Option<Report>>,
    #[pin]
    timing: Mutex<Option<Timing>>,
}

/// Reads what was written to a debugfs file, as trimmed UTF-8 text.
fn read_text<'a>(reader: &mut UserSliceReader, buf: &'a mut [u8; 256]) -> Result<&'a str> {
    let len = reader.len();
    if len >= buf.len() {
        return Err(ENAMETOOLONG);
    }
    reader.read_slice(&mut buf[..len])?;
    let text = core::str::from_utf8(&buf[..len])
        .map_err(|_| EINVAL)?
        .trim();
    if text.is_empty() {
        return Err(EINVAL);
    }
    Ok(text)
}

fn write_probe(state: &State, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 256];
    let text = read_text(reader, &mut buf)?;
    let report = run_probe(CString::try_from_fmt(fmt!("{text}"))?)?;
    *state.report.lock() = Some(report);
    Ok(())
}

fn read_report(state: &State, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match &*state.report.lock() {
        Some(report) => write!(f, "{report}"),
        None => f.write_str("write a path to this file first\n"),
    }
}

fn write_bench(state: &State, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 256];
    let text = read_text(reader, &mut buf)?;
    let mut words = text.split_ascii_whitespace();
    let mut count = || -> Result<u32> {
        match words.next().map(str::parse::<u32>) {
            Some(Ok(count)) if (1..=BENCH_MAX_ITERATIONS).contains(&count) => Ok(count),
            _ => Err(EINVAL),
        }
    };
    let (guards, lookups) = (count()?, count()?);
    let path = match (words.next(), words.next()) {
        (Some(path), None) => CString::try_from_fmt(fmt!("{path}"))?,
        _ => return Err(EINVAL),
    };
    let timing = run_bench(guards, lookups, path)?;
    *state.timing.lock() = Some(timing);
    Ok(())
}

fn read_timing(state: &State, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match &*state.timing.lock() {
        Some(timing) => write!(f, "{timing}"),
        None => f.write_str("write \"GUARDS LOOKUPS PATH\" to this file first\n"),
    }
}

/// Copies a path written to a debugfs file into `buf`, NUL-terminated, so
/// that fault injection around the write reaches the guarded calls only, not
/// an allocation of the sample's own.
fn read_path<'a>(reader: &mut UserSliceReader, buf: &'a mut [u8; 256]) -> Result<&'a CStr> {
    let mut written = [0u8; 256];
    let text = read_text(reader, &mut written)?.as_bytes();
    // `read_text()` left room for the NUL: the text is shorter than `buf`.
    let with_nul = buf.get_mut(..=text.len()).ok_or(ENAMETOOLONG)?;
    let (path, nul) = with_nul.split_at_mut(text.len());
    path.copy_from_slice(text);
    nul.fill(0);
    // An embedded NUL is refused, not taken as the end of the path.
    CStr::from_bytes_with_nul(with_nul).map_err(|_| EINVAL)
}

/// One guarded lookup and open in the writer's own task, for fault injection.
fn write_open_here(_state: &State, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 256];
    let name = read_path(reader, &mut buf)?;
    with_init_fs(|| {
        Path::lookup(name)?;
        // Neither a controlling tty nor a wait on a FIFO while init's fs
        // state is borrowed.
        path::open(name, flags::O_RDONLY | flags::O_NOCTTY | flags::O_NONBLOCK)?;
        Ok(())
    })
}

#[pin_data]
struct RustInitFs {
    #[pin]
    debugfs: Scope<State>,
    #[pin]
    exit_probe: MiscDeviceRegistration<exit::ExitProbe>,
}

impl kernel::InPlaceModule for RustInitFs {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            debugfs <- Scope::dir(
                pin_init!(State {
                    report <- new_mutex!(None),
                    timing <- new_mutex!(None),
                }),
                c"rust_init_fs",
                |state, dir| {
                    dir.read_write_callback_file(c"probe", state, &read_report, &write_probe);
                    dir.read_write_callback_file(c"bench", state, &read_timing, &write_bench);
                    dir.write_only_callback_file(c"open_here", state, &write_open_here);
                },
            ),
            exit_probe <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"rust_init_fs_exit",
            }),
        })
    }
}
