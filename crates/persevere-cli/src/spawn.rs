//! Starting one attempt: the command in its own process group, with the attempt's environment,
//! and the terminal's foreground when persevere has it.

use crate::config::Config;
use crate::outcome::{AttemptFailure, Failure};
use std::io;
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
    /// Whether to hand the attempt the terminal on stdin (persevere has it in the foreground).
    pub foreground: bool,
}

/// Why an attempt did not start.
#[derive(Debug)]
pub enum SpawnError {
    /// The command cannot run: an attempt failure (127 or 126).
    Command(AttemptFailure),
    /// persevere itself failed (no pipes, no processes left...).
    Internal(io::Error),
}

/// Starts the attempt. Its stdout and stderr are pipes when output rules are given.
pub fn spawn(launch: Launch<'_>) -> Result<Child, SpawnError> {
    let config = launch.config;
    let mut cmd = Command::new(&config.command[0]);
    cmd.args(&config.command[1..]);
    for name in &config.option_env {
        cmd.env_remove(name);
    }
    cmd.env("PERSEVERE_ATTEMPT", launch.attempt.to_string());
    let max = config.max_tries.map(|n| n.to_string()).unwrap_or_default();
    cmd.env("PERSEVERE_ATTEMPTS", max);
    cmd.stdin(launch.stdin);
    if config.output.any() {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    // Its own group, so that a timeout or a forwarded signal reaches all of it and nothing
    // else.
    cmd.process_group(0);
    if launch.foreground {
        // SAFETY: the closure runs in the forked child before exec, where only
        // async-signal-safe functions may be called: it calls setpgid, getpid, tcsetpgrp and
        // signal (all on POSIX's async-signal-safe list), allocates nothing, takes no lock and
        // touches no state shared with the parent. The child is a background process until
        // tcsetpgrp, which would stop it with SIGTTOU, but it inherits persevere's SIG_IGN for
        // SIGTTOU; it then restores the default, which exec would otherwise keep as ignored.
        unsafe {
            cmd.pre_exec(|| {
                libc::setpgid(0, 0);
                libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpid());
                libc::signal(libc::SIGTTOU, libc::SIG_DFL);
                Ok(())
            });
        }
    }
    cmd.spawn().map_err(classify)
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
