//! The Python exception raised inside a callback of the core.
//!
//! The core calls strategies, jitters and the clock through plain Rust traits that cannot
//! return a `PyErr`. A callback that calls Python and gets an exception parks it here and
//! returns a harmless value; the binding method that called into the core takes it right after
//! and raises it. Callbacks run synchronously on the calling thread, and once an exception is
//! parked the later callbacks of the same step call no Python, so one slot per thread suffices.

use pyo3::PyErr;
use std::cell::RefCell;

thread_local! {
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Parks `err` unless an earlier exception of the same step is already parked (the first one
/// wins, as it would have stopped Python's own loop).
pub fn park(err: PyErr) {
    PENDING.with(|p| {
        let mut slot = p.borrow_mut();
        if slot.is_none() {
            *slot = Some(err);
        }
    });
}

/// Whether a callback of the current step failed (later callbacks then do nothing).
pub fn is_parked() -> bool {
    PENDING.with(|p| p.borrow().is_some())
}

/// Takes the parked exception, if any.
pub fn take() -> Option<PyErr> {
    PENDING.with(|p| p.borrow_mut().take())
}

/// Runs `f` (a Python call), parking its exception and returning `None` on failure.
pub fn guard<T>(f: impl FnOnce() -> Result<T, PyErr>) -> Option<T> {
    if is_parked() {
        return None;
    }
    match f() {
        Ok(v) => Some(v),
        Err(e) => {
            park(e);
            None
        }
    }
}
