//! The driver: the code-block form of the core's policy around child processes. The policy
//! decides; this loop runs attempts and sleeps, and a signal during a sleep ends the run.

use crate::announce::Announcer;
use crate::attempt::{self, Plan};
use crate::breaker::CliBreaker;
use crate::budget::CliBudget;
use crate::config::Config;
use crate::ending::GiveUpReason;
use crate::environment;
use crate::guardian::Guardian;
use crate::held::HeldStdout;
use crate::outcome::{AttemptFailure, Failure, Status, Stop};
use crate::replay::Spool;
use crate::signals::{FORWARDED, Signals};
use crate::sys;
use persevere::Next;
use std::io::{self, IsTerminal};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the terminal's status line counts down.
const STATUS_TICK: Duration = Duration::from_millis(100);

/// How a run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Exit with this status.
    Exit(u8),
    /// persevere received this signal and stops because of it: it ends by the same signal, as
    /// shells and `timeout` do, so that its caller sees a death by signal and not an exit.
    Signal(i32),
}

/// Runs the command until the policy is done; says how persevere ends. `Err` is persevere's
/// own failure.
pub fn run(
    config: &Config,
    announcer: Arc<Announcer>,
    guards: (CliBudget, CliBreaker),
) -> io::Result<Ending> {
    // Not fatal: without it (an old kernel, another OS) a `setsid` descendant can escape.
    let _ = sys::become_subreaper();
    let mut spool = match config.replay_stdin {
        true => Some(Spool::from_stdin()?),
        false => None,
    };
    let mut held = match config.hold_stdout {
        true => Some(HeldStdout::new(config.hold_limit)?),
        false => None,
    };
    // Before the first attempt: from then on, a SIGKILL of persevere leaves nothing behind.
    let guardian = Guardian::start();
    environment::prepare(&config.option_env, config.attempts_at_most);
    let signals = Signals::install()?;
    let foreground = spool.is_none()
        && io::stdin().is_terminal()
        && sys::foreground_group(libc::STDIN_FILENO) == Some(sys::getpgrp());
    if foreground {
        // Taking the terminal back from an attempt's group makes persevere a background
        // process calling tcsetpgrp, which SIGTTOU would stop.
        sys::ignore_signal(libc::SIGTTOU);
    }
    // The call starts here, after the set-up (`--max-time` counts from here, not from the
    // reading of `--replay-stdin`'s input).
    let policy = config.policy(&announcer, guards);
    let mut retrying = policy.begin_as(&announcer.command);
    // An open breaker refuses the first attempt: the command is not run (the core says so,
    // through the policy's `on_giveup`).
    if let Some(refused) = retrying.refused() {
        return Ok(match refused {
            Ok(_) => Ending::Exit(0),
            Err(failure) => ending(&failure, config.preserve_status),
        });
    }
    loop {
        // The core's view of the next attempt: its number and the time left before
        // `--max-time` (the run keeps no deadline of its own).
        let next = retrying.attempt();
        let attempt_number = next.number();
        announcer.attempt_starts(attempt_number);
        let now = Instant::now();
        let deadline = [
            config.timeout.map(|t| (now + t, Stop::Timeout)),
            next.time_left().map(|left| (now + left, Stop::MaxTime)),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|(at, _)| *at);
        let stdin = match &mut spool {
            Some(spool) => Some(spool.stdin()?),
            None => None,
        };
        let plan = Plan {
            attempt: attempt_number,
            deadline,
            stdin,
            foreground,
            signals: &signals,
            announcer: &announcer,
            guardian: guardian.as_ref(),
            held: held.as_mut().map(HeldStdout::for_attempt).transpose()?,
        };
        let outcome = attempt::run(config, plan);
        if let Some(guardian) = &guardian {
            guardian.attempt_over();
        }
        if foreground {
            sys::set_foreground_group(libc::STDIN_FILENO, sys::getpgrp());
        }
        let outcome = outcome?;
        if foreground && let Some(signal) = terminal_interrupt(&outcome) {
            // Ctrl-C reached only the attempt, which had the terminal: the caller (a script
            // in persevere's group) never saw it, and would go on. Deliver it to persevere's
            // own group as the terminal would have, had the attempt not had its own: the
            // script stops, as with `timeout --foreground` (and persevere ends by it).
            sys::kill(0, signal);
            if let Some(held) = &mut held {
                held.release(false, &signals)?;
            }
            if let Err(failure) = &outcome {
                let reason = Some(GiveUpReason::Signal(signal));
                announcer.giveup(attempt_number, failure, reason, retrying.elapsed());
            }
            return Ok(Ending::Signal(signal));
        }
        if let Some(held) = &mut held
            && let Some(signal) = held.release(outcome.is_ok(), &signals)?
        {
            // A signal during the copy of held output ends the run, as during a wait.
            if let Err(failure) = &outcome {
                let reason = Some(GiveUpReason::Signal(signal));
                announcer.giveup(attempt_number, failure, reason, retrying.elapsed());
            }
            return Ok(Ending::Signal(signal));
        }
        // Kept for the final event, should a signal end the wait that may follow.
        let last = outcome.as_ref().err().cloned();
        match retrying.check(outcome) {
            Next::Done(Ok(_)) => return Ok(Ending::Exit(0)),
            Next::Done(Err(failure)) => return Ok(ending(&failure, config.preserve_status)),
            Next::Retry(wait) => {
                if let Some(signal) = sleep(wait, &signals, &announcer, attempt_number + 1)? {
                    if let Some(failure) = &last {
                        let reason = Some(GiveUpReason::Signal(signal));
                        announcer.giveup(attempt_number, failure, reason, retrying.elapsed());
                    }
                    return Ok(Ending::Signal(signal));
                }
            }
        }
    }
}

