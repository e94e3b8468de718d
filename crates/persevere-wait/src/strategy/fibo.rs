use crate::catalogue::defaults;
use crate::duration::{as_nanos_f64, from_nanos_f64};
use core::time::Duration;

/// Fibonacci waits: `factor` times 1, 1, 2, 3, 5, 8, ... (Python's `backoff.fibo`).
///
/// # Default
/// `factor` 1 s, no `max_value`. Jitter: [`Jitter::Full`](crate::Jitter::Full).
///
/// ```
/// use persevere::fibo;
/// use std::time::Duration;
///
/// let secs: Vec<u64> = fibo().max_value(Duration::from_secs(8)).take(8).map(|d| d.as_secs()).collect();
/// assert_eq!(secs, [1, 1, 2, 3, 5, 8, 8, 8]);
/// ```
pub fn fibo() -> Fibo {
    Fibo {
        next_nanos: defaults::FIBO_FACTOR.as_nanos() as f64,
        after_nanos: defaults::FIBO_FACTOR.as_nanos() as f64,
        max_value: Duration::MAX,
    }
}

/// The strategy made by [`fibo`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct Fibo {
    /// The next two uncapped values in nanoseconds (`factor` twice before the first step).
    next_nanos: f64,
    after_nanos: f64,
    /// The cap; `Duration::MAX` when none is set.
    max_value: Duration,
}

impl Fibo {
    /// The unit the Fibonacci numbers multiply.
    pub fn factor(mut self, factor: Duration) -> Self {
        self.next_nanos = as_nanos_f64(factor);
        self.after_nanos = self.next_nanos;
        self
    }

    /// The cap: once reached, every later wait is `max_value`.
    pub fn max_value(mut self, max_value: Duration) -> Self {
        self.max_value = max_value;
        self
    }
}

impl Iterator for Fibo {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        let value = from_nanos_f64(self.next_nanos);
        if value >= self.max_value {
            return Some(self.max_value);
        }
        (self.next_nanos, self.after_nanos) =
            (self.after_nanos, self.next_nanos + self.after_nanos);
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_fibo_sequence() {
        let secs: Vec<u64> = fibo().take(7).map(|d| d.as_secs()).collect();
        assert_eq!(secs, [1, 1, 2, 3, 5, 8, 13]);
    }

    #[test]
    fn design_example_caps_at_thirteen() {
        let secs: Vec<u64> = fibo()
            .max_value(Duration::from_secs(13))
            .take(9)
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(secs, [1, 1, 2, 3, 5, 8, 13, 13, 13]);
    }

    #[test]
    fn factor_scales() {
        let ms: Vec<u128> = fibo()
            .factor(Duration::from_millis(10))
            .take(4)
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(ms, [10, 10, 20, 30]);
    }

    #[test]
    fn many_steps_saturate() {
        assert_eq!(fibo().nth(100_000).unwrap(), Duration::MAX);
    }
}
