//! What the decision core reads of a policy's closure parts: the traits a part list implements.
//! The part types themselves (handlers, limit closures, a custom jitter, a server wait, an
//! attempt timeout) live with the builder, in `policy::parts`; the core knows only these traits.
//!
//! A part list is `()` for none and `(earlier, last)` for more, so that each part may borrow
//! local state, the policy is `Send`/`Sync`/`'static` exactly when its parts are, and a policy
//! without a part pays nothing for it. Four traits read the list: [`Parts`] (what reads no
//! type), [`Handlers`] (typed by the operation's value and error), [`ServerWaits`] (typed by
//! what a failure carries) and [`TimeoutFor`] (typed by the outcome). [`Blocking`] marks the
//! lists a blocking driver can run. Parts that observe attempts (metrics) keep the start of the
//! running attempt in a call's [`AttemptStart`], `()` for every other part.

use crate::{Details, GiveUpReason, Refused, TimedOut};
use persevere_wait::Rng;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The part list of a policy, as far as it reads no type. Implemented by `()`, pairs, and the
/// parts the builder adds; each method answers from the last part that has an answer, as a
/// later builder call replaces an earlier one.
pub trait Parts {
    /// Whether the list holds an `on_backoff` handler.
    const BACKOFF: bool = false;
    /// Whether the list holds an `on_giveup` handler.
    const GIVEUP: bool = false;
    /// Whether the list holds an `on_success` handler.
    const SUCCESS: bool = false;
    /// Whether the list holds a gate (first attempts may be refused): known at compile time,
    /// so that a call of a policy without one never looks for a refusal.
    const GATES: bool = false;

    /// Whether this list runs `on_backoff` handlers: [`BACKOFF`](Parts::BACKOFF), known at
    /// compile time, except for type-erased parts, which know it at run time.
    #[inline]
    fn has_backoff(&self) -> bool {
        Self::BACKOFF
    }

    /// Whether this list runs `on_giveup` handlers (see [`has_backoff`](Parts::has_backoff)).
    #[inline]
    fn has_giveup(&self) -> bool {
        Self::GIVEUP
    }

    /// Whether this list runs `on_success` handlers (see [`has_backoff`](Parts::has_backoff)).
    #[inline]
    fn has_success(&self) -> bool {
        Self::SUCCESS
    }

    /// `max_tries` from the last closure given to [`max_tries`](crate::Policy::max_tries).
    #[inline]
    fn max_tries(&self) -> Option<u32> {
        None
    }

    /// `max_time` from the last closure given to [`max_time`](crate::Policy::max_time).
    #[inline]
    fn max_time(&self) -> Option<Duration> {
        None
    }

    /// The delay under the last custom jitter given to [`jitter`](crate::Policy::jitter).
    #[inline]
    fn jitter(&self, _delay: Duration, _rng: &mut Rng) -> Option<Duration> {
        None
    }

    /// The last attempt timeout given to [`attempt_timeout`](crate::Policy::attempt_timeout).
    #[inline]
    fn attempt_timeout(&self) -> Option<Duration> {
        None
    }

    /// What a call keeps of its running attempt for the parts that observe attempts: `()`
    /// for parts that do not, an `Option<Instant>` for those that do (metrics), and a pair for
    /// a pair of lists (a pair of `()` holds nothing).
    type AttemptStart: AttemptStart;

    /// Whether this list hears of every attempt's end ([`attempt_ended`](Parts::attempt_ended)):
    /// known at compile time from [`AttemptStart`](Parts::AttemptStart), except for
    /// type-erased parts, which know it at run time. A call of a list that does not reads no
    /// clock for it.
    #[inline]
    fn observes_attempts(&self) -> bool {
        <Self::AttemptStart as AttemptStart>::OBSERVED
    }

    /// What this list keeps per call ([`AttemptStart::SPANS`], [`AttemptStart::COUNTS`]),
    /// known at compile time, except for type-erased parts, which know it at run time.
    #[inline]
    fn keeps(&self) -> Keeps {
        Keeps {
            spans: <Self::AttemptStart as AttemptStart>::SPANS,
            counts: <Self::AttemptStart as AttemptStart>::COUNTS,
        }
    }