/// The signal of a terminal's Ctrl-C (SIGINT) or Ctrl-\ (SIGQUIT) that killed an attempt
/// holding the terminal, when persevere did not send it. A command that handles SIGINT and exits is not told apart
/// from an ordinary failure (nor is it by a shell).
fn terminal_interrupt(outcome: &attempt::Outcome) -> Option<i32> {
    match outcome {
        Err(AttemptFailure {
            failure: Failure::Signal(signal @ (libc::SIGINT | libc::SIGQUIT)),
            interrupted: None,
        }) => Some(*signal),
        _ => None,
    }
}

/// The end after the last failed attempt. An attempt that persevere interrupted and that died
/// by a signal (the forwarded one, or SIGKILL after it) ends persevere by the signal it
/// received; one that handled the signal and exited ends it with that exit status, as in a
/// shell.
fn ending(failure: &AttemptFailure, preserve_status: bool) -> Ending {
    let died_by_signal = matches!(
        failure.failure,
        Failure::Signal(_) | Failure::Stopped(_, Status::Signaled(_))
    );
    match failure.interrupted {
        Some(signal) if died_by_signal => Ending::Signal(signal),
        _ => Ending::Exit(failure.exit_status(preserve_status)),
    }
}

/// Waits `wait`, showing the status line on a terminal. Returns the forwarded signal that
/// ended the wait early, if any.
fn sleep(
    wait: Duration,
    signals: &Signals,
    announcer: &Announcer,
    next_try: u32,
) -> io::Result<Option<i32>> {
    let end = Instant::now() + wait;
    let result = loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break None;
        }
        announcer.show_status(left, next_try);
        let tick = if announcer.status_line {
            left.min(STATUS_TICK)
        } else {
            left
        };
        sys::poll(&[signals.fd()], Some(tick))?;
        if let Some(signal) = signals.drain().into_iter().find(|s| FORWARDED.contains(s)) {
            break Some(signal);
        }
    };
    announcer.clear_status();
    Ok(result)
}
