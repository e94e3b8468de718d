//! Where a retrying call reads the time: a monotonic clock, injectable for tests.

use std::time::Instant;

/// A monotonic time source.
///
/// A call reads it only when something needs the time: a `max_time`, a handler (for
/// [`Details::elapsed`](crate::Details::elapsed)), or an enabled log event. The success path of
/// a plain policy never reads it.
///
/// ```
/// use persevere::{Clock, SystemClock};
///
/// let a = SystemClock.now();
/// assert!(SystemClock.now() >= a);
/// ```
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The real monotonic clock, `std::time::Instant::now()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}
