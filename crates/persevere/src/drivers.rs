//! The drivers: thin loops around the decision core ([`Retrying::check`]). None of them holds a
//! retry rule.

use crate::core::call_handlers::CallHandlers;
use crate::core::{CallLimits, Judge, Next, Retrying, cut_attempt};
use crate::policy::{Blocking, Handlers, ServerWaits, TimeoutFor};
use crate::{AsyncSleeper, Attempt, Clock, Policy, Sleeper};
use persevere_wait::Wait;
use std::any::type_name;
use std::future::Future;
use std::ops::ControlFlow;

impl<R, W, P, K> Policy<R, W, P, K> {
    /// Calls `op` until the policy is done, sleeping with the blocking sleeper between attempts;
    /// returns the last outcome unchanged.
    ///
    /// `op` may borrow anything mutably (`FnMut`). A panic in `op` or in a handler propagates
    /// and ends the call.
    ///
    /// Do not call it from async code on a runtime's thread: its sleeps block the thread, and
    /// every task of that thread (all of them, on a current-thread runtime) stalls for the
    /// whole wait. Use [`retry_async`](Policy::retry_async), or run the blocking call in
    /// `spawn_blocking`. Debug builds with the `tokio` feature log a warning, once per process,
    /// at the first real blocking sleep on a tokio worker thread.
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    ///
    /// let mut calls = 0;
    /// let r: Result<u32, &str> = on_error(expo()).max_tries(5).clock(VirtualClock::new())
    ///     .retry(|| { calls += 1; if calls < 3 { Err("busy") } else { Ok(calls) } });
    /// assert_eq!(r, Ok(3));
    /// ```
    #[inline]
    pub fn retry<O, F, M>(&self, mut op: F) -> O
    where
        F: FnMut() -> O,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O> + Blocking,
        K: Clock + Sleeper,
    {
        // The core may make the first attempt itself (see `begin_blocking`).
        let (retrying, made) = match self.begin_blocking(type_name::<F>(), &mut op) {
            ControlFlow::Break(success) => return success,
            ControlFlow::Continue(begun) => begun,
        };
        run_blocking::<_, _, _, _, _, _, _, false>(retrying, made, |_| op())
    }

    /// Calls `op` and awaits its future until the policy is done, sleeping with the async
    /// sleeper between attempts. The returned future is `Send` whenever `op`, its future, the
    /// sleeper's future and the policy are, so it can be spawned on a multi-thread runtime.
    /// Dropping it stops everything: no further attempt, no handler.
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::sync::Arc;
    ///
    /// struct Client;
    /// impl Client {
    ///     async fn fetch(&self) -> Result<u32, String> { Ok(7) }
    /// }
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let client = Arc::new(Client);
    /// let policy = Arc::new(on_error(expo()).max_tries(3).clock(VirtualClock::new()));
    /// let task = tokio::spawn(async move { policy.retry_async(|| client.fetch()).await });
    /// assert_eq!(task.await.unwrap(), Ok(7));
    /// # }
    /// ```
    #[inline]
    pub fn retry_async<O, F, Fut, M>(&self, mut op: F) -> impl Future<Output = O>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
    {
        let begin = move || self.begin_as(type_name::<F>());
        run_async::<_, _, _, _, _, _, _, _, _, _, false>(begin, move |_| op())
    }

    /// Like [`retry_async`](Policy::retry_async) for an `AsyncFnMut` closure, which may lend
    /// `&mut` state to each attempt's future.
    ///
    /// Its future is not provably `Send` when the closure captures references (a limit of
    /// today's compiler, rust-lang/rust#110338), so it cannot always go into `tokio::spawn`:
    /// use it where the call is awaited in place, and `retry_async` in servers.
    ///
    /// ```
    /// use persevere::{on_error, constant, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// struct Conn { queries: u32 }
    /// impl Conn {
    ///     async fn query(&mut self) -> Result<u32, String> {
    ///         self.queries += 1;
    ///         if self.queries < 3 { Err("locked".into()) } else { Ok(self.queries) }
    ///     }
    /// }
    ///
    /// # futures_lite::future::block_on(async {
    /// let mut conn = Conn { queries: 0 };
    /// let r = on_error(constant(Duration::from_millis(10))).clock(VirtualClock::new())
    ///     .retry_async_mut(async || conn.query().await)
    ///     .await;
    /// assert_eq!(r, Ok(3));
    /// # });
    /// ```
    #[inline]
    pub fn retry_async_mut<O, F, M>(&self, op: F) -> impl Future<Output = O>
    where
        F: AsyncFnMut() -> O,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
    {
        run_async_mut(self.begin_as(type_name::<F>()), op)
    }

    /// Like [`retry`](Policy::retry), with an operation that sees its [`Attempt`]: its number
    /// and the time left before `max_time` (to pass on to a server as a deadline).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let mut deadlines = Vec::new();
    /// let r: Result<u32, &str> = on_error(expo()).max_time(Duration::from_secs(30))
    ///     .clock(VirtualClock::new())
    ///     .retry_with(|attempt| {
    ///         deadlines.push(attempt.time_left());
    ///         if attempt.number() < 2 { Err("busy") } else { Ok(attempt.number()) }
    ///     });
    /// assert_eq!(r, Ok(2));
    /// assert_eq!(deadlines[0], Some(Duration::from_secs(30)));
    /// ```
    #[inline]
    pub fn retry_with<O, F, M>(&self, op: F) -> O
    where
        F: FnMut(Attempt) -> O,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O> + Blocking,
        K: Clock + Sleeper,
    {
        let retrying = self.begin_call(type_name::<F>(), &CallLimits::NONE, ());
        run_blocking::<_, _, _, _, _, _, _, true>(retrying, None, op)
    }

