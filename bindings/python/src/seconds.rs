//! Seconds as Python numbers, durations as the core's.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::time::Duration;

/// A Python number of seconds as a duration: negative values wait zero (backoff would hand them
/// to `time.sleep`, which rejects them), values beyond `Duration::MAX` saturate, NaN is an error.
pub fn to_duration(value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let secs: f64 = value.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "a wait must be a number of seconds, not {}",
            value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    from_secs(secs)
}

/// `secs` as a duration, with the rules of [`to_duration`].
pub fn from_secs(secs: f64) -> PyResult<Duration> {
    if secs.is_nan() {
        return Err(PyValueError::new_err("a wait cannot be NaN"));
    }
    if secs <= 0.0 {
        return Ok(Duration::ZERO);
    }
    Ok(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

/// A duration as float seconds. Whole microseconds (every duration measured with
/// `datetime.datetime.now()`) divide as `timedelta.total_seconds()` does, so the values equal
/// backoff's to the last bit.
pub fn to_secs(d: Duration) -> f64 {
    let nanos = d.as_nanos();
    if nanos % 1000 == 0 && nanos < (1u128 << 53) * 1000 {
        (nanos / 1000) as f64 / 1e6
    } else {
        d.as_secs_f64()
    }
}
