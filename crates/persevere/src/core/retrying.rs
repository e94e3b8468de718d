//! One retrying call: the decision core's state machine, where the retry rules live.
//!
//! [`Retrying`] is the state of one call. Each finished attempt goes through
//! [`Retrying::check`], which turns "attempt n ended with outcome o at time t" into "return o" or
//! "retry after d", runs the handlers and writes the log. Every driver (blocking, async, the
//! code-block form, the macros, the CLI) only loops around it.

use super::call_handlers::{CallHandlerList, CallHandlers};
use super::judge::{Judge, Rules, Verdict};
use super::limits::{read_max_time, read_max_tries};
use super::parts::{
    AttemptOutcome, AttemptStart, Handlers, InAttempt, Parts, ServerWaits, TimeoutFor,
};
use super::policy::Policy;
use crate::budget::{RetryCause, Withdrawal};
use crate::log::operation_name;
use crate::{AsyncSleeper, Attempt, Clock, Details, GiveUpReason, Refused, Sleeper, TimedOut};
use persevere_wait::{Jitter, Rng, Wait};
use std::fmt::Debug;
use std::future::Future;
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::ops::ControlFlow;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

/// What the caller does next, as [`Retrying::check`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Next<O> {
    /// The call is over: return this outcome (a success, or the last failure when giving up).
    Done(O),
    /// Sleep this long (with [`Retrying::sleep`] or [`Retrying::sleep_async`]), then make the
    /// next attempt.
    Retry(Duration),
}

/// One retrying call: the code-block form, which lets the caller write the loop around any
/// code while the policy decides (Python backoff's `retry_context`, tenacity's `for attempt
/// in Retrying()`). Made by [`Policy::begin`]; `O` is the operation's outcome type.
///
/// Its future is `Send` whenever the caller's code is, which is why the attribute macros
/// expand to it.
///
/// ```
/// use persevere::{on_error, expo, Next, testing::VirtualClock};
///
/// let policy = on_error(expo()).max_tries(3).clock(VirtualClock::new());
/// let mut lines = ["x", "7"].into_iter();
/// let mut retrying = policy.begin();
/// let n = loop {
///     let outcome = lines.next().unwrap().parse::<i64>();
///     match retrying.check(outcome) {
///         Next::Done(result) => break result,
///         Next::Retry(wait) => retrying.sleep(wait),
///     }
/// };
/// assert_eq!(n, Ok(7));
/// ```
pub struct Retrying<'p, R, W, P, K, O, X = ()>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
    P: Parts,
{
    policy: &'p Policy<R, W, P, K>,
    /// The handlers given to this call alone ([`Call`](crate::Call)): `FnMut`, owned by the
    /// call; `()` for a call of the policy as it is.
    call_handlers: X,
    /// The name given to `begin_as`, used when the policy has none; trimmed only at an event,
    /// so the success path does no string work.
    default_name: &'p str,
    tries: u32,
    /// When the call started; read only if something needs the time.
    start: Option<Instant>,
    max_tries: Option<NonZeroU32>,
    max_time: Option<Duration>,
    wait_state: W::State,
    rng: Rng,
    /// What the budget granted for the attempt now running, returned to it on success; before
    /// the first attempt of a gated call, the gate's refusal (see `refusal`), so that a call
    /// keeps no field for it.
    withdrawal: Option<Withdrawal>,
    /// When the running attempt started, for parts that observe attempts (metrics); `()`,
    /// which takes no room, for every other policy.
    attempt_start: P::AttemptStart,
    outcome: PhantomData<fn(O)>,
}

impl<R, W, P, K> Policy<R, W, P, K> {
    /// Starts one retrying call in the code-block form (see [`Retrying`]). Reads `max_tries`
    /// and `max_time` (closures are called here, once per call), and the clock if a limit, a
    /// handler or an enabled log event needs it.
    #[inline]
    pub fn begin<O>(&self) -> Retrying<'_, R, W, P, K, O>
    where
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
    {
        self.begin_as("retry")
    }

    /// [`begin`](Policy::begin), naming an unnamed policy `default_name` in logs and
    /// [`Details::target`] (the attribute macros pass the function's name).
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let policy = on_error(expo());
    /// let retrying = policy.begin_as::<Result<(), ()>>("sync_stock");
    /// assert_eq!((retrying.tries(), retrying.target()), (0, "sync_stock"));
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn begin_as<'a, O>(&'a self, default_name: &'a str) -> Retrying<'a, R, W, P, K, O>
    where
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
    {
        self.begin_call(default_name, &CallLimits::NONE, ())
    }

