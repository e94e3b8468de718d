//! Type-erased policies: one short name for a policy, whatever its parts, filters, clock and
//! sleeper, for users who store a policy in a struct field or a `static`.
//!
//! Each part is erased on its own (filters, strategy, handlers and limits, timeline), so a
//! boxed policy runs through the same decision core as any other. What erasure costs: the
//! parts become `Arc<dyn ..>` (one allocation each when boxing, none per call for the built-in
//! strategies), a custom strategy's per-call state is boxed (one allocation per call), and each
//! async sleep is boxed (one allocation per retry).

use crate::policy::{
    Admits, AttemptOutcome, AttemptSpans, Blocking, ErrorFilter, ErrorRules, Fixed, Handlers,
    Keeps, OnError, OnPredicate, Parts, Policy, PredicateRules, RetryValue, ServerWaits,
    TimeoutFor,
};
use crate::{AsyncSleeper, Clock, Details, Sleeper, TimedOut};
use persevere_wait::{
    AnyWait, AnyWaitState, Constant, Decay, Decorrelated, Delay, Expo, Fibo, Intervals, Linear,
    Rng, Wait,
};
use std::any::Any;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An [`on_error`](fn@crate::on_error) policy with its parts erased, for operations that
/// return `Result<T, E>`. Made by [`boxed`](Policy::boxed); its name does not change whatever
/// filters (`on`, `when`, ...), handlers, limits, strategy, clock or sleeper it has.
///
/// Its attempt timeout, if it has one, is known only at run time: the blocking drivers, which
/// cannot cut an attempt short, then make no attempt and return the timed-out error at once
/// (after an error log), where a policy that is not boxed would not compile.
///
/// ```
/// use persevere::{on_error, expo, BoxedOnError, testing::VirtualClock};
/// use std::io;
///
/// struct Client {
///     policy: BoxedOnError<String, io::Error>,
/// }
///
/// let clock = VirtualClock::new();
/// let client = Client {
///     policy: on_error(expo())
///         .on_if(|e: &io::Error| e.kind() == io::ErrorKind::ConnectionRefused)
///         .max_tries(3)
///         .on_backoff(|d| eprintln!("retry {}", d.tries()))
///         .clock(clock.clone())
///         .boxed(),
/// };
/// let r = client.policy.retry(|| Err(io::ErrorKind::ConnectionRefused.into()));
/// assert!(r.is_err());
/// assert_eq!(clock.sleeps().len(), 2);
/// ```
pub type BoxedOnError<T, E> = Policy<
    ErrorRules<DynFilter<E>, Fixed<T>, Fixed<E>>,
    DynWait<E>,
    DynParts<T, E, E, Result<T, E>>,
    DynClock,
>;

/// An [`on_predicate`](fn@crate::on_predicate) policy with its parts erased, for operations
/// that return `T`. Made by [`boxed`](Policy::boxed).
///
/// ```
/// use persevere::{on_predicate, fibo, BoxedOnPredicate, testing::VirtualClock};
///
/// let poll: BoxedOnPredicate<Option<u32>> =
///     on_predicate(fibo()).max_tries(3).clock(VirtualClock::new()).boxed();
/// assert_eq!(poll.retry(|| None), None);
/// ```
pub type BoxedOnPredicate<T> = Policy<
    PredicateRules<DynPredicate<T>, Fixed<T>>,
    DynWait<T>,
    DynParts<T, Infallible, T, T>,
    DynClock,
>;

