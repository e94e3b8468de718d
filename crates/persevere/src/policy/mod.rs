//! Policies: immutable, cloneable values that say how to retry, and the parts they are made of.
//! One policy serves many concurrent calls; each call gets fresh state from
//! [`Policy::begin`].
//!
//! Most users never name these types: [`on_error`](fn@crate::on_error) and
//! [`on_predicate`](fn@crate::on_predicate) build a policy, its builder methods add parts, and
//! a driver runs it. This module holds the plumbing for those who store policies or write
//! their own drivers: the rules ([`ErrorRules`], [`PredicateRules`]), the part lists
//! ([`ErrorFilter`], [`Parts`], [`Handlers`]), the type slots ([`Unfixed`], [`Fixed`]) and the
//! traits the decision core uses ([`Rules`], [`Judge`], [`Verdict`]).

// Each part of a policy is a type (that is what lets it borrow and cost nothing when absent),
// so the builder's return types spell the part lists out.
#![allow(clippy::type_complexity)]

// The builder methods first: rustdoc lists a type's methods in the order of their modules.
mod builder;

mod error_rules;
pub(crate) mod filters;
mod limits;
pub(crate) mod parts;
mod predicate_rules;
mod slots;

// The plumbing: public because the type parameters of `Policy` and the drivers' bounds name
// them, hidden because no user writes them. They are not part of the API promise: a policy is
// named `OnError<W>` / `OnPredicate<W>`, or `BoxedOnError<T, E>` once boxed.
#[doc(hidden)]
pub use crate::core::call_handlers::{
    CallHandler, CallHandlerList, CallHandlers, OnBackoff, OnGiveup, OnSuccess,
};
#[doc(hidden)]
pub use crate::core::judge::{Judge, Rules, Verdict};
#[doc(hidden)]
pub use crate::core::parts::{
    AttemptOutcome, AttemptStart, Blocking, FromTimedOut, Handlers, Keeps, Parts, ServerWaits,
    TimeoutFor,
};
#[doc(hidden)]
pub use crate::core::policy::DEFAULT_MAX_SERVER_WAIT;
pub use crate::core::policy::Policy;
#[doc(hidden)]
pub use crate::spans::{AttemptSpans, Spans};
#[doc(hidden)]
pub use error_rules::ErrorRules;
#[doc(hidden)]
pub use filters::{ErrorFilter, Giveup, On, OnIf, When};
#[doc(hidden)]
pub use limits::{IntoMaxTime, IntoMaxTries};
#[doc(hidden)]
pub use parts::{
    AttemptTimeout, BackoffEvent, Gate, GiveupEvent, Handler, JitterFn, MaxTimeFn, MaxTriesFn,
    ServerWaitFn, SuccessEvent,
};
#[doc(hidden)]
pub use predicate_rules::{PredicateRules, RetryValue, WhileFalsy};
#[doc(hidden)]
pub use slots::{Admits, FixWith, Fixed, Slot, Unfixed};

use crate::SystemClock;
use crate::core::policy::Config;
use persevere_wait::{CustomJitter, Jitter, params};
use std::time::Duration;

/// A policy that retries errors: the closure returns `Result<T, E>`, and so does the call.
///
/// `F` are its error filters, `P` its other closure parts, `K` its timeline, `T` and `E` its
/// type slots ([`Unfixed`] until a part reads the type). `OnError<Expo>` names
/// `on_error(expo())` with any plain settings.
pub type OnError<W, F = (), P = (), K = SystemClock, T = Unfixed, E = Unfixed> =
    Policy<ErrorRules<F, T, E>, W, P, K>;

/// A policy that retries returned values: the closure returns `T`, and so does the call.
///
/// `Pr` is its predicate ([`WhileFalsy`] unless given), `P` its closure parts, `K` its
/// timeline, `T` its value slot. `OnPredicate<Fibo>` names `on_predicate(fibo())` with any
/// plain settings.
pub type OnPredicate<W, Pr = WhileFalsy, P = (), K = SystemClock, T = Unfixed> =
    Policy<PredicateRules<Pr, T>, W, P, K>;

