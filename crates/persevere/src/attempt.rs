//! `Attempt`: what an attempt-aware operation learns about the attempt it is making.

use std::time::Duration;

/// The attempt an operation is making, for the attempt-aware drivers
/// ([`retry_with`](crate::Policy::retry_with), [`retry_async_with`](crate::Policy::retry_async_with))
/// and [`Retrying::attempt`](crate::Retrying::attempt): its number and the time left before the
/// call's `max_time`, to pass on as a deadline to a server.
///
/// ```
/// use persevere::{on_error, constant, Attempt, Jitter, testing::VirtualClock};
/// use std::time::Duration;
///
/// let clock = VirtualClock::new();
/// let mut seen = Vec::new();
/// let _: Result<(), &str> = on_error(constant(Duration::from_secs(3)))
///     .max_time(Duration::from_secs(10))
///     .jitter(Jitter::None)
///     .clock(clock.clone())
///     .retry_with(|attempt: Attempt| {
///         seen.push((attempt.number(), attempt.time_left()));
///         Err("down")
///     });
/// let left = |s| Some(Duration::from_secs(s));
/// assert_eq!(seen, [(1, left(10)), (2, left(7)), (3, left(4)), (4, left(1)), (5, left(0))]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub(crate) number: u32,
    pub(crate) time_left: Option<Duration>,
}

impl Attempt {
    /// The attempt's number, 1 for the first.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// Whether this is the first attempt (not a retry).
    pub fn is_first(&self) -> bool {
        self.number == 1
    }

    /// The time left before the call's `max_time`, measured when the attempt starts; `None`
    /// without `max_time`.
    pub fn time_left(&self) -> Option<Duration> {
        self.time_left
    }
}
