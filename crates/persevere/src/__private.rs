//! The one path by which the code that the attribute macros (`persevere-macros`) generate
//! reaches the library: the driver protocol (`attempt`, `settle`, `settle_async`,
//! `refuse_blocking`) and the helpers that give closures their types. Not a public API: names
//! and signatures may change in any release.

use crate::core::parts::{Blocking, Handlers, ServerWaits, TimeoutFor};
use crate::core::{Judge, Retrying};
use crate::wait::Wait;
use crate::{AsyncSleeper, Clock, Sleeper};
use std::future::Future;
pub use std::ops::ControlFlow;

/// A blocking function's call cannot cut an attempt short: `Some` (the timed-out error, no
/// attempt made) for a boxed policy with an attempt timeout, `None` otherwise. A policy whose
/// attempt timeout is in its type does not compile here (`Blocking`).
#[inline(always)]
pub fn refuse_blocking<R, W, P, K, O>(retrying: &Retrying<'_, R, W, P, K, O>) -> Option<O>
where
    R: crate::core::Rules<O>,
    W: Wait<R::Subject>,
    P: TimeoutFor<O>,
{
    retrying.refuse_blocking()
}

/// The blocking step after an attempt: the core decides, then sleeps and marks the next
/// attempt on a retry.
#[inline(always)]
pub fn settle<R, W, P, K, O, M>(
    retrying: &mut Retrying<'_, R, W, P, K, O>,
    outcome: O,
) -> ControlFlow<O>
where
    R: Judge<O, M>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + Blocking,
    K: Clock + Sleeper,
{
    retrying.settle(outcome)
}

/// One attempt of an `async fn`'s body, cut at the policy's attempt timeout: its outcome and
/// whether it was cut.
#[inline(always)]
pub fn attempt<'p, R, W, P, K, O, Fut>(
    retrying: &Retrying<'p, R, W, P, K, O>,
    body: Fut,
) -> impl Future<Output = (O, bool)> + 'p
where
    R: crate::core::Rules<O>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
    K: Clock + AsyncSleeper,
    Fut: Future<Output = O> + 'p,
{
    retrying.run_attempt(body)
}

/// The async step after an attempt (see [`settle`]), told whether it was cut.
#[inline(always)]
pub async fn settle_async<R, W, P, K, O, M>(
    retrying: &mut Retrying<'_, R, W, P, K, O>,
    outcome: O,
    cut: bool,
) -> ControlFlow<O>
where
    R: Judge<O, M>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject>,
    K: Clock + AsyncSleeper,
{
    retrying.settle_async(outcome, cut).await
}

/// The value and error types of a `Result`, also when the function's return type names it
/// through an alias (`io::Result<T>`, `anyhow::Result<T>`), which a macro cannot see through.
#[diagnostic::on_unimplemented(
    message = "`#[on_error]` needs a function that returns a `Result`, not `{Self}`",
    label = "not a `Result`",
    note = "use `#[on_predicate]` to retry on returned values"
)]
pub trait ResultParts {
    /// `T` of `Result<T, E>`.
    type Ok;
    /// `E` of `Result<T, E>`.
    type Err;

    /// The value as a `Result` (the identity).
    fn into_result(self) -> Result<Self::Ok, Self::Err>;

    /// The `Result` as the value (the identity).
    fn from_result(result: Result<Self::Ok, Self::Err>) -> Self;
}

impl<T, E> ResultParts for Result<T, E> {
    type Ok = T;
    type Err = E;

    fn into_result(self) -> Self {
        self
    }

    fn from_result(result: Self) -> Self {
        result
    }
}

/// Turns `clock = expr` into a clock: a clock itself, a reference to one, or anything that
/// dereferences to one (`Arc<VirtualClock>`, a `LazyLock` static) is cloned. Used with method
/// syntax so that auto-deref finds the clock.
pub trait ToClock<C> {
    /// A clone of the clock.
    fn __persevere_to_clock(&self) -> C;
}

impl<C: Clock + Clone> ToClock<C> for C {
    fn __persevere_to_clock(&self) -> C {
        self.clone()
    }
}

/// Gives a `runtime(value = |e| ...)` closure its argument type (the error for `on_error`, the
/// value for `on_predicate`), so that it needs no annotation.
pub fn subject_fn<X: ?Sized, R, F: Fn(&X) -> R>(f: F) -> F {
    f
}

/// Gives a `predicate = |v| ..` closure its argument type (`&T`, the function's return type),
/// so that it needs no annotation, and checks it where the user wrote it.
pub fn predicate<T, F>(f: F) -> F
where
    F: Fn(&T) -> bool,
{
    f
}
