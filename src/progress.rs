//! What a long run is doing, shown on a terminal: a spinner on standard error naming the phase
//! (reading, checking, judging, writing), drawn only once the run has taken a couple of seconds,
//! and never when standard error is not a terminal or in CI, so that logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its progress is shown: quick runs print nothing extra.
const QUIET_FOR: Duration = Duration::from_secs(2);

/// A run's progress; dropping it clears the line.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Starts tracking a run; shows nothing when `quiet`, and unless standard error is a
    /// terminal that can redraw a line (not `TERM=dumb`) outside CI.
    pub fn start(quiet: bool) -> Progress {
        let shown = !quiet
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none()
            && std::env::var_os("TERM").is_none_or(|term| term != "dumb");
        if !shown {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        let delayed = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(QUIET_FOR);
            if !delayed.is_finished() {
                delayed.set_draw_target(ProgressDrawTarget::stderr());
            }
        });
        Progress { bar: Some(bar) }
    }

    /// Names the phase the run is in.
    pub fn phase(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.into());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
