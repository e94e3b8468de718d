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
/// use std::cell::RefCell;
/// use std::time::Duration;
///
/// let seen = RefCell::new(Vec::new());
/// let mut calls = 0;
/// let result: Result<u32, String> = on_error(constant(Duration::from_secs(1)))
///     .jitter(Jitter::None)
///     .clock(VirtualClock::new())
///     .on_backoff(|d| seen.borrow_mut().push((d.tries(), d.wait(), d.error().cloned())))
///     .retry(|| { calls += 1; if calls < 3 { Err(format!("fail {calls}")) } else { Ok(calls) } });
/// assert_eq!(result, Ok(3));
/// let one = Some(Duration::from_secs(1));
/// assert_eq!(*seen.borrow(), [
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
    pub(crate) reason: Option<GiveUpReason>,
    pub(crate) value: Option<&'a T>,
    pub(crate) error: Option<&'a E>,
}

/// Why a call gave up, in [`Details::reason`] and in the give-up log's `reason` field.
///
/// ```
/// use persevere::{on_error, constant, GiveUpReason, testing::VirtualClock};
/// use std::{cell::Cell, time::Duration};
///
/// let reason = Cell::new(None);
/// let _: Result<(), &str> = on_error(constant(Duration::from_secs(1)))
///     .max_tries(2)
///     .on_giveup(|d| reason.set(d.reason()))
///     .clock(VirtualClock::new())
///     .retry(|| Err("down"));
/// assert_eq!(reason.get(), Some(GiveUpReason::MaxTries));
/// assert_eq!(GiveUpReason::MaxTries.as_str(), "max_tries");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// `max_tries` attempts were made.
    MaxTries,
    /// `max_time` was reached (or, with `no_attempt_at_deadline`, the next wait would reach it).
    MaxTime,
    /// The wait strategy had no more waits (`intervals`, a `take(n)`, `runtime` without advice).
    Exhausted,
    /// A `giveup` filter marked the error fatal.
    Fatal,
    /// The retry budget refused the retry.
    Budget,
    /// The server's wait was beyond what the policy allows (its cap or the time left).
    Server,
    /// An [`AdaptiveThrottle`](crate::budget::AdaptiveThrottle) rejected the attempt locally.
    Throttled,
    /// A [`CircuitBreaker`](crate::breaker::CircuitBreaker) was open (or had no half-open
    /// probe left) and refused the attempt.
    CircuitOpen,
}

impl GiveUpReason {
    /// A short lowercase name, as logs and reports write it: `max_tries`, `max_time`,
    /// `exhausted`, `fatal`, `budget`, `server`, `throttled`, `circuit_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            GiveUpReason::MaxTries => "max_tries",
            GiveUpReason::MaxTime => "max_time",
            GiveUpReason::Exhausted => "exhausted",
            GiveUpReason::Fatal => "fatal",
            GiveUpReason::Budget => "budget",
            GiveUpReason::Server => "server",
            GiveUpReason::Throttled => "throttled",
            GiveUpReason::CircuitOpen => "circuit_open",
        }
    }
}

impl std::fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

    /// Why the call gave up: `Some` in `on_giveup` only.
    pub fn reason(&self) -> Option<GiveUpReason> {
        self.reason
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