    /// Called after every attempt, whatever its outcome (a success, a failure the policy
    /// retries or gives up on, or one its filters do not handle), with the policy's target
    /// name and how long the attempt ran. Called only when
    /// [`observes_attempts`](Parts::observes_attempts).
    #[inline]
    fn attempt_ended(&self, _target: &str, _outcome: AttemptOutcome, _duration: Duration) {}

    /// Called when the budget refuses an attempt that would not have ended the call (a hedge);
    /// a refused retry ends the call, which the give-up handlers hear of with
    /// [`GiveUpReason::Budget`](crate::GiveUpReason::Budget).
    #[inline]
    fn budget_refused(&self, _target: &str) {}
}

/// What a part list keeps of a call's running attempt (see [`Parts::AttemptStart`]):
/// nothing (`()`), its start (`Option<Instant>`), its spans (the `spans` part), or a pair of
/// these. The telemetry hooks do nothing unless a state overrides them, and the core calls
/// them only for lists that [observe attempts](Parts::observes_attempts), so a policy
/// without such parts pays nothing for them.
pub trait AttemptStart: Clone + fmt::Debug + Send + Sync {
    /// Whether a list with this state observes attempts.
    const OBSERVED: bool;

    /// Whether this state keeps spans (for integrations that add attributes to the running
    /// attempt's span, such as `http.request.resend_count`).
    const SPANS: bool = false;

    /// Whether this state keeps the call's counts (retries, hedges, time waited) for the
    /// per-call metrics.
    const COUNTS: bool = false;

    /// The state before anything was measured.
    fn unset() -> Self;

    /// The state of an attempt that starts at `now`.
    fn at(now: Instant) -> Self;

    /// How long the attempt has run at `now` (`None` if nothing was measured).
    fn ran(&self, now: Instant) -> Option<Duration>;

    /// The attempt is now timed from `now` (the end of a wait, as planned): the clock only.
    #[inline(always)]
    fn restart(&mut self, now: Instant) {
        *self = Self::at(now);
    }

    /// The call named `target` starts; its first attempt is number 1. `keeps`: what the list
    /// keeps ([`Parts::keeps`]), which a state that serves erased parts reads.
    #[inline(always)]
    fn call_started(&mut self, _target: &str, _keeps: Keeps) {}

    /// The call named `target` was refused before its first attempt (a gate's `reason`): it
    /// starts no attempt, and this is all its state hears.
    #[inline(always)]
    fn call_refused(&mut self, _target: &str, _keeps: Keeps, _reason: GiveUpReason) {}

    /// Attempt `number` starts at `now` (after a wait, or as a hedge).
    #[inline(always)]
    fn attempt_started(&mut self, now: Instant, _number: u32) {
        self.restart(now);
    }

    /// Attempt `number` (the running one, unless another was started) ended with `outcome`.
    #[inline(always)]
    fn attempt_ended(&mut self, _number: u32, _outcome: AttemptOutcome) {}

    /// The call waits `wait` before its next attempt.
    #[inline(always)]
    fn backing_off(&mut self, _wait: Duration) {}

    /// The call gives up for `reason`.
    #[inline(always)]
    fn gave_up(&self, _reason: GiveUpReason) {}

    /// The decision on the ended attempt of the call named `target` is made: `Some(outcome)`
    /// when the call is over (`success`, `gave_up`, `unmatched`).
    #[inline(always)]
    fn settled(&mut self, _target: &str, _call_over: Option<&'static str>) {}

    /// The attempt that now ends is the one `finished` was kept for (hedging keeps one state
    /// per running attempt): what belongs to the attempt is taken from it, what belongs to the
    /// call is kept.
    #[inline(always)]
    fn resume(&mut self, finished: Self) {
        *self = finished;
    }

    /// Runs `f` inside the running attempt (its span entered, for states that keep one).
    #[inline(always)]
    fn in_attempt<T>(&self, f: impl FnOnce() -> T) -> T {
        f()
    }
}

impl AttemptStart for () {
    const OBSERVED: bool = false;

    #[inline(always)]
    fn unset() -> Self {}

    #[inline(always)]
    fn at(_now: Instant) -> Self {}

