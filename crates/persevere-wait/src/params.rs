//! Parameter checks: the one source of every rule on a strategy's, a jitter's or a limit's
//! numbers. The builders panic with these messages, the attribute macros turn them into compile
//! errors at the argument, and the `persevere` command into usage errors.

use core::fmt;
use core::num::NonZeroU32;
use core::time::Duration;

/// A parameter outside what its strategy, jitter or limit allows.
///
/// The message names the owner, the parameter, what is allowed and what was given:
///
/// ```
/// use persevere_wait::params;
///
/// let error = params::expo_base(0.5).unwrap_err();
/// assert_eq!(error.to_string(), "expo: `base` must be a finite number >= 1, got 0.5");
/// assert_eq!(error.parameter(), "base");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ParamError {
    /// A number outside its range.
    OutOfRange {
        /// What the parameter belongs to (`expo`, `decay`, `Jitter::Proportional(f)`, ...);
        /// empty for the policy's own limits.
        owner: &'static str,
        /// The parameter's name.
        parameter: &'static str,
        /// What is allowed, in words.
        allowed: &'static str,
        /// What was given.
        got: Given,
    },
    /// Two durations in the wrong order (`decorrelated`'s `base` above its `cap`).
    Order {
        /// What the parameters belong to.
        owner: &'static str,
        /// The parameter that must not be greater.
        lower: &'static str,
        /// Its value.
        lower_value: Duration,
        /// The parameter that bounds it.
        upper: &'static str,
        /// Its value.
        upper_value: Duration,
    },
}

/// A value as it was given, for messages.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Given {
    /// A floating-point number.
    Float(f64),
    /// A whole number.
    Integer(i128),
    /// A duration.
    Duration(Duration),
}

impl ParamError {
    /// The name of the offending parameter.
    pub fn parameter(&self) -> &'static str {
        match self {
            ParamError::OutOfRange { parameter, .. } => parameter,
            ParamError::Order { lower, .. } => lower,
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::OutOfRange {
                owner,
                parameter,
                allowed,
                got,
            } => {
                if !owner.is_empty() {
                    write!(f, "{owner}: ")?;
                }
                write!(f, "`{parameter}` must be {allowed}, got {got}")
            }
            ParamError::Order {
                owner,
                lower,
                lower_value,
                upper,
                upper_value,
            } => write!(
                f,
                "{owner}: `{lower}` ({lower_value:?}) must not be greater than `{upper}` ({upper_value:?})"
            ),
        }
    }
}

