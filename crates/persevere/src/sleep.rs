//! Sleepers: how a retrying call waits between attempts, blocking or async.

use std::future::Future;
use std::time::Duration;

/// A blocking sleeper, used by [`retry`](crate::Policy::retry) and the blocking code-block form.
///
/// Any `Fn(Duration)` is one, so a test or a benchmark can pass `|_| {}`.
///
/// ```
/// use persevere::{on_error, constant};
/// use std::{cell::Cell, time::Duration};
///
/// let slept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
/// let log = slept.clone();
/// let mut calls = 0;
/// let result: Result<(), &str> = on_error(constant(Duration::from_secs(2)))
///     .max_tries(3)
///     .jitter(persevere::Jitter::None)
///     .sleeper(move |d: Duration| log.lock().unwrap().push(d))
///     .retry(|| { calls += 1; Err("down") });
/// assert_eq!(result, Err("down"));
/// assert_eq!(calls, 3);
/// assert_eq!(*slept.lock().unwrap(), [Duration::from_secs(2); 2]);
/// ```
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

/// The default sleeper: `std::thread::sleep` when blocking; when async, tokio's timer (feature
/// `tokio`, on by default), else `async-io`'s (feature `async-io`).
///
/// With the `tokio` feature, async sleeps need a tokio runtime with its time driver enabled,
/// as `tokio::time::sleep` does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultSleeper;

impl Sleeper for DefaultSleeper {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

#[cfg(feature = "tokio")]
impl AsyncSleeper for DefaultSleeper {
    type Sleep = tokio::time::Sleep;

    fn sleep_async(&self, duration: Duration) -> tokio::time::Sleep {
        TokioSleeper.sleep_async(duration)
    }
}

#[cfg(all(feature = "async-io", not(feature = "tokio")))]
impl AsyncSleeper for DefaultSleeper {
    type Sleep = AsyncIoSleep;

    fn sleep_async(&self, duration: Duration) -> AsyncIoSleep {
        AsyncIoSleeper.sleep_async(duration)
    }
}

/// Blocking sleeps with `std::thread::sleep` (the blocking half of [`DefaultSleeper`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// Async sleeps on tokio's timer (feature `tokio`).
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

/// Async sleeps on `async-io`'s timer, for smol and other `async-io` runtimes (feature
/// `async-io`).
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

/// The future returned by [`AsyncIoSleeper`].
#[cfg(feature = "async-io")]
#[derive(Debug)]
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
