//! One call of a shared policy with options of its own: tighter limits, hedging, and handlers
//! that are `FnMut` (they record into local state). The policy is borrowed, not cloned or
//! rebuilt, and is unchanged for the next call.

// A call's handlers form a list (`(earlier, last)`), spelled out in the return types.
#![allow(clippy::type_complexity)]

use crate::core::call_handlers::{
    CallHandler, CallHandlerList, CallHandlers, OnBackoff, OnGiveup, OnSuccess,
};
use crate::core::policy::Hedge;
use crate::core::{CallLimits, Judge, Retrying, Rules};
use crate::drivers::{run_async, run_async_mut, run_blocking};
use crate::policy::{Blocking, Handlers, Parts, ServerWaits, TimeoutFor};
use crate::wait::Wait;
use crate::wait::params::{self, ParamError};
use crate::{AsyncSleeper, Attempt, Clock, Details, Policy, Sleeper};
use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::time::Duration;

/// One call of a policy, with options for this call alone: made by [`Policy::call`].
///
/// The policy stays shared (a `static`, an `Arc`, a field) and unchanged: limits set here
/// tighten the policy's for this call (the smaller one applies), [`hedge`](Call::hedge) hedges
/// this call, and the handlers given here run after the policy's own. These handlers are
/// `FnMut`, since they belong to one call: they may push to a local `Vec`.
///
/// ```
/// use persevere::{on_error, constant, testing::VirtualClock};
/// use std::time::Duration;
///
/// let clock = VirtualClock::new();
/// let shared = on_error(constant(Duration::from_secs(1))).max_tries(5).clock(clock.clone());
///
/// let mut waits = Vec::new();
/// let r: Result<(), &str> = shared
///     .call()
///     .max_tries(3)
///     .on_backoff(|d| waits.push(d.wait()))
///     .retry(|| Err("busy"));
/// assert_eq!(r, Err("busy"));
/// assert_eq!(waits.len(), 2); // 3 tries for this call, the policy's 5 for the next
/// ```
///
/// The drivers are those of [`Policy`]: [`retry`](Call::retry),
/// [`retry_with`](Call::retry_with), [`retry_async`](Call::retry_async),
/// [`retry_async_with`](Call::retry_async_with), [`retry_async_mut`](Call::retry_async_mut).
#[must_use = "a call does nothing until a driver (`retry`, `retry_async`, ...) runs it"]
pub struct Call<'p, R, W, P, K, X = ()> {
    pub(crate) policy: &'p Policy<R, W, P, K>,
    pub(crate) limits: CallLimits,
    pub(crate) hedge: Option<Hedge>,
    pub(crate) handlers: X,
}

impl<R, W, P, K> Policy<R, W, P, K> {
    /// One call of this policy with options of its own (see [`Call`]): tighter limits,
    /// hedging, and `FnMut` handlers. Borrows the policy; nothing is cloned.
    pub fn call(&self) -> Call<'_, R, W, P, K> {
        Call {
            policy: self,
            limits: CallLimits::NONE,
            hedge: None,
            handlers: (),
        }
    }
}

impl<'p, R, W, P, K, X> Call<'p, R, W, P, K, X> {
    /// At most `max_tries` attempts in this call (or the policy's `max_tries`, if smaller).
    ///
    /// # Panics
    ///
    /// If `max_tries` is 0; [`try_max_tries`](Call::try_max_tries) returns the error instead.
    #[track_caller]
    pub fn max_tries(self, max_tries: u32) -> Self {
        params::or_panic(self.try_max_tries(max_tries))
    }

    /// [`max_tries`](Call::max_tries), returning an error that names `max_tries` when it is 0.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let policy = on_error(expo());
    /// assert_eq!(policy.call().try_max_tries(0).unwrap_err().parameter(), "max_tries");
    /// ```
    pub fn try_max_tries(mut self, max_tries: u32) -> Result<Self, ParamError> {
        self.limits.max_tries = Some(params::max_tries(max_tries.into())?);
        Ok(self)
    }

    /// A deadline of `max_time` for this call (or the policy's `max_time`, if shorter), with
    /// the policy's rule for what happens at the deadline.
    pub fn max_time(mut self, max_time: Duration) -> Self {
        self.limits.max_time = Some(max_time);
        self
    }

    /// Hedges this call (see [`Policy::hedge`]): a shared policy that does not hedge can
    /// hedge one endpoint's calls.
    ///
    /// # Panics
    ///
    /// If `max_in_flight` is 0; [`try_hedge`](Call::try_hedge) returns the error instead.
    #[track_caller]
    pub fn hedge(self, delay: Duration, max_in_flight: u32) -> Self {
        params::or_panic(self.try_hedge(delay, max_in_flight))
    }

    /// [`hedge`](Call::hedge), returning an error that names `max_in_flight` when it is 0.
    pub fn try_hedge(mut self, delay: Duration, max_in_flight: u32) -> Result<Self, ParamError> {
        self.hedge = Some(Hedge::new(delay, max_in_flight)?);
        Ok(self)
    }