impl<W, F, P, K, TS, ES> OnError<W, F, P, K, TS, ES> {
    /// This policy with its parts erased, for operations that return `Result<T, E>`: a
    /// [`BoxedOnError<T, E>`], whose name is the same whatever the parts. Its parts must be
    /// `Send + Sync + 'static` (the boxed policy is), its clock a blocking and async sleeper.
    /// Add parts before boxing: a part added after is a type of its own again.
    #[must_use]
    pub fn boxed<T, E, M>(self) -> BoxedOnError<T, E>
    where
        TS: Admits<T>,
        ES: Admits<E>,
        F: ErrorFilter<E, M> + Send + Sync + 'static,
        M: 'static,
        W: Wait<E> + Send + Sync + 'static,
        W::State: Send + 'static,
        P: Handlers<T, E> + ServerWaits<E> + TimeoutFor<Result<T, E>> + Send + Sync + 'static,
        K: Clock + Sleeper + AsyncSleeper + Send + Sync + 'static,
        K::Sleep: Send + 'static,
        T: 'static,
        E: 'static,
    {
        let filters = DynFilter(Arc::new(Routed {
            filters: self.rules.filters,
            route: PhantomData,
        }));
        Policy {
            rules: ErrorRules::with_filters(filters),
            wait: DynWait::new(self.wait),
            parts: DynParts::new(self.parts),
            config: self.config,
            timeline: DynClock(Arc::new(self.timeline)),
        }
    }
}

impl<W, Pr, P, K, TS> OnPredicate<W, Pr, P, K, TS> {
    /// This policy with its parts erased, for operations that return `T`: a
    /// [`BoxedOnPredicate<T>`] (see [`OnError::boxed`](Policy::boxed)).
    #[must_use]
    pub fn boxed<T>(self) -> BoxedOnPredicate<T>
    where
        TS: Admits<T>,
        Pr: RetryValue<T> + Send + Sync + 'static,
        W: Wait<T> + Send + Sync + 'static,
        W::State: Send + 'static,
        P: Handlers<T, Infallible> + ServerWaits<T> + TimeoutFor<T> + Send + Sync + 'static,
        K: Clock + Sleeper + AsyncSleeper + Send + Sync + 'static,
        K::Sleep: Send + 'static,
        T: 'static,
    {
        let predicate = self.rules.into_predicate();
        Policy {
            rules: PredicateRules::with(DynPredicate(Arc::new(move |v: &T| {
                predicate.should_retry(v)
            }))),
            wait: DynWait::new(self.wait),
            parts: DynParts::new(self.parts),
            config: self.config,
            timeline: DynClock(Arc::new(self.timeline)),
        }
    }
}

/// The erased error filters of a [`BoxedOnError`].
pub struct DynFilter<E>(Arc<dyn ErasedFilter<E> + Send + Sync>);

trait ErasedFilter<E> {
    fn on_passes(&self, error: &E) -> bool;
    fn when_holds(&self, error: &E) -> bool;
    fn gives_up(&self, error: &E) -> bool;
}

/// Filters with their inferred chain route, so that the erased form needs none.
struct Routed<F, M> {
    filters: F,
    route: PhantomData<fn() -> M>,
}

impl<E, F: ErrorFilter<E, M>, M> ErasedFilter<E> for Routed<F, M> {
    fn on_passes(&self, error: &E) -> bool {
        !F::HAS_ON || self.filters.on_matches(error)
    }

    fn when_holds(&self, error: &E) -> bool {
        self.filters.when_holds(error)
    }

    fn gives_up(&self, error: &E) -> bool {
        self.filters.gives_up(error)
    }
}

impl<E> ErrorFilter<E, ()> for DynFilter<E> {
    // Whether the erased list has an `on` is known at run time: `on_matches` answers for both.
    const HAS_ON: bool = true;

    fn on_matches(&self, error: &E) -> bool {
        self.0.on_passes(error)
    }

    fn when_holds(&self, error: &E) -> bool {
        self.0.when_holds(error)
    }

    fn gives_up(&self, error: &E) -> bool {
        self.0.gives_up(error)
    }
}

/// The erased predicate of a [`BoxedOnPredicate`].
pub struct DynPredicate<T>(Arc<dyn Fn(&T) -> bool + Send + Sync>);

impl<T> RetryValue<T> for DynPredicate<T> {
    fn should_retry(&self, value: &T) -> bool {
        (self.0)(value)
    }
}

/// An erased wait strategy: a built-in one as the catalogue's [`AnyWait`] (no allocation per
/// call), any other behind a pointer (its per-call state boxed).
pub struct DynWait<X: ?Sized>(WaitRepr<X>);

