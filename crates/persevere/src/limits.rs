//! `max_tries` and `max_time`: fixed, or read from a closure at the start of each call (as
//! Python reads a callable per call).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A limit as the policy holds it.
#[derive(Clone)]
pub(crate) enum Limit<V> {
    Unset,
    Fixed(V),
    PerCall(Arc<dyn Fn() -> V + Send + Sync>),
}

impl<V: Copy> Limit<V> {
    /// The limit for the call that starts now.
    #[inline]
    pub(crate) fn read(&self) -> Option<V> {
        match self {
            Limit::Unset => None,
            Limit::Fixed(v) => Some(*v),
            Limit::PerCall(f) => Some(f()),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for Limit<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Unset => f.write_str("Unset"),
            Limit::Fixed(v) => v.fmt(f),
            Limit::PerCall(_) => f.write_str("PerCall(..)"),
        }
    }
}

/// The total number of attempts, the first included, for
/// [`max_tries`](crate::Policy::max_tries): a number, or a closure read at the start of each
/// call.
#[derive(Clone, Debug)]
pub struct MaxTries(pub(crate) Limit<u32>);

/// The deadline of a whole call, for [`max_time`](crate::Policy::max_time): a `Duration`, or a
/// closure read at the start of each call.
#[derive(Clone, Debug)]
pub struct MaxTime(pub(crate) Limit<Duration>);

/// What [`max_tries`](crate::Policy::max_tries) accepts: an integer >= 1, or a
/// `Fn() -> u32` read at the start of each call.
///
/// ```
/// use persevere::{on_error, constant};
/// use std::time::Duration;
///
/// let fixed = on_error::<_, (), ()>(constant(Duration::ZERO)).max_tries(3);
/// let per_call = on_error::<_, (), ()>(constant(Duration::ZERO)).max_tries(|| 3);
/// # let _ = (fixed, per_call);
/// ```
pub trait IntoMaxTries {
    /// The limit. Panics if a fixed number is below 1 or above `u32::MAX`.
    fn into_max_tries(self) -> MaxTries;
}

pub(crate) fn check_max_tries(n: u32) -> u32 {
    assert!(
        n >= 1,
        "persevere: `max_tries` must be at least 1 (it counts every attempt, the first included), got 0"
    );
    n
}

macro_rules! integer_max_tries {
    ($($t:ty),*) => {$(
        impl IntoMaxTries for $t {
            fn into_max_tries(self) -> MaxTries {
                let n = u32::try_from(self).unwrap_or_else(|_| {
                    panic!("persevere: `max_tries` must be a whole number from 1 to {}, got {}", u32::MAX, self)
                });
                MaxTries(Limit::Fixed(check_max_tries(n)))
            }
        }
    )*};
}
integer_max_tries!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

impl<F> IntoMaxTries for F
where
    F: Fn() -> u32 + Send + Sync + 'static,
{
    fn into_max_tries(self) -> MaxTries {
        MaxTries(Limit::PerCall(Arc::new(move || check_max_tries(self()))))
    }
}

/// What [`max_time`](crate::Policy::max_time) accepts: a `Duration`, or a `Fn() -> Duration`
/// read at the start of each call.
///
/// ```
/// use persevere::{on_error, constant};
/// use std::time::Duration;
///
/// let fixed = on_error::<_, (), ()>(constant(Duration::ZERO)).max_time(Duration::from_secs(60));
/// let per_call = on_error::<_, (), ()>(constant(Duration::ZERO)).max_time(|| Duration::from_secs(60));
/// # let _ = (fixed, per_call);
/// ```
pub trait IntoMaxTime {
    /// The limit.
    fn into_max_time(self) -> MaxTime;
}

impl IntoMaxTime for Duration {
    fn into_max_time(self) -> MaxTime {
        MaxTime(Limit::Fixed(self))
    }
}

impl<F> IntoMaxTime for F
where
    F: Fn() -> Duration + Send + Sync + 'static,
{
    fn into_max_time(self) -> MaxTime {
        MaxTime(Limit::PerCall(Arc::new(self)))
    }
}
