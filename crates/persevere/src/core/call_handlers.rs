//! The handlers given to one call (`Policy::call`): `FnMut`, owned by the call, run after the
//! policy's own. The core knows them through these traits.

use crate::Details;
use std::fmt;
use std::marker::PhantomData;

mod sealed {
    pub trait Sealed {}
    impl Sealed for () {}
    impl<A, B> Sealed for (A, B) {}
    impl<V, H, T, E> Sealed for super::CallHandler<V, H, T, E> {}
}

/// Which events a call's handler list answers, known at compile time.
pub trait CallHandlerList: sealed::Sealed {
    /// Whether the list holds an `on_backoff` handler.
    const BACKOFF: bool = false;
    /// Whether the list holds an `on_giveup` handler.
    const GIVEUP: bool = false;
    /// Whether the list holds an `on_success` handler.
    const SUCCESS: bool = false;
}

/// The handlers of a call, for operations with value `T` and error `E`.
#[diagnostic::on_unimplemented(
    message = "this call's handlers read `Details<{T}, {E}>` of another operation type",
    note = "a handler given to `call()` reads the `Details` of the operation that call retries"
)]
pub trait CallHandlers<T, E>: CallHandlerList {
    /// Runs the `on_backoff` handlers, in the order they were added.
    #[inline(always)]
    fn backoff(&mut self, _details: &Details<'_, T, E>) {}
    /// Runs the `on_giveup` handlers.
    #[inline(always)]
    fn giveup(&mut self, _details: &Details<'_, T, E>) {}
    /// Runs the `on_success` handlers.
    #[inline(always)]
    fn success(&mut self, _details: &Details<'_, T, E>) {}
}

impl CallHandlerList for () {}
impl<T, E> CallHandlers<T, E> for () {}

impl<A: CallHandlerList, B: CallHandlerList> CallHandlerList for (A, B) {
    const BACKOFF: bool = A::BACKOFF || B::BACKOFF;
    const GIVEUP: bool = A::GIVEUP || B::GIVEUP;
    const SUCCESS: bool = A::SUCCESS || B::SUCCESS;
}

impl<T, E, A: CallHandlers<T, E>, B: CallHandlers<T, E>> CallHandlers<T, E> for (A, B) {
    fn backoff(&mut self, details: &Details<'_, T, E>) {
        self.0.backoff(details);
        self.1.backoff(details);
    }

    fn giveup(&mut self, details: &Details<'_, T, E>) {
        self.0.giveup(details);
        self.1.giveup(details);
    }

    fn success(&mut self, details: &Details<'_, T, E>) {
        self.0.success(details);
        self.1.success(details);
    }
}

/// A handler given to one [`Call`](crate::Call): `H` called at the event `V` ([`OnBackoff`], [`OnGiveup`] or
/// [`OnSuccess`]) with the [`Details`] of an operation with value `T` and error `E`.
pub struct CallHandler<V, H, T, E> {
    handler: H,
    #[allow(clippy::type_complexity)] // the event and the operation types, for inference only
    types: PhantomData<fn() -> (V, T, E)>,
}

impl<V, H, T, E> CallHandler<V, H, T, E> {
    pub(crate) fn new(handler: H) -> Self {
        CallHandler {
            handler,
            types: PhantomData,
        }
    }
}

/// The event of a call's `on_backoff` handlers.
#[derive(Debug, Clone, Copy)]
pub enum OnBackoff {}
/// The event of a call's `on_giveup` handlers.
#[derive(Debug, Clone, Copy)]
pub enum OnGiveup {}
/// The event of a call's `on_success` handlers.
#[derive(Debug, Clone, Copy)]
pub enum OnSuccess {}

/// The three handlers differ only in the event they answer.
macro_rules! call_handler_event {
    ($event:ident, $flag:ident, $method:ident) => {
        impl<H, T, E> CallHandlerList for CallHandler<$event, H, T, E> {
            const $flag: bool = true;
        }

        impl<H, T, E> CallHandlers<T, E> for CallHandler<$event, H, T, E>
        where
            H: FnMut(&Details<'_, T, E>),
        {
            fn $method(&mut self, details: &Details<'_, T, E>) {
                (self.handler)(details);
            }
        }
    };
}

call_handler_event!(OnBackoff, BACKOFF, backoff);
call_handler_event!(OnGiveup, GIVEUP, giveup);
call_handler_event!(OnSuccess, SUCCESS, success);

impl<V, H, T, E> fmt::Debug for CallHandler<V, H, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallHandler<{}>(..)", std::any::type_name::<V>())
    }
}
