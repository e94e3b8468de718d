//! The hand-written loops: what a careful programmer writes without a library, doing the same
//! work as persevere (the same waits, persevere's `Jitter::apply` on a per-call generator
//! seeded from a thread-local stream, the same sleeper, and the clock read only when a
//! `max_time` is set).

use crate::{Busy, FIRST_WAIT, MAX_TRIES, ZeroSleeper, flaky, flaky_async};
use persevere::{AsyncSleeper, Jitter, Rng, Sleeper};
use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

thread_local! {
    static SEEDS: Cell<u64> = const { Cell::new(0x0dd_ba11) };
}

/// A generator for one call, its seed taken from this thread's stream.
fn fresh_rng() -> Rng {
    let seed = SEEDS.with(|s| {
        let next = s.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
        s.set(next);
        next
    });
    Rng::seeded(seed)
}

/// What the loop does after a failed attempt: the wait, or `None` to give up.
struct Schedule {
    tries: u32,
    delay: Duration,
    rng: Option<Rng>,
    start: Option<(Instant, Duration)>,
}

impl Schedule {
    fn new(max_time: Option<Duration>) -> Self {
        Schedule {
            tries: 0,
            delay: FIRST_WAIT,
            rng: None,
            start: max_time.map(|max| (Instant::now(), max)),
        }
    }

    #[inline]
    fn after_failure(&mut self, jitter: &Jitter) -> Option<Duration> {
        self.tries += 1;
        if self.tries >= MAX_TRIES {
            return None;
        }
        let left = match self.start {
            Some((start, max)) => {
                let elapsed = start.elapsed();
                if elapsed >= max {
                    return None;
                }
                Some(max - elapsed)
            }
            None => None,
        };
        let rng = self.rng.get_or_insert_with(fresh_rng);
        let mut wait = jitter.apply(self.delay, rng);
        if let Some(left) = left {
            wait = wait.min(left);
        }
        self.delay = self.delay.saturating_mul(2);
        Some(wait)
    }
}

/// The blocking loop around `op`.
#[inline]
pub fn retry(
    mut op: impl FnMut() -> Result<u32, Busy>,
    jitter: &Jitter,
    max_time: Option<Duration>,
) -> Result<u32, Busy> {
    let mut schedule = Schedule::new(max_time);
    loop {
        let err = match op() {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        match schedule.after_failure(jitter) {
            Some(wait) => ZeroSleeper.sleep(wait),
            None => return Err(err),
        }
    }
}

/// The async loop around `op`.
pub async fn retry_async<Fut>(
    mut op: impl FnMut() -> Fut,
    jitter: &Jitter,
    max_time: Option<Duration>,
    sleeper: impl AsyncSleeper,
) -> Result<u32, Busy>
where
    Fut: Future<Output = Result<u32, Busy>>,
{
    let mut schedule = Schedule::new(max_time);
    loop {
        let err = match op().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        match schedule.after_failure(jitter) {
            Some(wait) => sleeper.sleep_async(wait).await,
            None => return Err(err),
        }
    }
}

/// One blocking call of the scenario: `fails` failures, then success.
pub fn call(fails: u32, jitter: &Jitter, max_time: Option<Duration>) -> Result<u32, Busy> {
    retry(flaky(fails), jitter, max_time)
}

/// One async call of the scenario with the zero-length sleeper: the loop's own future.
pub fn call_async(
    fails: u32,
    jitter: &Jitter,
    max_time: Option<Duration>,
) -> impl Future<Output = Result<u32, Busy>> + '_ {
    retry_async(flaky_async(fails), jitter, max_time, ZeroSleeper)
}

/// One delay: the next exponential value with `jitter`, as the loop computes it.
pub fn one_delay(delay: &mut Duration, rng: &mut Rng, jitter: &Jitter) -> Duration {
    let wait = jitter.apply(*delay, rng);
    *delay = delay.saturating_mul(2).min(Duration::from_secs(60));
    wait
}

/// One async call sleeping on tokio's timer (needs a runtime with time enabled).
pub fn call_tokio(fails: u32, jitter: &Jitter) -> impl Future<Output = Result<u32, Busy>> + '_ {
    retry_async(
        flaky_async(fails),
        jitter,
        None,
        persevere::time::TokioSleeper,
    )
}
