//! The scenarios with the `retry` crate 2.2 (blocking only). It sleeps with
//! `std::thread::sleep`, which returns at once for a zero duration: zero-length waits stand for
//! the zero-length sleeper.

use crate::{Busy, FIRST_WAIT, MAX_TRIES, flaky};
use retry::delay::{Exponential, jitter};
use std::time::Duration;

/// 1 s doubling, `MAX_TRIES - 1` retries, full jitter if asked, then zeroed.
pub fn delays(with_jitter: bool) -> impl Iterator<Item = Duration> {
    Exponential::from_millis(FIRST_WAIT.as_millis() as u64)
        .take(MAX_TRIES as usize - 1)
        .map(move |d| if with_jitter { jitter(d) } else { d })
        .map(|d| {
            // The jittered delay is computed, then not slept.
            std::hint::black_box(d);
            Duration::ZERO
        })
}

/// One blocking call.
pub fn call(fails: u32, with_jitter: bool) -> Result<u32, Busy> {
    retry::retry(delays(with_jitter), flaky(fails)).map_err(|e| e.error)
}

/// One delay: the strategy's next value with the crate's full jitter (steady state).
pub fn one_delay(delays: &mut impl Iterator<Item = Duration>) -> Option<Duration> {
    delays.next().map(jitter)
}

/// The strategy of [`one_delay`]: 1 s doubling, capped at 60 s (the crate has no cap of its
/// own).
pub fn one_delay_strategy() -> impl Iterator<Item = Duration> {
    let cap = Duration::from_secs(60);
    Exponential::from_millis(FIRST_WAIT.as_millis() as u64).map(move |d| d.min(cap))
}
