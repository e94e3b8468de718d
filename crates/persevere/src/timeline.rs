//! Time: where a retrying call reads the clock and how it sleeps. One timeline: the clock that
//! measures `max_time` is the clock of the sleeper in use, and both are injectable (real by
//! default, virtual in tests). The traits and the real clock are named at the crate root
//! (`persevere::Clock`), the other sleepers in [`time`](crate::time).

use std::future::Future;
use std::time::{Duration, Instant};

/// A monotonic time source.
///
/// A call reads it only when something needs the time: a `max_time`, a handler (for
/// [`Details::elapsed`](crate::Details::elapsed)), an enabled log event or a budget. The
/// success path of a plain policy never reads it.
///
/// ```
/// use persevere::{Clock, SystemClock};
///
/// let a = SystemClock.now();
/// assert!(SystemClock.now() >= a);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a clock",
    label = "not a `persevere::Clock`",
    note = "`.clock(..)` takes a type that is both a clock and a sleeper, such as `persevere::SystemClock` or `persevere::testing::VirtualClock`; to sleep some other way with the real clock, use `.sleeper(..)`"
)]
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// A blocking sleeper, used by [`retry`](crate::Policy::retry) and the blocking code-block form.
///
/// Any `Fn(Duration)` is one, so a test or a benchmark can pass `|_| {}`.
///
/// ```
/// use persevere::{on_error, constant, Jitter};
/// use std::{cell::RefCell, time::Duration};
///
/// let slept = RefCell::new(Vec::new());
/// let mut calls = 0;
/// let result: Result<(), &str> = on_error(constant(Duration::from_secs(2)))
///     .max_tries(3)
///     .jitter(Jitter::None)
///     .sleeper(|d: Duration| slept.borrow_mut().push(d))
///     .retry(|| { calls += 1; Err("down") });
/// assert_eq!((result, calls), (Err("down"), 3));
/// assert_eq!(*slept.borrow(), [Duration::from_secs(2); 2]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot sleep in a blocking call",
    label = "not a blocking `persevere::Sleeper`",
    note = "a blocking sleeper is a `Fn(Duration)` or a type implementing `persevere::Sleeper` (`SystemClock`, `VirtualClock`); async sleepers serve `retry_async`"
)]
pub trait Sleeper {
    /// Blocks the current thread for `duration`.
    fn sleep(&self, duration: Duration);
}

/// An async sleeper, used by [`retry_async`](crate::Policy::retry_async),
/// [`retry_async_mut`](crate::Policy::retry_async_mut) and the async code-block form.
///
/// Any `Fn(Duration) -> impl Future<Output = ()>` is one.
///
/// ```
/// use persevere::{on_error, constant};
/// use std::time::Duration;
///
/// # futures_lite::future::block_on(async {
/// let result: Result<u8, &str> = on_error(constant(Duration::from_secs(1)))
///     .max_tries(2)
///     .sleeper(|_d: Duration| std::future::ready(()))
///     .retry_async(|| async { Err("down") })
///     .await;
/// assert_eq!(result, Err("down"));
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot sleep in an async call",
    label = "not a `persevere::AsyncSleeper`",
    note = "an async sleeper is a `Fn(Duration) -> impl Future<Output = ()>` or a type implementing `persevere::AsyncSleeper` (`SystemClock` with the `tokio` or `async-io` feature, `TokioSleeper`, `AsyncIoSleeper`, `VirtualClock`)"
)]
pub trait AsyncSleeper {
    /// The future that completes after the wait.
    type Sleep: Future<Output = ()>;

    /// A future that completes after `duration`.
    fn sleep_async(&self, duration: Duration) -> Self::Sleep;
}

impl<F: Fn(Duration)> Sleeper for F {
    fn sleep(&self, duration: Duration) {
        self(duration)
    }
}

impl<F, Fut> AsyncSleeper for F
where
    F: Fn(Duration) -> Fut,
    Fut: Future<Output = ()>,
{
    type Sleep = Fut;

    fn sleep_async(&self, duration: Duration) -> Fut {
        self(duration)
    }
}

/// Real time, the default clock and sleeper of every policy, and the one to inject where a
/// real-time clock is wanted (`.clock(SystemClock)`, `clock = persevere::SystemClock` in the
/// attributes).
///
/// - Blocking sleeps: `std::thread::sleep`.
/// - Async sleeps: tokio's timer (feature `tokio`, on by default), else `async-io`'s (feature
///   `async-io`). With `tokio`, they need a tokio runtime with its time driver enabled, as
///   `tokio::time::sleep` does.
/// - The clock: with the `tokio` feature, tokio's clock (`tokio::time::Instant::now()`), which
///   is the monotonic clock except under tokio's paused test time, where it follows the
///   paused time that the async sleeps use. So `max_time` and the sleeps share one timeline
///   in `#[tokio::test(start_paused = true)]` tests too. Outside a runtime (and with paused
///   time never used) it reads `Instant::now()`.
///
/// ```
/// use persevere::{on_error, expo, SystemClock};
/// let _policy = on_error(expo()).clock(SystemClock);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Instant {
        #[cfg(feature = "tokio")]
        {
            tokio::time::Instant::now().into_std()
        }
        #[cfg(not(feature = "tokio"))]
        {
            Instant::now()
        }
    }
}

