//! Jitter: a pure function of a (capped) delay and the call's random numbers.

use crate::duration::{as_nanos_f64, from_nanos_f64, from_secs_f64};
use crate::params::{self, ParamError};
use crate::rng::Rng;
use crate::strategy::Delay;
use core::fmt;
use core::time::Duration;

/// How a delay is randomised before the sleep. Applied after the strategy's cap and before the
/// `max_time` clamp, as in Python.
///
/// `Full`, `Equal` and `None` never exceed the capped delay. `Random` and `Proportional` can:
/// that is their definition (Python's `random_jitter`, gRPC's ±20 %).
///
/// # Default
/// `Full` for every strategy except `runtime` and `decorrelated` (none: a server's Retry-After
/// is exact, decorrelated is random already). A policy's `jitter` overrides the default for
/// every wait. For a jitter of your own, see [`Jitter::custom`].
///
/// ```
/// use persevere::{Jitter, Rng};
/// use std::time::Duration;
///
/// let mut rng = Rng::seeded(3);
/// let d = Duration::from_secs(10);
/// assert!(Jitter::Full.apply(d, &mut rng) <= d);
/// assert_eq!(Jitter::None.apply(d, &mut rng), d);
/// let equal = Jitter::Equal.apply(d, &mut rng);
/// assert!(equal >= d / 2 && equal <= d);
/// ```
#[derive(Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub enum Jitter {
    /// Uniform in `[0, d]`: AWS's "full jitter" and Python's `full_jitter`.
    #[default]
    Full,
    /// The delay as it is.
    None,
    /// `d/2 + U[0, d/2]`: AWS's "equal jitter".
    Equal,
    /// `d + U[0, 1 s)`: Python's `random_jitter`. May exceed the cap by up to a second.
    Random,
    /// `d * U[1 - f, 1 + f]` for `f` in `[0, 1]`: gRPC uses 0.2. May exceed the cap by `f d`.
    Proportional(f64),
}

/// A user's jitter function, made by [`Jitter::custom`]: `f(delay, u)` with `u` uniform in
/// `[0, 1)` from the call's generator. It may borrow local state; a policy that holds it is
/// `Send`/`Sync` when the function is.
#[derive(Clone, Copy)]
pub struct CustomJitter<F>(F);

impl Jitter {
    /// A jitter computed by `f(delay, u)` with `u` uniform in `[0, 1)`, drawn from the call's
    /// generator so that a policy's `seed` makes it reproducible.
    ///
    /// ```
    /// use persevere::{Jitter, Rng};
    /// use std::time::Duration;
    ///
    /// let quarter = Jitter::custom(|d, u| d.mul_f64(0.75 + 0.25 * u));
    /// let d = quarter.apply(Duration::from_secs(4), &mut Rng::seeded(1));
    /// assert!(d >= Duration::from_secs(3) && d <= Duration::from_secs(4));
    /// ```
    pub fn custom<F: Fn(Duration, f64) -> Duration>(f: F) -> CustomJitter<F> {
        CustomJitter(f)
    }

    /// The jitter, or an error naming its parameter if it is out of range
    /// (`Proportional(f)` needs `f` in `[0, 1]`).
    ///
    /// ```
    /// use persevere::Jitter;
    /// assert!(Jitter::Proportional(0.2).check().is_ok());
    /// assert!(Jitter::Proportional(1.5).check().is_err());
    /// ```
    pub fn check(self) -> Result<Self, ParamError> {
        if let Jitter::Proportional(f) = self {
            params::proportional_jitter(f)?;
        }
        Ok(self)
    }

    /// The jittered delay. Saturates at `Duration::MAX`; never panics.
    #[inline]
    pub fn apply(&self, delay: Duration, rng: &mut Rng) -> Duration {
        // The two common cases inline; the others out of line, so that a retry loop without
        // jitter pays one comparison.
        match self {
            Jitter::None => delay,
            // `min` guards the float rounding at the top of the range: never above the cap.
            Jitter::Full => from_nanos_f64(as_nanos_f64(delay) * rng.next_f64()).min(delay),
            _ => self.apply_other(delay, rng),
        }
    }

