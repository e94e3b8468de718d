//! Error chains: what `on::<T>()` and `on_if::<T>(..)` search. Does an error, or anything in
//! its `source()` chain, have type `T`?
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
/// use persevere::error::ErrorChain;
/// use std::error::Error;
///
/// let io = std::io::Error::other("disk");
/// let boxed: Box<dyn Error + Send + Sync> = Box::new(std::io::Error::other("disk"));
/// assert!(io.chain_root().is::<std::io::Error>());
/// assert!(boxed.chain_root().is::<std::io::Error>());
/// ```
#[diagnostic::on_unimplemented(
    message = "`on::<..>()` searches the `source()` chain of errors, and `{Self}` has none",
    label = "not an error type with a `source()` chain",
    note = "`on` works for types that implement `std::error::Error`, `Box<dyn Error + ..>` and (feature `anyhow`) `anyhow::Error`; use `.when(..)` for other error types"
)]
pub trait ErrorChain<M> {
    /// The first error of the chain.
    fn chain_root(&self) -> &(dyn Error + 'static);
}

/// The route for types that implement `Error` themselves.
#[derive(Debug)]
#[doc(hidden)]
pub enum ViaError {}

/// The route for boxed and `anyhow` errors, which hold an `Error` inside.
#[derive(Debug)]
#[doc(hidden)]
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

/// The first error of type `X` in `root`'s `source()` chain (`root` included) for which
/// `test` holds.
pub(crate) fn chain_find<X: Error + 'static>(
    root: &(dyn Error + 'static),
    test: impl Fn(&X) -> bool,
) -> bool {
    let mut current = Some(root);
    while let Some(error) = current {
        if let Some(x) = error.downcast_ref::<X>() {
            if test(x) {
                return true;
            }
        }
        current = error.source();
    }
    false
}
