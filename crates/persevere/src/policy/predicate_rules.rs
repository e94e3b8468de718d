//! The rules of [`on_predicate`](fn@crate::on_predicate): which returned values are retried.

use super::{OnPredicate, Policy};
use crate::Falsy;
use crate::core::{Judge, Rules, Sealed, Verdict};
use std::convert::Infallible;
use std::fmt::{self, Debug};

/// The retry rules of an [`OnPredicate`] policy: a value is retried iff `P` says so.
#[derive(Clone)]
pub struct PredicateRules<P = WhileFalsy> {
    predicate: P,
}

impl PredicateRules<WhileFalsy> {
    pub(crate) fn new() -> Self {
        PredicateRules {
            predicate: WhileFalsy,
        }
    }
}

/// The default predicate: retry while the value is [`Falsy`] (Python's `operator.not_`).
#[derive(Debug, Clone, Copy, Default)]
pub struct WhileFalsy;

/// Whether a returned value is retried. Implemented by [`WhileFalsy`] and by every
/// `Fn(&T) -> bool`.
pub trait RetryValue<T> {
    /// `true` retries the value.
    fn should_retry(&self, value: &T) -> bool;
}

impl<T: Falsy> RetryValue<T> for WhileFalsy {
    fn should_retry(&self, value: &T) -> bool {
        value.is_falsy()
    }
}

impl<T, F: Fn(&T) -> bool> RetryValue<T> for F {
    fn should_retry(&self, value: &T) -> bool {
        self(value)
    }
}

impl<P> Sealed for PredicateRules<P> {}

impl<T: Debug, P> Rules<T, Infallible> for PredicateRules<P> {
    type Outcome = T;
    type Subject = T;

    fn parts(value: &T) -> (Option<&T>, Option<&Infallible>) {
        (Some(value), None)
    }
}

impl<T: Debug, P: RetryValue<T>> Judge<T, Infallible, ()> for PredicateRules<P> {
    fn judge<'o>(&self, value: &'o T) -> Verdict<'o, T> {
        if self.predicate.should_retry(value) {
            Verdict::Retry(value)
        } else {
            Verdict::Success
        }
    }
}

/// The builder methods of [`on_predicate`](fn@crate::on_predicate) policies.
impl<W, T, S, C, P> OnPredicate<W, T, S, C, P> {
    /// Retries the values for which `predicate` holds (Python's `predicate`).
    ///
    /// # Default
    /// [`WhileFalsy`]: retry `None`, `false`, `0`, empty strings and collections.
    ///
    /// ```
    /// use persevere::{on_predicate, constant, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let mut statuses = [503, 503, 200].into_iter();
    /// let status = on_predicate(constant(Duration::from_secs(1)))
    ///     .predicate(|s: &u16| *s == 503)
    ///     .clock(VirtualClock::new())
    ///     .retry(|| statuses.next().unwrap());
    /// assert_eq!(status, 200);
    /// ```
    #[must_use]
    pub fn predicate<F>(self, predicate: F) -> OnPredicate<W, T, S, C, F>
    where
        F: Fn(&T) -> bool + Send + Sync + 'static,
    {
        Policy {
            rules: PredicateRules { predicate },
            settings: self.settings,
        }
    }
}

impl<P> Debug for PredicateRules<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PredicateRules").finish_non_exhaustive()
    }
}
