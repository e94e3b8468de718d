//! The rules of [`on_error`](fn@crate::on_error): which errors are retried, and the builder
//! methods that add error filters.

use super::filters::{ErrorFilter, Giveup, On, OnIf, When};
use super::parts::{AttemptTimeout, ServerWaitFn};
use super::slots::{Admits, FixWith, Slot, Unfixed};
use super::{FixTypes, OnError};
use crate::core::{Judge, Rules, Sealed, Verdict};
use crate::wait::params;
use std::error::Error;
use std::fmt::{self, Debug};
use std::marker::PhantomData;
use std::time::Duration;

/// The retry rules of an [`OnError`] policy: its error filters `F` (see [`ErrorFilter`]) and
/// its type slots `T` and `E` ([`Unfixed`] until a part reads the type).
pub struct ErrorRules<F = (), T = Unfixed, E = Unfixed> {
    pub(crate) filters: F,
    slots: PhantomData<fn() -> (T, E)>,
}

impl ErrorRules {
    pub(crate) fn new() -> Self {
        ErrorRules::with_filters(())
    }
}

impl<F, T, E> ErrorRules<F, T, E> {
    pub(crate) fn with_filters(filters: F) -> Self {
        ErrorRules {
            filters,
            slots: PhantomData,
        }
    }

    fn retype<T2, E2>(self) -> ErrorRules<F, T2, E2> {
        ErrorRules::with_filters(self.filters)
    }
}

impl<F, TS, ES> Sealed for ErrorRules<F, TS, ES> {}

impl<F, TS, ES, T, E> Rules<Result<T, E>> for ErrorRules<F, TS, ES>
where
    TS: Admits<T>,
    ES: Admits<E>,
    E: Debug,
{
    type Value = T;
    type Error = E;
    type Subject = E;

    #[inline]
    fn parts(outcome: &Result<T, E>) -> (Option<&T>, Option<&E>) {
        (outcome.as_ref().ok(), outcome.as_ref().err())
    }

    // `judge` calls no filter on an `Ok`: it is a success.
    #[inline(always)]
    fn plainly_succeeded(outcome: &Result<T, E>) -> bool {
        outcome.is_ok()
    }
}

impl<F, TS, ES, T, E, M> Judge<Result<T, E>, M> for ErrorRules<F, TS, ES>
where
    TS: Admits<T>,
    ES: Admits<E>,
    E: Debug,
    F: ErrorFilter<E, M>,
{
    #[inline]
    fn judge<'o>(&self, outcome: &'o Result<T, E>) -> Verdict<'o, E> {
        let Err(error) = outcome else {
            return Verdict::Success;
        };
        let f = &self.filters;
        if (F::HAS_ON && !f.on_matches(error)) || !f.when_holds(error) {
            return Verdict::Unmatched;
        }
        if f.gives_up(error) {
            return Verdict::GiveUp(error);
        }
        Verdict::Retry(error)
    }
}

impl<F, TS, ES, T, E> FixTypes<T, E> for ErrorRules<F, TS, ES>
where
    TS: FixWith<T>,
    ES: FixWith<E>,
{
    type Out = ErrorRules<F, TS::Out, ES::Out>;

    fn fix(self) -> Self::Out {
        self.retype()
    }
}

/// The builder methods of [`on_error`](fn@crate::on_error) policies.
impl<W, F, P, K, TS: Slot, ES: Slot> OnError<W, F, P, K, TS, ES> {
    fn add_filter<G, TS2, ES2>(self, filter: G) -> OnError<W, (F, G), P, K, TS2, ES2> {
        self.map_rules(|rules| ErrorRules::with_filters((rules.filters, filter)))
    }

