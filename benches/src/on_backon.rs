//! The scenarios with backon 1.6: the idiomatic `op.retry(builder).sleep(..).call()`, which
//! builds the backoff per call (backon's builders are `Copy`).

use crate::{Busy, FIRST_WAIT, MAX_TIME, MAX_TRIES, flaky, flaky_async};
use backon::{BlockingRetryable, ExponentialBuilder, Retryable};
use std::future::{Future, ready};
use std::time::Duration;

/// `ExponentialBuilder` with 1 s doubling and `MAX_TRIES - 1` retries (backon counts
/// retries), jittered if asked. backon has no wall-clock deadline; `max_time` maps to its
/// closest setting, `with_total_delay` (the sum of the delays).
pub fn builder(jitter: bool, max_time: bool) -> ExponentialBuilder {
    let mut b = ExponentialBuilder::new()
        .with_min_delay(FIRST_WAIT)
        .with_factor(2.0)
        .with_max_times(MAX_TRIES as usize - 1);
    if jitter {
        b = b.with_jitter();
    }
    if max_time {
        b = b.with_total_delay(Some(MAX_TIME));
    }
    b
}

/// One blocking call with a zero-length sleeper.
pub fn call(fails: u32, builder: ExponentialBuilder) -> Result<u32, Busy> {
    flaky(fails)
        .retry(builder)
        .sleep(|d: Duration| {
            std::hint::black_box(d);
        })
        .call()
}

/// One async call with a zero-length sleeper: backon's own future.
pub fn call_async(
    fails: u32,
    builder: ExponentialBuilder,
) -> impl Future<Output = Result<u32, Busy>> {
    flaky_async(fails).retry(builder).sleep(|d: Duration| {
        std::hint::black_box(d);
        ready(())
    })
}

/// One async call with backon's default tokio sleeper.
pub fn call_tokio(
    fails: u32,
    builder: ExponentialBuilder,
) -> impl Future<Output = Result<u32, Busy>> {
    flaky_async(fails).retry(builder)
}