    /// Starts one call with limits and handlers of its own: every driver starts here. The
    /// limits are resolved here, once: the policy's (a closure's answer read now), tightened by
    /// the call's.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn begin_call<'a, O, X>(
        &'a self,
        default_name: &'a str,
        call: &CallLimits,
        call_handlers: X,
    ) -> Retrying<'a, R, W, P, K, O, X>
    where
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
        X: CallHandlerList,
    {
        self.open_call::<X>(call)
            .into_call(self, default_name, call_handlers)
    }

    /// Starts a blocking call of the policy as it is. A policy whose success needs nothing of
    /// the call's state (no budget or gate to tell, no part that observes attempts, no success
    /// handler, no attempt timeout) makes its first attempt here, before building the state:
    /// `Break` holds that attempt's success, to return at once. `Continue` holds the call and,
    /// if the first attempt was made here, its outcome, which the driver settles before making
    /// another; the limits and the clock are read before the attempt in both cases.
    #[inline(always)]
    pub(crate) fn begin_blocking<'a, O>(
        &'a self,
        default_name: &'a str,
        op: impl FnOnce() -> O,
    ) -> ControlFlow<O, Begun<'a, R, W, P, K, O>>
    where
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
    {
        let lean = self.config.budget.is_none()
            && !self.parts.has_success()
            && !self.parts.observes_attempts()
            && self.parts.attempt_timeout().is_none();
        if !lean {
            let retrying = self.begin_call(default_name, &CallLimits::NONE, ());
            return ControlFlow::Continue((retrying, None));
        }
        let opening = self.open_call::<()>(&CallLimits::NONE);
        let outcome = opening.attempt_start.in_attempt(op);
        if R::plainly_succeeded(&outcome) {
            return ControlFlow::Break(outcome);
        }
        let retrying = opening.into_call(self, default_name, ());
        ControlFlow::Continue((retrying, Some(outcome)))
    }

    /// What a call settles before its first attempt: its limits, its start (the clock read if
    /// anything needs it), the budget told or the gate asked.
    #[inline(always)]
    pub(crate) fn open_call<X>(&self, call: &CallLimits) -> Opening<P::AttemptStart>
    where
        P: Parts,
        K: Clock,
        X: CallHandlerList,
    {
        let config = &self.config;
        let max_time = tighter(
            read_max_time(config.max_time, || self.parts.max_time()),
            call.max_time,
        );
        let max_tries = tighter(
            read_max_tries(config.max_tries, || self.parts.max_tries()),
            call.max_tries,
        );
        let parts = &self.parts;
        let handlers = parts.has_backoff()
            || parts.has_giveup()
            || parts.has_success()
            || X::BACKOFF
            || X::GIVEUP
            || X::SUCCESS;
        let budget = config.budget.as_deref();
        let observes = parts.observes_attempts();
        let needs_clock = max_time.is_some()
            || handlers
            || budget.is_some()
            || observes
            || config.log.any_enabled();
        let start = needs_clock.then(|| self.timeline.now());
        let attempt_start = match start {
            Some(now) if observes => P::AttemptStart::at(now),
            _ => P::AttemptStart::unset(),
        };
        // Only a policy with a gate part may hold a refusal: for the others it is `None` at
        // compile time, and the call is built as it was before gates existed.
        let mut refused = None;
        if let (Some(budget), Some(now)) = (budget, start) {
            if P::GATES && config.gate.is_some() {
                refused = admit_call(budget, now);
            } else {
                budget.on_call(now);
            }
        }
        Opening {
            start,
            max_tries,
            max_time,
            refused,
            observes,
            attempt_start,
        }
    }
}

/// A blocking call as [`Policy::begin_blocking`] started it: its state, and the outcome of
/// its first attempt if that was made already.
pub(crate) type Begun<'a, R, W, P, K, O> = (Retrying<'a, R, W, P, K, O>, Option<O>);

/// A call's state before its first attempt (see [`Policy::open_call`]).
pub(crate) struct Opening<S> {
    start: Option<Instant>,
    max_tries: Option<NonZeroU32>,
    max_time: Option<Duration>,
    refused: Option<Withdrawal>,
    observes: bool,
    attempt_start: S,
}

impl<S: AttemptStart> Opening<S> {
    /// The call's state, built.
    #[inline(always)]
    pub(crate) fn into_call<'a, R, W, P, K, O, X>(
        self,
        policy: &'a Policy<R, W, P, K>,
        default_name: &'a str,
        call_handlers: X,
    ) -> Retrying<'a, R, W, P, K, O, X>
    where
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts<AttemptStart = S>,
    {
        // A refused call starts no attempt: its span is opened when the refusal is returned.
        let admitted = self.refused.is_none();
        let mut retrying = Retrying {
            policy,
            call_handlers,
            default_name,
            tries: 0,
            start: self.start,
            max_tries: self.max_tries,
            max_time: self.max_time,
            wait_state: policy.wait.start(),
            // Seeded at the first failure (see `backoff`): a success does no random work.
            rng: Rng::fresh(),
            withdrawal: self.refused,
            attempt_start: self.attempt_start,
            outcome: PhantomData,
        };
        if self.observes && self.start.is_some() && admitted {
            let target = retrying.target();
            let keeps = policy.parts.keeps();
            retrying.attempt_start.call_started(target, keeps);
        }
        retrying
    }
}

/// Refusal reasons, kept in a call's `withdrawal` until its first attempt (which no gate
/// grants a withdrawal for).
const REFUSALS: [GiveUpReason; 3] = [
    GiveUpReason::CircuitOpen,
    GiveUpReason::Throttled,
    GiveUpReason::Budget,
];

fn refusal(reason: GiveUpReason) -> Withdrawal {
    let code = REFUSALS.iter().position(|r| *r == reason).unwrap_or(2);
    Withdrawal::new(code as u64)
}

/// Asks the guards of a gated call whether its first attempt may go: `Some` holds why not.
#[inline(never)]
fn admit_call(
    guards: &(dyn crate::budget::Budget + Send + Sync),
    now: Instant,
) -> Option<Withdrawal> {
    guards.admit_call(now).err().map(refusal)
}

/// The smaller of a policy's limit and a call's: a call may tighten a limit, not lift it.
#[inline(always)]
fn tighter<V: Ord + Copy>(policy: Option<V>, call: Option<V>) -> Option<V> {
    match (policy, call) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    }
}

/// The limits one call sets on top of its policy's (see [`Call`](crate::Call)).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CallLimits {
    pub(crate) max_tries: Option<NonZeroU32>,
    pub(crate) max_time: Option<Duration>,
}

impl CallLimits {
    pub(crate) const NONE: CallLimits = CallLimits {
        max_tries: None,
        max_time: None,
    };
}

