//! The scenarios with persevere: a policy built once (as an application keeps it), one call per
//! iteration.

use crate::{Busy, MAX_TRIES, ZeroSleeper, flaky, flaky_async};
use persevere::breaker::CircuitBreaker;
use persevere::budget::{AdaptiveThrottle, RatioBudget};
use persevere::time::{TokioSleeper, WithSleeper};
use persevere::wait::Wait;
use persevere::{Expo, Jitter, OnError, Rng, SystemClock, expo, on_error};
use std::future::Future;
use std::time::Duration;

/// The benches' policy: `expo()` (1 s doubling), [`MAX_TRIES`], the zero-length sleeper.
pub type Bench = OnError<Expo, (), (), WithSleeper<SystemClock, ZeroSleeper>>;

/// The policy with `jitter` and an optional `max_time`; no handlers, default logging (no
/// subscriber is installed, so nothing is recorded).
pub fn policy(jitter: Jitter, max_time: Option<Duration>) -> Bench {
    let policy = on_error(expo())
        .max_tries(MAX_TRIES)
        .jitter(jitter)
        .sleeper(ZeroSleeper);
    match max_time {
        Some(max) => policy.max_time(max),
        None => policy,
    }
}

/// [`policy`] behind the overload guards of `benches/guards.rs`: a retry budget (`.budget`),
/// an adaptive throttle and a circuit breaker in front of every attempt (`.gate`), set so that
/// they never refuse calls that fail at most three times. Returns one blocking call.
pub fn guarded(jitter: Jitter) -> impl Fn(u32) -> Result<u32, Busy> {
    let policy = on_error(expo())
        .max_tries(MAX_TRIES)
        .jitter(jitter)
        .sleeper(ZeroSleeper)
        .budget(RatioBudget::new(10.0, 10, Duration::from_secs(10)))
        .gate((
            AdaptiveThrottle::new(4.0, Duration::from_secs(120)),
            CircuitBreaker::default().failure_ratio(1.0),
        ));
    // A throttle with an empty window refuses retries until it has seen accepts (its cold
    // start): ten successful calls first.
    for _ in 0..10 {
        let _ = policy.retry(flaky(0));
    }
    move |fails| policy.retry(flaky(fails))
}

/// One blocking call: `fails` failures, then success.
pub fn call(policy: &Bench, fails: u32) -> Result<u32, Busy> {
    policy.retry(flaky(fails))
}

/// One async call with the zero-length sleeper: persevere's own future, unwrapped.
pub fn call_async(policy: &Bench, fails: u32) -> impl Future<Output = Result<u32, Busy>> + '_ {
    policy.retry_async(flaky_async(fails))
}

/// One delay: the strategy's next value (capped at 60 s), then `jitter`, as the decision core
/// computes it.
pub fn one_delay(
    strategy: &Expo,
    state: &mut Expo,
    rng: &mut Rng,
    jitter: &Jitter,
) -> Option<Duration> {
    let delay = Wait::<()>::next_delay(strategy, state, &(), rng)?;
    Some(jitter.apply(delay.duration, rng))
}

/// The strategy of [`one_delay`]: `expo()` capped at 60 s.
pub fn one_delay_strategy() -> Expo {
    expo().max_value(Duration::from_secs(60))
}

/// The policy on tokio's timer (persevere's default async sleeper).
pub type OnTokio = OnError<Expo, (), (), WithSleeper<SystemClock, TokioSleeper>>;

/// [`policy`] sleeping on tokio's timer.
pub fn tokio_policy(jitter: Jitter) -> OnTokio {
    on_error(expo())
        .max_tries(MAX_TRIES)
        .jitter(jitter)
        .sleeper(TokioSleeper)
}

/// One async call on tokio's timer (needs a runtime with time enabled).
pub fn call_tokio(policy: &OnTokio, fails: u32) -> impl Future<Output = Result<u32, Busy>> + '_ {
    policy.retry_async(flaky_async(fails))
}
