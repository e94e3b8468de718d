//! Helpers for the code that the attribute macros (`persevere-macros`) generate. Not a public
//! API: names and signatures may change in any release.

use crate::Clock;

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