impl<'p, R, W, P, K, O, X> Retrying<'p, R, W, P, K, O, X>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject>,
    K: Clock,
    X: CallHandlers<R::Value, R::Error>,
{
    /// Decides what follows an attempt that ended with `outcome`: [`Next::Done`] with the
    /// outcome to return, or [`Next::Retry`] with the wait before the next attempt. Runs the
    /// handlers and writes the log for this event.
    // Inlined into every driver so that a success costs only the judgement: the failure and
    // event paths are separate functions.
    #[inline(always)]
    pub fn check<M>(&mut self, outcome: O) -> Next<O>
    where
        R: Judge<O, M>,
    {
        self.check_cut(outcome, false)
    }

    /// [`check`](Retrying::check) for an outcome that [`attempt_cut`](Retrying::attempt_cut)
    /// says may have been cut at the attempt timeout (a timeout is a cause of its own for a
    /// budget). Used by the attribute macros' expansion.
    #[inline(always)]
    pub(crate) fn check_cut<M>(&mut self, outcome: O, timed_out: bool) -> Next<O>
    where
        R: Judge<O, M>,
    {
        match self.decide(outcome, false, timed_out) {
            Decision::Done(outcome) => Next::Done(outcome),
            Decision::Retry(wait) => Next::Retry(wait),
            Decision::Absorbed => unreachable!("a failure is absorbed only while others run"),
        }
    }

    /// [`check`](Retrying::check) for a driver that may run several attempts at once
    /// (hedging): a retryable failure while `others_running` is counted (a try, and a failure
    /// for the budget) and absorbed, since an attempt still running may yet succeed.
    #[inline(always)]
    pub(crate) fn decide<M>(
        &mut self,
        outcome: O,
        others_running: bool,
        timed_out: bool,
    ) -> Decision<O>
    where
        R: Judge<O, M>,
    {
        if P::GATES && self.tries == 0 {
            // A refusal nobody asked for (the code-block form): the attempt was made, and no
            // gate granted a withdrawal for it, so none is given back.
            self.withdrawal = None;
        }
        self.tries = self.tries.saturating_add(1);
        let verdict = self.policy.rules.judge(&outcome);
        // What the parts that observe attempts were told (the attempt's end, its instant and
        // how long it ran, the target's name), given on to the guards and to `settled`.
        let observed = if self.policy.parts.observes_attempts() {
            let target = self.target();
            Some((self.attempt_ended(&verdict, target), target))
        } else {
            None
        };
        let wait = match verdict {
            Verdict::Success => {
                if self.budget().is_some() {
                    self.guards_hear_success(observed.map(|(ended, _)| (ended.1, ended.2)));
                }
                if self.policy.parts.has_success() || X::SUCCESS {
                    self.succeeded(&outcome);
                }
                None
            }
            Verdict::Unmatched => {
                self.answered();
                None
            }
            Verdict::GiveUp(subject) => {
                self.answered();
                self.give_up(&outcome, subject, self.elapsed(), GiveUpReason::Fatal);
                None
            }
            Verdict::Retry(subject) if others_running => {
                self.absorb(subject, timed_out);
                if let Some((_, target)) = observed {
                    self.attempt_start.settled(target, None);
                }
                return Decision::Absorbed;
            }
            // Two copies of the rules: a call that read no clock at its start has nothing
            // that needs the time, and its copy drops those checks at compile time.
            Verdict::Retry(subject) if self.start.is_some() => {
                self.backoff::<true>(&outcome, subject, timed_out)
            }
            Verdict::Retry(subject) => self.backoff::<false>(&outcome, subject, timed_out),
        };
        if let Some(((ended, _, _), target)) = observed {
            self.settled(ended, wait.is_none(), target);
        }
        match wait {
            Some(wait) => Decision::Retry(wait),
            None => Decision::Done(outcome),
        }
    }

    /// The parts that observe attempts hear how the attempt now checked ended and how long it
    /// ran (out of line: policies with such parts only); returns the outcome, the instant it
    /// was read at and how long the attempt ran.
    #[inline(never)]
    fn attempt_ended(
        &mut self,
        verdict: &Verdict<'_, R::Subject>,
        target: &str,
    ) -> (AttemptOutcome, Instant, Option<Duration>) {
        let outcome = match verdict {
            Verdict::Success => AttemptOutcome::Success,
            Verdict::Unmatched => AttemptOutcome::Unmatched,
            Verdict::Retry(_) => AttemptOutcome::Retryable,
            Verdict::GiveUp(_) => AttemptOutcome::Fatal,
        };
        let now = self.policy.timeline.now();
        let ran = self.attempt_start.ran(now);
        self.policy
            .parts
            .attempt_ended(target, outcome, ran.unwrap_or_default());
        self.attempt_start.attempt_ended(self.tries, outcome);
        (outcome, now, ran)
    }

    /// The parts that observe attempts hear that the decision on the attempt is made, and
    /// whether the call is over (out of line: policies with such parts only).
    #[inline(never)]
    fn settled(&mut self, ended: AttemptOutcome, call_over: bool, target: &str) {
        let call = call_over.then_some(match ended {
            AttemptOutcome::Success => "success",
            AttemptOutcome::Unmatched => "unmatched",
            AttemptOutcome::Retryable | AttemptOutcome::Fatal => "gave_up",
        });
        self.attempt_start.settled(target, call);
    }

    /// Marks the start of the next attempt, for the parts that observe attempts (metrics),
    /// which time each attempt from its start. The drivers call it when a wait ends. In the
    /// code-block form, call it after the wait, or the attempt is timed from when the wait
    /// was meant to end. Does nothing for other policies.
    ///
    /// ```
    /// use persevere::{on_error, constant, Next, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let policy = on_error(constant(Duration::from_millis(10))).max_tries(2).clock(VirtualClock::new());
    /// let mut retrying = policy.begin();
    /// let outcome: Result<(), &str> = loop {
    ///     match retrying.check(Err("down")) {
    ///         Next::Done(outcome) => break outcome,
    ///         Next::Retry(wait) => {
    ///             retrying.sleep(wait);
    ///             retrying.mark_attempt();
    ///         }
    ///     }
    /// };
    /// assert_eq!(outcome, Err("down"));
    /// ```
    #[inline(always)]
    pub fn mark_attempt(&mut self) {
        self.start_attempt(self.tries.saturating_add(1));
    }

    /// [`mark_attempt`](Retrying::mark_attempt) for attempt `number` (hedges are numbered in
    /// the order they start, not the order they end).
    #[inline(always)]
    pub(crate) fn start_attempt(&mut self, number: u32) {
        if self.policy.parts.observes_attempts() {
            let now = self.policy.timeline.now();
            self.attempt_start.attempt_started(now, number);
        }
    }

    /// Runs the attempt's future inside the running attempt (its span entered at each poll,
    /// for policies that keep spans; the future as it is for the others).
    #[inline(always)]
    pub(crate) fn instrument<Fut>(&self, attempt: Fut) -> InAttempt<Fut, P::AttemptStart> {
        InAttempt::new(attempt, self.attempt_start.clone())
    }

    /// Runs a blocking attempt inside the running attempt (see [`instrument`](Self::instrument)).
    #[inline(always)]
    pub(crate) fn in_attempt<T>(&self, attempt: impl FnOnce() -> T) -> T {
        self.attempt_start.in_attempt(attempt)
    }

    /// The start of the running attempt, for drivers that run several at once (hedging).
    pub(crate) fn attempt_start(&self) -> P::AttemptStart {
        self.attempt_start.clone()
    }

    /// The attempt now finishing started at `start` (hedging tracks each one).
    pub(crate) fn set_attempt_start(&mut self, start: P::AttemptStart) {
        self.attempt_start.resume(start);
    }

    /// A retryable failure while other attempts run: the budget hears of it; nothing waits.
    fn absorb(&mut self, subject: &R::Subject, timed_out: bool) {
        if let Some(budget) = self.budget() {
            let cause = failure_cause(timed_out, self.policy.parts.server_wait(subject));
            let now = self.policy.timeline.now();
            budget.on_failure(cause, now);
            budget.attempt_ended(true, self.ran(now), now);
        }
    }

    /// A failure the policy does not retry: the dependency answered, which the guards hear
    /// as a success of the attempt.
    #[inline(always)]
    fn answered(&self) {
        if self.budget().is_some() {
            self.guards_hear(None, self.policy.timeline.now());
        }
    }

    /// The guards hear of a success, and get back what paid for it (out of line, as every
    /// guard's path: a plain policy's inlined loop keeps only the test). `observed`: the
    /// instant the attempt's end was read at, and how long it ran, when the parts that observe
    /// attempts have read them already.
    #[inline(never)]
    fn guards_hear_success(&mut self, observed: Option<(Instant, Option<Duration>)>) {
        if let Some(budget) = self.budget() {
            let (now, ran) = match observed {
                Some((now, Some(ran))) => (now, ran),
                Some((now, None)) => (now, self.ran(now)),
                None => {
                    let now = self.policy.timeline.now();
                    (now, self.ran(now))
                }
            };
            budget.on_success(self.withdrawal.take(), now);
            budget.attempt_ended(false, ran, now);
        }
    }

    /// The guards hear how an attempt ended: a retryable failure of `cause`, or (`None`) a
    /// failure the policy does not retry.
    #[inline(never)]
    fn guards_hear(&self, cause: Option<RetryCause>, now: Instant) {
        if let Some(budget) = self.budget() {
            if let Some(cause) = cause {
                budget.on_failure(cause, now);
            }
            budget.attempt_ended(cause.is_some(), self.ran(now), now);
        }
    }

    /// How long the running attempt has run at `now`, for the guards: measured when the
    /// policy observes attempts (a gate does, as metrics do); else known for the first attempt
    /// only (it started with the call), and zero for the others.
    fn ran(&self, now: Instant) -> Duration {
        if let Some(ran) = self.attempt_start.ran(now) {
            return ran;
        }
        match self.start {
            Some(start) if self.tries <= 1 => now.saturating_duration_since(start),
            _ => Duration::ZERO,
        }
    }

    /// Asks the guards for a retry (out of line).
    #[inline(never)]
    fn guards_grant(&mut self, cause: RetryCause, now: Instant) -> Result<(), GiveUpReason> {
        let Some(budget) = self.budget() else {
            return Ok(());
        };
        let withdrawal = budget.try_withdraw(cause, now)?;
        self.withdrawal = Some(withdrawal);
        Ok(())
    }

    /// Asks the policy's [`gate`](Policy::gate) before the call's first attempt: `Some` holds
    /// the outcome to return instead of making it (`Err(E::from(`[`Refused`](crate::Refused)`))`,
    /// after the give-up log and `on_giveup`, with 0 tries); `None` lets the attempt go
    /// (always, for a policy without a gate, and once the first attempt is made). The drivers
    /// ask it themselves; in the code-block form, ask it before the first attempt (without
    /// asking, the first attempt is made and the gate counts it as granted).
    ///
    /// ```
    /// use persevere::{on_error, constant, Next, Refused, breaker::CircuitBreaker};
    /// use std::time::Duration;
    ///
    /// #[derive(Debug)]
    /// enum Error { Down, Refused(Refused) }
    /// impl From<Refused> for Error {
    ///     fn from(r: Refused) -> Self { Error::Refused(r) }
    /// }
    ///
    /// // A breaker that one failure opens.
    /// let breaker = CircuitBreaker::default().count_window(1).min_calls(1);
    /// let policy = on_error(constant(Duration::ZERO)).max_tries(1).gate(breaker);
    /// let _ = policy.retry(|| Err::<(), _>(Error::Down));
    ///
    /// let mut retrying = policy.begin();
    /// let mut sent = 0;
    /// let outcome: Result<(), Error> = match retrying.refused() {
    ///     Some(refused) => refused,
    ///     None => loop {
    ///         sent += 1;
    ///         match retrying.check(Err(Error::Down)) {
    ///             Next::Done(outcome) => break outcome,
    ///             Next::Retry(wait) => retrying.sleep(wait),
    ///         }
    ///     },
    /// };
    /// assert!(matches!(outcome, Err(Error::Refused(_))));
    /// assert_eq!(sent, 0);
    /// ```
    #[inline(always)]
    pub fn refused<M>(&mut self) -> Option<O>
    where
        R: Judge<O, M>,
        P: TimeoutFor<O>,
    {
        if !P::GATES || self.tries > 0 {
            return None;
        }
        match self.withdrawal.take() {
            None => None,
            Some(code) => self.refuse(REFUSALS[(code.amount() as usize).min(2)]),
        }
    }

    #[cold]
    #[inline(never)]
    fn refuse<M>(&mut self, reason: GiveUpReason) -> Option<O>
    where
        R: Judge<O, M>,
        P: TimeoutFor<O>,
    {
        let outcome = self.policy.parts.refused_outcome(Refused { reason })?;
        // The refusal goes through the policy's filters like any error: one they do not handle
        // returns with no handler and no log.
        if let Verdict::Retry(subject) | Verdict::GiveUp(subject) =
            self.policy.rules.judge(&outcome)
        {
            self.give_up(&outcome, subject, self.elapsed(), reason);
        }
        if self.policy.parts.observes_attempts() {
            let target = self.target();
            let keeps = self.policy.parts.keeps();
            self.attempt_start.call_refused(target, keeps, reason);
        }
        Some(outcome)
    }

    /// Whether another attempt may start beside those running (a hedge), `started` attempts
    /// having started so far: within `max_tries` and before `max_time`, and granted by the
    /// budget (cause [`Hedge`](RetryCause::Hedge)). `Some` carries what the budget took for it.
    pub(crate) fn may_hedge(&mut self, started: u32) -> Option<Option<Withdrawal>> {
        if self
            .limit_reached::<true>(started, self.elapsed())
            .is_some()
        {
            return None;
        }
        match self.budget() {
            Some(budget) => {
                let now = self.policy.timeline.now();
                match budget.try_withdraw(RetryCause::Hedge, now) {
                    Ok(withdrawal) => Some(Some(withdrawal)),
                    Err(_) => {
                        self.policy.parts.budget_refused(self.target());
                        None
                    }
                }
            }
            _ => Some(None),
        }
    }

    /// What the budget took for the next attempt after a backoff (to give back on success).
    pub(crate) fn take_withdrawal(&mut self) -> Option<Withdrawal> {
        self.withdrawal.take()
    }

    /// The attempt now finishing was paid for with `withdrawal` (hedging tracks each one).
    pub(crate) fn set_withdrawal(&mut self, withdrawal: Option<Withdrawal>) {
        self.withdrawal = withdrawal;
    }

    /// The next attempt as the operation may see it: its number and the time left before
    /// `max_time` (read from the clock now).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let clock = VirtualClock::new();
    /// let policy = on_error(expo()).max_time(Duration::from_secs(10)).clock(clock.clone());
    /// let retrying = policy.begin::<Result<(), ()>>();
    /// clock.advance(Duration::from_secs(4));
    /// let attempt = retrying.attempt();
    /// assert_eq!((attempt.number(), attempt.time_left()), (1, Some(Duration::from_secs(6))));
    /// ```
    pub fn attempt(&self) -> Attempt {
        Attempt {
            number: self.tries.saturating_add(1),
            time_left: self.attempt_limit(),
        }
    }

    /// [`attempt`](Retrying::attempt) when the operation reads it (`WANTED`), else a
    /// placeholder that costs nothing (no clock read).
    #[inline(always)]
    pub(crate) fn attempt_if<const WANTED: bool>(&self) -> Attempt {
        if WANTED {
            self.attempt()
        } else {
            Attempt {
                number: 0,
                time_left: None,
            }
        }
    }

    /// The one step every driver takes after an attempt (blocking): the core decides; on a
    /// retry the wait is slept and the next attempt marked; `Break` carries the outcome to
    /// return. No step can be left out.
    #[inline(always)]
    pub(crate) fn settle<M>(&mut self, outcome: O) -> ControlFlow<O>
    where
        R: Judge<O, M>,
        K: Sleeper,
    {
        match self.check(outcome) {
            Next::Done(outcome) => ControlFlow::Break(outcome),
            Next::Retry(wait) => {
                self.sleep(wait);
                self.mark_attempt();
                ControlFlow::Continue(())
            }
        }
    }

    /// [`settle`](Retrying::settle) for the async drivers, told whether the attempt was cut
    /// at its timeout (a cause of its own for a budget).
    #[inline(always)]
    pub(crate) async fn settle_async<M>(&mut self, outcome: O, timed_out: bool) -> ControlFlow<O>
    where
        R: Judge<O, M>,
        K: AsyncSleeper,
    {
        match self.check_cut(outcome, timed_out) {
            Next::Done(outcome) => ControlFlow::Break(outcome),
            Next::Retry(wait) => {
                self.sleep_async(wait).await;
                self.mark_attempt();
                ControlFlow::Continue(())
            }
        }
    }

    /// Runs one attempt's future: cut at the attempt timeout when the policy has one (boxed,
    /// so that the futures of policies without one stay small), as it is otherwise. The
    /// future holds the policy, not `self`: it stays `Send` whatever the strategy's state is.
    #[inline(always)]
    pub(crate) fn run_attempt<Fut>(&self, attempt: Fut) -> impl Future<Output = (O, bool)> + 'p
    where
        Fut: Future<Output = O> + 'p,
        P: TimeoutFor<O>,
        K: AsyncSleeper,
    {
        let policy = self.policy;
        let limit = self.attempt_limit_for_cut();
        let attempt = self.instrument(attempt);
        async move {
            match limit {
                Some(_) => Box::pin(cut_attempt(policy, attempt, limit)).await,
                None => (attempt.await, false),
            }
        }
    }

    /// How long the next attempt may run: the attempt timeout, cut to the time left before
    /// `max_time`; without a timeout, the time left before `max_time` (`None` without either).
    fn attempt_limit(&self) -> Option<Duration> {
        let left = self.time_left::<true>(self.elapsed());
        match (self.policy.parts.attempt_timeout(), left) {
            (Some(timeout), Some(left)) => Some(timeout.min(left)),
            (timeout, left) => timeout.or(left),
        }
    }

    /// Runs one attempt's future, cut at the policy's attempt timeout (cut in turn to the time
    /// left before `max_time`): an attempt that takes longer is dropped and its outcome is the
    /// [`TimedOut`] error. Without an attempt timeout, the future as it is. The async drivers
    /// and the attribute macros run every attempt through this; in the code-block form, call it
    /// around your attempt for the policy's timeout to apply (a budget then hears of a cut
    /// attempt as a transient failure; the drivers tell it a timeout).
    ///
    /// ```
    /// use persevere::{on_error, constant, Next, TimedOut};
    /// use std::time::Duration;
    ///
    /// #[derive(Debug, PartialEq)]
    /// struct Slow(Duration);
    /// impl From<TimedOut> for Slow {
    ///     fn from(t: TimedOut) -> Self { Slow(t.after()) }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// let policy = on_error(constant(Duration::ZERO))
    ///     .max_tries(2)
    ///     .attempt_timeout(Duration::from_secs(1));
    /// let mut retrying = policy.begin();
    /// let outcome: Result<(), Slow> = loop {
    ///     let attempt = retrying.attempt_async(std::future::pending()).await;
    ///     match retrying.check(attempt) {
    ///         Next::Done(outcome) => break outcome,
    ///         Next::Retry(wait) => retrying.sleep_async(wait).await,
    ///     }
    /// };
    /// assert_eq!(outcome, Err(Slow(Duration::from_secs(1))));
    /// # }
    /// ```
    pub fn attempt_async<'a, Fut>(&'a self, attempt: Fut) -> impl Future<Output = O> + 'a
    where
        Fut: Future<Output = O> + 'a,
        P: TimeoutFor<O>,
        K: AsyncSleeper,
    {
        let cut = self.attempt_cut(attempt);
        async move { cut.await.0 }
    }

    /// [`attempt_async`](Retrying::attempt_async), saying whether the attempt was cut (a
    /// budget hears of a timeout as one).
    pub(crate) fn attempt_cut<'a, Fut>(
        &'a self,
        attempt: Fut,
    ) -> impl Future<Output = (O, bool)> + 'a
    where
        Fut: Future<Output = O> + 'a,
        P: TimeoutFor<O>,
        K: AsyncSleeper,
    {
        // The future holds the policy, not `self`: it stays `Send` whatever the strategy's
        // state is.
        let policy = self.policy;
        let limit = self.attempt_limit_for_cut();
        cut_attempt(policy, attempt, limit)
    }

    /// How long the next attempt may run, for drivers that cut attempts themselves.
    pub(crate) fn attempt_limit_for_cut(&self) -> Option<Duration> {
        self.policy
            .parts
            .attempt_timeout()
            .and_then(|_| self.attempt_limit())
    }

    /// The rules for a retryable failure: the budget hears of it, then the limits, the wait
    /// (the server's, else the strategy's with jitter) and the deadline, then the budget is
    /// asked for the retry. `CLOCKED` false is the copy for a call that read no clock at its
    /// start (see [`Retrying::clock_start`]).
    #[inline]
    fn backoff<const CLOCKED: bool>(
        &mut self,
        outcome: &O,
        subject: &R::Subject,
        timed_out: bool,
    ) -> Option<Duration> {
        let policy = self.policy;
        let start = self.clock_start::<CLOCKED>();
        let now = start.map(|_| policy.timeline.now());
        let elapsed = match (start, now) {
            (Some(start), Some(now)) => now.saturating_duration_since(start),
            _ => Duration::ZERO,
        };
        let server_wait = policy.parts.server_wait(subject);
        // `budget()` is `None` without a start too; asking `start` first lets the unclocked
        // copy drop the guards' paths at compile time.
        let budget = start.and(self.budget());
        let cause = failure_cause(timed_out, server_wait);
        if let (Some(_), Some(now)) = (budget, now) {
            self.guards_hear(Some(cause), now);
        }
        if let Some(reason) = self.limit_reached::<CLOCKED>(self.tries, elapsed) {
            self.give_up(outcome, subject, elapsed, reason);
            return None;
        }
        // With an attempt timeout, an attempt that would start at the deadline would be cut at
        // once: none starts there.
        let no_attempt_at_deadline =
            || policy.config.no_attempt_at_deadline || policy.parts.attempt_timeout().is_some();
        let left = self.time_left::<CLOCKED>(elapsed);
        let wait = match server_wait {
            // The server's wait replaces this step of the strategy, exactly (no jitter); one
            // beyond the cap or the time left ends the call rather than retrying early.
            Some(wait) => {
                let beyond_cap = wait > policy.config.max_server_wait;
                let beyond_deadline = left
                    .is_some_and(|left| wait > left || (wait == left && no_attempt_at_deadline()));
                if beyond_cap || beyond_deadline {
                    self.give_up(outcome, subject, elapsed, GiveUpReason::Server);
                    return None;
                }
                wait
            }
            None => {
                if self.tries == 1 {
                    if let Some(seed) = policy.config.seed {
                        self.rng = Rng::seeded(seed);
                    }
                }
                let Some(delay) =
                    policy
                        .wait
                        .next_delay(&mut self.wait_state, subject, &mut self.rng)
                else {
                    // An exhausted strategy gives up, as Python's StopIteration does.
                    self.give_up(outcome, subject, elapsed, GiveUpReason::Exhausted);
                    return None;
                };
                let jittered = if policy.config.custom_jitter {
                    let custom = policy.parts.jitter(delay.duration, &mut self.rng);
                    custom.expect("a custom jitter part exists when `custom_jitter` is set")
                } else {
                    Jitter::for_delay(policy.config.jitter, delay, &mut self.rng)
                };
                match left {
                    Some(left) if jittered >= left && no_attempt_at_deadline() => {
                        // The next attempt would start at the deadline: none starts.
                        self.give_up(outcome, subject, elapsed, GiveUpReason::MaxTime);
                        return None;
                    }
                    Some(left) => jittered.min(left),
                    None => jittered,
                }
            }
        };
        if let (Some(_), Some(now)) = (budget, now) {
            if let Err(reason) = self.guards_grant(cause, now) {
                self.give_up(outcome, subject, elapsed, reason);
                return None;
            }
        }
        if policy.parts.observes_attempts() {
            // When the wait is meant to end; a driver marks when it does end.
            if let Some(now) = now {
                self.attempt_start
                    .restart(now.checked_add(wait).unwrap_or(now));
            }
            self.attempt_start.backing_off(wait);
        }
        // A call whose start read no clock found no log event enabled then (see `open_call`):
        // it logs none, and asks nothing per retry.
        let log = &policy.config.log;
        if start.is_some() && log.backoff_enabled() {
            log.backoff(self.target(), self.tries, wait, elapsed, &subject);
        }
        if policy.parts.has_backoff() || X::BACKOFF {
            self.run(outcome, elapsed, Some(wait), None, Event::Backoff);
        }
        Some(wait)
    }

    #[cold]
    #[inline(never)]
    fn succeeded(&mut self, outcome: &O) {
        self.run(outcome, self.elapsed(), None, None, Event::Success);
    }

    #[cold]
    #[inline(never)]
    fn give_up(
        &mut self,
        outcome: &O,
        subject: &R::Subject,
        elapsed: Duration,
        reason: GiveUpReason,
    ) {
        if self.policy.parts.observes_attempts() {
            self.attempt_start.gave_up(reason);
        }
        // As for the backoff event: a call that read no clock at its start found no log event
        // enabled then, and logs none.
        let log = &self.policy.config.log;
        if self.start.is_some() && log.giveup_enabled() {
            log.giveup(self.target(), self.tries, elapsed, reason, &subject);
        }
        if self.policy.parts.has_giveup() || X::GIVEUP {
            self.run(outcome, elapsed, None, Some(reason), Event::Giveup);
        }
    }

    /// Runs the handlers of `event`: the policy's, then the call's.
    fn run(
        &mut self,
        outcome: &O,
        elapsed: Duration,
        wait: Option<Duration>,
        reason: Option<GiveUpReason>,
        event: Event,
    ) {
        let (value, error) = R::parts(outcome);
        let details = Details {
            target: self.target(),
            tries: self.tries,
            elapsed,
            wait,
            reason,
            value,
            error,
        };
        let parts = &self.policy.parts;
        let call = &mut self.call_handlers;
        match event {
            Event::Backoff => {
                parts.backoff(&details);
                call.backoff(&details);
            }
            Event::Giveup => {
                parts.giveup(&details);
                call.giveup(&details);
            }
            Event::Success => {
                parts.success(&details);
                call.success(&details);
            }
        }
    }

    /// The time since the call started on the policy's clock, or zero if nothing asked for
    /// the time at the start (no `max_time`, handler, budget, metrics or enabled log event).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let clock = VirtualClock::new();
    /// let policy = on_error(expo()).max_time(Duration::from_secs(10)).clock(clock.clone());
    /// let retrying = policy.begin::<Result<(), ()>>();
    /// clock.advance(Duration::from_secs(3));
    /// assert_eq!(retrying.elapsed(), Duration::from_secs(3));
    /// ```
    pub fn elapsed(&self) -> Duration {
        match self.start {
            Some(start) => self.policy.timeline.now().saturating_duration_since(start),
            None => Duration::ZERO,
        }
    }
}

