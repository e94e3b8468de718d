//! The error filters of an [`on_error`](fn@crate::on_error) policy: `on`, `on_if`, `when` and
//! `giveup`, kept as a list of parts (`()` for none, `(earlier, last)` for more), so that a
//! filter may borrow local state and costs nothing when absent.
//!
//! The rule, from design.md §3: an error is retried iff (no `on`/`on_if` is given, or one
//! matches) and every `when` holds and no `giveup` holds.

use crate::error::{ErrorChain, chain_find};
use std::error::Error;
use std::fmt;
use std::marker::PhantomData;

/// What an error filter part says about one error. Implemented by `()`, by pairs of filters,
/// and by the parts that [`on`](crate::Policy::on), [`on_if`](crate::Policy::on_if),
/// [`when`](crate::Policy::when) and [`giveup`](crate::Policy::giveup) add. `M` is the inferred
/// route of [`ErrorChain`] for `on` parts (never written).
#[diagnostic::on_unimplemented(
    message = "the error filters of this policy cannot judge errors of type `{E}`",
    note = "`.when(..)` and `.giveup(..)` closures fix the error type they read; `.on::<T>()` needs an error type with a `source()` chain"
)]
pub trait ErrorFilter<E, M> {
    /// Whether the list holds an `on` or `on_if` part (then one of them must match).
    const HAS_ON: bool;

    /// Whether an `on` or `on_if` part matches `error`.
    fn on_matches(&self, error: &E) -> bool;

    /// Whether every `when` holds for `error`.
    fn when_holds(&self, error: &E) -> bool;

    /// Whether a `giveup` holds for `error`.
    fn gives_up(&self, error: &E) -> bool;
}

impl<E> ErrorFilter<E, ()> for () {
    const HAS_ON: bool = false;

    #[inline]
    fn on_matches(&self, _: &E) -> bool {
        false
    }

    #[inline]
    fn when_holds(&self, _: &E) -> bool {
        true
    }

    #[inline]
    fn gives_up(&self, _: &E) -> bool {
        false
    }
}

impl<E, A, B, MA, MB> ErrorFilter<E, (MA, MB)> for (A, B)
where
    A: ErrorFilter<E, MA>,
    B: ErrorFilter<E, MB>,
{
    const HAS_ON: bool = A::HAS_ON || B::HAS_ON;

    #[inline]
    fn on_matches(&self, error: &E) -> bool {
        self.0.on_matches(error) || self.1.on_matches(error)
    }

    #[inline]
    fn when_holds(&self, error: &E) -> bool {
        self.0.when_holds(error) && self.1.when_holds(error)
    }

    #[inline]
    fn gives_up(&self, error: &E) -> bool {
        self.0.gives_up(error) || self.1.gives_up(error)
    }
}

/// The part added by [`on::<X>()`](crate::Policy::on): the error, or one in its chain, is an `X`.
pub struct On<X>(PhantomData<fn() -> X>);

impl<X> On<X> {
    pub(crate) fn new() -> Self {
        On(PhantomData)
    }
}

impl<E, M, X> ErrorFilter<E, M> for On<X>
where
    E: ErrorChain<M>,
    X: Error + 'static,
{
    const HAS_ON: bool = true;

    #[inline]
    fn on_matches(&self, error: &E) -> bool {
        chain_find::<X>(error.chain_root(), |_| true)
    }

    fn when_holds(&self, _: &E) -> bool {
        true
    }

    fn gives_up(&self, _: &E) -> bool {
        false
    }
}

/// The part added by [`on_if::<X>(test)`](crate::Policy::on_if): an `X` in the chain for which
/// `test` holds.
pub struct OnIf<X, F> {
    test: F,
    kind: PhantomData<fn() -> X>,
}

impl<X, F> OnIf<X, F> {
    pub(crate) fn new(test: F) -> Self {
        OnIf {
            test,
            kind: PhantomData,
        }
    }
}

impl<E, M, X, F> ErrorFilter<E, M> for OnIf<X, F>
where
    E: ErrorChain<M>,
    X: Error + 'static,
    F: Fn(&X) -> bool,
{
    const HAS_ON: bool = true;

    #[inline]
    fn on_matches(&self, error: &E) -> bool {
        chain_find::<X>(error.chain_root(), &self.test)
    }

    fn when_holds(&self, _: &E) -> bool {
        true
    }

    fn gives_up(&self, _: &E) -> bool {
        false
    }
}

/// The part added by [`when(test)`](crate::Policy::when).
#[derive(Clone, Copy)]
pub struct When<F>(pub(crate) F);

impl<E, F: Fn(&E) -> bool> ErrorFilter<E, ()> for When<F> {
    const HAS_ON: bool = false;

    fn on_matches(&self, _: &E) -> bool {
        false
    }

    #[inline]
    fn when_holds(&self, error: &E) -> bool {
        (self.0)(error)
    }

    fn gives_up(&self, _: &E) -> bool {
        false
    }
}

/// The part added by [`giveup(test)`](crate::Policy::giveup).
#[derive(Clone, Copy)]
pub struct Giveup<F>(pub(crate) F);

impl<E, F: Fn(&E) -> bool> ErrorFilter<E, ()> for Giveup<F> {
    const HAS_ON: bool = false;

    fn on_matches(&self, _: &E) -> bool {
        false
    }

    fn when_holds(&self, _: &E) -> bool {
        true
    }

    #[inline]
    fn gives_up(&self, error: &E) -> bool {
        (self.0)(error)
    }
}

// Manual impls: `X` is a marker, so neither needs `X: Clone` or `X: Debug`.
impl<X> Clone for On<X> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X> Copy for On<X> {}

impl<X, F: Clone> Clone for OnIf<X, F> {
    fn clone(&self) -> Self {
        OnIf::new(self.test.clone())
    }
}

impl<X> fmt::Debug for On<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "On<{}>", std::any::type_name::<X>())
    }
}

impl<X, F> fmt::Debug for OnIf<X, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OnIf<{}>(..)", std::any::type_name::<X>())
    }
}

impl<F> fmt::Debug for When<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("When(..)")
    }
}

impl<F> fmt::Debug for Giveup<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Giveup(..)")
    }
}
