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
    /// The command cannot run: not found or not executable (126, 127), and `--retry-on-exit`
    /// does not list the code.
    CannotRun,
    /// persevere's stdout has no reader any more (`| head -1`), whatever the attempt's
    /// status: its output would go nowhere.
    ReaderGone,
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
        // A death by signal N counts as 128+N, the status persevere gives for it (as a
        // shell's `$?`): `--stop-on-exit 137` matches a command killed by SIGKILL.
        let code = match f.failure {
            Failure::Signal(signal) => Some(128 + signal),
            _ => f.exit_code(),
        };
        let in_set = |set: &Option<ExitCodes>| {
            code.is_some_and(|c| set.as_ref().is_some_and(|s| s.contains(c)))
        };
        if let Some(signal) = f.interrupted {
            return Some(NotRetried::Interrupted(signal));
        }
        if crate::reader::stdout_gone() {
            return Some(NotRetried::ReaderGone);
        }
        match f.failure {
            Failure::Signal(libc::SIGINT) => return Some(NotRetried::CtrlC),
            Failure::Signal(libc::SIGPIPE) if !self.retry_on_sigpipe => {
                return Some(NotRetried::BrokenPipe);
            }
            _ => {}
        }
        // 126 and 127 say that the command cannot run, which retrying seldom changes; a
        // `--retry-on-exit` that lists them asks for it (a tool that is being installed).
        let cannot_run = match f.failure {
            Failure::CannotRun { code, .. } => Some(code),
            _ => code.filter(|&c| c == 126 || c == 127),
        };
        let asked = |c: i32| self.retry_on_exit.as_ref().is_some_and(|s| s.contains(c));
        if cannot_run.is_some_and(|c| !asked(c)) {
            return Some(NotRetried::CannotRun);
        }
        if in_set(&self.stop_on_exit) {
            return Some(NotRetried::StopOnExit);
        }
        match (&self.retry_on_exit, &f.failure, code) {
            (Some(set), Failure::Exit(_) | Failure::Signal(_), Some(c)) if !set.contains(c) => {
                Some(NotRetried::NotInRetryOnExit)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cannot_run_is_retried_only_when_retry_on_exit_lists_it() {
        let not_found = failed(Failure::CannotRun {
            code: 127,
            reason: "command not found".into(),
        });
        let exit_126 = failed(Failure::Exit(126));
        let default = RetryRules::default();
        assert_eq!(default.not_retried(&not_found), Some(NotRetried::CannotRun));
        assert_eq!(default.not_retried(&exit_126), Some(NotRetried::CannotRun));
        let listed = RetryRules {
            retry_on_exit: Some("1,126-127".parse().unwrap()),
            ..RetryRules::default()
        };
        assert_eq!(listed.not_retried(&not_found), None);
        assert_eq!(listed.not_retried(&exit_126), None);
        let other = RetryRules {
            retry_on_exit: Some("1".parse().unwrap()),
            ..RetryRules::default()
        };
        assert_eq!(other.not_retried(&not_found), Some(NotRetried::CannotRun));
    }

    fn failed(failure: Failure) -> AttemptFailure {
        AttemptFailure {
            failure,
            interrupted: None,
        }
    }

    /// `--stop-on-exit 137` did not match a death by SIGKILL, for which persevere exits 137.
    #[test]
    fn codes_above_128_match_deaths_by_signal() {
        let killed = failed(Failure::Signal(libc::SIGKILL));
        let stop = RetryRules {
            stop_on_exit: Some("137".parse().unwrap()),
            ..RetryRules::default()
        };
        assert_eq!(stop.not_retried(&killed), Some(NotRetried::StopOnExit));
        let retry_only_1 = RetryRules {
            retry_on_exit: Some("1".parse().unwrap()),
            ..RetryRules::default()
        };
        assert_eq!(
            retry_only_1.not_retried(&killed),
            Some(NotRetried::NotInRetryOnExit)
        );
        let retry_137 = RetryRules {
            retry_on_exit: Some("1,137".parse().unwrap()),
            ..RetryRules::default()
        };
        assert_eq!(retry_137.not_retried(&killed), None);
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
