//! One attempt, start to end: the command runs in its own process group; persevere waits for
//! it while forwarding signals, pumping output, and enforcing the deadline (SIGTERM to the whole
//! tree, SIGKILL after `--kill-after`). A forwarded signal escalates the same way, as with
//! `timeout -k`: SIGKILL after `--kill-after`, or at once when the same signal comes again. The
//! attempt is over when the command has exited, every process it left behind is gone (stopped
//! the same way) and its output is drained.

use crate::announce::Announcer;
use crate::config::Config;
use crate::guardian::Guardian;
use crate::guardian_pid;
use crate::held::HeldSink;
use crate::outcome::{AttemptFailure, Failure, Status, Stop, Success};
use crate::output::{Pump, Sink};
use crate::output_rules::Seen;
use crate::reaper;
use crate::signals::{FORWARDED, Signals, TIMES_OUT};
use crate::spawn::{self, Launch, SpawnError};
use crate::sys::{self, Change};
use std::fs::File;
use std::io;
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
    /// Its stdin: `None` for persevere's own, or `--replay-stdin`'s spool.
    pub stdin: Option<File>,
    /// Whether it gets the terminal's foreground.
    pub foreground: bool,
    /// persevere's signals.
    pub signals: &'a Signals,
    /// Where messages go.
    pub announcer: &'a Announcer,
    /// The guardian, if persevere has one.
    pub guardian: Option<&'a Guardian>,
    /// The held stdout's spool (`--hold-stdout`).
    pub held: Option<HeldSink>,
}

