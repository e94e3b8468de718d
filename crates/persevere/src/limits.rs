//! `max_tries` and `max_time`: fixed, or read from a closure at the start of each call (as
//! Python reads a callable per call). A closure becomes a part of the policy, so it may borrow.

use crate::policy::parts::{MaxTimeFn, MaxTriesFn};
use persevere_wait::params;
use std::num::NonZeroU32;
use std::time::Duration;

/// A limit as the policy holds it: none, a value, or "ask the parts" (a closure given last).
/// Public only because the `IntoMax*` traits name it; not part of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Limit<V> {
    Unset,
    Fixed(V),
    FromParts,
}

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

/// The `max_tries` of a call that starts now: a closure's answer is checked here (0 makes one
/// attempt, with a warning).
pub(crate) fn read_max_tries(
    limit: Limit<NonZeroU32>,
    from_parts: impl FnOnce() -> Option<u32>,
) -> Option<NonZeroU32> {
    match limit {
        Limit::Unset => None,
        Limit::Fixed(n) => Some(n),
        Limit::FromParts => from_parts().map(|n| {
            NonZeroU32::new(n).unwrap_or_else(|| {
                // A value from configuration must not panic a call: one attempt, said once.
                tracing::warn!(
                    target: "persevere",
                    "the max_tries closure returned 0 (it must be at least 1): this call makes one attempt"
                );
                NonZeroU32::MIN
            })
        }),
    }
}

/// The `max_time` of a call that starts now.
pub(crate) fn read_max_time(
    limit: Limit<Duration>,
    from_parts: impl FnOnce() -> Option<Duration>,
) -> Option<Duration> {
    match limit {
        Limit::Unset => None,
        Limit::Fixed(d) => Some(d),
        Limit::FromParts => from_parts(),
    }
}
