//! `on::<T>()`: does an error, or anything in its `source()` chain, have type `T`?
//!
//! A concrete error type is its own chain's root. `Box<dyn Error + ...>` and `anyhow::Error`
//! do not implement `Error`, so they need impls of their own; coherence forbids those beside a
//! blanket impl over `E: Error` (std could one day implement `Error` for the boxes), so each
//! route has its own marker type, and the compiler infers the one route that applies.

use std::error::Error;

/// An error whose `source()` chain [`on`](crate::Policy::on) can search. `M` is a marker that
/// tells the routes apart; it is inferred, never written.
///
/// Implemented for every `E: Error + 'static`, for `Box<dyn Error>` (also `+ Send` and
/// `+ Send + Sync`), and, with the `anyhow` feature, for `anyhow::Error`.
///
/// ```
/// use persevere::ErrorChain;
/// use std::error::Error;
///
/// let io = std::io::Error::other("disk");
/// let boxed: Box<dyn Error + Send + Sync> = Box::new(std::io::Error::other("disk"));
/// assert!(io.chain_root().is::<std::io::Error>());
/// assert!(boxed.chain_root().is::<std::io::Error>());
/// ```
pub trait ErrorChain<M> {
    /// The first error of the chain.
    fn chain_root(&self) -> &(dyn Error + 'static);
}

/// The route for types that implement `Error` themselves.
#[derive(Debug)]
pub enum ViaError {}

/// The route for boxed and `anyhow` errors, which hold an `Error` inside.
#[derive(Debug)]
pub enum ViaBox {}

impl<E: Error + 'static> ErrorChain<ViaError> for E {
    fn chain_root(&self) -> &(dyn Error + 'static) {
        self
    }
}

impl ErrorChain<ViaBox> for Box<dyn Error + 'static> {
    fn chain_root(&self) -> &(dyn Error + 'static) {
        &**self
    }
}

impl ErrorChain<ViaBox> for Box<dyn Error + Send + 'static> {
    fn chain_root(&self) -> &(dyn Error + 'static) {
        &**self
    }
}

impl ErrorChain<ViaBox> for Box<dyn Error + Send + Sync + 'static> {
    fn chain_root(&self) -> &(dyn Error + 'static) {
        &**self
    }
}

#[cfg(feature = "anyhow")]
impl ErrorChain<ViaBox> for anyhow::Error {
    fn chain_root(&self) -> &(dyn Error + 'static) {
        self.as_ref()
    }
}

/// Whether `root` or any error in its `source()` chain is a `T`.
pub(crate) fn chain_has<T: Error + 'static>(root: &(dyn Error + 'static)) -> bool {
    let mut current = Some(root);
    while let Some(error) = current {
        if error.is::<T>() {
            return true;
        }
        current = error.source();
    }
    false
}

/// The error filter of a policy without `on::<T>()`: every error passes.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyError;

/// The error filter of a policy with `on::<T>()`: the types to look for (any one suffices).
#[derive(Debug, Clone, Default)]
pub struct OnTypes(pub(crate) Vec<fn(&(dyn Error + 'static)) -> bool>);

/// Whether an error passes the policy's `on` filter. `M` is the inferred [`ErrorChain`] route.
pub trait ErrorFilter<E, M> {
    /// Whether `error` may be retried as far as `on` is concerned.
    fn accepts(&self, error: &E) -> bool;
}

impl<E> ErrorFilter<E, ()> for AnyError {
    fn accepts(&self, _error: &E) -> bool {
        true
    }
}

impl<E: ErrorChain<M>, M> ErrorFilter<E, M> for OnTypes {
    fn accepts(&self, error: &E) -> bool {
        let root = error.chain_root();
        self.0.iter().any(|has| has(root))
    }
}
