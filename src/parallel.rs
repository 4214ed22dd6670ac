//! How many threads Coop's parallel phases (reading a model's files, a large order book in
//! parts, checking a large model's orders, judging orders ahead of their turn, rendering a large
//! report's orders and the findings) use:
//! every core the process may run on, or `COOP_THREADS` when set, so that a shared CI runner can
//! be spared, and so that tests can compare one thread with several. Only the time changes with
//! it: every output is the same whatever the number.

use std::ops::Range;
use std::sync::mpsc;

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

/// How many helping threads [`in_order`] starts for `count` items in chunks of `chunk`: one
/// per thread, no more than there are chunks, and none when that would be fewer than two (one
/// helper would work while the caller waits).
pub fn helpers(count: usize, chunk: usize) -> usize {
    match threads().min(count.div_ceil(chunk.max(1))) {
        helpers @ 2.. => helpers,
        _ => 0,
    }
}

/// Makes `count` items in chunks of `chunk` on helping threads and gives each chunk, with its
/// range, to `take` on the caller's thread, in order: the work is shared, what is done with it
/// is in order. Each helper makes every `helpers`th chunk with a state of its own (`state`
/// makes it, on the helper's thread) and holds at most three chunks not yet taken (two
/// waiting, one being handed over), so the memory held is a few chunks. The helpers' states
/// are returned once every chunk is taken. With fewer than two helpers ([`helpers`]), the
/// caller makes every chunk itself, with one state.
///
/// `take` may stop early with an error (a closed pipe): the helpers stop at their next chunk.
/// A helper that panics passes its panic on to the caller.
pub fn in_order<State: Send, Made: Send, Error>(
    count: usize,
    chunk: usize,
    state: impl Fn() -> State + Sync,
    make: impl Fn(&mut State, Range<usize>) -> Made + Sync,
    mut take: impl FnMut(Range<usize>, Made) -> Result<(), Error>,
) -> Result<Vec<State>, Error> {
    let chunk = chunk.max(1);
    let chunks = (0..count)
        .step_by(chunk)
        .map(move |first| first..count.min(first + chunk));
    let helpers = helpers(count, chunk);
    if helpers == 0 {
        let mut alone = state();
        for range in chunks {
            let made = make(&mut alone, range.clone());
            take(range, made)?;
        }
        return Ok(vec![alone]);
    }
    std::thread::scope(|scope| {
        let (receivers, handles): (Vec<_>, Vec<_>) = (0..helpers)
            .map(|helper| {
                let (sender, receiver) = mpsc::sync_channel(2);
                let mine = chunks.clone().skip(helper).step_by(helpers);
                let (state, make) = (&state, &make);
                let handle = scope.spawn(move || {
                    let mut own = state();
                    for range in mine {
                        // The caller stopped taking chunks: it met an error, or panicked.
                        if sender.send(make(&mut own, range)).is_err() {
                            break;
                        }
                    }
                    own
                });
                (receiver, handle)
            })
            .unzip();
        let mut taken = Ok(());
        for (number, range) in chunks.enumerate() {
            // A helper that panicked sends nothing more; joining it below passes its panic on.
            let Ok(made) = receivers[number % helpers].recv() else {
                break;
            };
            taken = take(range, made);
            if taken.is_err() {
                break;
            }
        }
        drop(receivers);
        let states = handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        taken.map(|()| states)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_taken_in_order_whoever_makes_them() {
        let mut taken = Vec::new();
        let states = in_order(
            1000,
            7,
            || 0usize,
            |made_here: &mut usize, range: Range<usize>| {
                *made_here += range.len();
                range.map(|item| item * 2).collect::<Vec<_>>()
            },
            |range, made: Vec<usize>| {
                assert_eq!(made.len(), range.len());
                taken.extend(made);
                Ok::<(), ()>(())
            },
        )
        .expect("nothing fails");
        assert_eq!(taken, (0..1000).map(|item| item * 2).collect::<Vec<_>>());
        assert_eq!(states.iter().sum::<usize>(), 1000, "every item made once");
    }

    #[test]
    fn a_helper_that_panics_passes_its_panic_on() {
        // On one core (or with COOP_THREADS=1) the caller makes every chunk, and panics itself.
        let outcome = std::panic::catch_unwind(|| {
            in_order(
                100,
                10,
                || (),
                |_: &mut (), range: Range<usize>| {
                    assert!(range.start != 50, "a chunk that cannot be made");
                    range
                },
                |_, _| Ok::<(), ()>(()),
            )
        });
        let panic = outcome.expect_err("the panic reaches the caller");
        let message = panic
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| panic.downcast_ref::<String>().map(String::as_str));
        assert_eq!(message, Some("a chunk that cannot be made"));
    }

    #[test]
    fn an_error_in_taking_stops_the_helpers() {
        let mut taken = 0;
        let result = in_order(
            10_000,
            10,
            || (),
            |_: &mut (), range: Range<usize>| range,
            |range, _| {
                taken += 1;
                if range.start >= 50 {
                    Err(range.start)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result.err(), Some(50));
        assert_eq!(taken, 6);
    }
}