    #[inline(always)]
    fn ran(&self, _now: Instant) -> Option<Duration> {
        None
    }
}

impl AttemptStart for Option<Instant> {
    const OBSERVED: bool = true;

    #[inline]
    fn unset() -> Self {
        None
    }

    #[inline]
    fn at(now: Instant) -> Self {
        Some(now)
    }

    #[inline]
    fn ran(&self, now: Instant) -> Option<Duration> {
        self.map(|start| now.saturating_duration_since(start))
    }
}

impl<A: AttemptStart, B: AttemptStart> AttemptStart for (A, B) {
    const OBSERVED: bool = A::OBSERVED || B::OBSERVED;
    const SPANS: bool = A::SPANS || B::SPANS;
    const COUNTS: bool = A::COUNTS || B::COUNTS;

    #[inline(always)]
    fn unset() -> Self {
        (A::unset(), B::unset())
    }

    #[inline(always)]
    fn at(now: Instant) -> Self {
        (A::at(now), B::at(now))
    }

    #[inline(always)]
    fn ran(&self, now: Instant) -> Option<Duration> {
        self.1.ran(now).or_else(|| self.0.ran(now))
    }

    #[inline(always)]
    fn restart(&mut self, now: Instant) {
        self.0.restart(now);
        self.1.restart(now);
    }

    #[inline(always)]
    fn call_started(&mut self, target: &str, keeps: Keeps) {
        self.0.call_started(target, keeps);
        self.1.call_started(target, keeps);
    }

    #[inline(always)]
    fn call_refused(&mut self, target: &str, keeps: Keeps, reason: GiveUpReason) {
        self.0.call_refused(target, keeps, reason);
        self.1.call_refused(target, keeps, reason);
    }

    #[inline(always)]
    fn attempt_started(&mut self, now: Instant, number: u32) {
        self.0.attempt_started(now, number);
        self.1.attempt_started(now, number);
    }

    #[inline(always)]
    fn attempt_ended(&mut self, number: u32, outcome: AttemptOutcome) {
        self.0.attempt_ended(number, outcome);
        self.1.attempt_ended(number, outcome);
    }

    #[inline(always)]
    fn backing_off(&mut self, wait: Duration) {
        self.0.backing_off(wait);
        self.1.backing_off(wait);
    }

    #[inline(always)]
    fn gave_up(&self, reason: GiveUpReason) {
        self.0.gave_up(reason);
        self.1.gave_up(reason);
    }

    #[inline(always)]
    fn settled(&mut self, target: &str, call_over: Option<&'static str>) {
        self.0.settled(target, call_over);
        self.1.settled(target, call_over);
    }

    #[inline(always)]
    fn resume(&mut self, finished: Self) {
        self.0.resume(finished.0);
        self.1.resume(finished.1);
    }

    #[inline(always)]
    fn in_attempt<T>(&self, f: impl FnOnce() -> T) -> T {
        self.0.in_attempt(|| self.1.in_attempt(f))
    }
}

pin_project_lite::pin_project! {
    /// An attempt's future run inside its attempt (see [`AttemptStart::in_attempt`]): each
    /// poll enters the attempt's span, for states that keep one; for the others the future
    /// as it is (the state is `()` and takes no room).
    pub struct InAttempt<F, S> {
        #[pin]
        attempt: F,
        state: S,
    }
}

impl<F, S> InAttempt<F, S> {
    pub(crate) fn new(attempt: F, state: S) -> Self {
        InAttempt { attempt, state }
    }
}

impl<F: Future, S: AttemptStart> Future for InAttempt<F, S> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let attempt = this.attempt;
        this.state.in_attempt(|| attempt.poll(cx))
    }
}

/// What a part list keeps per call (see [`Parts::keeps`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keeps {
    /// Spans (the `spans` part).
    pub spans: bool,
    /// The counts of the per-call metrics (the `metrics` part).
    pub counts: bool,
}

/// How an attempt ended, as the policy's rules judged it: what
/// [`Parts::attempt_ended`] hears (and the `outcome` label of the metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The attempt succeeded.
    Success,
    /// A failure the policy retries (unless a limit or the budget ends the call).
    Retryable,
    /// A failure that a `giveup` filter marks fatal.
    Fatal,
    /// A failure the policy's filters do not handle (`on`/`when` rejected it): returned at
    /// once.
    Unmatched,
}

