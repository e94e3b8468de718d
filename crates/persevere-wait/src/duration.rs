//! Saturating, integer-nanosecond arithmetic on `Duration`.
//!
//! std's `Duration::mul_f64` panics near `Duration::MAX` and `Duration + Duration` panics on
//! overflow; a retry policy must never do either, whatever its parameters or its number of
//! steps. Every strategy and jitter goes through these helpers instead.

use core::time::Duration;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// `Duration::MAX` in nanoseconds, as a float (about 1.8e28).
const MAX_NANOS_F64: f64 = (u64::MAX as f64) * 1e9 + 999_999_999.0;

/// 2^63 nanoseconds (about 292 years): below it, a duration's nanoseconds fit an `i64`, whose
/// conversion from `f64` is one hardware instruction (the unsigned one takes a dozen, and the
/// `u128` ones are software routines).
const I64_NANOS_F64: f64 = 9_223_372_036_854_775_808.0;

/// The duration's length in nanoseconds, as a float (exact below 2^53 ns, about 104 days).
#[inline]
pub(crate) fn as_nanos_f64(d: Duration) -> f64 {
    d.as_secs() as f64 * 1e9 + f64::from(d.subsec_nanos())
}

/// The duration of `nanos` nanoseconds, rounded to the nearest nanosecond: NaN and negative
/// values give zero, values beyond `Duration::MAX` give `Duration::MAX`.
#[inline]
pub(crate) fn from_nanos_f64(nanos: f64) -> Duration {
    // The common case, in hardware: a positive value below 2^64 ns.
    if nanos > 0.0 && nanos < I64_NANOS_F64 {
        // `as` saturates, so the rounding `+ 0.5` cannot wrap at the top of the range, and
        // the result is never negative.
        return Duration::from_nanos((nanos + 0.5) as i64 as u64);
    }
    from_nanos_f64_slow(nanos)
}

#[cold]
fn from_nanos_f64_slow(nanos: f64) -> Duration {
    if nanos.is_nan() || nanos <= 0.0 {
        return Duration::ZERO;
    }
    if nanos >= MAX_NANOS_F64 {
        return Duration::MAX;
    }
    // `as` truncates a positive value: adding a half rounds it, with no `f64::round` in `no_std`.
    from_nanos_u128((nanos + 0.5) as u128)
}

/// `e^x`: std's where there is one, else `libm`'s (for `no_std` builds).
#[inline]
pub(crate) fn exp(x: f64) -> f64 {
    #[cfg(feature = "std")]
    {
        x.exp()
    }
    #[cfg(not(feature = "std"))]
    {
        libm::exp(x)
    }
}

/// The duration of `nanos` nanoseconds, saturating at `Duration::MAX`.
pub(crate) fn from_nanos_u128(nanos: u128) -> Duration {
    let secs = nanos / NANOS_PER_SEC;
    if secs > u64::MAX as u128 {
        return Duration::MAX;
    }
    Duration::new(secs as u64, (nanos % NANOS_PER_SEC) as u32)
}

/// `d * factor`, saturating; a NaN or negative factor gives zero.
#[cfg(test)]
fn mul_f64(d: Duration, factor: f64) -> Duration {
    from_nanos_f64(as_nanos_f64(d) * factor)
}

/// A duration given in seconds as a float, saturating (for `Jitter::Random`'s extra second and
/// for users' numbers of seconds).
pub(crate) fn from_secs_f64(secs: f64) -> Duration {
    from_nanos_f64(secs * 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_products_saturate_instead_of_panicking() {
        assert_eq!(mul_f64(Duration::MAX, 2.0), Duration::MAX);
        assert_eq!(
            mul_f64(Duration::from_secs(1), f64::INFINITY),
            Duration::MAX
        );
        assert_eq!(from_nanos_u128(u128::MAX), Duration::MAX);
    }

    #[test]
    fn nan_and_negative_give_zero() {
        assert_eq!(mul_f64(Duration::from_secs(1), f64::NAN), Duration::ZERO);
        assert_eq!(mul_f64(Duration::from_secs(1), -1.0), Duration::ZERO);
    }

    #[test]
    fn both_sides_of_the_fast_paths_limit_agree() {
        // Just below 2^63 ns the fast path converts; from 2^63 on the u128 path does.
        let below = 9_223_372_036_854_774_784.0; // the largest f64 below 2^63
        assert_eq!(from_nanos_f64(below), from_nanos_u128(below as u128));
        assert_eq!(from_nanos_f64(I64_NANOS_F64), from_nanos_u128(1u128 << 63));
        assert_eq!(
            from_nanos_f64(1e20),
            from_nanos_u128(100_000_000_000_000_000_000)
        );
        assert!(from_nanos_f64(below) < from_nanos_f64(I64_NANOS_F64));
    }

    #[test]
    fn small_values_are_exact() {
        assert_eq!(
            mul_f64(Duration::from_millis(100), 3.0),
            Duration::from_millis(300)
        );
        assert_eq!(from_secs_f64(0.25), Duration::from_millis(250));
    }
}