    /// Adds an `on_backoff` handler for this call, run after the policy's own. It may mutate
    /// what it captures.
    pub fn on_backoff<T, E, H>(
        self,
        handler: H,
    ) -> Call<'p, R, W, P, K, (X, CallHandler<OnBackoff, H, T, E>)>
    where
        H: FnMut(&Details<'_, T, E>),
    {
        self.add(handler)
    }

    /// Adds an `on_giveup` handler for this call, run after the policy's own.
    pub fn on_giveup<T, E, H>(
        self,
        handler: H,
    ) -> Call<'p, R, W, P, K, (X, CallHandler<OnGiveup, H, T, E>)>
    where
        H: FnMut(&Details<'_, T, E>),
    {
        self.add(handler)
    }

    /// Adds an `on_success` handler for this call, run after the policy's own.
    pub fn on_success<T, E, H>(
        self,
        handler: H,
    ) -> Call<'p, R, W, P, K, (X, CallHandler<OnSuccess, H, T, E>)>
    where
        H: FnMut(&Details<'_, T, E>),
    {
        self.add(handler)
    }

    fn add<V, H, T, E>(self, handler: H) -> Call<'p, R, W, P, K, (X, CallHandler<V, H, T, E>)> {
        Call {
            policy: self.policy,
            limits: self.limits,
            hedge: self.hedge,
            handlers: (self.handlers, CallHandler::new(handler)),
        }
    }
}

impl<'p, R, W, P, K, X> Call<'p, R, W, P, K, X> {
    /// [`Policy::retry`] for this call.
    #[inline]
    pub fn retry<O, F, M>(self, mut op: F) -> O
    where
        F: FnMut() -> O,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O> + Blocking,
        K: Clock + Sleeper,
        X: CallHandlers<R::Value, R::Error>,
    {
        let retrying = self.begin(type_name::<F>());
        run_blocking::<_, _, _, _, _, _, _, false>(retrying, None, |_| op())
    }

    /// [`Policy::retry_with`] for this call.
    #[inline]
    pub fn retry_with<O, F, M>(self, op: F) -> O
    where
        F: FnMut(Attempt) -> O,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O> + Blocking,
        K: Clock + Sleeper,
        X: CallHandlers<R::Value, R::Error>,
    {
        let retrying = self.begin(type_name::<F>());
        run_blocking::<_, _, _, _, _, _, _, true>(retrying, None, op)
    }

    /// [`Policy::retry_async`] for this call (hedged if this call [hedges](Call::hedge)).
    pub async fn retry_async<O, F, Fut, M>(self, mut op: F) -> O
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
        X: CallHandlers<R::Value, R::Error>,
    {
        let hedge = self.hedge;
        let retrying = self.begin(type_name::<F>());
        match hedge {
            // Boxed: the plain call's future stays small.
            Some(hedge) => Box::pin(hedge.run(retrying, move |_| op())).await,
            None => {
                run_async::<_, _, _, _, _, _, _, _, _, _, false>(move || retrying, move |_| op())
                    .await
            }
        }
    }

    /// [`Policy::retry_async_with`] for this call (hedged if this call [hedges](Call::hedge)).
    pub async fn retry_async_with<O, F, Fut, M>(self, op: F) -> O
    where
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
        X: CallHandlers<R::Value, R::Error>,
    {
        let hedge = self.hedge;
        let retrying = self.begin(type_name::<F>());
        match hedge {
            Some(hedge) => Box::pin(hedge.run(retrying, op)).await,
            None => run_async::<_, _, _, _, _, _, _, _, _, _, true>(move || retrying, op).await,
        }
    }

    /// [`Policy::retry_async_mut`] for this call (one attempt at a time: it does not hedge).
    pub fn retry_async_mut<O, F, M>(self, op: F) -> impl Future<Output = O>
    where
        F: AsyncFnMut() -> O,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
        X: CallHandlers<R::Value, R::Error>,
    {
        run_async_mut(self.begin(type_name::<F>()), op)
    }

    /// This call in the code-block form ([`Policy::begin_as`]): the loop is the caller's, the
    /// call's limits and handlers are the core's. Named `default_name` in logs unless the
    /// policy has a name.
    ///
    /// ```
    /// use persevere::{on_error, constant, Next, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let policy = on_error(constant(Duration::ZERO)).max_tries(5).clock(VirtualClock::new());
    /// let mut retrying = policy.call().max_tries(2).begin_as("read_config");
    /// let outcome: Result<(), &str> = loop {
    ///     match retrying.check(Err("missing")) {
    ///         Next::Done(outcome) => break outcome,
    ///         Next::Retry(wait) => retrying.sleep(wait),
    ///     }
    /// };
    /// assert_eq!((outcome, retrying.tries()), (Err("missing"), 2));
    /// ```
    #[inline]
    #[track_caller]
    pub fn begin_as<'n, O>(self, default_name: &'n str) -> Retrying<'n, R, W, P, K, O, X>
    where
        'p: 'n,
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
        X: CallHandlerList,
    {
        self.begin(default_name)
    }

    #[inline(always)]
    #[track_caller]
    fn begin<'n, O>(self, name: &'n str) -> Retrying<'n, R, W, P, K, O, X>
    where
        'p: 'n,
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
        X: CallHandlerList,
    {
        self.policy.begin_call(name, &self.limits, self.handlers)
    }
}

impl<R, W, P, K, X> fmt::Debug for Call<'_, R, W, P, K, X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("max_tries", &self.limits.max_tries)
            .field("max_time", &self.limits.max_time)
            .field("hedge", &self.hedge)
            .finish_non_exhaustive()
    }
}
