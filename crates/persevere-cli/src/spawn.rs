//! Starting one attempt: the command in its own process group, with the attempt's environment,
//! and the terminal's foreground when persevere has it.

use crate::config::Config;
use crate::environment;
use crate::guardian;
use crate::outcome::{AttemptFailure, Failure};
use crate::sys;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// How to start one attempt.
pub struct Launch<'a> {
    /// The run's configuration.
    pub config: &'a Config,
    /// This attempt's number (1-based).
    pub attempt: u32,
    /// The attempt's stdin: `None` for persevere's own, or a file (`--replay-stdin`'s spool).
    pub stdin: Option<File>,
    /// Whether the attempt's stdout is held (`--hold-stdout`): then it is a pipe.
    pub hold_stdout: bool,
    /// Whether to hand the attempt the terminal on stdin (persevere has it in the foreground).
    pub foreground: bool,
    /// The guardian's socket, to announce the attempt's process group on; `None` without a
    /// guardian.
    pub guardian: Option<RawFd>,
}

/// A started attempt: its pid, and the read ends of its stdout and stderr when they are pipes.
#[derive(Debug)]
pub struct Started {
    /// The command's pid, also its process group.
    pub pid: libc::pid_t,
    /// The command's stdout, when it is a pipe.
    pub stdout: Option<OwnedFd>,
    /// The command's stderr, when it is a pipe.
    pub stderr: Option<OwnedFd>,
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
pub fn spawn(launch: Launch<'_>) -> Result<Started, SpawnError> {
    let config = launch.config;
    // The environment is persevere's own, prepared by `environment.rs`.
    environment::set_attempt(launch.attempt);
    let internal = SpawnError::Internal;
    let stdout = match config.output.any() || launch.hold_stdout {
        true => Some(Pipe::new().map_err(internal)?),
        false => None,
    };
    let stderr = match config.output.any() {
        true => Some(Pipe::new().map_err(internal)?),
        false => None,
    };
    let before_exec = BeforeExec {
        foreground: launch.foreground,
        keep_sigpipe_ignored: sys::sigpipe_ignored_at_start(),
        guardian: launch.guardian,
        parent: sys::getpid(),
    };
    let stdio = [
        launch.stdin.as_ref().map(AsRawFd::as_raw_fd),
        stdout.as_ref().map(|pipe| pipe.write.as_raw_fd()),
        stderr.as_ref().map(|pipe| pipe.write.as_raw_fd()),
    ];
    let pid = start(&config.command, stdio, &before_exec).map_err(classify)?;
    // The child's ends close here: the command holds its own copies.
    Ok(Started {
        pid,
        stdout: stdout.map(|pipe| pipe.read),
        stderr: stderr.map(|pipe| pipe.read),
    })
}

/// Linux: a child that shares persevere's memory until exec (`clone_exec.rs`).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn start(
    command: &[OsString],
    stdio: [Option<RawFd>; 3],
    before_exec: &BeforeExec,
) -> io::Result<libc::pid_t> {
    crate::clone_exec::Exec::new(command, stdio, before_exec)?.spawn()
}

/// Elsewhere: std's spawn, which forks when given a step to run before exec.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn start(
    command: &[OsString],
    stdio: [Option<RawFd>; 3],
    before_exec: &BeforeExec,
) -> io::Result<libc::pid_t> {
    use std::os::fd::BorrowedFd;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..]);
    let [stdin, stdout, stderr] = stdio;
    let to_stdio = |fd: Option<RawFd>| -> io::Result<Stdio> {
        Ok(match fd {
            // SAFETY: the caller keeps `fd` open for the whole call; std gets a duplicate.
            Some(fd) => Stdio::from(unsafe { BorrowedFd::borrow_raw(fd) }.try_clone_to_owned()?),
            None => Stdio::inherit(),
        })
    };
    cmd.stdin(to_stdio(stdin)?)
        .stdout(to_stdio(stdout)?)
        .stderr(to_stdio(stderr)?);
    let before_exec = *before_exec;
    // SAFETY: `BeforeExec::run` calls only async-signal-safe functions (see there) and
    // touches nothing shared with the parent: the closure holds a copy.
    unsafe {
        cmd.pre_exec(move || before_exec.run().map_err(io::Error::from_raw_os_error));
    }
    Ok(cmd.spawn()?.id() as libc::pid_t)
}

/// persevere's steps in the child, before exec, after its stdio is in place.
#[derive(Debug, Clone, Copy)]
pub struct BeforeExec {
    /// Hand the attempt the terminal on stdin.
    foreground: bool,
    /// The caller had SIGPIPE ignored: the command gets it ignored too.
    keep_sigpipe_ignored: bool,
    /// The guardian's socket.
    guardian: Option<RawFd>,
    /// persevere's pid.
    parent: libc::pid_t,
}

impl BeforeExec {
    /// Runs the steps; the error number of the first that failed. Async-signal-safe: it calls
    /// setpgid, getpid, tcsetpgrp, signal, send (through `guardian::announce`), prctl and
    /// getppid (all plain system calls), allocates nothing and takes no lock.
    pub fn run(&self) -> Result<(), libc::c_int> {
        // SAFETY: system calls on integers.
        unsafe {
            // Its own group, so that a timeout or a forwarded signal reaches all of it and
            // nothing else.
            if libc::setpgid(0, 0) != 0 {
                return Err(sys::last_errno());
            }
            if self.foreground {
                // The child is a background process until tcsetpgrp, which would stop it
                // with SIGTTOU if it were not blocked or ignored; it then restores the
                // default, which exec would otherwise keep as ignored.
                libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpid());
                libc::signal(libc::SIGTTOU, libc::SIG_DFL);
            }
            if self.keep_sigpipe_ignored {
                // The spawn reset it to the default just before these steps.
                libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            }
        }
        match self.guardian {
            // The attempt's group (its pid, as group leader) reaches the guardian before the
            // command runs: no moment when persevere could die with the attempt unannounced.
            Some(fd) => guardian::announce(fd, sys::getpid()),
            None => die_with_parent(self.parent)?,
        }
        Ok(())
    }
}

/// A pipe for one of the attempt's outputs: persevere reads, the command writes. Both ends
/// close on exec; the child puts the write end on 1 or 2 with dup2, which clears that flag.
struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl Pipe {
    fn new() -> io::Result<Pipe> {
        let mut fds = [0; 2];
        // SAFETY: `fds` is a live array of two c_ints that pipe2 fills.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 succeeded: both descriptors are new and owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        Ok(Pipe { read, write })
    }
}

/// Without a guardian: the kernel kills the command when persevere dies (the thread that
/// forked it, which is persevere's only thread). Should persevere already be dead (the child
/// was reparented before the request), the command does not start. Runs between fork and exec.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn die_with_parent(parent: libc::pid_t) -> Result<(), libc::c_int> {
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes integers; getppid takes none. Both are plain
    // system calls, safe between fork and exec.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        if libc::getppid() != parent {
            return Err(libc::ESRCH);
        }
    }
    Ok(())
}

/// Elsewhere there is no parent-death signal.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn die_with_parent(_parent: libc::pid_t) -> Result<(), libc::c_int> {
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
