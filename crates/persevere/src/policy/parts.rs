//! The closure parts of a policy other than its filters: handlers, limits read per call, a
//! custom jitter, a budget, a server-directed wait and an attempt timeout. They form a list
//! (`()` for none, `(earlier, last)` for more), so that each may borrow local state, the policy
//! is `Send`/`Sync`/`'static` exactly when they are, and a policy without a part pays nothing
//! for it: which parts exist is known at compile time.
//!
//! Four traits read the list: [`Parts`] (what reads no type), [`Handlers`] (typed by the
//! operation's value and error), [`ServerWaits`] (typed by what a failure carries) and
//! [`TimeoutFor`] (typed by the outcome). [`Blocking`] marks the lists a blocking driver can run.
//!
//! Parts that observe attempts (metrics) also keep per-call state: the start of the running
//! attempt, in a call's [`AttemptStart`], which is `()` for every other part, so that a call
//! of a policy without them holds nothing more.

use crate::{Details, TimedOut};
use persevere_wait::{CustomJitter, Rng};
use std::fmt;
use std::marker::PhantomData;
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
/// nothing (`()`), its start (`Option<Instant>`), or a pair of these.
pub trait AttemptStart: Copy + fmt::Debug + Send + Sync {
    /// Whether a list with this state observes attempts.
    const OBSERVED: bool;

    /// The state before anything was measured.
    fn unset() -> Self;

    /// The state of an attempt that starts at `now`.
    fn at(now: Instant) -> Self;

    /// How long the attempt has run at `now` (`None` if nothing was measured).
    fn ran(self, now: Instant) -> Option<Duration>;
}

impl AttemptStart for () {
    const OBSERVED: bool = false;

    #[inline(always)]
    fn unset() -> Self {}

    #[inline(always)]
    fn at(_now: Instant) -> Self {}

    #[inline(always)]
    fn ran(self, _now: Instant) -> Option<Duration> {
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
    fn ran(self, now: Instant) -> Option<Duration> {
        self.map(|start| now.saturating_duration_since(start))
    }
}

impl<A: AttemptStart, B: AttemptStart> AttemptStart for (A, B) {
    const OBSERVED: bool = A::OBSERVED || B::OBSERVED;

    #[inline(always)]
    fn unset() -> Self {
        (A::unset(), B::unset())
    }

    #[inline(always)]
    fn at(now: Instant) -> Self {
        (A::at(now), B::at(now))
    }

    #[inline(always)]
    fn ran(self, now: Instant) -> Option<Duration> {
        self.1.ran(now).or_else(|| self.0.ran(now))
    }
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
    message = "an attempt timeout needs an error type that implements `From<persevere::TimedOut>`",
    label = "`{O}` cannot hold a timed-out attempt",
    note = "implement `From<persevere::TimedOut>` for your error type (a variant holding it, say)"
)]
pub trait TimeoutFor<O>: Parts {
    /// The outcome of an attempt cut at its timeout (`None` without a timeout part).
    #[inline]
    fn timeout_outcome(&self, _timed_out: TimedOut) -> Option<O> {
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
}

impl<A: Blocking, B: Blocking> Blocking for (A, B) {}

/// The part added by `max_tries(closure)`.
#[derive(Clone, Copy)]
pub struct MaxTriesFn<F>(pub(crate) F);

impl<F: Fn() -> u32> Parts for MaxTriesFn<F> {
    type AttemptStart = ();

    fn max_tries(&self) -> Option<u32> {
        Some((self.0)())
    }
}

/// The part added by `max_time(closure)`.
#[derive(Clone, Copy)]
pub struct MaxTimeFn<F>(pub(crate) F);

impl<F: Fn() -> Duration> Parts for MaxTimeFn<F> {
    type AttemptStart = ();

    fn max_time(&self) -> Option<Duration> {
        Some((self.0)())
    }
}

/// The part added by `jitter(Jitter::custom(f))`.
#[derive(Clone, Copy)]
pub struct JitterFn<F>(pub(crate) CustomJitter<F>);

impl<F: Fn(Duration, f64) -> Duration> Parts for JitterFn<F> {
    type AttemptStart = ();

    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration> {
        Some(self.0.apply(delay, rng))
    }
}

/// The part added by `server_wait(closure)`.
#[derive(Clone, Copy)]
pub struct ServerWaitFn<F>(pub(crate) F);

impl<F> Parts for ServerWaitFn<F> {
    type AttemptStart = ();
}

impl<X: ?Sized, F: Fn(&X) -> Option<Duration>> ServerWaits<X> for ServerWaitFn<F> {
    fn server_wait(&self, failure: &X) -> Option<Duration> {
        (self.0)(failure)
    }
}

/// The part added by [`attempt_timeout`](crate::Policy::attempt_timeout).
#[derive(Debug, Clone, Copy)]
pub struct AttemptTimeout(pub(crate) Duration);

impl Parts for AttemptTimeout {
    type AttemptStart = ();