/// Runs one attempt. `Err` is persevere's own failure.
pub fn run(config: &Config, mut plan: Plan<'_>) -> io::Result<Outcome> {
    // Held stdout goes through a pump, which counts it against --hold-limit.
    let held = plan.held.take();
    let launch = Launch {
        config,
        attempt: plan.attempt,
        stdin: plan.stdin.take(),
        hold_stdout: held.is_some(),
        foreground: plan.foreground,
        guardian: plan
            .guardian
            .filter(|_| guardian_pid::pid().is_some())
            .map(Guardian::announce_fd),
    };
    let child = match spawn::spawn(launch) {
        Ok(child) => child,
        Err(SpawnError::Command(failure)) => return Ok(Err(failure)),
        Err(SpawnError::Internal(err)) => return Err(err),
    };
    let pid = child.pid;
    let mut pumps: Vec<Pump> = Vec::new();
    let stdout_sink = held.map_or(Sink::Stdout, Sink::Held);
    pumps.extend(child.stdout.map(|out| Pump::new(out, stdout_sink)));
    pumps.extend(child.stderr.map(|err| Pump::new(err, Sink::Stderr)));
    let mut watch = Watch {
        pid,
        foreground: plan.foreground,
        status: None,
        children_left: true,
        stopped: None,
        interrupted: None,
        received: 0,
        terminated: false,
        kill_at: None,
        killed: false,
        spared: false,
    };
    let mut seen = Seen::default();
    if let Err(err) = supervise(config, &plan, &mut watch, &mut pumps, &mut seen) {
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
    plan: &Plan<'_>,
    watch: &mut Watch,
    pumps: &mut [Pump],
    seen: &mut Seen,
) -> io::Result<()> {
    let (deadline, signals) = (plan.deadline, plan.signals);
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
            watch.terminate(config.signal, config.kill_after, now);
        }
        if watch.status.is_some() && watch.leftovers() && !watch.terminated {
            // What a successful attempt started on purpose (a daemon) is the user's; what a
            // failed one left behind is debris (design §6).
            if watch.succeeded() && !config.cleanup_on_success && succeeded(config, pumps, seen)? {
                plan.announcer
                    .leftovers_spared(&reaper::described(&reaper::descendants()));
                watch.spared = true;
            } else {
                plan.announcer
                    .leftovers_stopped(&reaper::described(&reaper::descendants()));
                watch.terminate(config.signal, config.kill_after, now);
            }
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
                watch.forward(signal, config.kill_after, plan.announcer);
            } else if signal == TIMES_OUT && watch.status.is_none() && watch.stopped.is_none() {
                watch.stopped = Some(Stop::Timeout);
                watch.terminate(config.signal, config.kill_after, Instant::now());
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

/// Whether an attempt whose command exited 0 while it left processes running succeeded: its
/// output so far passes the output rules. Those processes may hold the pipes open for ever,
/// so what the pipes hold now is read, and then they are closed.
fn succeeded(config: &Config, pumps: &mut [Pump], seen: &mut Seen) -> io::Result<bool> {
    // Bounded: a process that writes without a pause would keep this loop going.
    for _ in 0..64 {
        let fds: Vec<_> = pumps.iter().filter_map(Pump::fd).collect();
        if fds.is_empty() {
            break;
        }
        let revents = sys::poll(&fds, Some(Duration::ZERO))?;
        if revents.iter().all(|&r| r == 0) {
            break;
        }
        for pump in pumps.iter_mut() {
            let ready = pump
                .fd()
                .and_then(|fd| fds.iter().position(|&p| p == fd))
                .is_some_and(|i| revents[i] != 0);
            if ready {
                pump.pump(&config.output, seen);
            }
        }
    }
    for pump in pumps.iter_mut() {
        pump.close(&config.output, seen);
    }
    Ok(seen.failed_rule(&config.output).is_none())
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
    /// The first signal persevere received and forwarded.
    interrupted: Option<i32>,
    /// Every forwarded signal received so far, one bit per signal number.
    received: u64,
    /// Whether the whole tree got SIGTERM (at the deadline, or for leftovers).
    terminated: bool,
    /// When SIGKILL follows the SIGTERM (or forwarded signal) already sent.
    kill_at: Option<Instant>,
    killed: bool,
    /// The attempt succeeded and what it left keeps running.
    spared: bool,
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
                Ok(Some((pid, _))) if Some(pid) == guardian_pid::pid() => guardian_pid::lost(),
                Ok(Some(_)) => {}
                Ok(None) => {
                    // Only what the attempt left counts, not the guardian; and only once the
                    // command has ended (before, nobody asks).
                    self.children_left = self.status.is_some() && reaper::other_children();
                    return;
                }
                Err(_) => {
                    self.children_left = false;
                    return;
                }
            }
        }
    }

    /// Whether the command exited 0 on its own (not stopped, not interrupted).
    fn succeeded(&self) -> bool {
        self.status == Some(Status::Exited(0))
            && self.stopped.is_none()
            && self.interrupted.is_none()
    }

    /// Whether processes of the attempt outlive the command (and are to be stopped).
    fn leftovers(&self) -> bool {
        if self.spared {
            false
        } else if cfg!(any(target_os = "linux", target_os = "android")) {
            self.children_left
        } else {
            sys::group_exists(self.pid)
        }
    }

    /// Passes a signal persevere received on to the attempt's group. A command may ignore it, so
    /// SIGKILL follows after `grace` (as `timeout -k` does), and at once if the same signal
    /// comes again: an operator who repeats it means it.
    fn forward(&mut self, signal: i32, grace: Duration, announcer: &Announcer) {
        let bit = 1u64 << (signal as u32 % 64);
        let again = self.received & bit != 0;
        self.received |= bit;
        self.interrupted.get_or_insert(signal);
        let now = Instant::now();
        if again {
            announcer.escalated(signal);
            reaper::signal_tree(self.pid, libc::SIGKILL);
            self.kill_at = Some(now);
            self.killed = true;
        } else {
            sys::kill(-self.pid, signal);
            let kill_at = *self.kill_at.get_or_insert(now + grace);
            announcer.forwarded(signal, kill_at.saturating_duration_since(now));
        }
    }

    /// `signal` (SIGTERM unless --signal) to the whole tree; SIGKILL follows after `grace`.
    /// An earlier SIGKILL, already due for a forwarded signal, stays.
    fn terminate(&mut self, signal: i32, grace: Duration, now: Instant) {
        reaper::signal_tree(self.pid, signal);
        self.terminated = true;
        self.kill_at = Some(self.kill_at.map_or(now + grace, |at| at.min(now + grace)));
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