/// Which handlers an event runs.
#[derive(Clone, Copy)]
enum Event {
    Backoff,
    Giveup,
    Success,
}

/// What a decision leaves the driver to do (see [`Retrying::decide`]).
pub(crate) enum Decision<O> {
    /// Return this outcome.
    Done(O),
    /// Sleep this long, then make the next attempt.
    Retry(Duration),
    /// A failure absorbed while other attempts run: keep waiting for them.
    Absorbed,
}

/// Why another attempt is wanted after a failure: a timeout, the server's say-so, or else a
/// plain transient failure.
fn failure_cause(timed_out: bool, server_wait: Option<Duration>) -> RetryCause {
    match (timed_out, server_wait) {
        (true, _) => RetryCause::Timeout,
        (false, Some(_)) => RetryCause::Throttled,
        (false, None) => RetryCause::Transient,
    }
}

impl<'p, R, W, P, K, O, X> Retrying<'p, R, W, P, K, O, X>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
    P: Parts,
{
    /// The name used in logs and [`Details::target`]: the policy's `name`, else the name
    /// given to [`begin_as`](Policy::begin_as) without trailing `::{{closure}}` segments.
    pub fn target(&self) -> &'p str {
        match &self.policy.config.name {
            Some(name) => name,
            None => operation_name(self.default_name),
        }
    }

    /// What a blocking driver returns instead of running a policy whose attempts it cannot
    /// cut: `None` for every policy that compiles with the blocking drivers, except a boxed
    /// one with an attempt timeout (erased, so known only at run time). Such a call makes no
    /// attempt and returns the timed-out outcome at once, after an error log that says why:
    /// a documented error rather than a panic, and nothing was sent.
    #[inline(always)]
    pub(crate) fn refuse_blocking(&self) -> Option<O>
    where
        P: TimeoutFor<O>,
    {
        let timeout = self.policy.parts.attempt_timeout()?;
        tracing::error!(
            target: "persevere",
            policy = self.target(),
            "a policy with an attempt timeout needs an async driver (a blocking call cannot be cut short): no attempt made"
        );
        self.policy
            .parts
            .timeout_outcome(TimedOut { after: timeout })
    }

    /// The policy's budget, if this call reports to one. A budget makes a call read the clock
    /// at its start, so a call that did not has none: the common paths test what the call
    /// holds before they load the policy's setting.
    #[inline(always)]
    fn budget(&self) -> Option<&'p (dyn crate::budget::Budget + Send + Sync)> {
        match self.start {
            Some(_) => self.policy.config.budget.as_deref(),
            None => None,
        }
    }

    /// The one check of the call's limits: whether another attempt may start after `started`
    /// attempts, `elapsed` into the call (`max_tries` counts every attempt started, hedges
    /// included; `max_time` is reached at the deadline itself). `CLOCKED` as in
    /// [`clock_start`](Retrying::clock_start).
    #[inline(always)]
    fn limit_reached<const CLOCKED: bool>(
        &self,
        started: u32,
        elapsed: Duration,
    ) -> Option<GiveUpReason> {
        if self.max_tries.is_some_and(|max| started >= max.get()) {
            Some(GiveUpReason::MaxTries)
        } else if self.max_time::<CLOCKED>().is_some_and(|max| elapsed >= max) {
            Some(GiveUpReason::MaxTime)
        } else {
            None
        }
    }

    /// The time left before `max_time`, `elapsed` into the call (`None` without `max_time`).
    #[inline(always)]
    fn time_left<const CLOCKED: bool>(&self, elapsed: Duration) -> Option<Duration> {
        self.max_time::<CLOCKED>()
            .map(|max| max.saturating_sub(elapsed))
    }

    /// When the call started, for a copy of the rules that knows at compile time whether the
    /// call read the clock then (`CLOCKED`; `true` is right for any call, `false` only for a
    /// call whose `start` is `None`). A call that read no clock has nothing that needs the
    /// time: no `max_time`, budget or gate, handler, metrics or enabled log event
    /// (`open_call`), so its copy drops every check of them.
    #[inline(always)]
    fn clock_start<const CLOCKED: bool>(&self) -> Option<Instant> {
        debug_assert!(CLOCKED || self.start.is_none());
        if CLOCKED { self.start } else { None }
    }

    /// The call's `max_time`, `None` in a copy for a call that read no clock (see
    /// [`clock_start`](Retrying::clock_start): `max_time` needs the clock, so it has none).
    #[inline(always)]
    fn max_time<const CLOCKED: bool>(&self) -> Option<Duration> {
        debug_assert!(CLOCKED || self.max_time.is_none());
        if CLOCKED { self.max_time } else { None }
    }

    /// The policy that decides.
    pub(crate) fn policy(&self) -> &'p Policy<R, W, P, K> {
        self.policy
    }

    /// The number of attempts checked so far.
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// Blocks for `wait` with the policy's sleeper.
    #[inline]
    pub fn sleep(&self, wait: Duration)
    where
        K: Sleeper,
    {
        self.policy.timeline.sleep(wait);
    }

    /// Waits `wait` with the policy's async sleeper.
    #[inline]
    pub fn sleep_async(&self, wait: Duration) -> K::Sleep
    where
        K: AsyncSleeper,
    {
        self.policy.timeline.sleep_async(wait)
    }
}

