//! The `coop` command: parse the command line, run it, exit with its code.

mod cli;
mod progress;

use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc: a large model is millions of small allocations, made by the threads that read it
/// and freed by those that check it; glibc's allocator locks an arena for each such free, which
/// doubled the time of checking a million orders.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (libmimalloc-sys names no constant for
/// it): how long freed memory is kept before it goes back to the system.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Memory freed goes back at once: a large model's syntax trees are freed while its orders
    // are checked, and by default mimalloc would hold them a second longer, raising the peak by
    // a tenth.
    // A delay the user sets (`MIMALLOC_PURGE_DELAY`, read by mimalloc as it starts) is kept.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: setting an option is safe at any time; 15 is the option's place in the enum
        // of the mimalloc this crate builds (`c_src/mimalloc/v3/include/mimalloc.h`, and v2's).
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
    cli::run(cli::Arguments::parse())
}
