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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

impl PyClock {
    /// Reads the clock when no Python code can observe the read (the monotonic clock, or the
    /// system clock that the standard `datetime.datetime.now()` would read); `None` otherwise.
    pub fn read_unobserved(&self) -> Option<Instant> {
        match self.source {
            Source::Monotonic => Some(Instant::now()),
            Source::Datetime => Python::with_gil(|py| {
                let class = datetime_class(py).ok()?;
                reads_the_system_clock(py, &class)
                    .ok()?
                    .then(|| instant_of(&FIRST_SYSTEM, system_micros()))
            }),
        }
    }
}

/// An instant as a stamp: nanoseconds from the origin (earlier instants are the origin).
pub fn to_stamp(instant: Instant) -> u64 {
    u64::try_from(instant.saturating_duration_since(origin()).as_nanos()).unwrap_or(u64::MAX)
}

/// The instant of a stamp.
pub fn from_stamp(stamp: u64) -> Instant {
    let base = origin();
    base.checked_add(Duration::from_nanos(stamp))
        .unwrap_or(base)
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

/// `datetime.datetime` as looked up now (tests replace it).
fn datetime_class(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static MODULE: GILOnceCell<Py<PyModule>> = GILOnceCell::new();
    let module = MODULE.get_or_try_init(py, || py.import("datetime").map(Bound::unbind))?;
    module.bind(py).getattr(intern!(py, "datetime"))
}

fn datetime_now(py: Python<'_>) -> PyResult<Instant> {
    let class = datetime_class(py)?;
    if reads_the_system_clock(py, &class)? {
        return Ok(instant_of(&FIRST_SYSTEM, system_micros()));
    }
    let now = class.call_method0(intern!(py, "now"))?;
    let micros = micros_of(&now)?;
    Ok(instant_of(&FIRST_DATETIME, micros))
}

/// Whether `datetime.datetime.now()` would just read the system's wall clock: `datetime.datetime`
/// is the standard library's own class (not a test's replacement, not freezegun's) and
/// time-machine (which patches the real class's `now` in C) is not loaded. The clock is then
/// read from Rust, without a Python call: the same clock, to the microsecond as datetime's.
fn reads_the_system_clock(py: Python<'_>, class: &Bound<'_, PyAny>) -> PyResult<bool> {
    static REAL: GILOnceCell<Option<Py<PyAny>>> = GILOnceCell::new();
    static MODULES: GILOnceCell<Py<PyAny>> = GILOnceCell::new();
    // The C implementation's class: replacements patch the `datetime` module, never `_datetime`.
    let real = REAL.get_or_init(py, || {
        py.import("_datetime")
            .and_then(|m| m.getattr("datetime"))
            .ok()
            .map(Bound::unbind)
    });
    let Some(real) = real else {
        return Ok(false);
    };
    if !class.is(real.bind(py)) {
        return Ok(false);
    }
    let modules = MODULES.get_or_try_init(py, || {
        py.import("sys")?.getattr("modules").map(Bound::unbind)
    })?;
    Ok(!modules.bind(py).contains(intern!(py, "time_machine"))?)
}

/// The system's wall clock in microseconds since 1970, as `datetime.datetime.now()` reads it.
fn system_micros() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_micros()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_micros()).unwrap_or(i64::MAX),
    }
}

// The first reading of each kind, which maps to the origin's instant. Two kinds: microseconds
// of a datetime since year 1 (local time) and of the system clock since 1970 (UTC) count
// from different zeros; a call reads one kind throughout unless a test swaps the class.
static FIRST_DATETIME: OnceLock<i64> = OnceLock::new();
static FIRST_SYSTEM: OnceLock<i64> = OnceLock::new();

/// The instant of a reading `micros`: the origin's instant plus the difference from the first
/// reading of its kind (which becomes the origin's).
fn instant_of(first: &OnceLock<i64>, micros: i64) -> Instant {
    let first = *first.get_or_init(|| micros);
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
