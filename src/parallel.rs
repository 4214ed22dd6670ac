//! How many threads Coop's parallel phases (reading a large order book, checking a large
//! model's orders, judging orders ahead of their turn) use: every core the process may run on, or `COOP_THREADS` when set, so that
//! a shared CI runner can be spared, and so that tests can compare one thread with several.
//! Only the time changes with it: every output is the same whatever the number.

/// The environment variable that sets the number of threads.
pub const THREADS_VARIABLE: &str = "COOP_THREADS";

/// The number of threads to use: `COOP_THREADS` when it is a positive whole number, else the
/// cores the process may run on.
pub fn threads() -> usize {
    std::env::var(THREADS_VARIABLE)
        .ok()
        .and_then(|threads| threads.trim().parse::<usize>().ok())
        .filter(|threads| *threads > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}
