//! How a decorator measures time, and the lazy start of a call.
//!
//! backoff reads the clock when a call starts and before each attempt. On the success path
//! nothing reads those numbers unless something observes the call: a budget (which counts the
//! success), `on_success` handlers (given `elapsed`), callables for `max_tries`/`max_time` or
//! a user's generator function (which backoff calls at the start of every call), or a test's
//! replacement of `datetime.datetime` (which sees the reads). Without any of them, a call may
//! start lazily: Python takes one cheap reading (a stamp) before the first attempt and builds
//! the core's call only when that attempt fails, from the stamp, with the numbers it would
//! have had.

use crate::clock::{self, PyClock, Source};
use std::time::Instant;

/// How a decorator measures time.
#[derive(Clone, Copy)]
pub struct Timing {
    pub clock: PyClock,
    /// backoff's rule: the core decides with the time read before the attempt.
    pub latched: bool,
}

impl Timing {
    pub fn new(monotonic: bool, measure_after_attempt: bool) -> Self {
        let source = if monotonic {
            Source::Monotonic
        } else {
            Source::Datetime
        };
        Timing {
            clock: PyClock { source },
            latched: !measure_after_attempt,
        }
    }

    /// The reading before an attempt, when the core is to decide with it.
    pub fn before_attempt(&self) -> Option<Instant> {
        self.latched.then(|| self.clock.read())
    }

    /// A stamp for a lazy start: nanoseconds on the clock's timeline, or `None` when this call
    /// must start eagerly (its clock is a replaced `datetime.datetime`, whose reads are seen).
    pub fn stamp(&self) -> Option<u64> {
        self.clock.read_unobserved().map(clock::to_stamp)
    }
}

/// Whether calls through a policy may start lazily (see the module's comment); the Python side
/// adds its own conditions (no callable `max_tries`/`max_time`).
pub fn may_start_lazily(
    timing: Timing,
    user_generator: bool,
    budget: bool,
    success_handlers: bool,
) -> bool {
    timing.latched && !user_generator && !budget && !success_handlers
}