enum WaitRepr<X: ?Sized> {
    Known(AnyWait),
    Other(Arc<dyn ErasedWait<X> + Send + Sync>),
}

/// The per-call state of a [`DynWait`].
pub struct DynWaitState(StateRepr);

enum StateRepr {
    Known(AnyWaitState),
    Other(Box<dyn Any + Send>),
}

trait ErasedWait<X: ?Sized> {
    fn start(&self) -> Box<dyn Any + Send>;
    fn next_delay(&self, state: &mut Box<dyn Any + Send>, last: &X, rng: &mut Rng)
    -> Option<Delay>;
}

impl<X: ?Sized, W> ErasedWait<X> for W
where
    W: Wait<X>,
    W::State: Send + 'static,
{
    fn start(&self) -> Box<dyn Any + Send> {
        Box::new(Wait::start(self))
    }

    fn next_delay(
        &self,
        state: &mut Box<dyn Any + Send>,
        last: &X,
        rng: &mut Rng,
    ) -> Option<Delay> {
        let state = state
            .downcast_mut::<W::State>()
            .expect("the state comes from this strategy's start");
        Wait::next_delay(self, state, last, rng)
    }
}

impl<X: ?Sized> DynWait<X> {
    fn new<W>(wait: W) -> Self
    where
        W: Wait<X> + Send + Sync + 'static,
        W::State: Send + 'static,
    {
        let any: &dyn Any = &wait;
        macro_rules! known {
            ($($ty:ty),*) => {$(
                if let Some(strategy) = any.downcast_ref::<$ty>() {
                    return DynWait(WaitRepr::Known(strategy.clone().into()));
                }
            )*};
        }
        known!(
            Expo,
            Fibo,
            Constant,
            Linear,
            Decay,
            Decorrelated,
            Intervals<std::vec::IntoIter<Duration>>,
            AnyWait
        );
        DynWait(WaitRepr::Other(Arc::new(wait)))
    }
}

impl<X: ?Sized> Wait<X> for DynWait<X> {
    type State = DynWaitState;

    fn start(&self) -> DynWaitState {
        DynWaitState(match &self.0 {
            WaitRepr::Known(any) => StateRepr::Known(Wait::<X>::start(any)),
            WaitRepr::Other(other) => StateRepr::Other(other.start()),
        })
    }

    fn next_delay(&self, state: &mut DynWaitState, last: &X, rng: &mut Rng) -> Option<Delay> {
        match (&self.0, &mut state.0) {
            (WaitRepr::Known(any), StateRepr::Known(state)) => {
                Wait::next_delay(any, state, last, rng)
            }
            (WaitRepr::Other(other), StateRepr::Other(state)) => other.next_delay(state, last, rng),
            _ => unreachable!("a strategy's state comes from its own start"),
        }
    }
}

/// The erased parts (handlers, limit closures, custom jitter, budget, server wait, attempt
/// timeout) of a boxed policy, for operations with value `T`, error `E`, failures carrying `X`
/// and outcome `O`. Which handlers it has is known at run time.
pub struct DynParts<T, E, X, O> {
    parts: Arc<dyn ErasedParts<T, E, X, O> + Send + Sync>,
    backoff: bool,
    giveup: bool,
    success: bool,
    observes: bool,
    keeps: Keeps,
}

/// What a boxed call keeps of its attempt for the metrics: the call's counts with the
/// `metrics` feature, else the attempt's start.
#[cfg(feature = "metrics")]
type DynCounts = crate::metrics::CallCounts;
#[cfg(not(feature = "metrics"))]
type DynCounts = Option<Instant>;

