//! `TimedOut`: the error of an attempt cut at its timeout.

use std::fmt;
use std::time::Duration;

/// An attempt that did not answer within the policy's
/// [`attempt_timeout`](crate::Policy::attempt_timeout) (cut to the time left before `max_time`):
/// the attempt was dropped, and the policy treats it as a failure of cause
/// [`Timeout`](crate::budget::RetryCause::Timeout). The operation's error type holds it through
/// `From<TimedOut>`, required only of policies with an attempt timeout.
///
/// ```
/// use persevere::TimedOut;
///
/// #[derive(Debug)]
/// enum FetchError { Timeout(TimedOut), Http(u16) }
/// impl From<TimedOut> for FetchError {
///     fn from(t: TimedOut) -> Self { FetchError::Timeout(t) }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimedOut {
    pub(crate) after: Duration,
}

impl TimedOut {
    /// How long the attempt ran before it was cut.
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "attempt timed out after {:?}", self.after)
    }
}

impl std::error::Error for TimedOut {}
