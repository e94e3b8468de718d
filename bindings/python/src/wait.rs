//! The wait strategy of a Python policy: one of persevere's built-in strategies when the
//! decorator was given backoff's own generator with parameters the core represents exactly,
//! else the user's generator function, created per call and driven with `send` as backoff does.

use crate::outcome::Subject;
use crate::wait_type::{self, IntRule};
use crate::{pending, seconds};
use persevere::Rng;
use persevere::wait::{AnyWait, AnyWaitState, Delay, Wait};
use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A strategy as the decorator resolved it.
pub enum PyWait {
    /// `expo`, `fibo`, `constant` (with a number or a list), `decay`: stepped in Rust; the rule
    /// says which of its waits backoff yields as `int`.
    Builtin(AnyWait, IntRule),
    /// `runtime(value=...)`: the wait is `value(outcome)`, called per retry.
    Runtime(Py<PyAny>),
    /// Any other generator function, with its keyword arguments (callables among them are
    /// called per call, as backoff's `_maybe_call` does).
    Generator {
        function: Py<PyAny>,
        kwargs: Py<PyDict>,
    },
}

/// The per-call state of a [`PyWait`].
pub enum PyWaitState {
    Builtin(AnyWaitState),
    Runtime,
    Generator(Py<PyAny>),
    /// Creating or priming the generator raised: the exception is parked, the call gives up.
    Failed,
}

impl<X: Subject> Wait<X> for PyWait {
    type State = PyWaitState;

    fn start(&self) -> PyWaitState {
        match self {
            PyWait::Builtin(wait, _) => PyWaitState::Builtin(Wait::<X>::start(wait)),
            PyWait::Runtime(_) => PyWaitState::Runtime,
            PyWait::Generator { function, kwargs } => Python::with_gil(|py| {
                pending::guard(|| start_generator(py, function, kwargs))
                    .map_or(PyWaitState::Failed, PyWaitState::Generator)
            }),
        }
    }

    fn next_delay(&self, state: &mut PyWaitState, last: &X, rng: &mut Rng) -> Option<Delay> {
        wait_type::clear();
        match (self, state) {
            (PyWait::Builtin(wait, ints), PyWaitState::Builtin(state)) => {
                let delay = wait.next_delay(state, &(), rng)?;
                let int = ints.is_int(delay.duration);
                Python::with_gil(|py| wait_type::record_builtin(py, delay.duration, int));
                Some(delay)
            }
            (PyWait::Runtime(value), PyWaitState::Runtime) => Python::with_gil(|py| {
                let seconds = pending::guard(|| {
                    let wait = value.bind(py).call1((last.object().clone_ref(py),))?;
                    let seconds = seconds::to_duration(&wait)?;
                    wait_type::record_object(seconds, &wait);
                    Ok(seconds)
                })?;
                Some(Delay::jittered(seconds))
            }),
            (_, PyWaitState::Generator(generator)) => Python::with_gil(|py| {
                let sent = generator
                    .bind(py)
                    .call_method1("send", (last.object().clone_ref(py),));
                match sent {
                    Ok(wait) => pending::guard(|| {
                        let seconds = seconds::to_duration(&wait)?;
                        wait_type::record_object(seconds, &wait);
                        Ok(Delay::jittered(seconds))
                    }),
                    // An exhausted generator gives up, as backoff's StopIteration does.
                    Err(e) if e.is_instance_of::<PyStopIteration>(py) => None,
                    Err(e) => {
                        pending::park(e);
                        None
                    }
                }
            }),
            _ => None,
        }
    }
}

/// backoff's `_init_wait_gen`: the generator made with the keyword arguments (callables among
/// them called now), then primed with `send(None)`.
fn start_generator(
    py: Python<'_>,
    function: &Py<PyAny>,
    kwargs: &Py<PyDict>,
) -> PyResult<Py<PyAny>> {
    let call_kwargs = PyDict::new(py);
    for (key, value) in kwargs.bind(py).iter() {
        call_kwargs.set_item(key, maybe_call(&value)?)?;
    }
    let generator = function.bind(py).call((), Some(&call_kwargs))?;
    generator.call_method1("send", (py.None(),))?;
    Ok(generator.unbind())
}

/// backoff's `_maybe_call`: a callable is called, unless calling it raises `TypeError`, in
/// which case it is the value itself.
pub fn maybe_call<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if !value.is_callable() {
        return Ok(value.clone());
    }
    match value.call0() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyTypeError>(value.py()) => {
            Ok(value.clone())
        }
        Err(e) => Err(e),
    }
}
