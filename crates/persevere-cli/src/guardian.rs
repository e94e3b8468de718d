//! The guardian: a small process that outlives persevere only to stop the running attempt when
//! persevere itself dies without cleaning up (SIGKILL, a crash, the OOM killer).
//!
//! Why a process: nothing runs in a process killed by SIGKILL, and the kernel's parent-death
//! signal (`PR_SET_PDEATHSIG`) reaches only a direct child, not what the attempt starts (a
//! script's background jobs, a build's compilers). So persevere starts a guardian (named
//! `persevere-guard`, in its own process group so that a signal to persevere's group spares
//! it) and holds one end of a socket whose other end is the guardian's stdin. Each
//! attempt announces its process group before it execs the command (from the attempt's child,
//! so there is no moment when an attempt runs unannounced), and persevere announces `0` once an
//! attempt and everything it left are gone. The guardian reads until the socket closes: when
//! persevere exits normally the last word is `0` and it just exits; when persevere died during
//! an attempt, it stops that attempt's process group and every descendant of its members
//! (SIGSTOP first, so that nothing forks away, then SIGKILL).
//!
//! How it starts, cheaply. With two processors or more: persevere's own program, run anew
//! (`/proc/self/exe` with the argument list `persevere-guard FD PID`, which [`requested`]
//! recognises before anything else), from a child that shares persevere's memory (`clone` with
//! `CLONE_VM`) and calls only exec. persevere does not wait for that exec, and nothing is
//! copied: a fork copies the page tables of the whole process and makes each page written
//! afterwards a copy-on-write fault, about 0.2 ms of `persevere -- true`, and a `posix_spawn`
//! waits for the exec, about as long. The exec itself (about 0.4 ms of processor time) runs on
//! another processor, beside persevere and the attempt. The guardian must be a program of its
//! own, not a process that goes on sharing persevere's memory: the OOM killer kills every
//! process that shares the memory of the one it picks. With one processor, the exec would
//! run in persevere's time, and a fork costs less: the guardian is then a fork of persevere,
//! as it is under Valgrind, which cannot run such a child (`valgrind.rs`), where the clone is
//! refused (a sandbox, an emulator), and on processors other than x86-64 and AArch64, where
//! `raw_syscall.rs` has no way to make that child's system calls without libc.
//!
//! What it cannot reach: a process that left the attempt's process group (`setsid`) and whose
//! parent had already exited, so that it was persevere's child when persevere died. persevere
//! stops those when an attempt ends; after a SIGKILL of persevere no record of them is left.
//!
//! Without a guardian (it could not start, or was killed), each attempt's command gets
//! `PR_SET_PDEATHSIG` instead: it dies with persevere, what it started may not.

#[cfg(shared_memory_child)]
use crate::{child_stack::Stack, raw_syscall, valgrind};
use crate::{guardian_pid, reaper, sys};
use std::ffi::CStr;
#[cfg(shared_memory_child)]
use std::ffi::{CString, c_char, c_int, c_void};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::ptr;

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
        let (socket, persevere) = (theirs.as_raw_fd(), sys::getpid());
        let pid = sys::with_every_signal_blocked(|| start_process(socket, persevere))?;
        // Its own process group at once (it sets it itself too, in `serve`, when this call
        // fails because its exec came first): from here a signal to persevere's group does
        // not reach it.
        // SAFETY: setpgid takes integers.
        unsafe {
            libc::setpgid(pid, pid);
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

/// The guardian's program: `/proc/self/exe`, the file persevere runs from even if it has since
/// been replaced or deleted.
#[cfg(shared_memory_child)]
const EXE: &CStr = c"/proc/self/exe";

/// The guardian's name: its argument 0, and its name in `ps -o comm`, top and /proc/PID/comm
/// (15 bytes at most).
const NAME: &CStr = c"persevere-guard";

/// The argument list that starts the guardian, prepared before its start: the child that
/// execs it allocates nothing and reads only this. Leaked: the child may read it after
/// `Guardian::start` returned (persevere does not wait for the exec).
#[cfg(shared_memory_child)]
struct Program {
    /// `persevere-guard FD PID`'s strings, which `argv` points into.
    _strings: [CString; 2],
    /// The arguments, then a null pointer.
    argv: [*const c_char; 4],
    /// The environment: none.
    envp: [*const c_char; 1],
}

#[cfg(shared_memory_child)]
impl Program {
    /// The guardian's argument list, leaked; `None` only if the numbers had a NUL byte.
    fn new(socket: RawFd, persevere: libc::pid_t) -> Option<&'static Program> {
        let strings = [
            CString::new(socket.to_string()).ok()?,
            CString::new(persevere.to_string()).ok()?,
        ];
        let argv = [
            NAME.as_ptr(),
            strings[0].as_ptr(),
            strings[1].as_ptr(),
            ptr::null(),
        ];
        Some(Box::leak(Box::new(Program {
            _strings: strings,
            argv,
            envp: [ptr::null()],
        })))
    }
}

