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
        next: defaults::EXPO_FACTOR.as_nanos() as u64,
        limit: u64::MAX,
        times: defaults::EXPO_BASE as u32,
        cap_secs: u64::MAX,
        cap_nanos: 999_999_999,
    }
}

/// The strategy made by [`expo`].
///
/// Its values are integers while they can be: with a whole-number base (`expo()`'s is 2) and
/// values below 2^64 ns (about 584 years), each step is one comparison and one integer
/// multiplication, exact; any other base, or a value grown past 2^64 ns, is computed in floats,
/// which saturate at `Duration::MAX` instead of overflowing.
#[derive(Clone, Copy, PartialEq)]
#[must_use]
pub struct Expo {
    /// The next uncapped value in nanoseconds (`factor` before the first step): a `u64` while
    /// `times` is not zero, else the bits of an `f64`.
    next: u64,
    /// While `times` is not zero, the first value at the cap (`max_value` in nanoseconds, or
    /// `u64::MAX` for a cap beyond: a value from there on is compared as a `Duration`); else the
    /// bits of the base, an `f64`.
    limit: u64,
    /// The base as an integer, or zero for the float form.
    times: u32,
    /// The cap, `max_value` (`Duration::MAX` when none is set, which is where the values
    /// saturate anyway), kept as its seconds and nanoseconds so that `times` fits beside them:
    /// 32 bytes in all, which every retrying call and future holds a copy of.
    cap_nanos: u32,
    cap_secs: u64,
}

/// 2^32 and 2^64 as floats: the first base a `u32`, the first value a `u64` does not hold.
const U32_END_F64: f64 = 4_294_967_296.0;
const U64_END_F64: f64 = 18_446_744_073_709_551_616.0;

/// A cap in nanoseconds, or `u64::MAX` beyond.
fn limit_of(max_value: Duration) -> u64 {
    u64::try_from(max_value.as_nanos()).unwrap_or(u64::MAX)
}

impl Expo {
    /// The value `nanos` growing by `base` per step: in integers when `base` is a whole number
    /// and the value is one below 2^64 (then `whole`, exactly).
    fn with(mut self, whole: Option<u64>, nanos: f64, base: f64) -> Self {
        let times = base as u32;
        match whole {
            Some(whole) if base < U32_END_F64 && f64::from(times) == base => {
                (self.next, self.limit, self.times) = (whole, limit_of(self.cap()), times);
            }
            _ => (self.next, self.limit, self.times) = (nanos.to_bits(), base.to_bits(), 0),
        }
        self
    }

    /// The next value: exactly, if it is a whole number below 2^64, and as a float.
    fn value(&self) -> (Option<u64>, f64) {
        if self.times != 0 {
            return (Some(self.next), self.next as f64);
        }
        let nanos = f64::from_bits(self.next);
        let whole = nanos as u64;
        let exact = nanos < U64_END_F64 && whole as f64 == nanos;
        (exact.then_some(whole), nanos)
    }

    /// `max_value`.
    fn cap(&self) -> Duration {
        Duration::new(self.cap_secs, self.cap_nanos)
    }

    fn growth(&self) -> f64 {
        if self.times != 0 {
            f64::from(self.times)
        } else {
            f64::from_bits(self.limit)
        }
    }

    /// The growth per step. Panics unless it is a finite number >= 1.
    pub fn base(self, base: f64) -> Self {
        let base = params::or_panic(params::expo_base(base));
        let (whole, nanos) = self.value();
        self.with(whole, nanos, base)
    }

    /// The growth per step, or an error naming `base` unless it is a finite number >= 1.
    ///
    /// ```
    /// assert!(persevere::expo().try_base(0.5).is_err());
    /// ```
    pub fn try_base(self, base: f64) -> Result<Self, crate::params::ParamError> {
        let base = params::expo_base(base)?;
        let (whole, nanos) = self.value();
        Ok(self.with(whole, nanos, base))
    }

