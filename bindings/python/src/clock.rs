//! The clocks of a Python policy: `datetime.datetime.now()` (backoff's, looked up at each read
//! so that tests which replace it keep working) or the monotonic clock, and the latch that
//! makes the core measure time as backoff does.
//!
//! backoff reads the clock before each attempt and decides after it with that reading; the
//! core reads the clock when it decides. With the latch set, the core's reading *is* the one
//! taken before the attempt, so the core's rules (`max_time`, the wait cut to the deadline,
//! `elapsed`) see backoff's numbers. Without it (`measure_after_attempt=True`) the core reads
//! the clock when the attempt has ended: persevere's deadline rule.

use crate::pending;
use persevere::{AsyncSleeper, Clock, Sleeper};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyFloat, PyInt};
use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where a policy reads the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `datetime.datetime.now()`, as backoff (a wall clock: it follows clock changes).
    Datetime,
    /// The monotonic clock (`Instant::now()`): opt-in with `monotonic=True`.
    Monotonic,
}

/// The policy's clock. It never sleeps: the Python side sleeps with `time.sleep` or
/// `asyncio.sleep`, looked up at each call.
#[derive(Debug, Clone, Copy)]
pub struct PyClock {
    pub source: Source,
}

thread_local! {
    static LATCH: Cell<Option<Instant>> = const { Cell::new(None) };
}

impl PyClock {
    /// Reads the source now.
    pub fn read(&self) -> Instant {
        match self.source {
            Source::Monotonic => Instant::now(),
            Source::Datetime => {
                Python::with_gil(|py| pending::guard(|| datetime_now(py)).unwrap_or_else(origin))
            }
        }
    }
}

impl Clock for PyClock {
    fn now(&self) -> Instant {
        match LATCH.with(Cell::get) {
            Some(latched) => latched,
            None => self.read(),
        }
    }
}

// The core asks for a sleeper beside the clock; the binding never lets it sleep.
impl Sleeper for PyClock {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl AsyncSleeper for PyClock {
    type Sleep = std::future::Ready<()>;

    fn sleep_async(&self, _duration: Duration) -> Self::Sleep {
        std::future::ready(())
    }
}

/// Runs `f` with the core's clock reading `latched` (when `Some`), then restores the latch of
/// any call that encloses this one (a strategy may call another retrying function).
pub fn with_latch<R>(latched: Option<Instant>, f: impl FnOnce() -> R) -> R {
    let previous = LATCH.with(|l| l.replace(latched));
    let result = f();
    LATCH.with(|l| l.set(previous));
    result
}

/// The instant that the first datetime read maps to. Process-wide, so that budgets shared by
/// many calls see one timeline.
fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn datetime_now(py: Python<'_>) -> PyResult<Instant> {
    static MODULE: GILOnceCell<Py<PyModule>> = GILOnceCell::new();
    let module = MODULE.get_or_try_init(py, || py.import("datetime").map(Bound::unbind))?;
    let now = module
        .bind(py)
        .getattr(intern!(py, "datetime"))?
        .call_method0(intern!(py, "now"))?;
    let micros = micros_of(&now)?;
    Ok(instant_of(micros))
}

/// The instant of a datetime `micros` microseconds from year 1: the origin's instant plus the
/// difference from the first datetime read (which becomes the origin's).
fn instant_of(micros: i64) -> Instant {
    static FIRST: OnceLock<i64> = OnceLock::new();
    let first = *FIRST.get_or_init(|| micros);
    let base = origin();
    let delta = micros.saturating_sub(first);
    let step = Duration::from_micros(delta.unsigned_abs());
    let mapped = if delta >= 0 {
        base.checked_add(step)
    } else {
        base.checked_sub(step)
    };
    mapped.unwrap_or(base)
}

/// Microseconds since 0001-01-01 of a naive datetime (exact integers, so that differences
/// equal `timedelta` arithmetic); a number is taken as seconds. Read through Python attributes:
/// the stable ABI (one wheel for every CPython) has no C accessors for datetime fields.
fn micros_of(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    let py = value.py();
    if !(value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>()) {
        let field = |name: &Bound<'_, pyo3::types::PyString>| -> PyResult<i64> {
            value.getattr(name)?.extract()
        };
        let days: i64 = value.call_method0(intern!(py, "toordinal"))?.extract()?;
        let secs = days * 86_400
            + field(intern!(py, "hour"))? * 3600
            + field(intern!(py, "minute"))? * 60
            + field(intern!(py, "second"))?;
        return Ok(secs * 1_000_000 + field(intern!(py, "microsecond"))?);
    }
    let secs: f64 = value.extract()?;
    Ok((secs * 1e6).round() as i64)
}
