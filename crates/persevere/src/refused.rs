//! `Refused`: the error of an attempt a guard refused before it started.

use crate::GiveUpReason;
use std::fmt;

/// An attempt that a [`gate`](crate::Policy::gate) refused before it started: a
/// [`CircuitBreaker`](crate::breaker::CircuitBreaker) was open
/// ([`GiveUpReason::CircuitOpen`]) or an [`AdaptiveThrottle`](crate::budget::AdaptiveThrottle)
/// rejected it ([`GiveUpReason::Throttled`]). The operation was not called. When the call's
/// first attempt is refused there is no failure to return, so the operation's error type holds
/// this one through `From<Refused>`, required only of policies with a gate. A refused retry
/// ends the call with its last failure instead (and the reason in `on_giveup`).
///
/// ```
/// use persevere::{GiveUpReason, Refused};
///
/// #[derive(Debug)]
/// enum FetchError { Refused(GiveUpReason), Http(u16) }
/// impl From<Refused> for FetchError {
///     fn from(r: Refused) -> Self { FetchError::Refused(r.reason()) }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Refused {
    pub(crate) reason: GiveUpReason,
}

impl Refused {
    /// Why: [`GiveUpReason::CircuitOpen`] or [`GiveUpReason::Throttled`] (or
    /// [`GiveUpReason::Budget`] for a budget of one's own that refuses first attempts).
    pub fn reason(&self) -> GiveUpReason {
        self.reason
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            GiveUpReason::CircuitOpen => {
                f.write_str("attempt refused: the circuit breaker is open")
            }
            GiveUpReason::Throttled => f.write_str("attempt refused: throttled"),
            reason => write!(f, "attempt refused ({reason})"),
        }
    }
}

impl std::error::Error for Refused {}