/// A policy that retries the operation's errors (Python's `on_exception`).
///
/// The retried closure returns `Result<T, E>`; the call returns the first `Ok`, or the last
/// error unchanged when it gives up. Every error is retried unless [`on`](Policy::on),
/// [`on_if`](Policy::on_if), [`when`](Policy::when) or [`giveup`](Policy::giveup) say
/// otherwise. The policy serves operations of any `T` and `E` until a part reads them (see
/// [`Policy`]).
///
/// ```
/// use persevere::{on_error, expo, testing::VirtualClock};
///
/// let mut lines = ["x", "y", "7"].into_iter();
/// let n = on_error(expo())
///     .max_tries(3)
///     .clock(VirtualClock::new())
///     .retry(|| lines.next().unwrap().parse::<i64>());
/// assert_eq!(n, Ok(7));
/// ```
pub fn on_error<W>(wait: W) -> OnError<W> {
    Policy {
        rules: ErrorRules::new(),
        wait,
        parts: (),
        config: Config::inheriting(),
        timeline: SystemClock,
    }
}

/// A policy that retries returned values (Python's `on_predicate`).
///
/// The retried closure returns `T`; the call returns the first value the predicate rejects, or
/// the last value when it gives up. Without [`predicate`](Policy::predicate), falsy values
/// ([`Falsy`](crate::Falsy): `None`, `false`, `0`, empty) are retried.
///
/// ```
/// use persevere::{on_predicate, fibo, testing::VirtualClock};
/// use std::time::Duration;
///
/// let mut polls = [None, None, Some("message")].into_iter();
/// let clock = VirtualClock::new();
/// let msg = on_predicate(fibo().max_value(Duration::from_secs(13)))
///     .jitter(persevere::Jitter::None)
///     .clock(clock.clone())
///     .retry(|| polls.next().unwrap());
/// assert_eq!(msg, Some("message"));
/// assert_eq!(clock.sleeps(), [Duration::from_secs(1); 2]);
/// ```
pub fn on_predicate<W>(wait: W) -> OnPredicate<W> {
    Policy {
        rules: PredicateRules::new(),
        wait,
        parts: (),
        config: Config::inheriting(),
        timeline: SystemClock,
    }
}

/// Rules whose type slots a handler for `Details<T, E>` fixes. Implemented by [`ErrorRules`]
/// (both slots) and [`PredicateRules`] (`T`; `E` is `Infallible`).
#[doc(hidden)]
pub trait FixTypes<T, E> {
    /// The rules with their slots fixed.
    type Out;

    /// The same rules, re-typed.
    fn fix(self) -> Self::Out;
}

/// What [`jitter`](Policy::jitter) accepts: a [`Jitter`], or a custom one from
/// [`Jitter::custom`]. `P` is the policy's part list.
#[doc(hidden)]
pub trait IntoJitter<P> {
    /// The part list afterwards.
    type Parts;

    /// The jitter (`None` for a custom one, which goes into the parts), and the part list.
    #[doc(hidden)]
    fn into_jitter(self, parts: P) -> (Option<Jitter>, Self::Parts);
}

impl<P> IntoJitter<P> for Jitter {
    type Parts = P;

    #[track_caller]
    fn into_jitter(self, parts: P) -> (Option<Jitter>, P) {
        (Some(params::or_panic(self.check())), parts)
    }
}

impl<P, F: Fn(Duration, f64) -> Duration> IntoJitter<P> for CustomJitter<F> {
    type Parts = (P, JitterFn<F>);

    fn into_jitter(self, parts: P) -> (Option<Jitter>, Self::Parts) {
        (None, (parts, JitterFn(self)))
    }
}
