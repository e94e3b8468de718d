//! `max_tries` and `max_time` as backoff reads them: once per call, a callable called
//! (backoff's `_maybe_call`). The binding reads them when a call begins and hands them to the
//! core's limit closures through this thread's slot, read by the core in that same `begin`.

use crate::seconds;
use crate::wait::maybe_call;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt};
use std::cell::Cell;
use std::time::Duration;

thread_local! {
    static LIMITS: Cell<(u32, Duration)> = const { Cell::new((u32::MAX, Duration::MAX)) };
}

/// The core's `max_tries` closure.
pub fn max_tries() -> u32 {
    LIMITS.with(Cell::get).0
}

/// The core's `max_time` closure.
pub fn max_time() -> Duration {
    LIMITS.with(Cell::get).1
}

/// Sets this call's limits from the decorator's `max_tries` and `max_time` (values or
/// callables), for the `begin` that follows.
pub fn set(max_tries: &Bound<'_, PyAny>, max_time: &Bound<'_, PyAny>) -> PyResult<()> {
    let tries = tries_limit(&maybe_call(max_tries)?)?;
    let time = time_limit(&maybe_call(max_time)?)?;
    LIMITS.with(|l| l.set((tries, time)));
    Ok(())
}

/// backoff gives up when `tries == max_tries`: a limit that no count equals (None, zero,
/// negative, fractional, beyond `u32`) never stops the call.
fn tries_limit(value: &Bound<'_, PyAny>) -> PyResult<u32> {
    if value.is_instance_of::<PyInt>() {
        let n: i128 = value.extract().unwrap_or(0);
        return Ok(u32::try_from(n).ok().filter(|&n| n > 0).unwrap_or(u32::MAX));
    }
    if value.is_instance_of::<PyFloat>() {
        let n: f64 = value.extract()?;
        let whole = n.fract() == 0.0 && n >= 1.0 && n <= f64::from(u32::MAX);
        return Ok(if whole { n as u32 } else { u32::MAX });
    }
    Ok(u32::MAX)
}

/// backoff gives up when `elapsed >= max_time`: None never, zero or less after the first
/// attempt, NaN never.
fn time_limit(value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    if value.is_none() {
        return Ok(Duration::MAX);
    }
    let secs: f64 = value.extract()?;
    if secs.is_nan() {
        return Ok(Duration::MAX);
    }
    seconds::from_secs(secs)
}