    /// The first wait (the multiplier of `base^n`).
    pub fn factor(self, factor: Duration) -> Self {
        let base = self.growth();
        match u64::try_from(factor.as_nanos()) {
            // Exact in integers even where a float is not (above 2^53 ns, about 104 days),
            // and one rounding to a float where it must be one.
            Ok(nanos) => self.with(Some(nanos), nanos as f64, base),
            Err(_) => self.with(None, as_nanos_f64(factor), base),
        }
    }

    /// The cap: once reached, every later wait is `max_value`.
    pub fn max_value(mut self, max_value: Duration) -> Self {
        (self.cap_secs, self.cap_nanos) = (max_value.as_secs(), max_value.subsec_nanos());
        if self.times != 0 {
            self.limit = limit_of(max_value);
        }
        self
    }
}

impl core::fmt::Debug for Expo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Expo")
            .field("base", &self.growth())
            .field("next_nanos", &self.value().1)
            .field("max_value", &self.cap())
            .finish()
    }
}

impl Iterator for Expo {
    type Item = Duration;

    #[inline]
    fn next(&mut self) -> Option<Duration> {
        if self.times != 0 && self.next < self.limit {
            let value = Duration::from_nanos(self.next);
            self.grow();
            return Some(value);
        }
        self.next_slow()
    }
}

impl Expo {
    /// One step of growth, in the form the value is in.
    #[inline(always)]
    fn grow(&mut self) {
        if self.times != 0 {
            match self.next.checked_mul(u64::from(self.times)) {
                Some(next) => self.next = next,
                None => self.go_on_in_floats(),
            }
        } else {
            self.next = (f64::from_bits(self.next) * f64::from_bits(self.limit)).to_bits();
        }
    }

    /// Past 2^64 ns: floats from here on, to saturate at `Duration::MAX`.
    #[cold]
    fn go_on_in_floats(&mut self) {
        let base = f64::from(self.times);
        let nanos = self.next as f64 * base;
        (self.next, self.limit, self.times) = (nanos.to_bits(), base.to_bits(), 0);
    }