impl fmt::Display for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Given::Float(x) => {
                if x.is_nan() {
                    f.write_str("NaN")
                } else {
                    write!(f, "{x}")
                }
            }
            Given::Integer(n) => write!(f, "{n}"),
            Given::Duration(d) => write!(f, "{d:?}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ParamError {}

/// Unwraps a checked parameter or panics with its message, prefixed `persevere: ` (how the
/// builders report a bad parameter).
#[track_caller]
pub fn or_panic<T>(checked: Result<T, ParamError>) -> T {
    match checked {
        Ok(value) => value,
        Err(error) => panic!("persevere: {error}"),
    }
}

fn float_at_least(
    owner: &'static str,
    parameter: &'static str,
    allowed: &'static str,
    value: f64,
    min: f64,
) -> Result<f64, ParamError> {
    if value.is_finite() && value >= min {
        Ok(value)
    } else {
        Err(ParamError::OutOfRange {
            owner,
            parameter,
            allowed,
            got: Given::Float(value),
        })
    }
}

/// `expo`'s `base`: a finite number >= 1 (below 1 the waits would shrink).
pub fn expo_base(base: f64) -> Result<f64, ParamError> {
    float_at_least("expo", "base", "a finite number >= 1", base, 1.0)
}

/// `decay`'s `rate` (Python's `decay_factor`): a finite number >= 0.
pub fn decay_rate(rate: f64) -> Result<f64, ParamError> {
    float_at_least("decay", "rate", "a finite number >= 0", rate, 0.0)
}

/// `decorrelated`'s `base` and `cap`: `base` greater than zero and not above `cap`.
pub fn decorrelated(base: Duration, cap: Duration) -> Result<(Duration, Duration), ParamError> {
    if base.is_zero() {
        return Err(ParamError::OutOfRange {
            owner: "decorrelated",
            parameter: "base",
            allowed: "greater than zero",
            got: Given::Duration(base),
        });
    }
    if base > cap {
        return Err(ParamError::Order {
            owner: "decorrelated",
            lower: "base",
            lower_value: base,
            upper: "cap",
            upper_value: cap,
        });
    }
    Ok((base, cap))
}

/// `Jitter::Proportional(f)`'s `f`: a number in `[0, 1]`.
pub fn proportional_jitter(f: f64) -> Result<f64, ParamError> {
    if (0.0..=1.0).contains(&f) {
        Ok(f)
    } else {
        Err(ParamError::OutOfRange {
            owner: "Jitter::Proportional(f)",
            parameter: "f",
            allowed: "a number in [0, 1]",
            got: Given::Float(f),
        })
    }
}

/// `max_tries`: a whole number from 1 to `u32::MAX` (it counts every attempt, the first
/// included; Python silently treats 0 as unlimited).
pub fn max_tries(n: i128) -> Result<NonZeroU32, ParamError> {
    let allowed = match n {
        0 => "at least 1 (it counts every attempt, the first included)",
        _ => "a whole number from 1 to 4294967295",
    };
    u32::try_from(n)
        .ok()
        .and_then(NonZeroU32::new)
        .ok_or(ParamError::OutOfRange {
            owner: "",
            parameter: "max_tries",
            allowed,
            got: Given::Integer(n),
        })
}

/// An attempt timeout: greater than zero (a zero timeout would cut every attempt at once).
pub fn attempt_timeout(timeout: Duration) -> Result<Duration, ParamError> {
    if timeout.is_zero() {
        Err(ParamError::OutOfRange {
            owner: "",
            parameter: "attempt_timeout",
            allowed: "greater than zero (a zero timeout would cut every attempt at once)",
            got: Given::Duration(timeout),
        })
    } else {
        Ok(timeout)
    }
}

/// A hedge's `max_in_flight`: at least 1 (the attempt itself).
pub fn hedge_in_flight(n: u32) -> Result<NonZeroU32, ParamError> {
    NonZeroU32::new(n).ok_or(ParamError::OutOfRange {
        owner: "hedge",
        parameter: "max_in_flight",
        allowed: "at least 1 (the attempts running at once, the first included)",
        got: Given::Integer(i128::from(n)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_owner_parameter_range_and_value() {
        let msg = |e: ParamError| e.to_string();
        assert_eq!(
            msg(expo_base(f64::NAN).unwrap_err()),
            "expo: `base` must be a finite number >= 1, got NaN"
        );
        assert_eq!(
            msg(decay_rate(-1.0).unwrap_err()),
            "decay: `rate` must be a finite number >= 0, got -1"
        );
        assert_eq!(
            msg(decorrelated(Duration::from_secs(3), Duration::from_secs(1)).unwrap_err()),
            "decorrelated: `base` (3s) must not be greater than `cap` (1s)"
        );
        assert_eq!(
            msg(proportional_jitter(1.5).unwrap_err()),
            "Jitter::Proportional(f): `f` must be a number in [0, 1], got 1.5"
        );
        assert_eq!(
            msg(max_tries(0).unwrap_err()),
            "`max_tries` must be at least 1 (it counts every attempt, the first included), got 0"
        );
        assert_eq!(
            msg(max_tries(-3).unwrap_err()),
            "`max_tries` must be a whole number from 1 to 4294967295, got -3"
        );
        assert_eq!(max_tries(1 << 32).unwrap_err().parameter(), "max_tries");
    }

    #[test]
    fn allowed_values_pass_unchanged() {
        assert_eq!(expo_base(1.0), Ok(1.0));
        assert_eq!(decay_rate(0.0), Ok(0.0));
        assert_eq!(proportional_jitter(0.0), Ok(0.0));
        assert_eq!(max_tries(4_294_967_295).map(NonZeroU32::get), Ok(u32::MAX));
    }
}
