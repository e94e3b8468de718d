//! Why a run gave up: the `reason` of the give-up message and of the report's `giveup` event.

use crate::outcome::AttemptFailure;
use crate::rules::{NotRetried, RetryRules};
use crate::signame;
use std::fmt;
use std::time::Duration;

/// Why no further attempt was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// `--max-tries` attempts were made.
    MaxTries,
    /// `--max-time` ran out, or leaves no time for another attempt.
    MaxTime,
    /// `--intervals` has no wait left.
    Exhausted,
    /// The failure is one that is never retried.
    Fatal(NotRetried),
    /// persevere received this signal (during an attempt, which it passed it on to, or during
    /// a wait).
    Signal(i32),
}

/// The limits that end a run, for [`reason`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// `--max-tries` (`None` with `--forever`).
    pub max_tries: Option<u32>,
    /// `--max-time`.
    pub max_time: Option<Duration>,
    /// The number of waits of `--intervals`.
    pub intervals: Option<usize>,
}

/// Why the core gave up after `tries` attempts, the last one `failure`, `elapsed` into the
/// run. The core decides in this order: a failure never retried, `max_tries`, `max_time`
/// elapsed, an exhausted strategy, then no time left for the next wait.
// TODO(core reason): the core's `Details` will carry its give-up reason; then this function
// goes and the handler reads it.
pub fn reason(
    rules: &RetryRules,
    limits: &Limits,
    failure: &AttemptFailure,
    tries: u32,
    elapsed: Duration,
) -> GiveUpReason {
    match rules.not_retried(failure) {
        Some(NotRetried::Interrupted(signal)) => GiveUpReason::Signal(signal),
        Some(why) => GiveUpReason::Fatal(why),
        None if limits.max_tries.is_some_and(|max| tries >= max) => GiveUpReason::MaxTries,
        None if limits.max_time.is_some_and(|max| elapsed >= max) => GiveUpReason::MaxTime,
        // A list of n waits is exhausted after attempt n + 1.
        None if limits.intervals.is_some_and(|n| tries as usize > n) => GiveUpReason::Exhausted,
        None if limits.max_time.is_some() => GiveUpReason::MaxTime,
        None => GiveUpReason::Exhausted,
    }
}

impl GiveUpReason {
    /// The report's `reason`.
    pub fn key(self) -> &'static str {
        match self {
            GiveUpReason::MaxTries => "max_tries",
            GiveUpReason::MaxTime => "max_time",
            GiveUpReason::Exhausted => "exhausted",
            GiveUpReason::Fatal(_) => "fatal",
            GiveUpReason::Signal(_) => "signal",
        }
    }

    /// For a fatal failure, the rule that does not retry it (the report's `rule`).
    pub fn rule(self) -> Option<&'static str> {
        match self {
            GiveUpReason::Fatal(why) => Some(match why {
                NotRetried::Interrupted(_) => "signal",
                NotRetried::CtrlC => "sigint",
                NotRetried::BrokenPipe => "sigpipe",
                NotRetried::CannotRun => "cannot_run",
                NotRetried::StopOnExit => "stop_on_exit",
                NotRetried::NotInRetryOnExit => "retry_on_exit",
            }),
            _ => None,
        }
    }

    /// The signal persevere received, for the report's `received_signal`.
    pub fn received_signal(self) -> Option<i32> {
        match self {
            GiveUpReason::Signal(signal) => Some(signal),
            _ => None,
        }
    }
}

/// The words after the give-up message (`: --max-time leaves no time for another try`); none
/// for `--max-tries`, which "after 5 tries" already says.
impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GiveUpReason::MaxTries => Ok(()),
            GiveUpReason::MaxTime => write!(f, ": --max-time leaves no time for another try"),
            GiveUpReason::Exhausted => write!(f, ": --intervals has no wait left"),
            GiveUpReason::Fatal(why) => {
                let rule = match why {
                    NotRetried::Interrupted(signal) => signame::name(*signal),
                    NotRetried::CtrlC => "SIGINT is the user's stop".to_string(),
                    NotRetried::BrokenPipe => {
                        "the pipe is broken (--retry-on-sigpipe retries it)".to_string()
                    }
                    NotRetried::CannotRun => "the command cannot run".to_string(),
                    NotRetried::StopOnExit => "--stop-on-exit".to_string(),
                    NotRetried::NotInRetryOnExit => "not in --retry-on-exit".to_string(),
                };
                write!(f, ": not retried, {rule}")
            }
            GiveUpReason::Signal(signal) => write!(f, ": got {}", signame::name(*signal)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Failure;

    fn exit(code: i32) -> AttemptFailure {
        AttemptFailure {
            failure: Failure::Exit(code),
            interrupted: None,
        }
    }

    #[test]
    fn reasons_follow_the_cores_order() {
        let rules = RetryRules {
            stop_on_exit: Some("3".parse().unwrap()),
            ..RetryRules::default()
        };
        let secs = Duration::from_secs;
        let limits = Limits {
            max_tries: Some(5),
            max_time: Some(secs(10)),
            intervals: None,
        };
        let r = |f: &AttemptFailure, tries, elapsed| reason(&rules, &limits, f, tries, elapsed);
        assert_eq!(
            r(&exit(3), 5, secs(20)),
            GiveUpReason::Fatal(NotRetried::StopOnExit)
        );
        assert_eq!(r(&exit(1), 5, secs(20)), GiveUpReason::MaxTries);
        assert_eq!(r(&exit(1), 2, secs(10)), GiveUpReason::MaxTime);
        assert_eq!(
            r(&exit(1), 2, secs(9)),
            GiveUpReason::MaxTime,
            "no time for a wait"
        );
        let interrupted = AttemptFailure {
            interrupted: Some(15),
            ..exit(1)
        };
        assert_eq!(r(&interrupted, 1, secs(1)), GiveUpReason::Signal(15));
        let list = Limits {
            max_tries: Some(9),
            max_time: None,
            intervals: Some(2),
        };
        assert_eq!(
            reason(&rules, &list, &exit(1), 3, secs(1)),
            GiveUpReason::Exhausted
        );
    }
}
