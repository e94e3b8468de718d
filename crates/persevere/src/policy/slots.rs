//! Type slots: whether a policy's parts have fixed the value type `T` or the error type `E`
//! of the operations it serves.
//!
//! A part that reads a type fixes it: `.when(|e: &MyError| ..)` fixes `E` to `MyError`, a
//! handler fixes `T` and `E` to those of its [`Details`](crate::Details), `.predicate(..)` fixes
//! `T`. Parts that read no type (the strategy, jitter, limits, `on::<X>()`, name, logging,
//! seed, clock) leave both [`Unfixed`], so that one policy serves operations of any types.
//! Once fixed, a type is known to later builder calls, so their closures need no annotation.

use std::fmt;
use std::marker::PhantomData;

/// A slot that no part has fixed: any type is served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unfixed;

/// A slot fixed to `X` by a part that reads it.
pub struct Fixed<X: ?Sized>(PhantomData<fn() -> X>);

impl<X: ?Sized> Clone for Fixed<X> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X: ?Sized> Copy for Fixed<X> {}

impl<X: ?Sized> fmt::Debug for Fixed<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fixed<{}>", std::any::type_name::<X>())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Unfixed {}
    impl<X: ?Sized> Sealed for super::Fixed<X> {}
}

/// A type slot: [`Unfixed`] or [`Fixed`].
pub trait Slot: sealed::Sealed {}
impl Slot for Unfixed {}
impl<X: ?Sized> Slot for Fixed<X> {}

/// Whether a slot serves operations of type `X`: an unfixed slot serves any, a fixed one only
/// its own.
#[diagnostic::on_unimplemented(
    message = "this policy's parts read `{Self}`, but the operation gives `{X}`",
    label = "the operation's type differs from the one the policy was built for",
    note = "`.when`, `.giveup`, `.predicate` and handlers fix the types they read; a policy without such parts serves operations of any type"
)]
pub trait Admits<X: ?Sized>: Slot {}
impl<X: ?Sized> Admits<X> for Unfixed {}
impl<X: ?Sized> Admits<X> for Fixed<X> {}

/// Fixing a slot to `X`: an unfixed slot becomes `Fixed<X>`; a fixed one must already be
/// `Fixed<X>`. Because a fixed slot has one impl, the compiler learns `X` from it, which is what
/// lets later closures go unannotated.
pub trait FixWith<X: ?Sized>: Slot {
    /// The slot once fixed.
    type Out: Slot;
}
impl<X: ?Sized> FixWith<X> for Unfixed {
    type Out = Fixed<X>;
}
impl<X: ?Sized> FixWith<X> for Fixed<X> {
    type Out = Fixed<X>;
}