    /// Like [`retry_async`](Policy::retry_async), with an operation that sees its
    /// [`Attempt`]. The returned future is `Send` under the same conditions.
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// # futures_lite::future::block_on(async {
    /// let policy = on_error(expo()).max_time(Duration::from_secs(30)).clock(VirtualClock::new());
    /// let r: Result<Duration, &str> = policy
    ///     .retry_async_with(|attempt| async move { attempt.time_left().ok_or("no deadline") })
    ///     .await;
    /// assert_eq!(r, Ok(Duration::from_secs(30)));
    /// # });
    /// ```
    #[inline]
    pub fn retry_async_with<O, F, Fut, M>(&self, op: F) -> impl Future<Output = O>
    where
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
    {
        let begin = move || self.begin_as(type_name::<F>());
        run_async::<_, _, _, _, _, _, _, _, _, _, true>(begin, op)
    }
}

// The driver protocol. Each call: `begin_call` (limits resolved, clock read and budget told if
// anything needs them, the call's state built), then every attempt's outcome through the core
// (`Retrying::check_cut`), each retry's wait slept and the next attempt marked. The blocking
// loop takes that step through `Retrying::settle`; the async loops write `settle_async`'s steps
// out, so that their futures hold the attempt, the timer and the sleep in one place (futures
// nested inside them made the call larger and slower in the measurements of issue 17).

/// The blocking protocol (`ATTEMPT`: whether the operation reads its [`Attempt`], which may
/// read the clock).
#[inline(always)]
pub(crate) fn run_blocking<R, W, P, K, O, X, M, const ATTEMPT: bool>(
    mut retrying: Retrying<'_, R, W, P, K, O, X>,
    made: Option<O>,
    mut op: impl FnMut(Attempt) -> O,
) -> O
where
    R: Judge<O, M>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
    K: Clock + Sleeper,
    X: CallHandlers<R::Value, R::Error>,
{
    // `made`: the outcome of a first attempt the core made before building the call (see
    // `Policy::begin_blocking`), for a policy that neither refuses nor cuts attempts.
    let mut outcome = match made {
        Some(outcome) => outcome,
        None => {
            if let Some(refused) = retrying.refuse_blocking() {
                return refused;
            }
            if let Some(refused) = retrying.refused() {
                return refused;
            }
            retrying.in_attempt(|| op(retrying.attempt_if::<ATTEMPT>()))
        }
    };
    loop {
        if let ControlFlow::Break(outcome) = retrying.settle(outcome) {
            return outcome;
        }
        outcome = retrying.in_attempt(|| op(retrying.attempt_if::<ATTEMPT>()));
    }
}

/// The async protocol: the same steps, each attempt cut at the attempt timeout. The call
/// begins at the first poll (`begin`), not when the future is made.
pub(crate) async fn run_async<'p, R, W, P, K, O, X, B, F, Fut, M, const ATTEMPT: bool>(
    begin: B,
    mut op: F,
) -> O
where
    R: 'p,
    W: 'p,
    P: 'p,
    K: 'p,
    B: FnOnce() -> Retrying<'p, R, W, P, K, O, X>,
    F: FnMut(Attempt) -> Fut,
    Fut: Future<Output = O>,
    R: Judge<O, M>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
    K: Clock + AsyncSleeper,
    X: CallHandlers<R::Value, R::Error>,
{
    let mut retrying = begin();
    if let Some(refused) = retrying.refused() {
        return refused;
    }
    loop {
        let attempt = retrying.instrument(op(retrying.attempt_if::<ATTEMPT>()));
        let (outcome, timed_out) = match retrying.attempt_limit_for_cut() {
            // Boxed: the futures of policies without an attempt timeout stay small.
            Some(limit) => Box::pin(cut_attempt(retrying.policy(), attempt, Some(limit))).await,
            None => (attempt.await, false),
        };
        match retrying.check_cut(outcome, timed_out) {
            Next::Done(outcome) => return outcome,
            Next::Retry(wait) => {
                retrying.sleep_async(wait).await;
                retrying.mark_attempt();
            }
        }
    }
}

/// [`run_async`] for an `AsyncFnMut` operation, which lends its state to one attempt at a
/// time (so it cannot hedge).
pub(crate) async fn run_async_mut<R, W, P, K, O, X, F, M>(
    mut retrying: Retrying<'_, R, W, P, K, O, X>,
    mut op: F,
) -> O
where
    F: AsyncFnMut() -> O,
    R: Judge<O, M>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
    K: Clock + AsyncSleeper,
    X: CallHandlers<R::Value, R::Error>,
{
    if let Some(refused) = retrying.refused() {
        return refused;
    }
    loop {
        let attempt = retrying.instrument(op());
        let (outcome, timed_out) = match retrying.attempt_limit_for_cut() {
            Some(limit) => Box::pin(cut_attempt(retrying.policy(), attempt, Some(limit))).await,
            None => (attempt.await, false),
        };
        match retrying.check_cut(outcome, timed_out) {
            Next::Done(outcome) => return outcome,
            Next::Retry(wait) => {
                retrying.sleep_async(wait).await;
                retrying.mark_attempt();
            }
        }
    }
}
