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
use pyo3::types::{PyDateAccess, PyDateTime, PyTimeAccess};
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
/// equal `timedelta` arithmetic); a number is taken as seconds.
fn micros_of(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    if let Ok(dt) = value.downcast::<PyDateTime>() {
        let days = days_from_civil(
            i64::from(dt.get_year()),
            i64::from(dt.get_month()),
            i64::from(dt.get_day()),
        );
        let secs = days * 86_400
            + i64::from(dt.get_hour()) * 3600
            + i64::from(dt.get_minute()) * 60
            + i64::from(dt.get_second());
        return Ok(secs * 1_000_000 + i64::from(dt.get_microsecond()));
    }
    let secs: f64 = value.extract()?;
    Ok((secs * 1e6).round() as i64)
}

/// Days from 0001-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe
}

#[cfg(test)]
mod tests {
    use super::days_from_civil;

    #[test]
    fn days_count_leap_years() {
        assert_eq!(days_from_civil(2018, 1, 2) - days_from_civil(2018, 1, 1), 1);
        assert_eq!(
            days_from_civil(2020, 3, 1) - days_from_civil(2020, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(2001, 1, 1) - days_from_civil(2000, 1, 1),
            366
        );
    }
}
