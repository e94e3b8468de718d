//! Why a run gave up: the `reason` of the give-up message and of the report's `giveup` event.

use crate::outcome::AttemptFailure;
use crate::rules::{NotRetried, RetryRules};
use crate::signame;
use std::fmt;

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
    /// The shared retry budget (`--budget`) refused the retry.
    Budget,
    /// The circuit breaker (`--breaker`) is open.
    CircuitOpen,
    /// Another reason of the core's (a server-directed wait; the command sets none).
    Other(&'static str),
}

/// Why the run gave up: the core's reason, with the CLI's own rules saying which failure is
/// never retried (`giveup` marks those fatal in the core).
pub fn reason(
    core: persevere::GiveUpReason,
    rules: &RetryRules,
    failure: &AttemptFailure,
) -> GiveUpReason {
    use persevere::GiveUpReason as Core;
    match core {
        Core::MaxTries => GiveUpReason::MaxTries,
        Core::MaxTime => GiveUpReason::MaxTime,
        Core::Exhausted => GiveUpReason::Exhausted,
        Core::Budget => GiveUpReason::Budget,
        Core::CircuitOpen => GiveUpReason::CircuitOpen,
        Core::Fatal => match rules.not_retried(failure) {
            Some(NotRetried::Interrupted(signal)) => GiveUpReason::Signal(signal),
            Some(why) => GiveUpReason::Fatal(why),
            // `giveup` is the CLI's rules only, so a fatal failure is one of them.
            None => GiveUpReason::Other(core.as_str()),
        },
        other => GiveUpReason::Other(other.as_str()),
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
            GiveUpReason::Budget => "budget",
            GiveUpReason::CircuitOpen => "circuit_open",
            GiveUpReason::Other(key) => key,
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
                NotRetried::ReaderGone => "stdout_closed",
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
                    NotRetried::ReaderGone => "stdout has no reader any more".to_string(),
                    NotRetried::StopOnExit => "--stop-on-exit".to_string(),
                    NotRetried::NotInRetryOnExit => "not in --retry-on-exit".to_string(),
                };
                write!(f, ": not retried, {rule}")
            }
            GiveUpReason::Signal(signal) => write!(f, ": got {}", signame::name(*signal)),
            GiveUpReason::Budget => write!(f, ": the retry budget refused another try"),
            GiveUpReason::CircuitOpen => write!(f, ": the circuit breaker is open"),
            GiveUpReason::Other(key) => write!(f, ": {key}"),
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
    fn the_cores_reason_is_refined_by_the_commands_rules() {
        use persevere::GiveUpReason as Core;
        let rules = RetryRules {
            stop_on_exit: Some("3".parse().unwrap()),
            ..RetryRules::default()
        };
        assert_eq!(
            reason(Core::Fatal, &rules, &exit(3)),
            GiveUpReason::Fatal(NotRetried::StopOnExit)
        );
        assert_eq!(
            reason(Core::MaxTries, &rules, &exit(1)),
            GiveUpReason::MaxTries
        );
        assert_eq!(
            reason(Core::MaxTime, &rules, &exit(1)),
            GiveUpReason::MaxTime
        );
        assert_eq!(
            reason(Core::Exhausted, &rules, &exit(1)),
            GiveUpReason::Exhausted
        );
        assert_eq!(reason(Core::Budget, &rules, &exit(1)), GiveUpReason::Budget);
        let interrupted = AttemptFailure {
            interrupted: Some(15),
            ..exit(1)
        };
        assert_eq!(
            reason(Core::Fatal, &rules, &interrupted),
            GiveUpReason::Signal(15)
        );
        assert_eq!(GiveUpReason::Budget.key(), "budget");
        assert_eq!(
            GiveUpReason::Budget.to_string(),
            ": the retry budget refused another try"
        );
    }
}
