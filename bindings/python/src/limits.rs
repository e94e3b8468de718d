//! `max_tries` and `max_time` as backoff reads them: once per call, a callable called
//! (backoff's `_maybe_call`). The binding reads them when a call begins and gives them to the
//! core as that call's own limits (`policy.call().max_tries(..).max_time(..)`).

use crate::seconds;
use crate::wait::maybe_call;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt};
use std::num::NonZeroU32;
use std::time::Duration;

/// This call's limits from the decorator's `max_tries` and `max_time` (values or callables):
/// a limit no count or time reaches where backoff's never stops the call.
pub fn read(
    max_tries: &Bound<'_, PyAny>,
    max_time: &Bound<'_, PyAny>,
) -> PyResult<(NonZeroU32, Duration)> {
    let tries = tries_limit(&maybe_call(max_tries)?)?;
    let time = time_limit(&maybe_call(max_time)?)?;
    Ok((tries, time))
}

/// backoff gives up when `tries == max_tries`: a limit that no count equals (None, zero,
/// negative, fractional, beyond `u32`) never stops the call.
fn tries_limit(value: &Bound<'_, PyAny>) -> PyResult<NonZeroU32> {
    if value.is_instance_of::<PyInt>() {
        let n: i128 = value.extract().unwrap_or(0);
        return Ok(u32::try_from(n)
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or(NonZeroU32::MAX));
    }
    if value.is_instance_of::<PyFloat>() {
        let n: f64 = value.extract()?;
        let whole = n.fract() == 0.0 && n >= 1.0 && n <= f64::from(u32::MAX);
        let n = if whole { n as u32 } else { u32::MAX };
        return Ok(NonZeroU32::new(n).unwrap_or(NonZeroU32::MAX));
    }
    Ok(NonZeroU32::MAX)
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
