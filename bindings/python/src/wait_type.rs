//! backoff hands `time.sleep` and the handlers' `details['wait']` the very number its generator
//! or jitter produced: an `int` for integer strategies (`expo()`, `fibo()`, `constant(1)`, with
//! `jitter=None`), the exact float `random.uniform` returned for the default jitter. The core
//! works in whole nanoseconds, so each step keeps here the Python number its wait was made of,
//! and the binding hands that number back whenever the core did not change the wait.

use crate::seconds;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt};
use std::cell::RefCell;
use std::time::Duration;

thread_local! {
    // The current step's wait and the Python number it was made of. Per thread: a step's
    // callbacks run synchronously on the thread that called `check`.
    static PRODUCED: RefCell<Option<(Duration, Py<PyAny>)>> = const { RefCell::new(None) };
}

/// Which waits of a built-in strategy backoff yields as `int`: those of the plain sequence when
/// its parameters are ints (`below_limit`), and the limit (`max_value`, `min_value`) by its own
/// type, since backoff yields the limit object itself once the sequence reaches it.
#[derive(Debug, Clone, Copy)]
pub struct IntRule {
    pub below_limit: bool,
    pub limit: Option<(Duration, bool)>,
}

impl IntRule {
    /// Every wait is a float (`decay`, float parameters).
    pub const FLOAT: IntRule = IntRule {
        below_limit: false,
        limit: None,
    };

    pub fn is_int(&self, wait: Duration) -> bool {
        match self.limit {
            Some((limit, int)) if wait == limit => int,
            _ => self.below_limit,
        }
    }
}

/// Starts a step: its wait is not made of any Python number yet.
pub fn clear() {
    PRODUCED.with(|p| p.borrow_mut().take());
}

/// Records the wait of a built-in strategy: backoff's generator would have yielded an int
/// (`int`) or a float, which the duration gives back.
pub fn record_builtin(py: Python<'_>, wait: Duration, int: bool) {
    if int && wait.subsec_nanos() == 0 {
        let number = wait
            .as_secs()
            .into_pyobject(py)
            .map(|n| n.into_any().unbind());
        PRODUCED.with(|p| *p.borrow_mut() = number.ok().map(|n| (wait, n)));
    } else {
        clear();
    }
}

/// Records `produced`, the number a Python generator, `runtime` function or jitter returned,
/// as the number of the wait `wait` made of it. Numbers the core does not take as they are
/// (negative ones wait zero, huge ones saturate) are not kept: the wait's own value goes out.
pub fn record_object(wait: Duration, produced: &Bound<'_, PyAny>) {
    let exact = (produced.is_exact_instance_of::<PyInt>() || produced.is_instance_of::<PyFloat>())
        && produced
            .extract::<f64>()
            .is_ok_and(|secs| secs >= 0.0 && Duration::try_from_secs_f64(secs).is_ok());
    PRODUCED.with(|p| *p.borrow_mut() = exact.then(|| (wait, produced.clone().unbind())));
}

/// `wait` as backoff would have it: the number it was made of, when the core kept it as it
/// was (not cut to `max_time`, which backoff does in float arithmetic), else float seconds.
pub fn to_object(py: Python<'_>, wait: Duration) -> PyResult<Py<PyAny>> {
    let produced = PRODUCED.with(|p| match &*p.borrow() {
        Some((made, number)) if *made == wait => Some(number.clone_ref(py)),
        _ => None,
    });
    match produced {
        Some(number) => Ok(number),
        None => Ok(seconds::to_secs(wait)
            .into_pyobject(py)?
            .into_any()
            .unbind()),
    }
}
