use crate::catalogue::defaults;
use crate::duration::{as_nanos_f64, exp, from_nanos_f64};
use crate::params::{self, ParamError};
use core::time::Duration;

/// Waits that shrink: `initial * e^(-rate * t)` for t = 0, 1, 2, ... (Python's `backoff.decay`).
///
/// # Default
/// No `min_value` (the waits tend to zero). Jitter: [`Jitter::Full`](crate::Jitter::Full).
/// Panics unless `rate` is a finite number >= 0.
///
/// ```
/// use persevere::decay;
/// use std::time::Duration;
///
/// let secs: Vec<u64> = decay(Duration::from_secs(100), 3.0)
///     .min_value(Duration::from_secs(5))
///     .take(3)
///     .map(|d| d.as_secs())
///     .collect();
/// assert_eq!(secs, [100, 5, 5]);
/// ```
pub fn decay(initial: Duration, rate: f64) -> Decay {
    params::or_panic(try_decay(initial, rate))
}

/// [`decay`], or an error naming `rate` unless it is a finite number >= 0.
///
/// ```
/// use std::time::Duration;
/// assert!(persevere::wait::try_decay(Duration::from_secs(1), -1.0).is_err());
/// ```
pub fn try_decay(initial: Duration, rate: f64) -> Result<Decay, ParamError> {
    Ok(Decay {
        initial,
        rate: params::decay_rate(rate)?,
        min_value: None,
        step: 0,
    })
}

/// The strategy made by [`decay`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct Decay {
    initial: Duration,
    rate: f64,
    min_value: Option<Duration>,
    step: u32,
}

impl Default for Decay {
    /// Python's defaults: `initial_value` 1 s, `decay_factor` 1.
    fn default() -> Self {
        decay(defaults::DECAY_INITIAL_VALUE, defaults::DECAY_FACTOR)
    }
}

impl Decay {
    /// The floor: once reached, every later wait is `min_value`.
    pub fn min_value(mut self, min_value: Duration) -> Self {
        self.min_value = Some(min_value);
        self
    }
}

impl Iterator for Decay {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let value =
            from_nanos_f64(as_nanos_f64(self.initial) * exp(-self.rate * f64::from(self.step)));
        self.step = self.step.saturating_add(1);
        match self.min_value {
            Some(min) if value <= min => Some(min),
            _ => Some(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Duration, b: f64) -> bool {
        (a.as_secs_f64() - b).abs() < 1e-6
    }

    #[test]
    fn python_decay_sequences() {
        for (i, d) in decay(Duration::from_secs(1), 1.0).take(10).enumerate() {
            assert!(close(d, (-(i as f64)).exp()), "step {i}: {d:?}");
        }
        for (i, d) in decay(Duration::from_secs(100), 3.0).take(10).enumerate() {
            assert!(close(d, 100.0 * (-3.0 * i as f64).exp()), "step {i}: {d:?}");
        }
    }

    #[test]
    #[should_panic(expected = "`rate` must be a finite number >= 0")]
    fn negative_rate_is_rejected() {
        let _ = decay(Duration::from_secs(1), -1.0);
    }
}
