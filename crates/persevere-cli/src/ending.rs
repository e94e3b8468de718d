//! Why a run gave up: the `reason` of the give-up message and of the report's `giveup` event.

use crate::signame;
use std::fmt;

/// Why no further attempt was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// persevere received this signal (during an attempt, which it passed it on to, or during
    /// a wait).
    Signal(i32),
}

impl GiveUpReason {
    /// The report's `reason`.
    pub fn key(self) -> &'static str {
        match self {
            GiveUpReason::Signal(_) => "signal",
        }
    }

    /// The signal persevere received, for the report's `received_signal`.
    pub fn received_signal(self) -> Option<i32> {
        match self {
            GiveUpReason::Signal(signal) => Some(signal),
        }
    }
}

/// The words after the give-up message: `got SIGTERM`.
impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GiveUpReason::Signal(signal) => write!(f, "got {}", signame::name(*signal)),
        }
    }
}
