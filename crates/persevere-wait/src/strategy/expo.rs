use crate::catalogue::defaults;
use crate::duration::{as_nanos_f64, from_nanos_f64};
use crate::params;
use core::time::Duration;

/// Exponential waits: `factor * base^n` for n = 0, 1, 2, ... (Python's `backoff.expo`).
///
/// # Default
/// `base` 2, `factor` 1 s, no `max_value`: 1 s, 2 s, 4 s, 8 s, ... saturating at
/// `Duration::MAX`. Jitter: [`Jitter::Full`](crate::Jitter::Full).
///
/// ```
/// use persevere::expo;
/// use std::time::Duration;
///
/// let secs: Vec<u64> = expo().max_value(Duration::from_secs(16)).take(7).map(|d| d.as_secs()).collect();
/// assert_eq!(secs, [1, 2, 4, 8, 16, 16, 16]);
/// ```
pub fn expo() -> Expo {
    Expo {
        base: defaults::EXPO_BASE,
        next_nanos: defaults::EXPO_FACTOR.as_nanos() as f64,
        max_value: Duration::MAX,
    }
}

/// The strategy made by [`expo`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct Expo {
    base: f64,
    /// The next uncapped value in nanoseconds (`factor` before the first step). A float, so
    /// that any `base` works and growth saturates instead of overflowing.
    next_nanos: f64,
    /// The cap; `Duration::MAX` when none is set, which is where the values saturate anyway.
    max_value: Duration,
}

impl Expo {
    /// The growth per step. Panics unless it is a finite number >= 1.
    pub fn base(mut self, base: f64) -> Self {
        self.base = params::or_panic(params::expo_base(base));
        self
    }

    /// The growth per step, or an error naming `base` unless it is a finite number >= 1.
    ///
    /// ```
    /// assert!(persevere::expo().try_base(0.5).is_err());
    /// ```
    pub fn try_base(mut self, base: f64) -> Result<Self, crate::params::ParamError> {
        self.base = params::expo_base(base)?;
        Ok(self)
    }

    /// The first wait (the multiplier of `base^n`).
    pub fn factor(mut self, factor: Duration) -> Self {
        self.next_nanos = as_nanos_f64(factor);
        self
    }

    /// The cap: once reached, every later wait is `max_value`.
    pub fn max_value(mut self, max_value: Duration) -> Self {
        self.max_value = max_value;
        self
    }
}

impl Iterator for Expo {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        let value = from_nanos_f64(self.next_nanos);
        if value >= self.max_value {
            // Stop growing: the value stays at the cap.
            return Some(self.max_value);
        }
        self.next_nanos *= self.base;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(it: impl Iterator<Item = Duration>, n: usize) -> Vec<f64> {
        it.take(n).map(|d| d.as_secs_f64()).collect()
    }

    #[test]
    fn python_expo_sequences() {
        assert_eq!(secs(expo(), 9), [1., 2., 4., 8., 16., 32., 64., 128., 256.]);
        assert_eq!(secs(expo().base(3.0), 4), [1., 3., 9., 27.]);
        assert_eq!(
            secs(expo().factor(Duration::from_secs(3)), 4),
            [3., 6., 12., 24.]
        );
        assert_eq!(
            secs(expo().base(3.0).factor(Duration::from_secs(5)), 3),
            [5., 15., 45.]
        );
    }

    #[test]
    fn max_value_with_factor_is_the_forks_sequence() {
        let e = expo()
            .factor(Duration::from_secs(3))
            .max_value(Duration::from_secs(16));
        assert_eq!(secs(e, 7), [3., 6., 12., 16., 16., 16., 16.]);
    }

    #[test]
    fn ten_thousand_steps_saturate_without_panic() {
        let last = expo().base(10.0).nth(10_000).unwrap();
        assert_eq!(last, Duration::MAX);
    }

    #[test]
    #[should_panic(expected = "`base` must be a finite number >= 1")]
    fn base_below_one_is_rejected() {
        let _ = expo().base(0.5);
    }

    #[test]
    #[should_panic(expected = "`base` must be a finite number >= 1, got NaN")]
    fn nan_base_is_rejected() {
        let _ = expo().base(f64::NAN);
    }
}
