use crate::catalogue::defaults;
use core::time::Duration;

/// The same wait forever (Python's `backoff.constant` with a number).
///
/// Jitter: [`Jitter::Full`](crate::Jitter::Full) unless the policy says otherwise.
///
/// ```
/// use persevere::constant;
/// use std::time::Duration;
///
/// assert!(constant(Duration::from_secs(3)).take(9).all(|d| d == Duration::from_secs(3)));
/// ```
pub fn constant(interval: Duration) -> Constant {
    Constant { interval }
}

/// The strategy made by [`constant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Constant {
    interval: Duration,
}

impl Default for Constant {
    /// Python's default `interval`: 1 s.
    fn default() -> Self {
        constant(defaults::CONSTANT_INTERVAL)
    }
}

impl Iterator for Constant {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        Some(self.interval)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}
