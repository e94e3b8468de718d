//! Hedging: when no attempt has answered after a delay, start another beside it, up to a
//! number in flight; the first success wins and the others are dropped. A driver over the
//! decision core: every outcome, limit and budget question goes through [`Retrying`].

use crate::budget::Withdrawal;
use crate::core::call_handlers::CallHandlers;
use crate::core::policy::Hedge;
use crate::core::{Decision, Judge, Retrying, cut_attempt};
use crate::policy::{Handlers, ServerWaits, TimeoutFor};
use crate::wait::{Wait, params};
use crate::{AsyncSleeper, Attempt, Clock, Policy};
use std::any::type_name;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

/// A policy that hedges: made by [`Policy::hedge`]. It has the async drivers only: a blocking
/// call cannot run beside itself. To hedge one call of a policy that does not, use
/// [`Call::hedge`](crate::Call::hedge).
///
/// Hedging shapes the type (`Hedged<OnError<Expo>>`) rather than being a setting of the
/// policy, so that the calls of a policy that does not hedge pay nothing for the choice.
///
/// ```
/// use persevere::{on_error, constant};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// // The first attempt never answers; the hedge started after 100 ms does.
/// let hedged = on_error(constant(Duration::from_secs(1)))
///     .max_tries(3)
///     .hedge(Duration::from_millis(100), 2);
/// let mut started = 0;
/// let r: Result<u32, &str> = hedged
///     .retry_async(|| {
///         started += 1;
///         let n = started;
///         async move {
///             if n == 1 { std::future::pending().await } else { Ok(n) }
///         }
///     })
///     .await;
/// assert_eq!(r, Ok(2));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Hedged<Pol> {
    policy: Pol,
    hedge: Hedge,
}

impl<R, W, P, K> Policy<R, W, P, K> {
    /// Hedges the calls of this policy (gRPC's hedging, Polly's hedging strategy): when no
    /// attempt has answered `delay` after the last one started, another starts beside it, up
    /// to `max_in_flight` at once. The first success wins and the attempts still running are
    /// dropped (cancelled); an error that is not retried ends the call and drops the rest too.
    /// A retryable failure while others run starts the next hedge at once (as gRPC does); when
    /// none is left running, the policy backs off as usual. Hedges count as attempts
    /// (`max_tries` counts every attempt started), do not start after `max_time`, and draw from
    /// the budget (cause [`Hedge`](crate::budget::RetryCause::Hedge)): a refused hedge is not
    /// started. Each hedged attempt's future is boxed (one allocation per attempt).
    ///
    /// # Panics
    ///
    /// If `max_in_flight` is 0 (a literal's mistake); [`try_hedge`](Policy::try_hedge)
    /// returns the error instead, for values read from configuration.
    #[must_use]
    #[track_caller]
    pub fn hedge(self, delay: Duration, max_in_flight: u32) -> Hedged<Self> {
        params::or_panic(self.try_hedge(delay, max_in_flight))
    }

    /// [`hedge`](Policy::hedge), returning an error that names `max_in_flight` when it is 0.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// use std::time::Duration;
    ///
    /// let err = on_error(expo()).try_hedge(Duration::from_millis(50), 0).unwrap_err();
    /// assert_eq!(err.parameter(), "max_in_flight");
    /// ```
    pub fn try_hedge(
        self,
        delay: Duration,
        max_in_flight: u32,
    ) -> Result<Hedged<Self>, params::ParamError> {
        Ok(Hedged {
            policy: self,
            hedge: Hedge::new(delay, max_in_flight)?,
        })
    }
}

impl<R, W, P, K> Hedged<Policy<R, W, P, K>> {
    /// The policy that decides.
    pub fn policy(&self) -> &Policy<R, W, P, K> {
        &self.policy
    }

    /// [`Policy::retry_async`], hedged. The returned future is `Send` when the operation's
    /// futures, the sleeper's and the policy are; dropping it drops every attempt.
    pub async fn retry_async<O, F, Fut, M>(&self, mut op: F) -> O
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
    {
        let retrying = self.policy.begin_as(type_name::<F>());
        self.hedge.run(retrying, |_| op()).await
    }

    /// [`Policy::retry_async_with`], hedged: each attempt sees its [`Attempt`] (hedges are
    /// numbered in the order they start).
    pub async fn retry_async_with<O, F, Fut, M>(&self, op: F) -> O
    where
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
    {
        let retrying = self.policy.begin_as(type_name::<F>());
        self.hedge.run(retrying, op).await
    }
}

