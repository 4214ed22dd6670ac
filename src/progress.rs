//! What a long run is doing, on standard error. The pipeline counts orders as it reads, checks
//! and judges them ([`coop::observe`]); this shows the counts.
//!
//! On a terminal (not `TERM=dumb`, outside CI): a bar per phase with its count, rate and time
//! left, drawn only once the run has taken a couple of seconds (at once with `--progress`), and
//! cleared before anything else is written. Anywhere else (a CI log, a pipe): one plain line per
//! finished phase, with its count and time, when `--progress` asks or once the run has taken ten
//! seconds; nothing otherwise, so that logs of quick runs stay as they were. Never with `-q`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coop::observe::{Count, Observer, Phase};
use coop::output::{Escapes, guarded};
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How long a run goes before its bar is drawn on a terminal: quick runs print nothing extra.
const BAR_AFTER: Duration = Duration::from_secs(2);

/// How long a run goes before its phases are written as lines where there is no terminal.
const LINES_AFTER: Duration = Duration::from_secs(10);

/// A run's progress, told by the pipeline; dropping it clears the bar.
pub struct Progress {
    started: Instant,
    shown: Shown,
    phases: Mutex<Phases>,
    /// The orders read so far, which the bar shows beside the bytes it counts.
    orders_read: Arc<AtomicUsize>,
}

enum Shown {
    Nothing,
    /// A bar redrawn in place, hidden until the run has gone on long enough.
    Bar(ProgressBar),
    /// A line per phase, written at once when `asked`, else once the run has gone on long
    /// enough.
    Lines {
        asked: bool,
    },
}

#[derive(Default)]
struct Phases {
    /// The phase under way and when it began.
    current: Option<(Phase, Instant)>,
    /// When the last phase ended.
    last_end: Option<Instant>,
    /// The lines of finished phases not yet written.
    unwritten: Vec<String>,
}

impl Progress {
    /// Starts tracking a run: nothing is shown when `quiet`; `asked` (`--progress`) shows the
    /// bar at once on a terminal, and the lines of every run elsewhere.
    pub fn start(quiet: bool, asked: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none()
            && std::env::var_os("TERM").is_none_or(|term| term != "dumb");
        let shown = if quiet {
            Shown::Nothing
        } else if terminal {
            Shown::Bar(bar(asked))
        } else {
            Shown::Lines { asked }
        };
        Progress {
            started: Instant::now(),
            shown,
            phases: Mutex::new(Phases::default()),
            orders_read: Arc::default(),
        }
    }

    /// Writes the lines of finished phases not yet written, where lines are shown and they are
    /// due.
    fn write_due_lines(&self, phases: &mut Phases) {
        if let Shown::Lines { asked } = self.shown
            && (asked || self.started.elapsed() >= LINES_AFTER)
        {
            let text: String = phases.unwritten.drain(..).collect();
            let _ = std::io::stderr()
                .lock()
                .write_all(guarded(&text, Escapes::Text).as_bytes());
        }
    }

