//! The closure parts a builder adds to a policy: handlers, limits read per call, a custom
//! jitter, a server-directed wait and an attempt timeout. Each implements the core's part
//! traits (`crate::core::parts`); which parts a policy has is known at compile time, so a
//! policy without one pays nothing for it.

use crate::core::parts::{
    Blocking, FromRefused, FromTimedOut, Handlers, Parts, ServerWaits, TimeoutFor,
};
use crate::{Details, Refused, TimedOut};
use persevere_wait::{CustomJitter, Rng};
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

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

impl<O: FromTimedOut> TimeoutFor<O> for AttemptTimeout {
    fn timeout_outcome(&self, timed_out: TimedOut) -> Option<O> {
        Some(O::from_timed_out(timed_out))
    }
}

/// The part added by [`gate`](crate::Policy::gate): the type-level half of a gate (the guard
/// itself is in the policy's settings), which builds the refusal of a first attempt, and so
/// asks the outcome to hold one.
#[derive(Debug, Clone, Copy)]
pub struct Gate;

impl Parts for Gate {
    const GATES: bool = true;
    // Each attempt's start is kept, so that a breaker behind the gate judges slow calls.
    type AttemptStart = Option<std::time::Instant>;
}

impl<O: FromRefused> TimeoutFor<O> for Gate {
    fn refused_outcome(&self, refused: Refused) -> Option<O> {
        Some(O::from_refused(refused))
    }
}

impl Blocking for Gate {}

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
neutral!(
    MaxTriesFn<F>,
    MaxTimeFn<F>,
    JitterFn<F>,
    AttemptTimeout,
    Gate
);

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
