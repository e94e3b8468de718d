//! Whether persevere's stdout still has a reader. Once it has none (`cmd | head -1` after
//! head's first line), no further attempt starts: its output would go nowhere, and what the
//! reader wanted it already has (design §6). It is found in two ways: a write of persevere's
//! own failed with EPIPE (output rules, `--hold-stdout`), or, when the command wrote to the
//! inherited stdout itself, `poll` reports the pipe's (or socket's) other end closed.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to stdout failed with EPIPE.
static GONE: AtomicBool = AtomicBool::new(false);

/// A write of persevere's to stdout failed with EPIPE.
pub fn mark_gone() {
    GONE.store(true, Ordering::Relaxed);
}

/// Whether stdout has no reader any more. A file or a terminal always has one.
pub fn stdout_gone() -> bool {
    if GONE.load(Ordering::Relaxed) {
        return true;
    }
    let mut fd = libc::pollfd {
        fd: libc::STDOUT_FILENO,
        events: 0,
        revents: 0,
    };
    // SAFETY: `fd` is a live, initialised pollfd; poll with a timeout of 0 returns at once.
    let r = unsafe { libc::poll(&mut fd, 1, 0) };
    // A pipe without readers reports POLLERR to its writer; a closed socket POLLHUP.
    let gone = r > 0 && fd.revents & (libc::POLLERR | libc::POLLHUP) != 0;
    if gone {
        mark_gone();
    }
    gone
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pipe_without_its_reader_is_seen_by_poll() {
        let mut fds = [0; 2];
        // SAFETY: `fds` is a live array of two c_ints that pipe fills; the descriptors are
        // this test's and are closed below.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let mut pfd = libc::pollfd {
                fd: fds[1],
                events: 0,
                revents: 0,
            };
            assert_eq!(libc::poll(&mut pfd, 1, 0), 0, "a reader: nothing to report");
            libc::close(fds[0]);
            assert_eq!(libc::poll(&mut pfd, 1, 0), 1);
            assert_ne!(pfd.revents & libc::POLLERR, 0);
            libc::close(fds[1]);
        }
    }
}
