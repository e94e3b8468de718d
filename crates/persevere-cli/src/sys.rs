//! Safe wrappers around the few system calls std does not offer: waiting for any child,
//! signalling process groups, polling, the terminal's foreground group, the subreaper flag.
//!
//! Every `unsafe` block here calls a libc function whose arguments are plain integers or
//! pointers to live, correctly sized local values; none keeps a pointer past the call.

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How a waited-for process changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// It exited with this code.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(i32),
    /// It was stopped (job control) by this signal.
    Stopped(i32),
}

/// `waitpid(pid, WNOHANG | WUNTRACED)`: `Ok(None)` if no child changed, `Err` with `ECHILD`
/// when there is no child to wait for. `pid` -1 waits for any child.
pub fn wait_nohang(pid: libc::pid_t) -> io::Result<Option<(libc::pid_t, Change)>> {
    let mut status: libc::c_int = 0;
    loop {
        // SAFETY: `status` is a live c_int that waitpid writes; the flags are valid.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG | libc::WUNTRACED) };
        if r > 0 {
            let change = if libc::WIFEXITED(status) {
                Change::Exited(libc::WEXITSTATUS(status))
            } else if libc::WIFSIGNALED(status) {
                Change::Signaled(libc::WTERMSIG(status))
            } else {
                Change::Stopped(libc::WSTOPSIG(status))
            };
            return Ok(Some((r, change)));
        }
        if r == 0 {
            return Ok(None);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Sends `signal` to `pid` (a negative pid names a process group). A process that is already
/// gone is not an error.
pub fn kill(pid: libc::pid_t, signal: i32) {
    // SAFETY: kill takes two integers and touches no memory of ours.
    unsafe {
        libc::kill(pid, signal);
    }
}

/// Whether the process group `pgid` still has a member (zombies included).
pub fn group_exists(pgid: libc::pid_t) -> bool {
    // SAFETY: as in `kill`; signal 0 only checks.
    unsafe { libc::kill(-pgid, 0) == 0 }
}

/// This process's id.
pub fn getpid() -> libc::pid_t {
    // SAFETY: getpid has no arguments and cannot fail.
    unsafe { libc::getpid() }
}

/// The calling thread's last error number (async-signal-safe: an integer read, no allocation).
pub fn last_errno() -> libc::c_int {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL)
}

/// This process's process group.
pub fn getpgrp() -> libc::pid_t {
    // SAFETY: getpgrp has no arguments and cannot fail.
    unsafe { libc::getpgrp() }
}

/// The foreground process group of the terminal on `fd`, if `fd` is a terminal that is this
/// process's controlling terminal.
pub fn foreground_group(fd: RawFd) -> Option<libc::pid_t> {
    // SAFETY: tcgetpgrp takes an integer; a bad fd gives -1.
    let pgid = unsafe { libc::tcgetpgrp(fd) };
    (pgid > 0).then_some(pgid)
}

/// Makes `pgid` the foreground group of the terminal on `fd`. The caller ignores SIGTTOU, which
/// a background process would otherwise get for this.
pub fn set_foreground_group(fd: RawFd, pgid: libc::pid_t) {
    // SAFETY: tcsetpgrp takes two integers.
    unsafe {
        libc::tcsetpgrp(fd, pgid);
    }
}

/// Ignores `signal` (for SIGTTOU while persevere hands the terminal back and forth).
pub fn ignore_signal(signal: i32) {
    // SAFETY: SIG_IGN is a valid disposition for the job-control signals this is used for.
    unsafe {
        libc::signal(signal, libc::SIG_IGN);
    }
}

/// Whether SIGPIPE was ignored when persevere started (`trap '' PIPE`): then the command gets it
/// ignored too, as GNU timeout keeps ignored signals ignored. std's spawn resets SIGPIPE to
/// its default in the child, which is right only when the caller had it at its default.
static SIGPIPE_IGNORED_AT_START: AtomicBool = AtomicBool::new(false);

/// Whether the caller had SIGPIPE ignored (see `SIGPIPE_IGNORED_AT_START`).
pub fn sigpipe_ignored_at_start() -> bool {
    SIGPIPE_IGNORED_AT_START.load(Ordering::Relaxed)
}

/// What std's start-up does that persevere needs, since it has its own entry point: SIGPIPE
/// ignored, and descriptors 0, 1 and 2 open (on /dev/null when closed).
pub fn start_like_std() {
    // SAFETY: SIG_IGN is a valid disposition for SIGPIPE. fcntl(F_GETFD) only reads a
    // descriptor's flags; open takes a NUL-terminated literal. A closed descriptor n < 3 is
    // the lowest free one, so open returns n itself.
    unsafe {
        let before = libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        SIGPIPE_IGNORED_AT_START.store(before == libc::SIG_IGN, Ordering::Relaxed);
        for fd in 0..3 {
            if libc::fcntl(fd, libc::F_GETFD) == -1 {
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
    }
}

/// How many processors this process may run on (its affinity mask); 2 when that cannot be
/// read (a mask of more than 1,024 processors). A CPU quota of a cgroup is not counted.
#[cfg(shared_memory_child)]
pub fn processors_available() -> usize {
    // SAFETY: a zeroed cpu_set_t is a valid, empty set; sched_getaffinity fills it, and
    // CPU_COUNT reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return 2;
        }
        usize::try_from(libc::CPU_COUNT(&set)).unwrap_or(2)
    }
}

/// Runs `f` with every signal blocked in this thread, then restores the mask: for starting a
/// child that begins on persevere's memory or state, in which no handler of persevere may run
/// before the child has reset them (a blocked signal waits; the mask crosses exec).
pub fn with_every_signal_blocked<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: the sets are zeroed, then made valid by sigfillset/pthread_sigmask, which only
    // write them and this thread's mask.
    let before = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut before: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut before);
        before
    };
    let result = f();
    // SAFETY: `before` is the mask this thread had, filled by pthread_sigmask above.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
    }
    result
}