    /// Retries only errors that are, or have in their `source()` chain, an `X`. Several `on`s
    /// (and `on_if`s) mean any of them. Works for concrete error types, `Box<dyn Error>` (also
    /// `+ Send` and `+ Send + Sync`) and, with the `anyhow` feature, `anyhow::Error` (see
    /// [`ErrorChain`](crate::error::ErrorChain)). Fixes no type: the policy still serves any
    /// error type that has a `source()` chain.
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
    pub fn on<X: Error + 'static>(self) -> OnError<W, (F, On<X>), P, K, TS, ES> {
        self.add_filter(On::new())
    }

    /// Retries only errors that are, or have in their `source()` chain, an `X` for which
    /// `test` holds: a filter by kind, such as an `io::Error` whose kind is
    /// `ConnectionRefused`, wherever it is in the chain. `X` is the type the closure reads
    /// (`|e: &io::Error|`). Counts as an [`on`](crate::Policy::on); fixes no type.
    ///
    /// ```
    /// use persevere::{on_error, constant, testing::VirtualClock};
    /// use std::io::{Error, ErrorKind};
    /// use std::time::Duration;
    ///
    /// let policy = on_error(constant(Duration::from_secs(1)))
    ///     .on_if(|e: &Error| matches!(e.kind(), ErrorKind::ConnectionRefused | ErrorKind::TimedOut))
    ///     .max_tries(3)
    ///     .clock(VirtualClock::new());
    /// let mut calls = 0;
    /// let _: Result<(), Error> = policy.retry(|| { calls += 1; Err(ErrorKind::ConnectionRefused.into()) });
    /// assert_eq!(calls, 3);
    /// let mut calls = 0;
    /// let _: Result<(), Error> = policy.retry(|| { calls += 1; Err(ErrorKind::NotFound.into()) });
    /// assert_eq!(calls, 1);
    /// ```
    #[must_use]
    pub fn on_if<X, G>(self, test: G) -> OnError<W, (F, OnIf<X, G>), P, K, TS, ES>
    where
        X: Error + 'static,
        G: Fn(&X) -> bool,
    {
        self.add_filter(OnIf::new(test))
    }

    /// Retries only the errors for which `test` holds (several `when`s must all hold). Other
    /// errors are returned at once, with no handler and no log (Python's exception filter).
    /// Fixes `E`: annotate the closure (`|e: &MyError|`) unless a part before fixed it.
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::io::ErrorKind;
    ///
    /// let mut calls = 0;
    /// let r: Result<(), ErrorKind> = on_error(expo())
    ///     .when(|e: &ErrorKind| *e == ErrorKind::TimedOut)
    ///     .clock(VirtualClock::new())
    ///     .retry(|| { calls += 1; Err(ErrorKind::NotFound) });
    /// assert_eq!(calls, 1);
    /// ```
    #[must_use]
    pub fn when<E, G>(self, test: G) -> OnError<W, (F, When<G>), P, K, TS, ES::Out>
    where
        ES: FixWith<E>,
        G: Fn(&E) -> bool,
    {
        self.add_filter(When(test))
    }

    /// Gives up at once on the errors for which `test` holds, after `on_giveup` and the
    /// give-up log (Python's `giveup`). Fixes `E`, as [`when`](crate::Policy::when) does.
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
    pub fn giveup<E, G>(self, test: G) -> OnError<W, (F, Giveup<G>), P, K, TS, ES::Out>
    where
        ES: FixWith<E>,
        G: Fn(&E) -> bool,
    {
        self.add_filter(Giveup(test))
    }

    /// A wait the server asked for, read from the error (a `Retry-After` header the error
    /// kept, say; see [`http`](crate::http) for the parsers): when it returns `Some(wait)`, the
    /// call waits exactly that (no jitter) instead of the strategy's next wait. A wait beyond
    /// [`max_server_wait`](crate::Policy::max_server_wait), or beyond the time left before
    /// `max_time`, ends the call at once with [`GiveUpReason::Server`](crate::GiveUpReason::Server)
    /// instead of retrying early. Such failures count as throttling for the budget. Fixes `E`.
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// #[derive(Debug)]
    /// struct Unavailable { retry_after: Option<Duration> }
    ///
    /// let clock = VirtualClock::new();
    /// let mut answers = [Some(7), None].into_iter();
    /// let _: Result<(), Unavailable> = on_error(expo())
    ///     .server_wait(|e: &Unavailable| e.retry_after)
    ///     .max_tries(3)
    ///     .jitter(persevere::Jitter::None)
    ///     .clock(clock.clone())
    ///     .retry(|| Err(Unavailable { retry_after: answers.next().flatten().map(Duration::from_secs) }));
    /// assert_eq!(clock.sleeps(), [7, 1].map(Duration::from_secs)); // the server's, then expo's first
    /// ```
    #[must_use]
    pub fn server_wait<E, G>(self, wait: G) -> OnError<W, F, (P, ServerWaitFn<G>), K, TS, ES::Out>
    where
        ES: FixWith<E>,
        G: Fn(&E) -> Option<Duration>,
    {
        self.map_rules(ErrorRules::retype)
            .map_parts(|parts| (parts, ServerWaitFn(wait)))
    }

    /// Cuts every attempt at `timeout` in the async drivers (`retry_async`,
    /// `retry_async_with`, and the attributes on `async fn`): an attempt still running then is
    /// dropped and fails with [`TimedOut`](crate::TimedOut), which the error type must hold
    /// (`E: From<TimedOut>`, required only of a policy with a timeout). With `max_time`, each
    /// attempt's timeout is cut to the time left, so the whole call returns by the deadline,
    /// and no attempt starts at the deadline. A blocking call cannot be cut short: the blocking
    /// drivers refuse a policy with an attempt timeout at compile time.
    ///
    /// The timeout shapes the policy's type (it is why the compiler asks `E: From<TimedOut>`),
    /// so a timed policy is no longer an `OnError<W>`: name it, for a `static` or a field, with
    /// [`boxed`](crate::Policy::boxed) (`BoxedOnError<T, E>`, for the async drivers).
    ///
    /// # Panics
    /// On a zero timeout (it would cut every attempt at once); for a value read from
    /// configuration use [`try_attempt_timeout`](crate::Policy::try_attempt_timeout).
    ///
    /// ```
    /// use persevere::{on_error, constant, TimedOut};
    /// use std::time::Duration;
    ///
    /// #[derive(Debug)]
    /// struct Slow;
    /// impl From<TimedOut> for Slow {
    ///     fn from(_: TimedOut) -> Self { Slow }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// let start = tokio::time::Instant::now();
    /// let r: Result<(), Slow> = on_error(constant(Duration::from_millis(100)))
    ///     .max_time(Duration::from_secs(2))
    ///     .attempt_timeout(Duration::from_secs(1))
    ///     .retry_async(|| std::future::pending())
    ///     .await;
    /// assert!(r.is_err());
    /// assert!(start.elapsed() <= Duration::from_secs(2));
    /// # }
    /// ```
    #[must_use]
    #[track_caller]
    pub fn attempt_timeout(
        self,
        timeout: Duration,
    ) -> OnError<W, F, (P, AttemptTimeout), K, TS, ES> {
        params::or_panic(self.try_attempt_timeout(timeout))
    }

    /// [`attempt_timeout`](crate::Policy::attempt_timeout) with a value read from configuration: an
    /// error that names `attempt_timeout` instead of a panic on zero.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// use std::time::Duration;
    ///
    /// let err = on_error(expo()).try_attempt_timeout(Duration::ZERO).unwrap_err();
    /// assert_eq!(err.parameter(), "attempt_timeout");
    /// ```
    pub fn try_attempt_timeout(
        self,
        timeout: Duration,
    ) -> Result<OnError<W, F, (P, AttemptTimeout), K, TS, ES>, params::ParamError> {
        let timeout = params::attempt_timeout(timeout)?;
        Ok(self.map_parts(|parts| (parts, AttemptTimeout(timeout))))
    }

    /// Fixes the error type to `E`, so that later closures need no annotation (and the policy
    /// serves only operations that fail with `E`).
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let _policy = on_error(expo()).error_type::<std::io::Error>().when(|e| e.kind() == std::io::ErrorKind::TimedOut);
    /// ```
    #[must_use]
    pub fn error_type<E>(self) -> OnError<W, F, P, K, TS, ES::Out>
    where
        ES: FixWith<E>,
    {
        self.map_rules(ErrorRules::retype)
    }

    /// Fixes the value type to `T`, so that handlers' [`Details::value`](crate::Details::value)
    /// is known to later closures.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let _policy = on_error(expo()).value_type::<u32>().error_type::<String>()
    ///     .on_success(|d| assert!(d.value().is_some_and(|v| *v < 100)));
    /// ```
    #[must_use]
    pub fn value_type<T>(self) -> OnError<W, F, P, K, TS::Out, ES>
    where
        TS: FixWith<T>,
    {
        self.map_rules(ErrorRules::retype)
    }
}

impl<F: Clone, T, E> Clone for ErrorRules<F, T, E> {
    fn clone(&self) -> Self {
        ErrorRules::with_filters(self.filters.clone())
    }
}

impl<F: Copy, T, E> Copy for ErrorRules<F, T, E> {}

impl<F: Debug, T, E> Debug for ErrorRules<F, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorRules")
            .field("filters", &self.filters)
            .finish_non_exhaustive()
    }
}
