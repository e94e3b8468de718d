//! The rules of [`on_predicate`](fn@crate::on_predicate): which returned values are retried.

use super::parts::ServerWaitFn;
use super::slots::{Admits, FixWith, Slot, Unfixed};
use super::{FixTypes, OnPredicate};
use crate::Falsy;
use crate::core::{Judge, Rules, Sealed, Verdict};
use std::convert::Infallible;
use std::fmt::{self, Debug};
use std::marker::PhantomData;
use std::time::Duration;

/// The retry rules of an [`OnPredicate`] policy: a value is retried iff `P` says so. `T` is
/// the value slot ([`Unfixed`] until a part reads the type).
pub struct PredicateRules<P = WhileFalsy, T = Unfixed> {
    predicate: P,
    slot: PhantomData<fn() -> T>,
}

impl PredicateRules {
    pub(crate) fn new() -> Self {
        PredicateRules::with(WhileFalsy)
    }
}

impl<P, T> PredicateRules<P, T> {
    pub(crate) fn with(predicate: P) -> Self {
        PredicateRules {
            predicate,
            slot: PhantomData,
        }
    }

    pub(crate) fn into_predicate(self) -> P {
        self.predicate
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
    #[inline]
    fn should_retry(&self, value: &T) -> bool {
        value.is_falsy()
    }
}

impl<T, F: Fn(&T) -> bool> RetryValue<T> for F {
    #[inline]
    fn should_retry(&self, value: &T) -> bool {
        self(value)
    }
}

impl<P, TS> Sealed for PredicateRules<P, TS> {}

impl<P, TS: Admits<T>, T: Debug> Rules<T> for PredicateRules<P, TS> {
    type Value = T;
    type Error = Infallible;
    type Subject = T;

    #[inline]
    fn parts(value: &T) -> (Option<&T>, Option<&Infallible>) {
        (Some(value), None)
    }
}

impl<P: RetryValue<T>, TS: Admits<T>, T: Debug> Judge<T, ()> for PredicateRules<P, TS> {
    #[inline]
    fn judge<'o>(&self, value: &'o T) -> Verdict<'o, T> {
        if self.predicate.should_retry(value) {
            Verdict::Retry(value)
        } else {
            Verdict::Success
        }
    }
}

impl<P, TS: FixWith<T>, T> FixTypes<T, Infallible> for PredicateRules<P, TS> {
    type Out = PredicateRules<P, TS::Out>;

    fn fix(self) -> Self::Out {
        PredicateRules::with(self.predicate)
    }
}

/// The builder methods of [`on_predicate`](fn@crate::on_predicate) policies.
impl<W, Pr, P, K, TS: Slot> OnPredicate<W, Pr, P, K, TS> {
    /// Retries the values for which `predicate` holds (Python's `predicate`). Fixes `T`:
    /// annotate the closure unless a part before fixed it.
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
    pub fn predicate<T, F>(self, predicate: F) -> OnPredicate<W, F, P, K, TS::Out>
    where
        TS: FixWith<T>,
        F: Fn(&T) -> bool,
    {
        self.map_rules(|_| PredicateRules::with(predicate))
    }

    /// A wait the server asked for, read from the retried value (a response's `Retry-After`,
    /// say): as [`server_wait`](crate::Policy::server_wait) on `on_error` policies, reading the
    /// value. Fixes `T`.
    ///
    /// ```
    /// use persevere::{on_predicate, expo, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// // (status, Retry-After seconds)
    /// let mut replies = [(503, Some(2)), (200, None)].into_iter();
    /// let clock = VirtualClock::new();
    /// let reply = on_predicate(expo())
    ///     .predicate(|r: &(u16, Option<u64>)| r.0 == 503)
    ///     .server_wait(|r| r.1.map(Duration::from_secs))
    ///     .clock(clock.clone())
    ///     .retry(|| replies.next().unwrap());
    /// assert_eq!((reply.0, clock.sleeps()), (200, vec![Duration::from_secs(2)]));
    /// ```
    #[must_use]
    pub fn server_wait<T, G>(self, wait: G) -> OnPredicate<W, Pr, (P, ServerWaitFn<G>), K, TS::Out>
    where
        TS: FixWith<T>,
        G: Fn(&T) -> Option<Duration>,
    {
        self.map_rules(|rules| PredicateRules::with(rules.predicate))
            .map_parts(|parts| (parts, ServerWaitFn(wait)))
    }

    /// Fixes the value type to `T`, so that later closures need no annotation.
    ///
    /// ```
    /// use persevere::{on_predicate, fibo};
    /// let _policy = on_predicate(fibo()).value_type::<Option<u32>>().predicate(|v| v.is_none());
    /// ```
    #[must_use]
    pub fn value_type<T>(self) -> OnPredicate<W, Pr, P, K, TS::Out>
    where
        TS: FixWith<T>,
    {
        self.map_rules(|rules| PredicateRules::with(rules.predicate))
    }
}

impl<P: Clone, T> Clone for PredicateRules<P, T> {
    fn clone(&self) -> Self {
        PredicateRules::with(self.predicate.clone())
    }
}

impl<P: Copy, T> Copy for PredicateRules<P, T> {}

impl<P, T> Debug for PredicateRules<P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PredicateRules").finish_non_exhaustive()
    }
}