impl AttemptOutcome {
    /// A short lowercase name: `success`, `retryable`, `fatal`, `unmatched`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Success => "success",
            AttemptOutcome::Retryable => "retryable",
            AttemptOutcome::Fatal => "fatal",
            AttemptOutcome::Unmatched => "unmatched",
        }
    }
}

/// The handlers of a part list for operations with value `T` and error `E`.
#[diagnostic::on_unimplemented(
    message = "this policy's handlers read `Details<{T}, {E}>` of another operation type",
    note = "a handler fixes `T` and `E` to the types of its `Details` (those of the first operation it serves); a policy used for operations of several types needs handlers per type"
)]
pub trait Handlers<T, E>: Parts {
    /// Runs the `on_backoff` handlers, in the order they were added.
    #[inline]
    fn backoff(&self, _details: &Details<'_, T, E>) {}
    /// Runs the `on_giveup` handlers.
    #[inline]
    fn giveup(&self, _details: &Details<'_, T, E>) {}
    /// Runs the `on_success` handlers.
    #[inline]
    fn success(&self, _details: &Details<'_, T, E>) {}
}

/// The server-directed wait of a part list for failures that carry `X` (the error of
/// `on_error`, the value of `on_predicate`).
#[diagnostic::on_unimplemented(
    message = "this policy's `server_wait` reads `{X}`'s of another type",
    note = "`server_wait(|failure| ..)` fixes the type it reads"
)]
pub trait ServerWaits<X: ?Sized>: Parts {
    /// The wait the server asked for, from the last `server_wait` part with an answer.
    #[inline]
    fn server_wait(&self, _failure: &X) -> Option<Duration> {
        None
    }
}

/// How a part list turns an attempt that timed out into an outcome `O`: only a list with an
/// [`attempt_timeout`](crate::Policy::attempt_timeout) does, and only for errors that
/// implement `From<TimedOut>`.
#[diagnostic::on_unimplemented(
    message = "an attempt timeout needs an error type that implements `From<persevere::TimedOut>`, and a gate one that implements `From<persevere::Refused>`",
    label = "`{O}` cannot hold a timed-out or refused attempt",
    note = "implement `From<persevere::TimedOut>` (for `attempt_timeout`) or `From<persevere::Refused>` (for `gate`) for your error type (a variant holding it, say)"
)]
pub trait TimeoutFor<O>: Parts {
    /// The outcome of an attempt cut at its timeout (`None` without a timeout part).
    #[inline]
    fn timeout_outcome(&self, _timed_out: TimedOut) -> Option<O> {
        None
    }

    /// The outcome of a first attempt the gate refused (`None` without a gate part).
    #[inline]
    fn refused_outcome(&self, _refused: Refused) -> Option<O> {
        None
    }
}

/// The part lists a blocking driver can run: all but those with an attempt timeout, since a
/// blocking call cannot be cut short.
#[diagnostic::on_unimplemented(
    message = "this policy has an `attempt_timeout`, which needs an async driver",
    label = "a blocking call cannot be cut short",
    note = "use `retry_async` (or `retry_async_with`), or drop the attempt timeout"
)]
pub trait Blocking: Parts {}

impl Parts for () {
    type AttemptStart = ();
}
impl<T, E> Handlers<T, E> for () {}
impl<X: ?Sized> ServerWaits<X> for () {}
impl<O> TimeoutFor<O> for () {}
impl Blocking for () {}

impl<A: Parts, B: Parts> Parts for (A, B) {
    const BACKOFF: bool = A::BACKOFF || B::BACKOFF;
    const GIVEUP: bool = A::GIVEUP || B::GIVEUP;
    const SUCCESS: bool = A::SUCCESS || B::SUCCESS;
    const GATES: bool = A::GATES || B::GATES;

    #[inline]
    fn has_backoff(&self) -> bool {
        self.0.has_backoff() || self.1.has_backoff()
    }

    #[inline]
    fn has_giveup(&self) -> bool {
        self.0.has_giveup() || self.1.has_giveup()
    }

