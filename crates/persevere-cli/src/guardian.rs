//! The guardian: a small process that outlives persevere only to stop the running attempt when
//! persevere itself dies without cleaning up (SIGKILL, a crash, the OOM killer).
//!
//! Why a process: nothing runs in a process killed by SIGKILL, and the kernel's parent-death
//! signal (`PR_SET_PDEATHSIG`) reaches only a direct child, not what the attempt starts (a
//! script's background jobs, a build's compilers). So persevere forks a guardian (named
//! `persevere-guard`, in its own process group so that a signal to persevere's group spares
//! it; a fork, not a new program, which costs less at start-up) and holds one end of a socket
//! whose other end is the guardian's stdin. Each
//! attempt announces its process group before it execs the command (from the forked child, so
//! there is no moment when an attempt runs unannounced), and persevere announces `0` once an
//! attempt and everything it left are gone. The guardian reads until the socket closes: when
//! persevere exits normally the last word is `0` and it just exits; when persevere died during
//! an attempt, it stops that attempt's process group and every descendant of its members
//! (SIGSTOP first, so that nothing forks away, then SIGKILL).
//!
//! What it cannot reach: a process that left the attempt's process group (`setsid`) and whose
//! parent had already exited, so that it was persevere's child when persevere died. persevere
//! stops those when an attempt ends; after a SIGKILL of persevere no record of them is left.
//!
//! Without a guardian (it could not start, or was killed), each attempt's command gets
//! `PR_SET_PDEATHSIG` instead: it dies with persevere, what it started may not.

use crate::guardian_pid;
use crate::reaper;
use crate::sys;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// How many times the guardian looks for processes that forked before SIGSTOP reached them.
const ROUNDS: usize = 100;

/// persevere's end of the socket to its guardian.
#[derive(Debug)]
pub struct Guardian {
    socket: OwnedFd,
}

impl Guardian {
    /// Starts the guardian; `None` if it cannot start (then attempts fall back to the
    /// parent-death signal).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub fn start() -> Option<Guardian> {
        let mut fds = [0; 2];
        // SAFETY: `fds` is a live array of two c_ints that socketpair fills.
        let r = unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
                0,
                fds.as_mut_ptr(),
            )
        };
        if r != 0 {
            return None;
        }
        // SAFETY: socketpair succeeded: both descriptors are new and owned by nobody else.
        let (ours, theirs) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let parent = sys::getpid();
        // SAFETY: fork is sound here because persevere has a single thread: the child is a
        // complete copy of a consistent process, in which no lock or allocator state belongs
        // to a thread that does not exist there, so it may run any code. It never returns
        // from this function: `become_guardian` ends with an exit. The parent only checks the
        // result.
        let pid = unsafe { libc::fork() };
        match pid {
            -1 => return None,
            0 => {
                drop(ours);
                become_guardian(theirs, parent);
            }
            _ => {}
        }
        drop(theirs);
        guardian_pid::set(pid);
        Some(Guardian { socket: ours })
    }

    /// Elsewhere there is no /proc to find an attempt's processes.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub fn start() -> Option<Guardian> {
        None
    }

    /// The descriptor an attempt's child writes its pid to, before exec (it is close-on-exec).
    pub fn announce_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// The attempt and everything it left are gone: nothing to guard.
    pub fn attempt_over(&self) {
        announce(self.socket.as_raw_fd(), 0);
    }
}

/// Sends `pgid` on the socket `fd`. Async-signal-safe: the forked child calls it before exec.
/// A guardian that is gone makes it fail, without SIGPIPE (`MSG_NOSIGNAL`).
pub fn announce(fd: RawFd, pgid: libc::pid_t) {
    let bytes = pgid.to_ne_bytes();
    // SAFETY: `bytes` is a live 4-byte buffer; send copies it and keeps no pointer.
    unsafe {
        libc::send(fd, bytes.as_ptr().cast(), bytes.len(), libc::MSG_NOSIGNAL);
    }
}

/// The guardian's life, in the forked child: detach from everything persevere holds, read
/// announcements until persevere is gone, then stop the attempt it left running, if any.
fn become_guardian(socket: OwnedFd, persevere: libc::pid_t) -> ! {
    let fd = socket.as_raw_fd();
    // SAFETY: plain system calls on integers and NUL-terminated literals. The socket moves to
    // fd 0 and /dev/null to 1 and 2; every other descriptor (persevere's pipes, files, the
    // caller's) is closed, so that the guardian keeps nothing open that a reader waits on.
    unsafe {
        // Its own process group: Ctrl-C and a signal to persevere's group do not reach it.
        libc::setpgid(0, 0);
        libc::dup2(fd, 0);
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        libc::dup2(null, 1);
        libc::dup2(null, 2);
        close_from(3);
        libc::chdir(c"/".as_ptr());
        // Its name in ps -o comm, top and /proc/PID/comm (15 bytes at most).
        libc::prctl(libc::PR_SET_NAME, c"persevere-guard".as_ptr(), 0, 0, 0);
    }
    std::mem::forget(socket);
    let mut running: libc::pid_t = 0;
    let mut stdin = io::stdin().lock();
    let mut word = [0u8; 4];
    while stdin.read_exact(&mut word).is_ok() {
        running = libc::pid_t::from_ne_bytes(word);
    }
    if running > 0 {
        wait_until_dead(persevere);
        stop_orphaned(running);
    }
    // SAFETY: _exit ends the process without running persevere's exit handlers, which
    // belong to persevere.
    unsafe { libc::_exit(0) }
}

/// Closes every descriptor from `first` on (Linux 5.9 and later; on an older kernel the
/// guardian keeps what persevere had open until it exits, right after persevere).
fn close_from(first: libc::c_uint) {
    // SAFETY: close_range takes integers and touches no memory of ours; the descriptors it
    // closes belong to this forked process, which uses none of them afterwards.
    unsafe {
        libc::syscall(libc::SYS_close_range, first, libc::c_uint::MAX, 0);
    }
}

/// A dying process closes its files before the kernel reparents its children; at that step the
/// kernel also sends SIGHUP and SIGCONT to a process group that it leaves orphaned with a
/// stopped member. Stopping the attempt's group before then would have the kernel hang up
/// its members, whose children would escape the search as orphans. So the guardian waits
/// until persevere is a zombie (or reaped): then the reparenting is done. Bounded, in case
/// the pid was reused.
fn wait_until_dead(pid: libc::pid_t) {
    for _ in 0..1000 {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| reaper::state(&stat));
        if !matches!(state, Some(s) if s != 'Z' && s != 'X') {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Stops the process group `pgid` and every descendant of its members: first SIGSTOP, until a
/// search of /proc finds nobody new (a stopped process cannot fork: the kernel restarts a fork
/// while a signal is pending), then SIGKILL to all of them.
fn stop_orphaned(pgid: libc::pid_t) {
    let mut stopped: Vec<libc::pid_t> = Vec::new();
    for _ in 0..ROUNDS {
        sys::kill(-pgid, libc::SIGSTOP);
        let table = reaper::table();
        let new: Vec<libc::pid_t> = reaper::group_and_descendants(&table, pgid)
            .into_iter()
            .filter(|pid| !stopped.contains(pid))
            .collect();
        if new.is_empty() {
            break;
        }
        for &pid in &new {
            sys::kill(pid, libc::SIGSTOP);
        }
        stopped.extend(new);
    }
    sys::kill(-pgid, libc::SIGKILL);
    for pid in stopped {
        sys::kill(pid, libc::SIGKILL);
    }
}