/// Ends this process by `signal`, as shells and GNU timeout do when a signal stopped them:
/// the default action is restored and the signal raised, so that the parent's `wait` sees a
/// death by that signal. Falls back to exit status 128+N should the signal not kill.
pub fn die_by_signal(signal: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: SIG_DFL is a valid disposition for any catchable signal; `set` is a live,
    // initialised sigset_t; sigprocmask and raise take plain values.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
    std::process::exit(128 + signal)
}

/// Waits until one of `fds` is readable or has hung up, or `timeout` passes (`None`: no
/// limit). Returns the `revents` of each fd; an interrupted wait returns all zeros.
pub fn poll(fds: &[RawFd], timeout: Option<Duration>) -> io::Result<Vec<i16>> {
    let mut pollfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = match timeout {
        // Round up so that a wait never ends before its deadline and spins.
        Some(t) => i32::try_from(t.as_micros().div_ceil(1000)).unwrap_or(i32::MAX),
        None => -1,
    };
    // SAFETY: `pollfds` is a live array of `pollfds.len()` initialised pollfd structs.
    let r = unsafe { libc::poll(pollfds.as_mut_ptr(), pollfds.len() as libc::nfds_t, ms) };
    if r < 0 {
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
        return Ok(vec![0; fds.len()]);
    }
    Ok(pollfds.iter().map(|p| p.revents).collect())
}

/// Waits until `out` can take a write (or has failed: the write will say how) or `signals` is
/// readable. Returns whether `signals` is readable.
pub fn wait_writable(out: RawFd, signals: RawFd) -> io::Result<bool> {
    let mut fds = [
        libc::pollfd {
            fd: out,
            events: libc::POLLOUT,
            revents: 0,
        },
        libc::pollfd {
            fd: signals,
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    loop {
        // SAFETY: `fds` is a live array of two initialised pollfd structs.
        let r = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if r >= 0 {
            return Ok(fds[1].revents != 0);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Makes this process a child subreaper (Linux): orphaned descendants of its children, also
/// ones that called `setsid`, become its children, so that it can stop and reap them.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn become_subreaper() -> io::Result<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes one integer argument; the rest are ignored.
    let r = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere there is no subreaper: descendants that leave the attempt's process group escape.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn become_subreaper() -> io::Result<()> {
    Ok(())
}
