//! Signals as events: a handler writes each signal's number into a pipe that the main loop
//! polls (the self-pipe trick), so that SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM and SIGCHLD
//! wake a wait on the child, its output, or a backoff sleep.

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicI32, Ordering};

/// The signals persevere forwards to the running attempt (and that end the run), as GNU
/// timeout forwards them.
pub const FORWARDED: [i32; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The signal that times the running attempt out, as GNU timeout takes it (its own timer is
/// SIGALRM, and cascaded timeouts rely on it): the attempt is stopped as by --timeout.
pub const TIMES_OUT: i32 = libc::SIGALRM;

/// Every signal persevere may install a handler for: the forwarded ones, the timeout's and
/// SIGCHLD (a child that starts an attempt puts these back to their defaults).
pub const HANDLED: [i32; 6] = [
    FORWARDED[0],
    FORWARDED[1],
    FORWARDED[2],
    FORWARDED[3],
    TIMES_OUT,
    libc::SIGCHLD,
];

/// The pipe's write end, read by the handler.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);
/// persevere's pid: a child between fork and exec still runs this handler, and must not write.
static OWNER: AtomicI32 = AtomicI32::new(0);

/// The read end of the signal pipe.
#[derive(Debug)]
pub struct Signals {
    read_fd: RawFd,
}

impl Signals {
    /// Installs the handlers for the forwarded signals and SIGCHLD. Call once. A forwarded
    /// signal that was ignored when persevere started (`nohup`, a background job of a script)
    /// stays ignored, as shells keep it, and the command inherits that.
    pub fn install() -> io::Result<Signals> {
        let mut fds = [0; 2];
        // SAFETY: `fds` is a live array of two c_ints that pipe fills.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        for fd in fds {
            // SAFETY: fcntl on a descriptor we just created, with integer arguments.
            unsafe {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK);
            }
        }
        WRITE_FD.store(fds[1], Ordering::SeqCst);
        OWNER.store(crate::sys::getpid(), Ordering::SeqCst);
        for signal in HANDLED {
            // SAFETY: `old` is a live sigaction that the query fills. `action` is a zeroed
            // sigaction (a valid "no flags, empty mask" value) whose handler is `on_signal`, an `extern "C" fn(c_int)` that only does
            // async-signal-safe work; sigaction copies it.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                libc::sigaction(signal, std::ptr::null(), &mut old);
                if signal != libc::SIGCHLD && old.sa_sigaction == libc::SIG_IGN {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
        }
        Ok(Signals { read_fd: fds[0] })
    }

    /// The descriptor to poll.
    pub fn fd(&self) -> RawFd {
        self.read_fd
    }

    /// The signals received since the last call, in order (SIGCHLD included).
    pub fn drain(&self) -> Vec<i32> {
        let mut buf = [0u8; 64];
        let mut signals = Vec::new();
        loop {
            // SAFETY: `buf` is a live buffer of `buf.len()` bytes; the fd is ours and
            // non-blocking, so read returns at once.
            let n = unsafe { libc::read(self.read_fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return signals;
            }
            signals.extend(buf[..n as usize].iter().map(|&b| i32::from(b)));
        }
    }
}

/// The handler: writes the signal's number into the pipe. It calls only getpid and write
/// (async-signal-safe) and keeps errno as it found it. A full pipe drops the byte, which is
/// harmless: the loop already has bytes to wake it, and it re-checks the child on every wake.
extern "C" fn on_signal(signal: libc::c_int) {
    // SAFETY: getpid and write are async-signal-safe; `byte` is a live local; errno is
    // thread-local and restored before returning.
    unsafe {
        if libc::getpid() != OWNER.load(Ordering::Relaxed) {
            return;
        }
        let saved = *errno();
        let byte = signal as u8;
        libc::write(
            WRITE_FD.load(Ordering::Relaxed),
            (&byte as *const u8).cast(),
            1,
        );
        *errno() = saved;
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
unsafe fn errno() -> *mut libc::c_int {
    // SAFETY: returns the calling thread's errno location, valid for the thread's life.
    unsafe { libc::__errno_location() }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
unsafe fn errno() -> *mut libc::c_int {
    // SAFETY: returns the calling thread's errno location, valid for the thread's life.
    unsafe { libc::__error() }
}
