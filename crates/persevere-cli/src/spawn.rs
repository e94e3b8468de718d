//! Starting one attempt: the command in its own process group, with the attempt's environment,
//! and the terminal's foreground when persevere has it.

use crate::config::Config;
use crate::environment;
use crate::guardian;
use crate::outcome::{AttemptFailure, Failure};
use crate::sys;
use std::io;
use std::os::fd::RawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// How to start one attempt.
pub struct Launch<'a> {
    /// The run's configuration.
    pub config: &'a Config,
    /// This attempt's number (1-based).
    pub attempt: u32,
    /// The attempt's stdin.
    pub stdin: Stdio,
    /// Whether the attempt's stdout is held (`--hold-stdout`): then it is a pipe.
    pub hold_stdout: bool,
    /// Whether to hand the attempt the terminal on stdin (persevere has it in the foreground).
    pub foreground: bool,
    /// The guardian's socket, to announce the attempt's process group on; `None` without a
    /// guardian.
    pub guardian: Option<RawFd>,
}

/// Why an attempt did not start.
#[derive(Debug)]
pub enum SpawnError {
    /// The command cannot run: an attempt failure (127 or 126).
    Command(AttemptFailure),
    /// persevere itself failed (no pipes, no processes left...).
    Internal(io::Error),
}

/// Starts the attempt. Its stdout and stderr are pipes when output rules are given; its stdout
/// is a pipe with `--hold-stdout`.
pub fn spawn(launch: Launch<'_>) -> Result<Child, SpawnError> {
    let config = launch.config;
    let mut cmd = Command::new(&config.command[0]);
    cmd.args(&config.command[1..]);
    // The environment is persevere's own, prepared by `environment.rs`.
    environment::set_attempt(launch.attempt);
    cmd.stdin(launch.stdin);
    if config.output.any() {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else if launch.hold_stdout {
        cmd.stdout(Stdio::piped());
    }
    // Its own group, so that a timeout or a forwarded signal reaches all of it and nothing
    // else.
    cmd.process_group(0);
    let (foreground, guardian, parent) = (launch.foreground, launch.guardian, sys::getpid());
    let keep_sigpipe_ignored = sys::sigpipe_ignored_at_start();
    // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
    // functions may be called: it calls setpgid, getpid, tcsetpgrp, signal, send (through
    // `guardian::announce`), prctl and getppid (all async-signal-safe system calls), allocates
    // nothing (`io::Error::from_raw_os_error` stores an integer), takes no lock and touches no
    // state shared with the parent: it captures three integers and a bool by value.
    unsafe {
        cmd.pre_exec(move || {
            if foreground {
                // The child is a background process until tcsetpgrp, which would stop it with
                // SIGTTOU, but it inherits persevere's SIG_IGN for SIGTTOU; it then restores
                // the default, which exec would otherwise keep as ignored.
                libc::setpgid(0, 0);
                libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpid());
                libc::signal(libc::SIGTTOU, libc::SIG_DFL);
            }
            if keep_sigpipe_ignored {
                // std reset it to the default just before this closure runs.
                libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            }
            match guardian {
                // The attempt's group (its pid, as group leader) reaches the guardian before
                // the command runs: no moment when persevere could die with the attempt
                // unannounced.
                Some(fd) => guardian::announce(fd, libc::getpid()),
                None => die_with_parent(parent)?,
            }
            Ok(())
        });
    }
    cmd.spawn().map_err(classify)
}

/// Without a guardian: the kernel kills the command when persevere dies (the thread that
/// forked it, which is persevere's only thread). Should persevere already be dead (the child
/// was reparented before the request), the command does not start. Runs between fork and exec.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn die_with_parent(parent: libc::pid_t) -> io::Result<()> {
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes integers; getppid takes none. Both are plain
    // system calls, safe between fork and exec.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        if libc::getppid() != parent {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
    }
    Ok(())
}

/// Elsewhere there is no parent-death signal.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn die_with_parent(_parent: libc::pid_t) -> io::Result<()> {
    Ok(())
}

/// 127 when the command is not found, 126 when it cannot be executed (as shells, env and
/// timeout say); other errors are persevere's own.
fn classify(err: io::Error) -> SpawnError {
    let code = match err.raw_os_error() {
        Some(libc::ENOENT | libc::ENOTDIR) => 127,
        Some(
            libc::EACCES
            | libc::EPERM
            | libc::ENOEXEC
            | libc::EISDIR
            | libc::ELOOP
            | libc::ETXTBSY
            | libc::E2BIG
            | libc::ENAMETOOLONG,
        ) => 126,
        _ => return SpawnError::Internal(err),
    };
    let reason = match code {
        127 => "command not found".to_string(),
        _ => strip_os_error(&err),
    };
    SpawnError::Command(AttemptFailure {
        failure: Failure::CannotRun { code, reason },
        interrupted: None,
    })
}

/// `Permission denied (os error 13)` without the number.
fn strip_os_error(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text.to_lowercase(),
    }
}
