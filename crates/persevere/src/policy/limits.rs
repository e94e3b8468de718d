//! `max_tries` and `max_time`: fixed, or read from a closure at the start of each call (as
//! Python reads a callable per call). A closure becomes a part of the policy, so it may borrow.

use super::parts::{MaxTimeFn, MaxTriesFn};
use crate::core::limits::Limit;
use persevere_wait::params;
use std::num::NonZeroU32;
use std::time::Duration;

/// What [`max_tries`](crate::Policy::max_tries) accepts: an integer from 1 to `u32::MAX`, or
/// a `Fn() -> u32` read at the start of each call. `P` is the policy's part list.
///
/// ```
/// use persevere::{on_error, constant};
/// use std::time::Duration;
///
/// let fixed = on_error(constant(Duration::ZERO)).max_tries(3);
/// let tries = 3;
/// let per_call = on_error(constant(Duration::ZERO)).max_tries(|| tries);
/// # let _ = (fixed, per_call);
/// ```
pub trait IntoMaxTries<P> {
    /// The part list afterwards.
    type Parts;

    /// The limit, and the part list with any closure added. Panics if a fixed number is
    /// below 1 or above `u32::MAX`.
    #[doc(hidden)]
    fn into_max_tries(self, parts: P) -> (Limit<NonZeroU32>, Self::Parts);
}

macro_rules! integer_max_tries {
    ($($t:ty),*) => {$(
        impl<P> IntoMaxTries<P> for $t {
            type Parts = P;

            #[track_caller]
            fn into_max_tries(self, parts: P) -> (Limit<NonZeroU32>, P) {
                // Every integer type fits an i128 except u128 beyond it, which is out of range anyway.
                let n = i128::try_from(self).unwrap_or(i128::MAX);
                (Limit::Fixed(params::or_panic(params::max_tries(n))), parts)
            }
        }
    )*};
}
integer_max_tries!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

impl<P, F: Fn() -> u32> IntoMaxTries<P> for F {
    type Parts = (P, MaxTriesFn<F>);

    fn into_max_tries(self, parts: P) -> (Limit<NonZeroU32>, Self::Parts) {
        (Limit::FromParts, (parts, MaxTriesFn(self)))
    }
}

/// What [`max_time`](crate::Policy::max_time) accepts: a `Duration`, or a `Fn() -> Duration`
/// read at the start of each call. `P` is the policy's part list.
///
/// ```
/// use persevere::{on_error, constant};
/// use std::time::Duration;
///
/// let fixed = on_error(constant(Duration::ZERO)).max_time(Duration::from_secs(60));
/// let per_call = on_error(constant(Duration::ZERO)).max_time(|| Duration::from_secs(60));
/// # let _ = (fixed, per_call);
/// ```
pub trait IntoMaxTime<P> {
    /// The part list afterwards.
    type Parts;

    /// The limit, and the part list with any closure added.
    #[doc(hidden)]
    fn into_max_time(self, parts: P) -> (Limit<Duration>, Self::Parts);
}

impl<P> IntoMaxTime<P> for Duration {
    type Parts = P;

    fn into_max_time(self, parts: P) -> (Limit<Duration>, P) {
        (Limit::Fixed(self), parts)
    }
}

impl<P, F: Fn() -> Duration> IntoMaxTime<P> for F {
    type Parts = (P, MaxTimeFn<F>);

    fn into_max_time(self, parts: P) -> (Limit<Duration>, Self::Parts) {
        (Limit::FromParts, (parts, MaxTimeFn(self)))
    }
}