    /// A step in floats, or at the cap (out of line: the common case is above).
    #[inline(never)]
    fn next_slow(&mut self) -> Option<Duration> {
        let value = if self.times != 0 {
            Duration::from_nanos(self.next)
        } else {
            from_nanos_f64(f64::from_bits(self.next))
        };
        let cap = self.cap();
        if value >= cap {
            // Stop growing: the value stays at the cap.
            return Some(cap);
        }
        self.grow();
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::{as_nanos_f64, from_nanos_f64};

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

    /// The sequence as floats compute it (the form every base had before whole bases were
    /// integers): the reference for bases that are not whole numbers.
    fn in_floats(factor: Duration, base: f64, cap: Duration, n: usize) -> Vec<Duration> {
        let mut nanos = factor.as_nanos() as f64;
        (0..n)
            .map(|_| {
                let value = from_nanos_f64(nanos);
                if value >= cap {
                    return cap;
                }
                nanos *= base;
                value
            })
            .collect()
    }

    /// The exact sequence for a whole-number base: `factor * base^n` in 128-bit integers,
    /// `None` from the first value at or past 2^64 ns.
    fn exact(factor: Duration, base: u32, cap: Duration, n: usize) -> Vec<Option<Duration>> {
        let mut nanos = Some(factor.as_nanos());
        (0..n)
            .map(|_| {
                let value = nanos.filter(|v| *v <= u128::from(u64::MAX))?;
                nanos = value.checked_mul(u128::from(base));
                Some(Duration::from_nanos(value as u64).min(cap))
            })
            .collect()
    }

    /// The four orders a builder may set the parameters in.
    fn built(order: u8, factor: Duration, base: f64, cap: Duration) -> Expo {
        match order % 4 {
            0 => expo().base(base).factor(factor).max_value(cap),
            1 => expo().factor(factor).base(base).max_value(cap),
            2 => expo().max_value(cap).factor(factor).base(base),
            _ => expo().max_value(cap).base(base).factor(factor),
        }
    }

    proptest::proptest! {
        #[test]
        fn a_whole_base_gives_the_exact_sequence_below_two_to_the_64_ns(
            base in 1u32..40,
            factor_nanos in proptest::prop_oneof![0u64..1 << 50, 0u64..u64::MAX],
            cap_nanos in proptest::option::of(0u64..u64::MAX),
            order in 0u8..4,
        ) {
            let factor = Duration::from_nanos(factor_nanos);
            let cap = cap_nanos.map_or(Duration::MAX, Duration::from_nanos);
            let got: Vec<Duration> = built(order, factor, f64::from(base), cap).take(80).collect();
            let want = exact(factor, base, cap, 80);
            for (step, (got, want)) in got.iter().zip(&want).enumerate() {
                match want {
                    Some(want) => proptest::prop_assert_eq!(got, want, "step {}", step),
                    // Past 2^64 ns the floats take over: at the cap, or within a float's
                    // rounding of the exact product, saturating at `Duration::MAX`.
                    None => {
                        let exact = factor_nanos as f64 * f64::from(base).powi(step as i32);
                        let close = (as_nanos_f64(*got) - exact).abs() <= exact * 1e-12;
                        proptest::prop_assert!(
                            *got == cap || *got == Duration::MAX || close,
                            "step {}: {:?}", step, got
                        );
                    }
                }
            }
        }

        #[test]
        fn any_other_base_gives_the_float_sequence(
            base in 1.0f64..50.0,
            factor_nanos in 0u64..u64::MAX,
            cap_nanos in proptest::option::of(0u64..u64::MAX),
            order in 0u8..4,
        ) {
            proptest::prop_assume!(base.fract() != 0.0);
            let factor = Duration::from_nanos(factor_nanos);
            let cap = cap_nanos.map_or(Duration::MAX, Duration::from_nanos);
            let got: Vec<Duration> = built(order, factor, base, cap).take(80).collect();
            proptest::prop_assert_eq!(got, in_floats(factor, base, cap, 80));
        }
    }

    #[test]
    fn a_whole_base_past_two_to_the_64_ns_goes_on_in_floats_to_duration_max() {
        let start = Duration::from_nanos(1 << 62);
        let v: Vec<Duration> = expo().factor(start).take(4).collect();
        assert_eq!(v[..2], [start, start * 2]);
        // 2^64 ns and 2^65 ns: beyond a `u64` of nanoseconds, exact as floats.
        assert_eq!(v[2], Duration::new(18_446_744_073, 709_551_616));
        assert_eq!(v[3], Duration::new(36_893_488_147, 419_103_232));
        assert_eq!(expo().factor(start).nth(200), Some(Duration::MAX));
    }

    #[test]
    fn a_cap_beyond_two_to_the_64_ns_is_kept_exactly() {
        let cap = Duration::new(u64::MAX / 2, 123);
        let v: Vec<Duration> = expo()
            .factor(Duration::from_nanos(1 << 62))
            .max_value(cap)
            .take(300)
            .collect();
        assert_eq!(v.last(), Some(&cap));
        assert!(v.iter().all(|d| *d <= cap));
    }

    #[test]
    fn a_factor_beyond_two_to_the_64_ns_starts_in_floats() {
        let factor = Duration::new(u64::MAX / 4, 0);
        let v: Vec<Duration> = expo().factor(factor).take(3).collect();
        // The float nearest the factor, then its doublings.
        assert_eq!(v, in_floats(factor, 2.0, Duration::MAX, 3));
        assert_eq!(v[1], v[0] * 2);
    }

    #[test]
    fn the_debug_form_shows_the_parameters() {
        let e = expo()
            .base(3.0)
            .factor(Duration::from_secs(2))
            .max_value(Duration::from_secs(60));
        assert_eq!(
            format!("{e:?}"),
            "Expo { base: 3.0, next_nanos: 2000000000.0, max_value: 60s }"
        );
        assert_eq!(
            e,
            expo()
                .factor(Duration::from_secs(2))
                .base(3.0)
                .max_value(Duration::from_secs(60))
        );
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
