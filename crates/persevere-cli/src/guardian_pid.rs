//! The guardian's pid while it lives: set by the guardian's start, read by the reaper (which
//! must not count the guardian among an attempt's leftovers) and by the attempt's wait (which
//! notices when the guardian itself was reaped).

use std::sync::atomic::{AtomicI32, Ordering};

/// The guardian's pid, 0 when there is none.
static PID: AtomicI32 = AtomicI32::new(0);

/// The guardian started as `pid`.
pub fn set(pid: libc::pid_t) {
    PID.store(pid, Ordering::SeqCst);
}

/// The guardian's pid, while it lives.
pub fn pid() -> Option<libc::pid_t> {
    Some(PID.load(Ordering::SeqCst)).filter(|&pid| pid > 0)
}

/// The guardian was reaped: it died (someone killed it).
pub fn lost() {
    PID.store(0, Ordering::SeqCst);
}
