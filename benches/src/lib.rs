//! persevere's speed against a hand-written loop and its peers: the scenarios shared by the
//! criterion benches (`benches/retry.rs`), the instruction counts (`bin/calls.rs`), the future
//! sizes (`bin/future_sizes.rs`), the many-tasks run (`bin/many_tasks.rs`) and the allocation
//! counts.
//!
//! Every implementation of a scenario does the same work: the same operation (fails `fails`
//! times, then returns `Ok(7)`), at most [`MAX_TRIES`] attempts, exponential waits from 1 s
//! doubling, the same jitter, and a zero-length sleeper.
//!
//! ```
//! use persevere_benches::{hand, with_persevere, Busy};
//! use persevere::Jitter;
//!
//! let policy = with_persevere::policy(Jitter::Full, None);
//! assert_eq!(with_persevere::call(&policy, 3), Ok(7));
//! assert_eq!(hand::call(3, &Jitter::Full, None), Ok(7));
//! assert_eq!(with_persevere::call(&policy, 5), Err(Busy));
//! ```

#![deny(unsafe_code)] // allowed only in `alloc_count`, which forwards to `System`
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod alloc_count;
pub mod allocations;
pub mod default_sleepers;
pub mod hand;
pub mod on_backon;
pub mod on_retry_crate;
pub mod on_tokio_retry;
pub mod poll;
pub mod with_persevere;

use std::future::{Ready, ready};
use std::hint::black_box;
use std::time::Duration;

/// Attempts per call, the first included (backon and the iterator crates count 4 retries).
pub const MAX_TRIES: u32 = 5;
/// The failures before success in the failure scenarios.
pub const FAILS: u32 = 3;
/// The `max_time` of the scenarios that set one.
pub const MAX_TIME: Duration = Duration::from_secs(60);
/// The first wait; each later one doubles.
pub const FIRST_WAIT: Duration = Duration::from_secs(1);

/// The operation's error: zero-sized, so that no implementation allocates for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// A policy with a gate refuses an attempt by returning this error (never, in the benches).
impl From<persevere::Refused> for Busy {
    fn from(_: persevere::Refused) -> Self {
        Busy
    }
}

/// An operation that fails `fails` times, then returns `Ok(7)`.
pub fn flaky(fails: u32) -> impl FnMut() -> Result<u32, Busy> {
    let mut left = black_box(fails);
    move || {
        if left > 0 {
            left -= 1;
            Err(Busy)
        } else {
            Ok(7)
        }
    }
}

/// [`flaky`] as an async operation whose futures are ready at once.
pub fn flaky_async(fails: u32) -> impl FnMut() -> Ready<Result<u32, Busy>> {
    let mut op = flaky(fails);
    move || ready(op())
}

/// A sleeper that returns at once, blocking and async: the benches measure the retry
/// machinery, not the sleep.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroSleeper;

impl persevere::Sleeper for ZeroSleeper {
    fn sleep(&self, duration: Duration) {
        black_box(duration);
    }
}

impl persevere::AsyncSleeper for ZeroSleeper {
    type Sleep = Ready<()>;

    fn sleep_async(&self, duration: Duration) -> Ready<()> {
        black_box(duration);
        ready(())
    }
}
