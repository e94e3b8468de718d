//! What one attempt hands the core: the exception or the returned value, and the verdict that
//! Python's own callables gave on it (`giveup(e)`, `predicate(value)`), which may be coroutines
//! and so are awaited on the Python side before the core decides.

use pyo3::prelude::*;
use std::fmt;

/// A failed attempt of an `on_exception` call: the exception, and whether `giveup` said to stop.
pub struct Failure {
    pub exception: Py<PyAny>,
    pub fatal: bool,
}

/// An attempt of an `on_predicate` call: the value, and whether the predicate asks to retry.
pub struct Returned {
    pub value: Py<PyAny>,
    pub retry: bool,
}

/// The Python object a wait strategy is sent (backoff's `wait.send(e)` / `wait.send(ret)`).
pub trait Subject {
    fn object(&self) -> &Py<PyAny>;
}

impl Subject for Failure {
    fn object(&self) -> &Py<PyAny> {
        &self.exception
    }
}

impl Subject for Returned {
    fn object(&self) -> &Py<PyAny> {
        &self.value
    }
}

// The core prints outcomes in its own log, which the binding turns off (`no_log`): Python's
// logging writes backoff's messages instead. These impls only satisfy the bound.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("fatal", &self.fatal)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Returned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Returned")
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}
