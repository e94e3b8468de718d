//! Test support: a virtual clock that is also a sleeper, so that every retry rule can be
//! tested in microseconds, deterministically.

use crate::{AsyncSleeper, Clock, Sleeper};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A clock and a sleeper in one, on a virtual timeline.
///
/// A sleep completes at its first poll (no runtime needed), advances [`now`](Clock::now) by its
/// length and is appended to [`sleeps`](VirtualClock::sleeps). [`advance`](VirtualClock::advance)
/// lets an operation "take" time. Clones share one timeline; it is `Send + Sync`, and it drives
/// blocking and async sleeps alike: `policy.clock(vc.clone())`.
///
/// ```
/// use persevere::{on_error, expo, Jitter, testing::VirtualClock};
/// use std::time::Duration;
///
/// let clock = VirtualClock::new();
/// let mut calls = 0;
/// let result: Result<(), &str> = on_error(expo())
///     .max_time(Duration::from_secs(10))
///     .jitter(Jitter::None)
///     .clock(clock.clone())
///     .retry(|| { calls += 1; Err("down") });
/// assert!(result.is_err());
/// assert_eq!(calls, 5);
/// assert_eq!(clock.sleeps(), [1, 2, 4, 3].map(Duration::from_secs));
/// assert_eq!(clock.elapsed(), Duration::from_secs(10));
///
/// let before = clock.now();
/// clock.advance(Duration::from_millis(250));
/// assert_eq!(clock.now() - before, Duration::from_millis(250));
/// ```
#[derive(Debug, Clone)]
pub struct VirtualClock {
    timeline: Arc<Mutex<Timeline>>,
}

#[derive(Debug)]
struct Timeline {
    origin: Instant,
    elapsed: Duration,
    sleeps: Vec<Duration>,
}

/// The virtual `now()` stops advancing past this offset, so that a saturated wait
/// (`Duration::MAX`) cannot overflow `Instant`.
const HORIZON: Duration = Duration::from_secs(86_400 * 365 * 100);

impl VirtualClock {
    /// A new timeline, at virtual time zero.
    pub fn new() -> Self {
        VirtualClock {
            timeline: Arc::new(Mutex::new(Timeline {
                origin: Instant::now(),
                elapsed: Duration::ZERO,
                sleeps: Vec::new(),
            })),
        }
    }

    /// Moves virtual time forward without recording a sleep (an operation that takes time).
    pub fn advance(&self, duration: Duration) {
        let mut t = self.lock();
        t.elapsed = t.elapsed.saturating_add(duration);
    }

    /// The virtual current instant (the same as [`Clock::now`], without importing the trait).
    pub fn now(&self) -> Instant {
        let t = self.lock();
        t.origin + t.elapsed.min(HORIZON)
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    /// The virtual time since [`new`](VirtualClock::new): the sleeps plus the advances.
    pub fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }

    fn record_sleep(&self, duration: Duration) {
        let mut t = self.lock();
        t.elapsed = t.elapsed.saturating_add(duration);
        t.sleeps.push(duration);
    }

    fn lock(&self) -> MutexGuard<'_, Timeline> {
        // A panic in another test thread must not hide this timeline.
        self.timeline
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        VirtualClock::new()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Instant {
        VirtualClock::now(self)
    }
}

impl Sleeper for VirtualClock {
    fn sleep(&self, duration: Duration) {
        self.record_sleep(duration);
    }
}

impl AsyncSleeper for VirtualClock {
    type Sleep = VirtualSleep;

    fn sleep_async(&self, duration: Duration) -> VirtualSleep {
        VirtualSleep {
            clock: Some(self.clone()),
            duration,
        }
    }
}

/// A sleep on a [`VirtualClock`]: it completes at its first poll.
#[derive(Debug)]
#[must_use = "a virtual sleep is recorded when it is polled"]
#[doc(hidden)]
pub struct VirtualSleep {
    clock: Option<VirtualClock>,
    duration: Duration,
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if let Some(clock) = self.clock.take() {
            clock.record_sleep(self.duration);
        }
        Poll::Ready(())
    }
}
