//! Starting the attempt's program without copying persevere: a child that shares persevere's
//! memory and holds persevere stopped until it has called exec (`clone` with `CLONE_VM |
//! CLONE_VFORK`, what glibc's `posix_spawn` does), instead of std's `fork` when a `pre_exec`
//! step is given. A fork copies the page tables of the whole process and makes every page it
//! writes afterwards a copy-on-write fault, in persevere and in the child: 0.4-0.5 ms of
//! `persevere -- true` on the machine of docs/benchmarks.md. persevere needs steps of its own
//! between fork and exec (the attempt announces its process group to the guardian before the
//! command runs), which `posix_spawn` cannot take, so this module runs them itself.
//!
//! What the child does, in order, as std's spawn does: every signal that has a persevere
//! handler back to its default (the handlers are persevere's, and the memory they would touch
//! is persevere's) and SIGPIPE to its default; the attempt's stdin, stdout and stderr onto 0, 1
//! and 2; persevere's own steps ([`BeforeExec`]: the process group, the terminal, the
//! guardian); the signal mask emptied; `execvp`, which searches `PATH`. If any of it fails the
//! child stores the error number where persevere reads it, and exits.

use crate::child_stack::Stack;
use crate::signals;
use crate::spawn::BeforeExec;
use crate::sys;
use std::ffi::{CString, OsString, c_char, c_int, c_void};
use std::io;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};

/// Everything the child needs, prepared by persevere before the clone: the child allocates
/// nothing and reads only this.
pub struct Exec<'a> {
    /// The program (searched in `PATH` when it has no `/`) and its arguments, the program first.
    argv: Vec<CString>,
    /// `argv`'s pointers, then a null pointer: execvp's argument.
    pointers: Vec<*const c_char>,
    /// Descriptors to put on 0, 1 and 2; `None` keeps persevere's. Each is 3 or above
    /// (persevere's 0, 1 and 2 are always open, see `sys::start_like_std`), so that no dup2
    /// overwrites a descriptor another dup2 still needs.
    stdio: [Option<RawFd>; 3],
    /// persevere's own steps.
    before_exec: &'a BeforeExec,
    /// The error number of the step that failed; 0 while none has.
    error: AtomicI32,
}

impl<'a> Exec<'a> {
    /// The program `command[0]` with its arguments. An argument with a NUL byte cannot be
    /// passed to a program: an `InvalidInput` error, as std's spawn gives.
    pub fn new(
        command: &[OsString],
        stdio: [Option<RawFd>; 3],
        before_exec: &'a BeforeExec,
    ) -> io::Result<Exec<'a>> {
        let argv = command
            .iter()
            .map(|arg| CString::new(arg.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "nul byte in an argument"))?;
        if argv.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "no program"));
        }
        let pointers = argv
            .iter()
            .map(|arg| arg.as_ptr())
            .chain([ptr::null()])
            .collect();
        debug_assert!(stdio.iter().flatten().all(|&fd| fd > 2));
        Ok(Exec {
            argv,
            pointers,
            stdio,
            before_exec,
            error: AtomicI32::new(0),
        })
    }

    /// Starts the program and returns its pid, once the child has called exec. An error of the
    /// child's steps or of exec itself is returned as that error, with the child reaped.
    pub fn spawn(&self) -> io::Result<libc::pid_t> {
        let stack = Stack::new(self.pointers.len())?;
        let (pid, clone_error) = sys::with_every_signal_blocked(|| {
            // SAFETY: the child runs `child_main` on `stack`, a mapping of its own that outlives
            // the child's use of it: with CLONE_VFORK this thread does not return from clone until
            // the child has called exec (which replaces its memory) or exited, and `stack` is
            // unmapped only after that, when it is dropped. With CLONE_VM the child shares this
            // process's memory, so `self` (alive in this frame for the whole call) is the same
            // object to the child; the child only reads it, except `error`, an atomic that this
            // thread reads after clone returns, ordered by that return. `child_main` calls only
            // async-signal-safe functions (sigaction, dup2, setpgid, tcsetpgrp, signal, send,
            // prctl, getppid, getpid, sigprocmask, execvp), allocates nothing, takes no lock and
            // cannot unwind. Every signal is blocked across the clone, so no handler of persevere
            // runs in the child before it has reset the handlers to their defaults. SIGCHLD as the
            // exit signal makes the child an ordinary child of persevere, reaped as any.
            let pid = unsafe {
                libc::clone(
                    child_main,
                    stack.top(),
                    libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                    ptr::from_ref(self).cast_mut().cast(),
                )
            };
            (pid, io::Error::last_os_error())
        });
        drop(stack);
        if pid < 0 {
            return Err(clone_error);
        }
        match self.error.load(Ordering::Acquire) {
            0 => Ok(pid),
            errno => {
                reap(pid);
                Err(io::Error::from_raw_os_error(errno))
            }
        }
    }

    /// The child's work; returns only when a step or exec failed, with its error number.
    fn run_in_child(&self) -> c_int {
        // SAFETY: every call below is a system call on integers, on descriptors persevere
        // opened for this attempt, on `self`'s NUL-terminated strings and pointer array (live
        // in persevere's stopped frame), or on stack values it fills; a zeroed sigaction is a
        // valid value for the query to fill.
        unsafe {
            for signal in signals::HANDLED {
                let mut old: libc::sigaction = std::mem::zeroed();
                libc::sigaction(signal, ptr::null(), &mut old);
                if old.sa_sigaction != libc::SIG_IGN && old.sa_sigaction != libc::SIG_DFL {
                    libc::signal(signal, libc::SIG_DFL);
                }
            }
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            for (target, fd) in self.stdio.iter().enumerate() {
                if let Some(fd) = *fd
                    && libc::dup2(fd, target as c_int) < 0
                {
                    return sys::last_errno();
                }
            }
            if let Err(errno) = self.before_exec.run() {
                return errno;
            }
            let empty = empty_sigset();
            libc::sigprocmask(libc::SIG_SETMASK, &empty, ptr::null_mut());
            libc::execvp(self.argv[0].as_ptr(), self.pointers.as_ptr());
            sys::last_errno()
        }
    }
}

/// The child's entry point.
extern "C" fn child_main(exec: *mut c_void) -> c_int {
    // SAFETY: `exec` is the `&Exec` that `Exec::spawn` passed to clone; it stays alive and
    // unmoved while persevere is stopped in clone, which is the whole life of this function.
    let exec = unsafe { &*exec.cast_const().cast::<Exec<'_>>() };
    let errno = exec.run_in_child();
    exec.error.store(errno.max(1), Ordering::Release);
    127
}

/// An empty signal set.
fn empty_sigset() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data, and sigemptyset makes any value of it the empty set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        set
    }
}

/// Waits for a child that failed before exec, so that no zombie is left.
fn reap(pid: libc::pid_t) {
    let mut status = 0;
    // SAFETY: waitpid on our own child, with a live int for its status.
    while unsafe { libc::waitpid(pid, &mut status, 0) } < 0
        && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
    {}
}