    #[inline(never)]
    fn apply_other(self, delay: Duration, rng: &mut Rng) -> Duration {
        match self {
            Jitter::None | Jitter::Full => unreachable!("handled by apply"),
            Jitter::Equal => {
                let half = delay / 2;
                let spread = delay - half;
                half.saturating_add(from_nanos_f64(as_nanos_f64(spread) * rng.next_f64()))
                    .min(delay)
            }
            Jitter::Random => delay.saturating_add(from_secs_f64(rng.next_f64())),
            Jitter::Proportional(f) => {
                let scale = 1.0 - f + 2.0 * f * rng.next_f64();
                from_nanos_f64(as_nanos_f64(delay) * scale)
            }
        }
    }

    /// The wait for a strategy's delay under an optional explicit jitter: the explicit one if
    /// given, else the strategy's default ([`Jitter::Full`] for delays that say
    /// [`jittered_by_default`](Delay::jittered_by_default), none for the others). The one
    /// place where the default-jitter rule lives.
    ///
    /// ```
    /// use persevere::{Jitter, Rng, wait::Delay};
    /// use std::time::Duration;
    ///
    /// let exact = Delay::exact(Duration::from_secs(3));
    /// assert_eq!(Jitter::for_delay(None, exact, &mut Rng::seeded(1)), Duration::from_secs(3));
    /// ```
    #[inline]
    pub fn for_delay(explicit: Option<Jitter>, delay: Delay, rng: &mut Rng) -> Duration {
        // The cases of a retry loop first, each one comparison: no jitter, full jitter.
        let full = match explicit {
            Some(Jitter::None) => false,
            Some(Jitter::Full) => true,
            None => delay.jittered_by_default,
            Some(other) => return other.apply_other(delay.duration, rng),
        };
        if full {
            Jitter::Full.apply(delay.duration, rng)
        } else {
            delay.duration
        }
    }
}

impl<F: Fn(Duration, f64) -> Duration> CustomJitter<F> {
    /// The jittered delay: `f(delay, u)`.
    pub fn apply(&self, delay: Duration, rng: &mut Rng) -> Duration {
        (self.0)(delay, rng.next_f64())
    }
}

impl fmt::Debug for Jitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Jitter::Full => f.write_str("Full"),
            Jitter::None => f.write_str("None"),
            Jitter::Equal => f.write_str("Equal"),
            Jitter::Random => f.write_str("Random"),
            Jitter::Proportional(p) => f.debug_tuple("Proportional").field(p).finish(),
        }
    }
}

impl<F> fmt::Debug for CustomJitter<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomJitter(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_never_exceeds_the_delay() {
        let mut rng = Rng::seeded(5);
        for ms in 0..2_000u64 {
            let d = Duration::from_millis(ms);
            assert!(Jitter::Full.apply(d, &mut rng) <= d);
        }
        assert!(Jitter::Full.apply(Duration::MAX, &mut rng) <= Duration::MAX);
    }

    #[test]
    fn equal_stays_in_upper_half() {
        let mut rng = Rng::seeded(6);
        for ms in 0..2_000u64 {
            let d = Duration::from_millis(ms);
            let j = Jitter::Equal.apply(d, &mut rng);
            assert!(j >= d / 2 && j <= d, "{d:?} -> {j:?}");
        }
    }

    #[test]
    fn random_adds_under_one_second() {
        let mut rng = Rng::seeded(7);
        let d = Duration::from_secs(2);
        for _ in 0..1_000 {
            let j = Jitter::Random.apply(d, &mut rng);
            assert!(j >= d && j < d + Duration::from_secs(1));
        }
        assert_eq!(Jitter::Random.apply(Duration::MAX, &mut rng), Duration::MAX);
    }

    #[test]
    fn proportional_stays_in_band() {
        let mut rng = Rng::seeded(8);
        let d = Duration::from_secs(10);
        for _ in 0..1_000 {
            let j = Jitter::Proportional(0.2).apply(d, &mut rng);
            assert!(
                j >= Duration::from_secs(8) && j <= Duration::from_secs(12),
                "{j:?}"
            );
        }
    }

    #[test]
    #[should_panic(expected = "`f` must be a number in [0, 1], got 1.5")]
    fn proportional_above_one_is_rejected() {
        Jitter::Proportional(1.5)
            .check()
            .map_err(|e| e.to_string())
            .unwrap();
    }

    #[test]
    #[should_panic(expected = "`f` must be a number in [0, 1], got NaN")]
    fn proportional_nan_is_rejected() {
        Jitter::Proportional(f64::NAN)
            .check()
            .map_err(|e| e.to_string())
            .unwrap();
    }
}