impl<R, W, P, K, O, X> Debug for Retrying<'_, R, W, P, K, O, X>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
    P: Parts,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retrying")
            .field("default_name", &self.default_name)
            .field("tries", &self.tries)
            .field("max_tries", &self.max_tries)
            .field("max_time", &self.max_time)
            .finish_non_exhaustive()
    }
}

/// Runs `attempt`, cut at `limit` if one is given: the attempt's outcome and `false`, or the
/// policy's timed-out outcome and `true` when the timer ends first (the attempt is dropped).
pub(crate) async fn cut_attempt<R, W, P, K, O, Fut>(
    policy: &Policy<R, W, P, K>,
    attempt: Fut,
    limit: Option<Duration>,
) -> (O, bool)
where
    Fut: Future<Output = O>,
    P: TimeoutFor<O>,
    K: AsyncSleeper,
{
    let Some(limit) = limit else {
        return (attempt.await, false);
    };
    let mut attempt = pin!(attempt);
    let mut timer = pin!(policy.timeline.sleep_async(limit));
    let finished = std::future::poll_fn(|cx| {
        if let Poll::Ready(outcome) = attempt.as_mut().poll(cx) {
            return Poll::Ready(Some(outcome));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await;
    match finished {
        Some(outcome) => (outcome, false),
        None => {
            let outcome = policy
                .parts
                .timeout_outcome(TimedOut { after: limit })
                .expect("a policy with an attempt timeout builds the timed-out outcome");
            (outcome, true)
        }
    }
}
