//! The scenarios with tokio-retry 0.3: it always sleeps on tokio's timer (it takes no custom
//! sleeper), so it takes part in the failure scenarios only on tokio's timer.

use crate::{Busy, MAX_TRIES, flaky_async};
use std::future::Future;
use std::time::Duration;
use tokio_retry::Retry;
use tokio_retry::strategy::{ExponentialBackoff, jitter};

/// 1 s doubling (`from_millis(2).factor(500)`: 2^n ms x 500), `MAX_TRIES - 1` retries,
/// jittered with tokio-retry's `jitter` if asked.
pub fn strategy(with_jitter: bool) -> impl Iterator<Item = Duration> {
    ExponentialBackoff::from_millis(2)
        .factor(500)
        .take(MAX_TRIES as usize - 1)
        .map(move |d| if with_jitter { jitter(d) } else { d })
}

/// One async call. It sleeps on tokio's timer, so once it retries it needs a tokio runtime
/// with time enabled (the benches use a paused one, where the waits pass at once).
pub fn call_async(fails: u32, with_jitter: bool) -> impl Future<Output = Result<u32, Busy>> {
    Retry::start(strategy(with_jitter), flaky_async(fails))
}

/// One delay: the strategy's next value with tokio-retry's full jitter (steady state).
pub fn one_delay(backoff: &mut ExponentialBackoff) -> Option<Duration> {
    backoff.next().map(jitter)
}

/// The strategy of [`one_delay`]: 1 s doubling, capped at 60 s.
pub fn one_delay_strategy() -> ExponentialBackoff {
    ExponentialBackoff::from_millis(2)
        .factor(500)
        .max_delay(Duration::from_secs(60))
}