impl Hedge {
    /// Runs one hedged call of `policy`: the async drivers come here when the policy hedges.
    pub(crate) async fn run<R, W, P, K, O, X, F, Fut, M>(
        self,
        mut retrying: Retrying<'_, R, W, P, K, O, X>,
        mut op: F,
    ) -> O
    where
        X: CallHandlers<R::Value, R::Error>,
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
    {
        let policy = retrying.policy();
        let mut running: Vec<Running<_, P::AttemptStart>> = Vec::new();
        let mut started = 0u32;
        let start = |retrying: &mut Retrying<'_, R, W, P, K, O, X>,
                     started: &mut u32,
                     op: &mut F,
                     running: &mut Vec<Running<_, P::AttemptStart>>,
                     withdrawal: Option<Withdrawal>| {
            *started += 1;
            retrying.start_attempt(*started);
            let mut attempt = retrying.attempt();
            attempt.number = *started;
            let limit = retrying.attempt_limit_for_cut();
            let attempt = retrying.instrument(op(attempt));
            running.push(Running {
                attempt: Box::pin(cut_attempt(policy, attempt, limit)),
                withdrawal,
                started: retrying.attempt_start(),
            });
        };
        if let Some(refused) = retrying.refused() {
            return refused;
        }
        start(&mut retrying, &mut started, &mut op, &mut running, None);
        let mut hedge_timer = Some(Box::pin(policy.timeline.sleep_async(self.delay)));
        let mut backoff: Option<Pin<Box<K::Sleep>>> = None;
        loop {
            let event = poll_fn(|cx| {
                for (i, run) in running.iter_mut().enumerate() {
                    if let Poll::Ready(finished) = run.attempt.as_mut().poll(cx) {
                        return Poll::Ready(Event::Finished(i, finished));
                    }
                }
                if let Some(timer) = &mut hedge_timer {
                    if timer.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Event::HedgeDue);
                    }
                }
                if let Some(sleep) = &mut backoff {
                    if sleep.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Event::BackedOff);
                    }
                }
                Poll::Pending
            })
            .await;
            let hedge_now = match event {
                Event::Finished(i, (outcome, timed_out)) => {
                    let finished = running.swap_remove(i);
                    retrying.set_withdrawal(finished.withdrawal);
                    retrying.set_attempt_start(finished.started);
                    match retrying.decide(outcome, !running.is_empty(), timed_out) {
                        // Returning drops the attempts still running.
                        Decision::Done(outcome) => return outcome,
                        Decision::Retry(wait) => {
                            hedge_timer = None;
                            backoff = Some(Box::pin(policy.timeline.sleep_async(wait)));
                            false
                        }
                        // Another still runs: a retryable failure starts the next hedge now.
                        Decision::Absorbed => true,
                    }
                }
                Event::HedgeDue => true,
                Event::BackedOff => {
                    backoff = None;
                    let withdrawal = retrying.take_withdrawal();
                    start(
                        &mut retrying,
                        &mut started,
                        &mut op,
                        &mut running,
                        withdrawal,
                    );
                    hedge_timer = Some(Box::pin(policy.timeline.sleep_async(self.delay)));
                    false
                }
            };
            // A hedge is due, or a failure came while others run: another attempt starts if
            // there is room and the budget pays for it, and the hedge delay starts over.
            if hedge_now {
                let mut hedged = false;
                if running.len() < self.max_in_flight.get() as usize {
                    if let Some(withdrawal) = retrying.may_hedge(started) {
                        start(
                            &mut retrying,
                            &mut started,
                            &mut op,
                            &mut running,
                            withdrawal,
                        );
                        hedged = true;
                    }
                }
                // A zero delay (gRPC's `"hedgingDelay": "0s"`, all at once) that started
                // nothing would be due again at once, and the loop would spin until an attempt
                // ends: the next hedge then waits for an attempt's failure instead.
                hedge_timer = (hedged || !self.delay.is_zero())
                    .then(|| Box::pin(policy.timeline.sleep_async(self.delay)));
            }
        }
    }
}

/// An attempt running, with what the budget took for it and, for policies that observe
/// attempts, when it started (`()` for the others).
struct Running<A, S> {
    attempt: Pin<Box<A>>,
    withdrawal: Option<Withdrawal>,
    started: S,
}

enum Event<O> {
    Finished(usize, (O, bool)),
    HedgeDue,
    BackedOff,
}
