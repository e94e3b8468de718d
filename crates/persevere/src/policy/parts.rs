//! The closure parts of a policy other than its filters: handlers, limits read per call, and a
//! custom jitter. They form a list (`()` for none, `(earlier, last)` for more), so that each may
//! borrow local state, the policy is `Send`/`Sync`/`'static` exactly when they are, and a policy
//! without handlers knows at compile time that it has none.

use crate::Details;
use persevere_wait::{CustomJitter, Rng};
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

/// The part list of a policy. Implemented by `()`, pairs, and the parts the builder adds.
pub trait Parts {
    /// Whether the list holds an `on_backoff` handler.
    const BACKOFF: bool;
    /// Whether the list holds an `on_giveup` handler.
    const GIVEUP: bool;
    /// Whether the list holds an `on_success` handler.
    const SUCCESS: bool;

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
    fn max_tries(&self) -> Option<u32>;

    /// `max_time` from the last closure given to [`max_time`](crate::Policy::max_time).
    fn max_time(&self) -> Option<Duration>;

    /// The delay under the last custom jitter given to [`jitter`](crate::Policy::jitter).
    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration>;
}

/// The handlers of a part list for operations with value `T` and error `E`.
#[diagnostic::on_unimplemented(
    message = "this policy's handlers read `Details<{T}, {E}>` of another operation type",
    note = "a handler fixes `T` and `E` to the types of its `Details` (those of the first operation it serves); a policy used for operations of several types needs handlers per type"
)]
pub trait Handlers<T, E>: Parts {
    /// Runs the `on_backoff` handlers, in the order they were added.
    fn backoff(&self, details: &Details<'_, T, E>);
    /// Runs the `on_giveup` handlers.
    fn giveup(&self, details: &Details<'_, T, E>);
    /// Runs the `on_success` handlers.
    fn success(&self, details: &Details<'_, T, E>);
}

impl Parts for () {
    const BACKOFF: bool = false;
    const GIVEUP: bool = false;
    const SUCCESS: bool = false;

    fn max_tries(&self) -> Option<u32> {
        None
    }

    fn max_time(&self) -> Option<Duration> {
        None
    }

    fn jitter(&self, _: Duration, _: &mut Rng) -> Option<Duration> {
        None
    }
}

impl<T, E> Handlers<T, E> for () {
    fn backoff(&self, _: &Details<'_, T, E>) {}
    fn giveup(&self, _: &Details<'_, T, E>) {}
    fn success(&self, _: &Details<'_, T, E>) {}
}

impl<A: Parts, B: Parts> Parts for (A, B) {
    const BACKOFF: bool = A::BACKOFF || B::BACKOFF;
    const GIVEUP: bool = A::GIVEUP || B::GIVEUP;
    const SUCCESS: bool = A::SUCCESS || B::SUCCESS;

    // The later part wins, as a later builder call does.
    fn max_tries(&self) -> Option<u32> {
        self.1.max_tries().or_else(|| self.0.max_tries())
    }

    fn max_time(&self) -> Option<Duration> {
        self.1.max_time().or_else(|| self.0.max_time())
    }

    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration> {
        self.1
            .jitter(delay, rng)
            .or_else(|| self.0.jitter(delay, rng))
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

/// Parts that are not handlers run no handler.
macro_rules! no_handlers {
    ($($part:ident),*) => {$(
        impl<T, E, F> Handlers<T, E> for $part<F> where $part<F>: Parts {
            fn backoff(&self, _: &Details<'_, T, E>) {}
            fn giveup(&self, _: &Details<'_, T, E>) {}
            fn success(&self, _: &Details<'_, T, E>) {}
        }
    )*};
}

/// The part added by `max_tries(closure)`.
#[derive(Clone, Copy)]
pub struct MaxTriesFn<F>(pub(crate) F);

/// The part added by `max_time(closure)`.
#[derive(Clone, Copy)]
pub struct MaxTimeFn<F>(pub(crate) F);

/// The part added by `jitter(Jitter::custom(f))`.
#[derive(Clone, Copy)]
pub struct JitterFn<F>(pub(crate) CustomJitter<F>);

impl<F: Fn() -> u32> Parts for MaxTriesFn<F> {
    const BACKOFF: bool = false;
    const GIVEUP: bool = false;
    const SUCCESS: bool = false;

    fn max_tries(&self) -> Option<u32> {
        Some((self.0)())
    }

    fn max_time(&self) -> Option<Duration> {
        None
    }

    fn jitter(&self, _: Duration, _: &mut Rng) -> Option<Duration> {
        None
    }
}

impl<F: Fn() -> Duration> Parts for MaxTimeFn<F> {
    const BACKOFF: bool = false;
    const GIVEUP: bool = false;
    const SUCCESS: bool = false;

    fn max_tries(&self) -> Option<u32> {
        None
    }

    fn max_time(&self) -> Option<Duration> {
        Some((self.0)())
    }

    fn jitter(&self, _: Duration, _: &mut Rng) -> Option<Duration> {
        None
    }
}

impl<F: Fn(Duration, f64) -> Duration> Parts for JitterFn<F> {
    const BACKOFF: bool = false;
    const GIVEUP: bool = false;
    const SUCCESS: bool = false;

    fn max_tries(&self) -> Option<u32> {
        None
    }

    fn max_time(&self) -> Option<Duration> {
        None
    }

    fn jitter(&self, delay: Duration, rng: &mut Rng) -> Option<Duration> {
        Some(self.0.apply(delay, rng))
    }
}

no_handlers!(MaxTriesFn, MaxTimeFn, JitterFn);

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
    ($event:ident, backoff: $backoff:literal, giveup: $giveup:literal, success: $success:literal) => {
        impl<H, T, E> Parts for Handler<$event, H, T, E> {
            const BACKOFF: bool = $backoff;
            const GIVEUP: bool = $giveup;
            const SUCCESS: bool = $success;

            fn max_tries(&self) -> Option<u32> {
                None
            }

            fn max_time(&self) -> Option<Duration> {
                None
            }

            fn jitter(&self, _: Duration, _: &mut Rng) -> Option<Duration> {
                None
            }
        }

        impl<H, T, E> Handlers<T, E> for Handler<$event, H, T, E>
        where
            H: Fn(&Details<'_, T, E>),
        {
            fn backoff(&self, details: &Details<'_, T, E>) {
                if Self::BACKOFF {
                    (self.handler)(details);
                }
            }

            fn giveup(&self, details: &Details<'_, T, E>) {
                if Self::GIVEUP {
                    (self.handler)(details);
                }
            }

            fn success(&self, details: &Details<'_, T, E>) {
                if Self::SUCCESS {
                    (self.handler)(details);
                }
            }
        }
    };
}

handler_event!(BackoffEvent, backoff: true, giveup: false, success: false);
handler_event!(GiveupEvent, backoff: false, giveup: true, success: false);
handler_event!(SuccessEvent, backoff: false, giveup: false, success: true);

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
opaque_debug!(MaxTriesFn, MaxTimeFn, JitterFn);
