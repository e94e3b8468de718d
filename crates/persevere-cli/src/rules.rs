//! Which failed attempts are never retried, and why. The core's `giveup` predicate asks this
//! file; the give-up message says its answer.

use crate::codes::ExitCodes;
use crate::outcome::{AttemptFailure, Failure};

/// Why a failed attempt ends the run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRetried {
    /// persevere received this signal during the attempt (and passed it on).
    Interrupted(i32),
    /// The command died by SIGINT: Ctrl-C at the terminal, which goes to the attempt only.
    CtrlC,
    /// The command died by SIGPIPE: whoever read its output is gone, which retrying does not
    /// change (`--retry-on-sigpipe` retries it anyway).
    BrokenPipe,
    /// The command cannot run: not found or not executable (126, 127).
    CannotRun,
    /// An exit code of `--stop-on-exit`.
    StopOnExit,
    /// An exit code outside `--retry-on-exit`.
    NotInRetryOnExit,
}

/// The options that decide which failures are retried.
#[derive(Debug, Clone, Default)]
pub struct RetryRules {
    /// `--retry-on-exit`.
    pub retry_on_exit: Option<ExitCodes>,
    /// `--stop-on-exit`.
    pub stop_on_exit: Option<ExitCodes>,
    /// `--retry-on-sigpipe`.
    pub retry_on_sigpipe: bool,
}

impl RetryRules {
    /// `Some(why)` when `f` must not be retried; `None` when the policy decides.
    pub fn not_retried(&self, f: &AttemptFailure) -> Option<NotRetried> {
        let code = f.exit_code();
        let in_set = |set: &Option<ExitCodes>| {
            code.is_some_and(|c| set.as_ref().is_some_and(|s| s.contains(c)))
        };
        if let Some(signal) = f.interrupted {
            return Some(NotRetried::Interrupted(signal));
        }
        match f.failure {
            Failure::Signal(libc::SIGINT) => return Some(NotRetried::CtrlC),
            Failure::Signal(libc::SIGPIPE) if !self.retry_on_sigpipe => {
                return Some(NotRetried::BrokenPipe);
            }
            _ => {}
        }
        let cannot_run = matches!(f.failure, Failure::CannotRun { .. })
            || code.is_some_and(|c| c == 126 || c == 127);
        if cannot_run {
            return Some(NotRetried::CannotRun);
        }
        if in_set(&self.stop_on_exit) {
            return Some(NotRetried::StopOnExit);
        }
        match (&self.retry_on_exit, &f.failure) {
            (Some(set), Failure::Exit(c)) if !set.contains(*c) => {
                Some(NotRetried::NotInRetryOnExit)
            }
            _ => None,
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
    fn a_broken_pipe_is_not_retried_unless_asked() {
        let sigpipe = failed(Failure::Signal(libc::SIGPIPE));
        let rules = RetryRules::default();
        assert_eq!(rules.not_retried(&sigpipe), Some(NotRetried::BrokenPipe));
        let rules = RetryRules {
            retry_on_sigpipe: true,
            ..RetryRules::default()
        };
        assert_eq!(rules.not_retried(&sigpipe), None);
        assert_eq!(
            rules.not_retried(&failed(Failure::Signal(libc::SIGKILL))),
            None
        );
    }
}
