//! Where the policy's events go: messages on stderr (unless `--quiet`), the JSON report, and the
//! terminal's status line while persevere waits.

use crate::ending::GiveUpReason;
use crate::messages;
use crate::outcome::AttemptFailure;
use crate::report::{Event, Report};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The run's voice. Shared by the policy's handlers and the driver.
pub struct Announcer {
    /// The command as a shell would quote it.
    pub command: String,
    /// `--max-tries`, or `None` with `--forever`.
    pub max_tries: Option<u32>,
    /// `--quiet`.
    pub quiet: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// `--report`.
    pub report: Option<Report>,
    /// Whether stderr is a terminal (and so shows the status line).
    pub status_line: bool,
    /// The number of attempts started so far.
    started: AtomicU32,
}

impl Announcer {
    /// Makes the announcer; the status line is on when stderr is a terminal and not `--quiet`.
    pub fn new(command: String, max_tries: Option<u32>, quiet: bool, verbose: bool) -> Self {
        Announcer {
            command,
            max_tries,
            quiet,
            verbose,
            report: None,
            status_line: !quiet && std::io::stderr().is_terminal(),
            started: AtomicU32::new(0),
        }
    }

    /// A failed attempt that will be retried after `wait`.
    pub fn backoff(&self, tries: u32, failure: &AttemptFailure, wait: Duration, elapsed: Duration) {
        self.say(|| messages::backing_off(&self.command, failure, wait, tries, self.max_tries));
        self.record(Event {
            failure: Some(failure),
            wait: Some(wait),
            ..Event::new("backoff", tries, elapsed)
        });
    }

    /// The run gives up after `failure`, the last attempt's, for `reason`.
    pub fn giveup(
        &self,
        tries: u32,
        failure: &AttemptFailure,
        reason: Option<GiveUpReason>,
        elapsed: Duration,
    ) {
        self.say(|| messages::giving_up(&self.command, failure, tries, reason));
        self.record(Event {
            failure: Some(failure),
            reason,
            ..Event::new("giveup", tries, elapsed)
        });
    }

    /// The circuit breaker `name` is open: the run gives up before its first attempt.
    pub fn circuit_open(&self, name: &str) {
        self.say(|| messages::circuit_open(&self.command, name));
        self.record(Event {
            reason: Some(GiveUpReason::CircuitOpen),
            ..Event::new("giveup", 0, Duration::ZERO)
        });
    }

    /// A successful attempt.
    pub fn success(&self, tries: u32, elapsed: Duration) {
        if self.verbose {
            self.say(|| messages::succeeded(&self.command, tries, self.max_tries));
        }
        self.record(Event::new("success", tries, elapsed));
    }

    /// persevere itself failed (`main` prints the message).
    pub fn error(&self, message: &str, elapsed: Duration) {
        let tries = self.started.load(Ordering::Relaxed);
        self.record(Event {
            message: Some(message),
            ..Event::new("error", tries, elapsed)
        });
    }

    /// An attempt starts (said with `--verbose` only).
    pub fn attempt_starts(&self, tries: u32) {
        self.started.store(tries, Ordering::Relaxed);
        if self.verbose {
            self.say(|| messages::running(&self.command, tries, self.max_tries));
        }
    }

    /// A failed attempt left `processes` running: they are being stopped (said with
    /// `--verbose`).
    pub fn leftovers_stopped(&self, processes: &str) {
        if self.verbose && !processes.is_empty() {
            self.say(|| format!("persevere: stopping what the attempt left running: {processes}"));
        }
    }

    /// A successful attempt left `processes` running: they stay (said with `--verbose`).
    pub fn leftovers_spared(&self, processes: &str) {
        if self.verbose && !processes.is_empty() {
            self.say(|| {
                format!(
                    "persevere: leaving running what the successful attempt started: {processes} \
                     (--cleanup-on-success stops it)"
                )
            });
        }
    }

    /// persevere received `signal` and passed it on; SIGKILL follows after `kill_in`.
    pub fn forwarded(&self, signal: i32, kill_in: Duration) {
        self.say(|| messages::forwarded(&self.command, signal, kill_in));
    }

    /// The same signal came again: the attempt gets SIGKILL now.
    pub fn escalated(&self, signal: i32) {
        self.say(|| messages::escalated(&self.command, signal));
    }

    /// Draws the status line: `left` of the wait remains before try `next_try`.
    pub fn show_status(&self, left: Duration, next_try: u32) {
        if self.status_line {
            let line = messages::status_line(&self.command, left, next_try, self.max_tries);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K{line}").and_then(|()| err.flush());
        }
    }

    /// Erases the status line before the next attempt.
    pub fn clear_status(&self) {
        if self.status_line {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K").and_then(|()| err.flush());
        }
    }

    fn say(&self, message: impl FnOnce() -> String) {
        if !self.quiet {
            // A closed stderr must not stop the run (eprintln! would panic).
            let _ = writeln!(std::io::stderr(), "{}", message());
        }
    }

    fn record(&self, event: Event<'_>) {
        if let Some(report) = &self.report {
            report.write(&event);
        }
    }
}