    fn phases(&self) -> std::sync::MutexGuard<'_, Phases> {
        // A panic elsewhere while the lock was held leaves counts that are still fine to show.
        self.phases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Observer for Progress {
    fn advanced(&self, phase: Phase, done: Count, total: Count) {
        if matches!(self.shown, Shown::Nothing) {
            return;
        }
        let mut phases = self.phases();
        if phases.current.map(|(current, _)| current) != Some(phase) {
            // Reading begins with the run, or where the last phase ended: finding and loading
            // the files is reading too.
            let began = match phase {
                Phase::Reading => phases.last_end.unwrap_or(self.started),
                Phase::Checking | Phase::Judging => Instant::now(),
            };
            phases.current = Some((phase, began));
            if let Shown::Bar(bar) = &self.shown {
                bar.set_style(style(phase, &self.orders_read));
                // The rate and the time left are the phase's own; the bar, cleared when the last
                // phase ended, is drawn again from nought of the phase's total.
                bar.update(|state| state.set_len(measured(phase, done, total).1));
                bar.reset();
            }
        }
        if let Shown::Bar(bar) = &self.shown {
            self.orders_read.store(done.orders, Ordering::Relaxed);
            let (position, length) = measured(phase, done, total);
            bar.update(|state| {
                state.set_len(length);
                state.set_pos(position);
            });
        }
    }

    fn finished(&self, phase: Phase, done: Count) {
        if matches!(self.shown, Shown::Nothing) {
            return;
        }
        let mut phases = self.phases();
        let now = Instant::now();
        let began = match phases.current.take() {
            Some((current, began)) if current == phase => began,
            _ => now,
        };
        phases.last_end = Some(now);
        match &self.shown {
            Shown::Bar(bar) => {
                // The phase's last count is drawn whatever the bar's rate of drawing allows.
                self.orders_read.store(done.orders, Ordering::Relaxed);
                let (position, _) = measured(phase, done, done);
                bar.update(|state| state.set_pos(position.min(state.len().unwrap_or(position))));
                bar.force_draw();
                // Cleared between phases, so that what is written then, such as the findings
                // that stop a run, is not drawn over.
                bar.finish_and_clear();
            }
            Shown::Lines { .. } => {
                phases.unwritten.push(line(phase, done, now - began));
                self.write_due_lines(&mut phases);
            }
            Shown::Nothing => {}
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        match &self.shown {
            Shown::Bar(bar) => bar.finish_and_clear(),
            Shown::Lines { .. } => {
                let mut phases = std::mem::take(&mut *self.phases());
                self.write_due_lines(&mut phases);
            }
            Shown::Nothing => {}
        }
    }
}

/// A bar on standard error, hidden until the run has taken [`BAR_AFTER`] unless `at_once`.
fn bar(at_once: bool) -> ProgressBar {
    if at_once {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    // Only a run still going is shown: its `Progress` holds the one bar.
    let delayed = bar.downgrade();
    std::thread::spawn(move || {
        std::thread::sleep(BAR_AFTER);
        if let Some(bar) = delayed.upgrade() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    });
    bar
}

/// How a phase's bar reads: reading counts bytes (the orders a file holds are not known before
/// it is read) and shows the orders read so far, checking and judging count orders.
fn style(phase: Phase, orders_read: &Arc<AtomicUsize>) -> ProgressStyle {
    let template = match phase {
        Phase::Reading => {
            "[{wide_bar}] {decimal_bytes}/{decimal_total_bytes} read, {orders_read}, {decimal_bytes_per_sec}, {eta} left"
        }
        Phase::Checking => {
            "[{wide_bar}] {human_pos}/{human_len} orders checked, {orders_per_sec}, {eta} left"
        }
        Phase::Judging => {
            "[{wide_bar}] {human_pos}/{human_len} orders judged, {orders_per_sec}, {eta} left"
        }
    };
    let orders_read = Arc::clone(orders_read);
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "orders_read",
            move |_: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{}", orders(orders_read.load(Ordering::Relaxed)));
            },
        )
        .with_key(
            "orders_per_sec",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{}/s", HumanCount(state.per_sec() as u64));
            },
        )
        .progress_chars("=> ")
}

/// What a phase's bar counts: bytes when reading, orders otherwise.
fn measured(phase: Phase, done: Count, total: Count) -> (u64, u64) {
    let (done, total) = match phase {
        Phase::Reading => (done.bytes, total.bytes),
        Phase::Checking | Phase::Judging => (done.orders, total.orders),
    };
    (done as u64, total as u64)
}

/// The one line that says how a phase went, e.g. `read 1,000 orders from 2 files in 0.05 s`.
fn line(phase: Phase, done: Count, took: Duration) -> String {
    let took = took.as_secs_f64();
    match phase {
        Phase::Reading => format!(
            "read {} from {} in {took:.2} s\n",
            orders(done.orders),
            counted(done.files, "file")
        ),
        Phase::Checking => format!("checked {} in {took:.2} s\n", orders(done.orders)),
        Phase::Judging => format!("judged {} in {took:.2} s\n", orders(done.orders)),
    }
}

fn orders(count: usize) -> String {
    counted(count, "order")
}

/// `1 order`, `1,000 orders`.
fn counted(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{} {noun}{plural}", HumanCount(count as u64))
}