    #[inline]
    fn has_success(&self) -> bool {
        self.0.has_success() || self.1.has_success()
    }

    // The later part wins, as a later builder call does.
    #[inline]
    fn max_tries(&self) -> Option<u32> {
        self.1.max_tries().or_else(|| self.0.max_tries())
    }

    #[inline]
    fn max_time(&self) -> Option<Duration> {
        self.1.max_time().or_else(|| self.0.max_time())
    }

    #[inline]
    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration> {
        match self.1.jitter(delay, rng) {
            Some(jittered) => Some(jittered),
            None => self.0.jitter(delay, rng),
        }
    }

    #[inline]
    fn attempt_timeout(&self) -> Option<Duration> {
        self.1
            .attempt_timeout()
            .or_else(|| self.0.attempt_timeout())
    }

    type AttemptStart = (A::AttemptStart, B::AttemptStart);

    #[inline]
    fn observes_attempts(&self) -> bool {
        self.0.observes_attempts() || self.1.observes_attempts()
    }

    #[inline]
    fn keeps(&self) -> Keeps {
        let (a, b) = (self.0.keeps(), self.1.keeps());
        Keeps {
            spans: a.spans || b.spans,
            counts: a.counts || b.counts,
        }
    }

    #[inline]
    fn attempt_ended(&self, target: &str, outcome: AttemptOutcome, duration: Duration) {
        self.0.attempt_ended(target, outcome, duration);
        self.1.attempt_ended(target, outcome, duration);
    }

    #[inline]
    fn budget_refused(&self, target: &str) {
        self.0.budget_refused(target);
        self.1.budget_refused(target);
    }
}

impl<T, E, A: Handlers<T, E>, B: Handlers<T, E>> Handlers<T, E> for (A, B) {
    #[inline]
    fn backoff(&self, details: &Details<'_, T, E>) {
        self.0.backoff(details);
        self.1.backoff(details);
    }

    #[inline]
    fn giveup(&self, details: &Details<'_, T, E>) {
        self.0.giveup(details);
        self.1.giveup(details);
    }

    #[inline]
    fn success(&self, details: &Details<'_, T, E>) {
        self.0.success(details);
        self.1.success(details);
    }
}

impl<X: ?Sized, A: ServerWaits<X>, B: ServerWaits<X>> ServerWaits<X> for (A, B) {
    #[inline]
    fn server_wait(&self, failure: &X) -> Option<Duration> {
        self.1
            .server_wait(failure)
            .or_else(|| self.0.server_wait(failure))
    }
}

impl<O, A: TimeoutFor<O>, B: TimeoutFor<O>> TimeoutFor<O> for (A, B) {
    #[inline]
    fn timeout_outcome(&self, timed_out: TimedOut) -> Option<O> {
        match self.1.timeout_outcome(timed_out) {
            Some(outcome) => Some(outcome),
            None => self.0.timeout_outcome(timed_out),
        }
    }

    #[inline]
    fn refused_outcome(&self, refused: Refused) -> Option<O> {
        match self.1.refused_outcome(refused) {
            Some(outcome) => Some(outcome),
            None => self.0.refused_outcome(refused),
        }
    }
}

impl<A: Blocking, B: Blocking> Blocking for (A, B) {}

/// An outcome that can hold a timed-out attempt: `Result<T, E>` with `E: From<TimedOut>`.
pub trait FromTimedOut {
    /// The outcome of an attempt cut at its timeout.
    fn from_timed_out(timed_out: TimedOut) -> Self;
}

impl<T, E: From<TimedOut>> FromTimedOut for Result<T, E> {
    fn from_timed_out(timed_out: TimedOut) -> Self {
        Err(E::from(timed_out))
    }
}

/// An outcome that can hold a refused attempt: `Result<T, E>` with `E: From<Refused>`.
pub trait FromRefused {
    /// The outcome of an attempt a gate refused.
    fn from_refused(refused: Refused) -> Self;
}

impl<T, E: From<Refused>> FromRefused for Result<T, E> {
    fn from_refused(refused: Refused) -> Self {
        Err(E::from(refused))
    }
}
