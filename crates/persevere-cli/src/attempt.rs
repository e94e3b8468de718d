//! One attempt, start to end: the command runs in its own process group; persevere waits for
//! it while forwarding signals, pumping output, and enforcing the deadline (SIGTERM to the whole
//! tree, SIGKILL after `--kill-after`). The attempt is over when the command has exited, every
//! process it left behind is gone (stopped the same way) and its output is drained.

use crate::config::Config;
use crate::outcome::{AttemptFailure, Failure, Status, Stop, Success};
use crate::output::{Pump, Seen, Sink};
use crate::reaper;
use crate::signals::{FORWARDED, Signals};
use crate::spawn::{self, Launch, SpawnError};
use crate::sys::{self, Change};
use std::io;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How often a tree that is being killed is searched again for processes that were reparented
/// to persevere meanwhile.
const RESCAN: Duration = Duration::from_millis(10);

/// The outcome of one attempt, as the policy judges it.
pub type Outcome = Result<Success, AttemptFailure>;

/// What one attempt needs besides the configuration.
pub struct Plan<'a> {
    /// The attempt's number (1-based).
    pub attempt: u32,
    /// When to stop it, and why: the earlier of `--timeout` and `--max-time`.
    pub deadline: Option<(Instant, Stop)>,
    /// Its stdin.
    pub stdin: Stdio,
    /// Whether it gets the terminal's foreground.
    pub foreground: bool,
    /// persevere's signals.
    pub signals: &'a Signals,
}

/// Runs one attempt. `Err` is persevere's own failure.
pub fn run(config: &Config, plan: Plan<'_>) -> io::Result<Outcome> {
    let launch = Launch {
        config,
        attempt: plan.attempt,
        stdin: plan.stdin,
        foreground: plan.foreground,
    };
    let mut child = match spawn::spawn(launch) {
        Ok(child) => child,
        Err(SpawnError::Command(failure)) => return Ok(Err(failure)),
        Err(SpawnError::Internal(err)) => return Err(err),
    };
    let pid = child.id() as libc::pid_t;
    let mut pumps: Vec<Pump> = Vec::new();
    pumps.extend(child.stdout.take().map(|out| Pump::new(out, Sink::Stdout)));
    pumps.extend(child.stderr.take().map(|err| Pump::new(err, Sink::Stderr)));
    let mut watch = Watch {
        pid,
        foreground: plan.foreground,
        status: None,
        children_left: true,
        stopped: None,
        interrupted: None,
        kill_at: None,
        killed: false,
    };
    let mut seen = Seen::default();
    if let Err(err) = supervise(
        config,
        plan.deadline,
        plan.signals,
        &mut watch,
        &mut pumps,
        &mut seen,
    ) {
        // persevere cannot go on: leave nothing running behind it.
        reaper::signal_tree(pid, libc::SIGKILL);
        return Err(err);
    }
    let status = watch.status.unwrap_or(Status::Signaled(libc::SIGKILL));
    let failure = match (watch.stopped, status) {
        (Some(why), status) => Some(Failure::Stopped(why, status)),
        (None, Status::Signaled(signal)) => Some(Failure::Signal(signal)),
        (None, Status::Exited(0)) => seen.failed_rule(&config.output).map(Failure::Output),
        (None, Status::Exited(code)) => Some(Failure::Exit(code)),
    };
    Ok(match failure {
        None => Ok(Success),
        Some(failure) => Err(AttemptFailure {
            failure,
            interrupted: watch.interrupted,
        }),
    })
}

