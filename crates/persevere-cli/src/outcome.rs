//! What one attempt came to: [`Success`] or an [`AttemptFailure`], and the exit status each
//! one gives persevere.

use crate::signame;
use std::fmt;

/// How the command's process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It exited with this code.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(i32),
}

/// Why an attempt was stopped before it ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `--timeout` ran out.
    Timeout,
    /// `--max-time` ran out.
    MaxTime,
}

/// Which output rule failed an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputRule {
    /// A line matched `--retry-if-output`.
    RetryIf,
    /// No line matched `--until-output`.
    Until,
}

/// An attempt that succeeded: exit 0, output rules satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Success;

/// Why an attempt failed, in order of precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The command could not be started: 127 (not found) or 126 (not executable).
    CannotRun {
        /// 127 or 126.
        code: i32,
        /// The operating system's reason.
        reason: String,
    },
    /// Stopped by `--timeout` or `--max-time`; how the process then ended.
    Stopped(Stop, Status),
    /// Killed by a signal.
    Signal(i32),
    /// A non-zero exit code.
    Exit(i32),
    /// Exit 0, but an output rule failed.
    Output(OutputRule),
    /// Not run: the circuit breaker (`--breaker`) refused the run's first attempt.
    CircuitOpen,
}

/// The core's refusal of a first attempt (the gate, `--breaker`), as the failure it ends the
/// run with: the command was not run.
impl From<persevere::Refused> for AttemptFailure {
    fn from(_: persevere::Refused) -> Self {
        AttemptFailure {
            failure: Failure::CircuitOpen,
            interrupted: None,
        }
    }
}

/// A failed attempt: why, and whether persevere forwarded a signal to it (then it is the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptFailure {
    /// Why it failed.
    pub failure: Failure,
    /// The signal that persevere received and forwarded during the attempt, if any.
    pub interrupted: Option<i32>,
}

impl AttemptFailure {
    /// The exit code the command itself gave, if it exited by itself (0 for an output-rule
    /// failure); `None` when it was stopped, killed, or never ran.
    pub fn exit_code(&self) -> Option<i32> {
        match self.failure {
            Failure::Exit(code) => Some(code),
            Failure::Output(_) => Some(0),
            _ => None,
        }
    }

    /// The exit status persevere gives when this is the last attempt: 124 for an attempt it
    /// stopped, or with `preserve` (`--preserve-status`) the command's own.
    pub fn exit_status(&self, preserve: bool) -> u8 {
        let status = match self.failure {
            Failure::CannotRun { code, .. } => code,
            Failure::Stopped(_, Status::Exited(code)) if preserve => code,
            Failure::Stopped(_, Status::Signaled(signal)) if preserve => 128 + signal,
            // As GNU timeout, which is killed with its command when it escalates to SIGKILL.
            Failure::Stopped(_, Status::Signaled(libc::SIGKILL)) => 137,
            Failure::Stopped(..) => 124,
            Failure::Signal(signal) => 128 + signal,
            Failure::Exit(code) => code,
            Failure::Output(_) => 1,
            Failure::CircuitOpen => i32::from(crate::breaker::CIRCUIT_OPEN),
        };
        u8::try_from(status).unwrap_or(u8::MAX)
    }

    /// The child's own status, for the report: `("exit", code)` or `("signal", number)`.
    pub fn report_status(&self) -> (&'static str, i32) {
        match self.failure {
            Failure::CannotRun { code, .. } => ("exit", code),
            Failure::Stopped(_, Status::Exited(code)) | Failure::Exit(code) => ("exit", code),
            Failure::Stopped(_, Status::Signaled(signal)) | Failure::Signal(signal) => {
                ("signal", signal)
            }
            Failure::Output(_) => ("exit", 0),
            Failure::CircuitOpen => ("exit", i32::from(crate::breaker::CIRCUIT_OPEN)),
        }
    }

    /// Why it failed beyond its status, for the report's `failure`: `timeout`, `max_time`,
    /// `output`, `not_found`, `not_executable`.
    pub fn report_failure(&self) -> Option<&'static str> {
        match self.failure {
            Failure::CannotRun { code: 127, .. } => Some("not_found"),
            Failure::CannotRun { .. } => Some("not_executable"),
            Failure::Stopped(Stop::Timeout, _) => Some("timeout"),
            Failure::Stopped(Stop::MaxTime, _) => Some("max_time"),
            Failure::Output(_) => Some("output"),
            Failure::CircuitOpen => Some("circuit_open"),
            Failure::Signal(_) | Failure::Exit(_) => None,
        }
    }
}

/// The words in messages: `exit 1`, `signal 9`, `timed out`, `command not found`...
impl fmt::Display for AttemptFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            Failure::CannotRun { code: 127, .. } => write!(f, "exit 127, command not found"),
            Failure::CannotRun { code, reason } => write!(f, "exit {code}, {reason}"),
            Failure::Stopped(Stop::Timeout, _) => write!(f, "timed out"),
            Failure::Stopped(Stop::MaxTime, _) => write!(f, "stopped at --max-time"),
            Failure::Signal(signal) => write!(f, "killed by {}", signame::name(*signal)),
            Failure::Exit(code) => write!(f, "exit {code}"),
            Failure::Output(OutputRule::RetryIf) => {
                write!(f, "exit 0, output matched --retry-if-output")
            }
            Failure::Output(OutputRule::Until) => {
                write!(f, "exit 0, no output matched --until-output")
            }
            Failure::CircuitOpen => write!(f, "not run, the circuit breaker is open"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(failure: Failure) -> AttemptFailure {
        AttemptFailure {
            failure,
            interrupted: None,
        }
    }

    #[test]
    fn exit_statuses_follow_the_conventions() {
        let not_found = Failure::CannotRun {
            code: 127,
            reason: "No such file".into(),
        };
        assert_eq!(failed(not_found).exit_status(false), 127);
        let timeout = Failure::Stopped(Stop::Timeout, Status::Signaled(15));
        assert_eq!(failed(timeout.clone()).exit_status(false), 124);
        assert_eq!(failed(timeout).exit_status(true), 143);
        let handled = Failure::Stopped(Stop::MaxTime, Status::Exited(3));
        assert_eq!(failed(handled).exit_status(true), 3);
        assert_eq!(failed(Failure::Signal(9)).exit_status(false), 137);
        assert_eq!(failed(Failure::Exit(3)).exit_status(false), 3);
        let until = Failure::Output(OutputRule::Until);
        assert_eq!(failed(until).exit_status(false), 1);
    }
}