impl Sleeper for SystemClock {
    /// Blocks the thread with `std::thread::sleep`.
    #[inline]
    fn sleep(&self, duration: Duration) {
        // A zero wait (`constant(ZERO)`, a full-jitter draw of 0) returns here: std's sleep
        // makes no system call for it either, but its out-of-line call costs about 20
        // instructions per retry (issue 17's "where the default sleeper's 8-9 ns go").
        if duration.is_zero() {
            return;
        }
        warn_if_on_an_async_runtime();
        std::thread::sleep(duration);
    }
}

#[cfg(feature = "tokio")]
impl AsyncSleeper for SystemClock {
    type Sleep = tokio::time::Sleep;

    fn sleep_async(&self, duration: Duration) -> tokio::time::Sleep {
        TokioSleeper.sleep_async(duration)
    }
}

#[cfg(all(feature = "async-io", not(feature = "tokio")))]
impl AsyncSleeper for SystemClock {
    type Sleep = AsyncIoSleep;

    fn sleep_async(&self, duration: Duration) -> AsyncIoSleep {
        AsyncIoSleeper.sleep_async(duration)
    }
}

/// The former name of [`SystemClock`] as a sleeper.
#[deprecated(
    since = "0.1.0",
    note = "the default sleeper and clock are one: use `SystemClock`"
)]
#[doc(hidden)]
pub type DefaultSleeper = SystemClock;

/// The former name of [`SystemClock`] as a blocking sleeper (they slept alike).
#[deprecated(
    since = "0.1.0",
    note = "the same sleeper as `SystemClock`: use `SystemClock`"
)]
#[doc(hidden)]
pub type ThreadSleeper = SystemClock;

/// A blocking sleep on a thread that runs async tasks stalls every task of that thread (all of
/// them, on a current-thread runtime) for the whole wait: calling a blocking driver
/// ([`retry`](crate::Policy::retry), [`retry_with`](crate::Policy::retry_with)) there is a
/// mistake; use `retry_async`, or `spawn_blocking`. In debug builds with the `tokio` feature,
/// the first real blocking sleep on a tokio worker thread (or the thread that drives a
/// current-thread runtime) logs a warning, once per process; `spawn_blocking` threads are
/// not worker threads and are not warned about. The check runs only before a sleep, never on
/// a call that succeeds at once.
#[inline]
fn warn_if_on_an_async_runtime() {
    #[cfg(all(debug_assertions, feature = "tokio"))]
    if tokio::runtime::worker_index().is_some() {
        warn_blocking_sleep_once();
    }
}

#[cfg(all(debug_assertions, feature = "tokio"))]
#[cold]
fn warn_blocking_sleep_once() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            target: "persevere",
            "a blocking retry is sleeping on a tokio worker thread, which stalls the runtime's \
             tasks: use `retry_async`, or run the blocking call in `spawn_blocking` \
             (this warning is logged once, in debug builds)"
        );
    }
}

/// Async sleeps on tokio's timer, with tokio's clock (feature `tokio`).
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokioSleeper;

#[cfg(feature = "tokio")]
impl AsyncSleeper for TokioSleeper {
    type Sleep = tokio::time::Sleep;

    fn sleep_async(&self, duration: Duration) -> tokio::time::Sleep {
        // tokio's deadline arithmetic panics past its far-future limit; a saturated wait
        // (Duration::MAX) means "forever", which tokio represents as its far future.
        match tokio::time::Instant::now().checked_add(duration) {
            Some(deadline) => tokio::time::sleep_until(deadline),
            None => tokio::time::sleep(Duration::from_secs(86_400 * 365 * 30)),
        }
    }
}

#[cfg(feature = "tokio")]
impl Clock for TokioSleeper {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// Async sleeps on `async-io`'s timer, for smol and other `async-io` runtimes, with the
/// monotonic clock (feature `async-io`).
#[cfg(feature = "async-io")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsyncIoSleeper;

#[cfg(feature = "async-io")]
impl AsyncSleeper for AsyncIoSleeper {
    type Sleep = AsyncIoSleep;

    fn sleep_async(&self, duration: Duration) -> AsyncIoSleep {
        // `Timer::after` saturates internally: a wait past the clock's range never fires.
        AsyncIoSleep(async_io::Timer::after(duration))
    }
}

#[cfg(feature = "async-io")]
impl Clock for AsyncIoSleeper {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// The future returned by [`AsyncIoSleeper`].
#[cfg(feature = "async-io")]
#[derive(Debug)]
#[doc(hidden)]
pub struct AsyncIoSleep(async_io::Timer);

#[cfg(feature = "async-io")]
impl Future for AsyncIoSleep {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        // `Timer` is `Unpin`, so no pin projection is needed.
        std::pin::Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A policy's timeline after [`sleeper`](crate::Policy::sleeper): the clock it had, and the
/// sleeper given.
#[derive(Debug, Clone, Copy, Default)]
#[doc(hidden)]
pub struct WithSleeper<C, S> {
    pub(crate) clock: C,
    pub(crate) sleeper: S,
}

impl<C: Clock, S> Clock for WithSleeper<C, S> {
    #[inline]
    fn now(&self) -> Instant {
        self.clock.now()
    }
}

impl<C, S: Sleeper> Sleeper for WithSleeper<C, S> {
    #[inline]
    fn sleep(&self, duration: Duration) {
        self.sleeper.sleep(duration);
    }
}

impl<C, S: AsyncSleeper> AsyncSleeper for WithSleeper<C, S> {
    type Sleep = S::Sleep;

    #[inline]
    fn sleep_async(&self, duration: Duration) -> S::Sleep {
        self.sleeper.sleep_async(duration)
    }
}
