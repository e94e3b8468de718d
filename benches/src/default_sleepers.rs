//! Issue 17's "configuration users get": three failures of a zero constant wait without jitter,
//! each library with the blocking sleeper it uses when none is given (persevere's
//! `SystemClock`, backon's `std::thread::sleep`), beside a hand loop calling
//! `thread::sleep(ZERO)` and persevere with a no-op sleeper closure.

use crate::{Busy, MAX_TRIES, flaky};
use backon::{BlockingRetryable, ConstantBuilder};
use persevere::{Jitter, OnError, constant, on_error};
use std::time::Duration;

/// `on_error(constant(ZERO)).jitter(Jitter::None).max_tries(MAX_TRIES)`, default sleeper.
pub fn policy() -> OnError<persevere::Constant> {
    on_error(constant(Duration::ZERO))
        .jitter(Jitter::None)
        .max_tries(MAX_TRIES)
}

/// One call of [`policy`] with its default sleeper.
pub fn persevere_default(policy: &OnError<persevere::Constant>, fails: u32) -> Result<u32, Busy> {
    policy.retry(flaky(fails))
}

/// backon's constant zero delay, `MAX_TRIES - 1` retries, its default blocking sleeper.
pub fn backon_default(fails: u32) -> Result<u32, Busy> {
    let builder = ConstantBuilder::default()
        .with_delay(Duration::ZERO)
        .with_max_times(MAX_TRIES as usize - 1);
    flaky(fails).retry(builder).call()
}

/// The loop by hand, sleeping with `std::thread::sleep(ZERO)` between tries.
pub fn hand(fails: u32) -> Result<u32, Busy> {
    let mut op = flaky(fails);
    let mut tries = 1;
    loop {
        match op() {
            Err(_) if tries < MAX_TRIES => {
                tries += 1;
                std::thread::sleep(Duration::ZERO);
            }
            result => return result,
        }
    }
}