/// The part traits without their constants, so that they can be a trait object.
trait ErasedParts<T, E, X, O> {
    fn max_tries(&self) -> Option<u32>;
    fn max_time(&self) -> Option<Duration>;
    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration>;
    fn attempt_timeout(&self) -> Option<Duration>;
    fn attempt_ended(&self, target: &str, outcome: AttemptOutcome, duration: Duration);
    fn budget_refused(&self, target: &str);
    fn backoff(&self, details: &Details<'_, T, E>);
    fn giveup(&self, details: &Details<'_, T, E>);
    fn success(&self, details: &Details<'_, T, E>);
    fn server_wait(&self, failure: &X) -> Option<Duration>;
    fn timeout_outcome(&self, timed_out: TimedOut) -> Option<O>;
    fn refused_outcome(&self, refused: crate::Refused) -> Option<O>;
}

impl<T, E, X, O, P> ErasedParts<T, E, X, O> for P
where
    P: Handlers<T, E> + ServerWaits<X> + TimeoutFor<O>,
{
    fn max_tries(&self) -> Option<u32> {
        Parts::max_tries(self)
    }

    fn max_time(&self) -> Option<Duration> {
        Parts::max_time(self)
    }

    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration> {
        Parts::jitter(self, delay, rng)
    }

    fn attempt_timeout(&self) -> Option<Duration> {
        Parts::attempt_timeout(self)
    }

    fn attempt_ended(&self, target: &str, outcome: AttemptOutcome, duration: Duration) {
        Parts::attempt_ended(self, target, outcome, duration);
    }

    fn budget_refused(&self, target: &str) {
        Parts::budget_refused(self, target);
    }

    fn backoff(&self, details: &Details<'_, T, E>) {
        Handlers::backoff(self, details);
    }

    fn giveup(&self, details: &Details<'_, T, E>) {
        Handlers::giveup(self, details);
    }

    fn success(&self, details: &Details<'_, T, E>) {
        Handlers::success(self, details);
    }

    fn server_wait(&self, failure: &X) -> Option<Duration> {
        ServerWaits::server_wait(self, failure)
    }

    fn timeout_outcome(&self, timed_out: TimedOut) -> Option<O> {
        TimeoutFor::timeout_outcome(self, timed_out)
    }

    fn refused_outcome(&self, refused: crate::Refused) -> Option<O> {
        TimeoutFor::refused_outcome(self, refused)
    }
}

impl<T, E, X, O> DynParts<T, E, X, O> {
    fn new<P>(parts: P) -> Self
    where
        P: Handlers<T, E> + ServerWaits<X> + TimeoutFor<O> + Send + Sync + 'static,
    {
        DynParts {
            observes: parts.observes_attempts(),
            keeps: parts.keeps(),
            parts: Arc::new(parts),
            backoff: P::BACKOFF,
            giveup: P::GIVEUP,
            success: P::SUCCESS,
        }
    }
}

impl<T, E, X, O> Parts for DynParts<T, E, X, O> {
    // The erased list may hold any handler: `has_*` answer at run time.
    const BACKOFF: bool = true;
    const GIVEUP: bool = true;
    const SUCCESS: bool = true;
    // Whether the erased list holds a gate is known at run time (the call's refusal says).
    const GATES: bool = true;

    fn has_backoff(&self) -> bool {
        self.backoff
    }

    fn has_giveup(&self) -> bool {
        self.giveup
    }

    fn has_success(&self) -> bool {
        self.success
    }

    fn max_tries(&self) -> Option<u32> {
        self.parts.max_tries()
    }

    fn max_time(&self) -> Option<Duration> {
        self.parts.max_time()
    }

    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration> {
        self.parts.jitter(delay, rng)
    }

    fn attempt_timeout(&self) -> Option<Duration> {
        self.parts.attempt_timeout()
    }

    // Whether the erased list observes attempts or keeps spans is known at run time; a boxed
    // call keeps room for an attempt's start and spans either way.
    type AttemptStart = (DynCounts, AttemptSpans);

    fn observes_attempts(&self) -> bool {
        self.observes
    }

    fn keeps(&self) -> Keeps {
        self.keeps
    }

    fn attempt_ended(&self, target: &str, outcome: AttemptOutcome, duration: Duration) {
        self.parts.attempt_ended(target, outcome, duration);
    }

    fn budget_refused(&self, target: &str) {
        self.parts.budget_refused(target);
    }
}

impl<T, E, X, O> Handlers<T, E> for DynParts<T, E, X, O> {
    fn backoff(&self, details: &Details<'_, T, E>) {
        self.parts.backoff(details);
    }

    fn giveup(&self, details: &Details<'_, T, E>) {
        self.parts.giveup(details);
    }

    fn success(&self, details: &Details<'_, T, E>) {
        self.parts.success(details);
    }
}

impl<T, E, X, O> ServerWaits<X> for DynParts<T, E, X, O> {
    fn server_wait(&self, failure: &X) -> Option<Duration> {
        self.parts.server_wait(failure)
    }
}

impl<T, E, X, O> TimeoutFor<O> for DynParts<T, E, X, O> {
    fn timeout_outcome(&self, timed_out: TimedOut) -> Option<O> {
        self.parts.timeout_outcome(timed_out)
    }

    fn refused_outcome(&self, refused: crate::Refused) -> Option<O> {
        self.parts.refused_outcome(refused)
    }
}

// Whether the erased parts hold an attempt timeout is known at run time only: the blocking
// drivers check it and panic (see `Policy::retry`).
impl<T, E, X, O> Blocking for DynParts<T, E, X, O> {}

/// An erased timeline: the clock and the sleeper of a boxed policy, blocking and async (each
/// async sleep is boxed).
#[derive(Clone)]
pub struct DynClock(Arc<dyn ErasedTimeline + Send + Sync>);

trait ErasedTimeline {
    fn now(&self) -> Instant;
    fn sleep(&self, duration: Duration);
    fn sleep_async(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

impl<K> ErasedTimeline for K
where
    K: Clock + Sleeper + AsyncSleeper,
    K::Sleep: Send + 'static,
{
    fn now(&self) -> Instant {
        Clock::now(self)
    }

    fn sleep(&self, duration: Duration) {
        Sleeper::sleep(self, duration);
    }

    fn sleep_async(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(AsyncSleeper::sleep_async(self, duration))
    }
}

impl Clock for DynClock {
    fn now(&self) -> Instant {
        self.0.now()
    }
}

impl Sleeper for DynClock {
    fn sleep(&self, duration: Duration) {
        self.0.sleep(duration);
    }
}

impl AsyncSleeper for DynClock {
    type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn sleep_async(&self, duration: Duration) -> Self::Sleep {
        self.0.sleep_async(duration)
    }
}

// Erased parts are shared handles: cloning a boxed policy clones pointers.
impl<E> Clone for DynFilter<E> {
    fn clone(&self) -> Self {
        DynFilter(self.0.clone())
    }
}

impl<T> Clone for DynPredicate<T> {
    fn clone(&self) -> Self {
        DynPredicate(self.0.clone())
    }
}

impl<X: ?Sized> Clone for DynWait<X> {
    fn clone(&self) -> Self {
        DynWait(match &self.0 {
            WaitRepr::Known(any) => WaitRepr::Known(any.clone()),
            WaitRepr::Other(other) => WaitRepr::Other(other.clone()),
        })
    }
}

impl<T, E, X, O> Clone for DynParts<T, E, X, O> {
    fn clone(&self) -> Self {
        DynParts {
            parts: self.parts.clone(),
            backoff: self.backoff,
            giveup: self.giveup,
            success: self.success,
            observes: self.observes,
            keeps: self.keeps,
        }
    }
}

macro_rules! opaque_debug {
    ($($ty:ident<$($p:ident),*>),*) => {$(
        impl<$($p),*> fmt::Debug for $ty<$($p),*> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($ty), "(..)"))
            }
        }
    )*};
}
opaque_debug!(DynFilter<E>, DynPredicate<T>, DynParts<T, E, X, O>);

impl<X: ?Sized> fmt::Debug for DynWait<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            WaitRepr::Known(any) => f.debug_tuple("DynWait").field(any).finish(),
            WaitRepr::Other(_) => f.write_str("DynWait(..)"),
        }
    }
}

impl fmt::Debug for DynClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DynClock(..)")
    }
}

impl fmt::Debug for DynWaitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DynWaitState(..)")
    }
}