    fn attempt_timeout(&self) -> Option<Duration> {
        Some(self.0)
    }
}

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

impl<O: FromTimedOut> TimeoutFor<O> for AttemptTimeout {
    fn timeout_outcome(&self, timed_out: TimedOut) -> Option<O> {
        Some(O::from_timed_out(timed_out))
    }
}

/// A handler part: `H` called with the [`Details`] of operations with value `T` and error `E`
/// at the event `V` ([`BackoffEvent`], [`GiveupEvent`] or [`SuccessEvent`]).
pub struct Handler<V, H, T, E> {
    handler: H,
    types: PhantomData<fn() -> (V, T, E)>,
}

impl<V, H, T, E> Handler<V, H, T, E> {
    pub(crate) fn new(handler: H) -> Self {
        Handler {
            handler,
            types: PhantomData,
        }
    }
}

/// The event of `on_backoff` handlers.
#[derive(Debug, Clone, Copy)]
pub enum BackoffEvent {}
/// The event of `on_giveup` handlers.
#[derive(Debug, Clone, Copy)]
pub enum GiveupEvent {}
/// The event of `on_success` handlers.
#[derive(Debug, Clone, Copy)]
pub enum SuccessEvent {}

/// The three handler parts differ only in the event they answer.
macro_rules! handler_event {
    ($event:ident, $flag:ident, $method:ident) => {
        impl<H, T, E> Parts for Handler<$event, H, T, E> {
            const $flag: bool = true;
            type AttemptStart = ();
        }

        impl<H, T, E> Handlers<T, E> for Handler<$event, H, T, E>
        where
            H: Fn(&Details<'_, T, E>),
        {
            #[inline]
            fn $method(&self, details: &Details<'_, T, E>) {
                (self.handler)(details);
            }
        }

        impl<H, T, E, X: ?Sized> ServerWaits<X> for Handler<$event, H, T, E> {}
        impl<H, T, E, O> TimeoutFor<O> for Handler<$event, H, T, E> {}
        impl<H, T, E> Blocking for Handler<$event, H, T, E> {}
    };
}

handler_event!(BackoffEvent, BACKOFF, backoff);
handler_event!(GiveupEvent, GIVEUP, giveup);
handler_event!(SuccessEvent, SUCCESS, success);

/// Parts that are not handlers run no handler, give no server wait and time nothing out.
macro_rules! neutral {
    ($($part:ident $(<$p:ident>)?),*) => {$(
        impl<T, E $(, $p)?> Handlers<T, E> for $part $(<$p>)? where $part $(<$p>)?: Parts {}
        impl<X: ?Sized $(, $p)?> ServerWaits<X> for $part $(<$p>)? where $part $(<$p>)?: Parts {}
    )*};
}
neutral!(MaxTriesFn<F>, MaxTimeFn<F>, JitterFn<F>, AttemptTimeout);

macro_rules! no_timeout {
    ($($part:ident $(<$p:ident>)?),*) => {$(
        impl<O $(, $p)?> TimeoutFor<O> for $part $(<$p>)? where $part $(<$p>)?: Parts {}
        impl $(<$p>)? Blocking for $part $(<$p>)? where $part $(<$p>)?: Parts {}
    )*};
}
no_timeout!(MaxTriesFn<F>, MaxTimeFn<F>, JitterFn<F>, ServerWaitFn<F>);

// `ServerWaitFn` answers `server_wait` itself; it is neutral only for handlers.
impl<T, E, F> Handlers<T, E> for ServerWaitFn<F> {}

impl<V, H: Clone, T, E> Clone for Handler<V, H, T, E> {
    fn clone(&self) -> Self {
        Handler::new(self.handler.clone())
    }
}

impl<V, H: Copy, T, E> Copy for Handler<V, H, T, E> {}

impl<V, H, T, E> fmt::Debug for Handler<V, H, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handler<{}>(..)", std::any::type_name::<V>())
    }
}

macro_rules! opaque_debug {
    ($($part:ident),*) => {$(
        impl<F> fmt::Debug for $part<F> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($part), "(..)"))
            }
        }
    )*};
}
opaque_debug!(MaxTriesFn, MaxTimeFn, JitterFn, ServerWaitFn);
