//! What a policy's rules make of an outcome: the traits the core asks, implemented by the rules
//! of `on_error` and `on_predicate` (in `policy`) only.

use std::fmt::Debug;

mod sealed {
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// What a policy's rules make of an operation's outcome type `O`. Implemented by the rules of
/// [`on_error`](fn@crate::on_error) (for `O = Result<T, E>`) and
/// [`on_predicate`](fn@crate::on_predicate) (for any `O = T`) only.
#[diagnostic::on_unimplemented(
    message = "this policy cannot retry an operation that returns `{O}`",
    note = "an `on_error` policy retries operations that return `Result<T, E>` (with `E: Debug`); an `on_predicate` policy retries values (with `T: Debug`); parts that read a type serve only that type"
)]
pub trait Rules<O>: Sealed {
    /// The value type the handlers' [`Details`](crate::Details) carry.
    type Value;
    /// The error type the handlers' [`Details`](crate::Details) carry (`Infallible` for `on_predicate`).
    type Error;
    /// What the wait strategy and the log read from a failed outcome: the error or the value.
    type Subject: ?Sized + Debug;

    /// The value and the error of an outcome, for [`Details`](crate::Details).
    fn parts(outcome: &O) -> (Option<&Self::Value>, Option<&Self::Error>);

    /// Whether `outcome` is a success whatever the policy's filters are, told without calling
    /// any of them (an `Ok` for `on_error`); `false` where only the judgement can tell.
    #[inline(always)]
    fn plainly_succeeded(_outcome: &O) -> bool {
        false
    }
}

/// Classifies an outcome. `M` is the inferred route of the `on` filters' error chains
/// (never written). Implemented by the policies' rules only.
pub trait Judge<O, M>: Rules<O> {
    /// The verdict on one outcome.
    fn judge<'o>(&self, outcome: &'o O) -> Verdict<'o, Self::Subject>;
}

/// The rules' verdict on one outcome.
#[derive(Debug)]
pub enum Verdict<'o, X: ?Sized> {
    /// Success: return it (after `on_success`).
    Success,
    /// A failure this policy does not handle (`on`/`when` rejected it): return it at once,
    /// with no handler and no log.
    Unmatched,
    /// A retryable failure: retry it unless a limit says otherwise.
    Retry(&'o X),
    /// A failure `giveup` marks fatal: return it after `on_giveup` and the give-up log.
    GiveUp(&'o X),
}
