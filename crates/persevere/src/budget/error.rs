//! The error a budget's fallible constructor returns for a parameter out of range.

use std::fmt;

/// A budget parameter outside its allowed range, from [`RatioBudget::try_new`],
/// [`TokenBucket::try_grpc`] or [`TokenBucketBuilder::try_build`].
///
/// The message names the parameter, the range it must be in, and the value given; the
/// panicking constructors (`new`, `grpc`, `build`) panic with the same message, prefixed by
/// `persevere: ` and the budget's type.
///
/// [`RatioBudget::try_new`]: super::RatioBudget::try_new
/// [`TokenBucket::try_grpc`]: super::TokenBucket::try_grpc
/// [`TokenBucketBuilder::try_build`]: super::TokenBucketBuilder::try_build
///
/// ```
/// use persevere::budget::RatioBudget;
/// use std::time::Duration;
///
/// let err = RatioBudget::try_new(0.2, 10, Duration::ZERO).unwrap_err();
/// assert_eq!(err.to_string(), "`ttl` must be from 1 s to 60 s, got 0ns");
/// assert_eq!(err.budget(), "RatioBudget");
/// assert_eq!(err.parameter(), "ttl");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetError {
    budget: &'static str,
    parameter: &'static str,
    allowed: &'static str,
    got: String,
}

impl BudgetError {
    pub(crate) fn new(
        budget: &'static str,
        parameter: &'static str,
        allowed: &'static str,
        got: impl fmt::Debug,
    ) -> Self {
        BudgetError {
            budget,
            parameter,
            allowed,
            got: format!("{got:?}"),
        }
    }

    /// The budget type whose constructor refused the parameter, such as `"RatioBudget"`.
    pub fn budget(&self) -> &'static str {
        self.budget
    }

    /// The parameter's name, as in the constructor's signature, such as `"ttl"`.
    pub fn parameter(&self) -> &'static str {
        self.parameter
    }

    /// The allowed range, in words, such as `"from 1 s to 60 s"`.
    pub fn allowed(&self) -> &'static str {
        self.allowed
    }
}

impl fmt::Display for BudgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` must be {}, got {}",
            self.parameter, self.allowed, self.got
        )
    }
}

impl std::error::Error for BudgetError {}

/// The panicking constructors' one way to report a bad parameter: the fallible constructor's
/// error, prefixed with the crate and the budget type.
#[track_caller]
pub(crate) fn or_panic<T>(result: Result<T, BudgetError>) -> T {
    match result {
        Ok(value) => value,
        Err(err) => panic!("persevere: {}: {err}", err.budget),
    }
}