/// Starts the guardian on the socket end `socket`: from a child that shares persevere's memory
/// and calls only exec (see the module's comment), or from a fork where that costs more or
/// cannot run; its pid. Called with every signal blocked.
#[cfg(shared_memory_child)]
fn start_process(socket: RawFd, persevere: libc::pid_t) -> Option<libc::pid_t> {
    // On one processor the exec would run in persevere's time and costs more than a fork.
    if sys::processors_available() < 2 || valgrind::running_on_valgrind() {
        return fork_guardian(socket, persevere);
    }
    // SAFETY: access takes a NUL-terminated literal.
    if unsafe { libc::access(EXE.as_ptr(), libc::X_OK) } != 0 {
        return fork_guardian(socket, persevere);
    }
    // The socket end crosses the exec; persevere closes its copy right after this call,
    // before any attempt could inherit it.
    // SAFETY: F_SETFD on a descriptor persevere owns, with an integer.
    if unsafe { libc::fcntl(socket, libc::F_SETFD, 0) } != 0 {
        return fork_guardian(socket, persevere);
    }
    let (Some(program), Ok(stack)) = (Program::new(socket, persevere), Stack::new(0)) else {
        return fork_guardian(socket, persevere);
    };
    // SAFETY: the child runs `exec_guardian` on `stack`, which stays mapped for good (leaked
    // below): persevere goes on at once and cannot know when the exec has replaced the
    // child's memory. The child shares persevere's memory (CLONE_VM) but reads only
    // `program`, which is leaked and never written after the clone, and writes nothing of
    // persevere's: its system calls go through `raw_syscall`, so not even `errno`, which it
    // shares with persevere's thread. It takes no lock and allocates nothing. Every signal is
    // blocked across the clone (`Guardian::start`), so no handler of persevere runs in the
    // child; the mask crosses the exec and `serve` clears it. SIGCHLD as the exit signal
    // makes it an ordinary child of persevere, reaped as any (`attempt.rs` notices its
    // death).
    let pid = unsafe {
        libc::clone(
            exec_guardian,
            stack.top(),
            libc::CLONE_VM | libc::SIGCHLD,
            ptr::from_ref(program).cast_mut().cast(),
        )
    };
    if pid < 0 {
        // A sandbox or an emulator (qemu-user) that refuses this clone: no child, so the
        // stack goes; a fork still gives a guardian.
        return fork_guardian(socket, persevere);
    }
    stack.leak();
    Some(pid)
}

/// The guardian's child: exec, or exit 127 (persevere then reaps a guardian that is gone).
#[cfg(shared_memory_child)]
extern "C" fn exec_guardian(program: *mut c_void) -> c_int {
    // SAFETY: `program` is the leaked `&'static Program` that `start_process` passed to clone;
    // its strings and arrays are NUL- and null-terminated.
    unsafe {
        let program = &*program.cast_const().cast::<Program>();
        raw_syscall::execve(EXE.as_ptr(), program.argv.as_ptr(), program.envp.as_ptr());
    }
    raw_syscall::exit(127)
}

/// Elsewhere on Linux: a fork.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(shared_memory_child)
))]
fn start_process(socket: RawFd, persevere: libc::pid_t) -> Option<libc::pid_t> {
    fork_guardian(socket, persevere)
}

/// Starts the guardian as a fork of persevere that serves at once, without an exec.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn fork_guardian(socket: RawFd, persevere: libc::pid_t) -> Option<libc::pid_t> {
    // SAFETY: fork is sound here because persevere has a single thread: the child is a
    // complete copy of a consistent process, in which no lock or allocator state belongs to a
    // thread that does not exist there, so it may run any code. It never returns from this
    // function: `serve` ends with an exit. The parent only checks the result.
    match unsafe { libc::fork() } {
        -1 => None,
        0 => serve(socket, persevere),
        pid => Some(pid),
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
/// The guardian's socket and persevere's pid when this process was started as persevere's
/// guardian (`persevere-guard FD PID`, see [`Guardian::start`]).
pub fn requested() -> Option<(RawFd, libc::pid_t)> {
    let mut args = std::env::args_os();
    if args.next()?.as_bytes() != NAME.to_bytes() {
        return None;
    }
    let socket: RawFd = args.next()?.to_str()?.parse().ok()?;
    let persevere: libc::pid_t = args.next()?.to_str()?.parse().ok()?;
    (args.next().is_none() && socket >= 0 && persevere > 0).then_some((socket, persevere))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
/// The guardian's life: detach from everything persevere holds, read announcements on
/// `socket` until persevere is gone, then stop the attempt it left running, if any.
pub fn serve(socket: RawFd, persevere: libc::pid_t) -> ! {
    // SAFETY: plain system calls on integers and NUL-terminated literals. The socket moves to
    // fd 0 and /dev/null to 1 and 2; every other descriptor (persevere's, the caller's) is
    // closed, so that the guardian keeps nothing open that a reader waits on.
    unsafe {
        libc::prctl(libc::PR_SET_NAME, NAME.as_ptr(), 0, 0, 0);
        // Its own process group: Ctrl-C and a signal to persevere's group do not reach it.
        libc::setpgid(0, 0);
    }
    unblock_signals();
    // SAFETY: as above.
    unsafe {
        if socket != 0 {
            libc::dup2(socket, 0);
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        libc::dup2(null, 1);
        libc::dup2(null, 2);
        close_from(3);
        libc::chdir(c"/".as_ptr());
    }
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
    // SAFETY: _exit ends the process without flushing anything: it wrote nothing.
    unsafe { libc::_exit(0) }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
/// Persevere started the guardian with every signal blocked. What reached it before it left
/// persevere's process group (Ctrl-C at the terminal, a signal to the group) was meant for
/// persevere: dropped (setting a pending signal to be ignored discards it), then the mask
/// emptied.
fn unblock_signals() {
    // SAFETY: the sigsets are zeroed then made valid by sigemptyset; sigpending, sigismember,
    // signal and sigprocmask take them and integers. Restoring `old` installs no handler of
    // persevere's: after an exec every disposition is the default or ignored, and a fork
    // happens before persevere installs its handlers (`run.rs` starts the guardian first).
    unsafe {
        let mut pending: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut pending);
        libc::sigpending(&mut pending);
        for signal in 1..=libc::SIGRTMAX() {
            if libc::sigismember(&pending, signal) == 1 {
                let old = libc::signal(signal, libc::SIG_IGN);
                libc::signal(signal, old);
            }
        }
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, ptr::null_mut());
    }
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
