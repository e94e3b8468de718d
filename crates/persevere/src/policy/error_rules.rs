//! The rules of [`on_error`](fn@crate::on_error): which errors are retried.

use super::{OnError, Policy};
use crate::core::{Judge, Rules, Sealed, Verdict};
use crate::error_chain::{AnyError, ErrorFilter, OnTypes, chain_has};
use std::error::Error;
use std::fmt::{self, Debug};
use std::sync::Arc;

type ErrorTest<E> = Arc<dyn Fn(&E) -> bool + Send + Sync>;

/// The retry rules of an [`OnError`] policy: an error is retried iff (no `on` type is given,
/// or one matches) and every `when` holds and no `giveup` holds. `K` is the `on` filter.
pub struct ErrorRules<E, K = AnyError> {
    kinds: K,
    when: Vec<ErrorTest<E>>,
    giveup: Vec<ErrorTest<E>>,
}

impl<E> ErrorRules<E, AnyError> {
    pub(crate) fn new() -> Self {
        ErrorRules {
            kinds: AnyError,
            when: Vec::new(),
            giveup: Vec::new(),
        }
    }
}

impl<E, K> Sealed for ErrorRules<E, K> {}

impl<T, E: Debug, K> Rules<T, E> for ErrorRules<E, K> {
    type Outcome = Result<T, E>;
    type Subject = E;

    fn parts(outcome: &Result<T, E>) -> (Option<&T>, Option<&E>) {
        (outcome.as_ref().ok(), outcome.as_ref().err())
    }
}

impl<T, E: Debug, K: ErrorFilter<E, M>, M> Judge<T, E, M> for ErrorRules<E, K> {
    fn judge<'o>(&self, outcome: &'o Result<T, E>) -> Verdict<'o, E> {
        let Err(error) = outcome else {
            return Verdict::Success;
        };
        if !self.kinds.accepts(error) || !self.when.iter().all(|when| when(error)) {
            return Verdict::Unmatched;
        }
        if self.giveup.iter().any(|giveup| giveup(error)) {
            return Verdict::GiveUp(error);
        }
        Verdict::Retry(error)
    }
}

/// The builder methods of [`on_error`](fn@crate::on_error) policies.
impl<W, T, E, S, C, K> OnError<W, T, E, S, C, K> {
    /// Retries only the errors for which `test` holds (several `when`s must all hold). Other
    /// errors are returned at once, with no handler and no log (Python's exception filter).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    ///
    /// let mut calls = 0;
    /// let r: Result<(), std::io::ErrorKind> = on_error(expo())
    ///     .when(|e: &std::io::ErrorKind| *e == std::io::ErrorKind::TimedOut)
    ///     .clock(VirtualClock::new())
    ///     .retry(|| { calls += 1; Err(std::io::ErrorKind::NotFound) });
    /// assert_eq!(calls, 1);
    /// ```
    #[must_use]
    pub fn when(mut self, test: impl Fn(&E) -> bool + Send + Sync + 'static) -> Self {
        self.rules.when.push(Arc::new(test));
        self
    }

    /// Gives up at once on the errors for which `test` holds, after `on_giveup` and the
    /// give-up log (Python's `giveup`).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    ///
    /// let mut errors = ["foo", "bar", "baz", "qux"].into_iter();
    /// let r: Result<(), &str> = on_error(expo())
    ///     .giveup(|e: &&str| *e == "baz")
    ///     .clock(VirtualClock::new())
    ///     .retry(|| Err(errors.next().unwrap()));
    /// assert_eq!(r, Err("baz"));
    /// ```
    #[must_use]
    pub fn giveup(mut self, test: impl Fn(&E) -> bool + Send + Sync + 'static) -> Self {
        self.rules.giveup.push(Arc::new(test));
        self
    }

    fn with_kinds<K2>(self, kinds: K2) -> OnError<W, T, E, S, C, K2> {
        let ErrorRules { when, giveup, .. } = self.rules;
        Policy {
            rules: ErrorRules {
                kinds,
                when,
                giveup,
            },
            settings: self.settings,
        }
    }
}

impl<W, T, E, S, C> OnError<W, T, E, S, C, AnyError> {
    /// Retries only errors that are, or have in their `source()` chain, an `X`. Several `on`s
    /// mean any of them. Works for concrete error types, `Box<dyn Error>` (also `+ Send` and
    /// `+ Send + Sync`) and, with the `anyhow` feature, `anyhow::Error` (see
    /// [`ErrorChain`](crate::ErrorChain)).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::error::Error;
    ///
    /// let mut calls = 0;
    /// let r: Result<(), Box<dyn Error + Send + Sync>> = on_error(expo())
    ///     .on::<std::io::Error>()
    ///     .max_tries(4)
    ///     .clock(VirtualClock::new())
    ///     .retry(|| { calls += 1; Err(std::io::Error::other("disk").into()) });
    /// assert_eq!(calls, 4);
    /// ```
    #[must_use]
    pub fn on<X: Error + 'static>(self) -> OnError<W, T, E, S, C, OnTypes> {
        self.with_kinds(OnTypes(vec![chain_has::<X>]))
    }
}

impl<W, T, E, S, C> OnError<W, T, E, S, C, OnTypes> {
    /// Adds another error type to retry (see [`on`](Policy::on) on a policy without one).
    #[must_use]
    pub fn on<X: Error + 'static>(mut self) -> Self {
        self.rules.kinds.0.push(chain_has::<X>);
        self
    }
}

impl<E, K: Clone> Clone for ErrorRules<E, K> {
    fn clone(&self) -> Self {
        ErrorRules {
            kinds: self.kinds.clone(),
            when: self.when.clone(),
            giveup: self.giveup.clone(),
        }
    }
}

impl<E, K: Debug> Debug for ErrorRules<E, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorRules")
            .field("kinds", &self.kinds)
            .field("when", &self.when.len())
            .field("giveup", &self.giveup.len())
            .finish()
    }
}
