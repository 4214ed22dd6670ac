//! The allocator the `coop` command uses, and how soon it gives memory freed back to the system,
//! phase by phase. The library leaves both to its caller.

use std::sync::atomic::{AtomicBool, Ordering};

use coop::observe::{Count, Observer, Phase};

/// mimalloc: a large model is millions of small allocations, made by the threads that read it
/// and freed by those that check it; glibc's allocator locks an arena for each such free, which
/// doubled the time of checking a million orders.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (libmimalloc-sys names no constant for
/// it): how long, in milliseconds, memory freed is kept before it goes back to the system.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay while orders are checked. Each checker reads its orders' trees again a few
/// thousand at a time and frees them once checked; given back at once, their pages were faulted
/// in again, zeroed, for the next run (30,000 `madvise` calls for 3M orders, a third of checking's
/// time). The memory kept is a run's trees: the peak moved by under 10 MB at 1M orders.
const WHILE_CHECKING: std::ffi::c_long = 10;

/// Memory freed goes back at once: a large model's structures are freed between phases (the
/// names once they are in the namespace), and by default mimalloc would hold them a while
/// longer, raising the peak by a fifth (200 MB at 1M orders). A delay the user sets
/// (`MIMALLOC_PURGE_DELAY`, read by mimalloc as it starts) is kept, here and in [`Tuned`].
pub fn give_back_at_once() {
    if tuned() {
        set_purge_delay(0);
    }
}

/// An observer that keeps memory freed a little while as orders are checked, and gives it back
/// at once again when checking is over, then tells `inner`.
pub struct Tuned<O> {
    inner: O,
    tuned: bool,
    checking: AtomicBool,
}

impl<O: Observer> Tuned<O> {
    pub fn new(inner: O) -> Tuned<O> {
        Tuned {
            inner,
            tuned: tuned(),
            checking: AtomicBool::new(false),
        }
    }
}

impl<O: Observer> Observer for Tuned<O> {
    fn advanced(&self, phase: Phase, done: Count, total: Count) {
        // Checking's count moves while its orders are checked: after the namespace and the
        // declarations, before the model is put together, whose memory freed goes back at once
        // (kept a while then, the peak rose by 200 MB at 1M orders).
        if self.tuned && phase == Phase::Checking {
            self.keep_while(done.orders > 0 && done.orders < total.orders);
        }
        self.inner.advanced(phase, done, total);
    }

    fn finished(&self, phase: Phase, done: Count) {
        if self.tuned && phase == Phase::Checking {
            self.keep_while(false);
        }
        self.inner.finished(phase, done);
    }
}

impl<O> Tuned<O> {
    /// Keeps memory freed a while when `checking` orders, else gives it back at once, with what
    /// was kept.
    fn keep_while(&self, checking: bool) {
        if self.checking.swap(checking, Ordering::Relaxed) == checking {
            return;
        }
        if checking {
            set_purge_delay(WHILE_CHECKING);
        } else {
            set_purge_delay(0);
            // SAFETY: collecting is safe at any time, from any thread.
            unsafe { libmimalloc_sys::mi_collect(false) };
        }
    }
}

/// Transparent huge pages off for the process, on Linux. mimalloc asks for them on its arenas
/// (`madvise(MADV_HUGEPAGE)` on each GiB it reserves) and gives memory back 64 KiB at a time;
/// each 2 MiB range given back whole was faulted in again as one huge page, zeroed whole, for the
/// next small allocation in it: `clear_page_erms` was 15 to 20% of the samples of checking 1M
/// orders. With 4 KiB pages that is 2%, the time is the same within the machine's noise, and
/// the peak is 15 to 20 MB lower (`report --format json` of 1M orders from 705-710 MB to
/// 687-690 MB). It is what mimalloc's own `MIMALLOC_ALLOW_THP=0` does, set here because that
/// option is read as mimalloc starts, before `main`; a value the user sets is kept. Children
/// the command starts inherit the setting.
pub fn small_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of this process; it
        // reads no memory of ours. Should it fail (an old kernel), pages stay as they were.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// Whether the command sets the purge delay: not when the user has.
fn tuned() -> bool {
    std::env::var_os("MIMALLOC_PURGE_DELAY").is_none()
}

fn set_purge_delay(milliseconds: std::ffi::c_long) {
    // SAFETY: setting an option is safe at any time; 15 is the option's place in the enum of
    // the mimalloc this crate builds (`c_src/mimalloc/v3/include/mimalloc.h`, and v2's).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, milliseconds) };
}