/// Waits until the command has ended, its leftovers are gone and its output is drained, while
/// forwarding signals, pumping output and enforcing the deadline.
fn supervise(
    config: &Config,
    deadline: Option<(Instant, Stop)>,
    signals: &Signals,
    watch: &mut Watch,
    pumps: &mut [Pump],
    seen: &mut Seen,
) -> io::Result<()> {
    let pid = watch.pid;
    loop {
        watch.reap();
        let now = Instant::now();
        if let Some((at, why)) = deadline
            && watch.status.is_none()
            && watch.stopped.is_none()
            && now >= at
        {
            watch.stopped = Some(why);
            watch.terminate(config.kill_after, now);
        }
        if watch.status.is_some() && watch.leftovers() && watch.kill_at.is_none() {
            watch.terminate(config.kill_after, now);
        }
        if watch.kill_at.is_some_and(|at| now >= at) {
            reaper::signal_tree(pid, libc::SIGKILL);
            watch.killed = true;
        }
        let fds: Vec<_> = pumps.iter().filter_map(Pump::fd).collect();
        if watch.status.is_some() && !watch.leftovers() && fds.is_empty() {
            return Ok(());
        }
        let timeout = [
            deadline
                .filter(|_| watch.stopped.is_none() && watch.status.is_none())
                .map(|(at, _)| at),
            watch.kill_at.filter(|_| !watch.killed),
        ]
        .into_iter()
        .flatten()
        .map(|at| at.saturating_duration_since(now))
        .chain((watch.killed || (watch.status.is_some() && watch.leftovers())).then_some(RESCAN))
        .min();
        let mut polled = vec![signals.fd()];
        polled.extend(&fds);
        let revents = sys::poll(&polled, timeout)?;
        for signal in signals.drain() {
            if FORWARDED.contains(&signal) {
                watch.interrupted = Some(signal);
                sys::kill(-pid, signal);
            }
        }
        for pump in pumps.iter_mut() {
            let ready = pump
                .fd()
                .and_then(|fd| polled.iter().position(|&p| p == fd))
                .is_some_and(|i| revents[i] != 0);
            if ready {
                pump.pump(&config.output, seen);
            }
        }
    }
}

/// The state of the attempt's processes.
struct Watch {
    pid: libc::pid_t,
    foreground: bool,
    /// How the command ended, once reaped.
    status: Option<Status>,
    /// Whether persevere still had children at the last reap (on Linux, leftovers of the
    /// attempt are reparented to it).
    children_left: bool,
    stopped: Option<Stop>,
    interrupted: Option<i32>,
    /// When SIGKILL follows the SIGTERM already sent.
    kill_at: Option<Instant>,
    killed: bool,
}

impl Watch {
    /// Reaps every child that ended: the command (its status is kept) and any orphan.
    fn reap(&mut self) {
        loop {
            match sys::wait_nohang(-1) {
                Ok(Some((pid, change))) if pid == self.pid => match change {
                    Change::Exited(code) => self.status = Some(Status::Exited(code)),
                    Change::Signaled(signal) => self.status = Some(Status::Signaled(signal)),
                    Change::Stopped(_) => self.suspend(),
                },
                Ok(Some(_)) => {}
                Ok(None) => {
                    self.children_left = true;
                    return;
                }
                Err(_) => {
                    self.children_left = false;
                    return;
                }
            }
        }
    }

    /// Whether processes of the attempt outlive the command.
    fn leftovers(&self) -> bool {
        if cfg!(any(target_os = "linux", target_os = "android")) {
            self.children_left
        } else {
            sys::group_exists(self.pid)
        }
    }

    /// SIGTERM to the whole tree; SIGKILL follows after `grace`.
    fn terminate(&mut self, grace: Duration, now: Instant) {
        reaper::signal_tree(self.pid, libc::SIGTERM);
        self.kill_at = Some(now + grace);
    }

    /// The command was stopped from the terminal (Ctrl-Z): persevere takes the terminal back
    /// and stops too, so that the shell regains control; when continued (`fg`), it hands the
    /// terminal back and continues the command.
    fn suspend(&mut self) {
        if !self.foreground {
            return;
        }
        let own = sys::getpgrp();
        sys::set_foreground_group(libc::STDIN_FILENO, own);
        sys::kill(sys::getpid(), libc::SIGTSTP);
        sys::set_foreground_group(libc::STDIN_FILENO, self.pid);
        sys::kill(-self.pid, libc::SIGCONT);
    }
}
