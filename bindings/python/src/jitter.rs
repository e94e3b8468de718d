//! A user's jitter function, called from the core for each wait (backoff's `_next_wait`):
//! `jitter(value)`, or, for the nullary functions backoff still accepts with a
//! `DeprecationWarning`, `value + jitter()`.

use crate::{pending, seconds, wait_type};
use pyo3::exceptions::{PyDeprecationWarning, PyTypeError};
use pyo3::prelude::*;
use std::time::Duration;

/// The jittered wait for `delay`; on an exception (parked) the delay as it is.
pub fn call(function: &Py<PyAny>, delay: Duration) -> Duration {
    Python::with_gil(|py| {
        pending::guard(|| {
            let function = function.bind(py);
            // backoff calls the jitter with the number its generator yielded, an int included.
            let value = wait_type::to_object(py, delay)?;
            let jittered = match function.call1((value.clone_ref(py),)) {
                Ok(v) => v,
                Err(e) if e.is_instance_of::<PyTypeError>(py) => {
                    let category = py.get_type::<PyDeprecationWarning>();
                    PyErr::warn(
                        py,
                        &category,
                        c"Nullary jitter function signature is deprecated. Use unary signature accepting a wait value in seconds and returning a jittered version of it.",
                        2,
                    )?;
                    let extra = function.call0()?;
                    value.bind(py).add(extra)?
                }
                Err(e) => return Err(e),
            };
            let wait = seconds::to_duration(&jittered)?;
            wait_type::record_object(wait, &jittered);
            Ok(wait)
        })
        .unwrap_or(delay)
    })
}
