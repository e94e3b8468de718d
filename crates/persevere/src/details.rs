//! `Details`: what every handler receives about the call so far.

use std::time::Duration;

/// The state of a retrying call at an event (success, backoff, give-up), as Python's `details`
/// dict, typed.
///
/// `T` is the value type and `E` the error type; for [`on_predicate`](fn@crate::on_predicate),
/// `E` is `Infallible`.
///
/// ```
/// use persevere::{on_error, constant, Jitter, testing::VirtualClock};
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let mut calls = 0;
/// let result: Result<u32, String> = on_error(constant(Duration::from_secs(1)))
///     .jitter(Jitter::None)
///     .clock(VirtualClock::new())
///     .on_backoff(move |d| log.lock().unwrap().push((d.tries(), d.wait(), d.error().cloned())))
///     .retry(|| { calls += 1; if calls < 3 { Err(format!("fail {calls}")) } else { Ok(calls) } });
/// assert_eq!(result, Ok(3));
/// let one = Some(Duration::from_secs(1));
/// assert_eq!(*seen.lock().unwrap(), [
///     (1, one, Some("fail 1".to_string())),
///     (2, one, Some("fail 2".to_string())),
/// ]);
/// ```
#[derive(Debug)]
pub struct Details<'a, T, E> {
    pub(crate) target: &'a str,
    pub(crate) tries: u32,
    pub(crate) elapsed: Duration,
    pub(crate) wait: Option<Duration>,
    pub(crate) value: Option<&'a T>,
    pub(crate) error: Option<&'a E>,
}

impl<'a, T, E> Details<'a, T, E> {
    /// The name of what is retried: the policy's [`name`](crate::Policy::name), else the
    /// retried function's path.
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// The number of attempts made so far, the one that just ended included (1-based).
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// The time since the call started, measured after the attempt that just ended. Zero when
    /// the call had no reason to read the clock (no `max_time`, no handler, logging off).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The wait before the next attempt: `Some` in `on_backoff` only.
    pub fn wait(&self) -> Option<Duration> {
        self.wait
    }

    /// The attempt's error, if it failed with one.
    pub fn error(&self) -> Option<&'a E> {
        self.error
    }

    /// The attempt's value: the returned value in `on_predicate`, the `Ok` value in
    /// `on_error`'s `on_success`.
    pub fn value(&self) -> Option<&'a T> {
        self.value
    }
}

impl<T, E> Clone for Details<'_, T, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, E> Copy for Details<'_, T, E> {}
