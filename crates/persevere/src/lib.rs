//! Retry with exponential backoff and jitter: Python's `backoff`, done in Rust.
//!
//! A **policy** says how to retry: a wait strategy ([`expo`], [`fibo`], [`constant`],
//! [`intervals`], [`linear`], [`decay`], [`decorrelated`], [`runtime`], or any
//! `Iterator<Item = Duration> + Clone`), a [`Jitter`], limits (`max_tries`, `max_time`), which
//! outcomes are retried, and handlers. The code that fails stays as it is.
//!
//! ```
//! use persevere::{on_error, expo, testing::VirtualClock};
//! use std::time::Duration;
//!
//! let clock = VirtualClock::new(); // real code leaves this out and really sleeps
//! let mut answers = ["x", "y", "7"].into_iter();
//! let n = on_error(expo().max_value(Duration::from_secs(60)))
//!     .max_tries(3)
//!     .clock(clock.clone())
//!     .retry(|| answers.next().unwrap().parse::<i64>());
//! assert_eq!(n, Ok(7));
//! assert_eq!(clock.sleeps().len(), 2);
//! ```
//!
//! - [`on_error`](fn@on_error) retries `Err` (Python's `on_exception`);
//!   [`on_predicate`](fn@on_predicate) retries returned values (Python's `on_predicate`).
//! - Drivers: [`Policy::retry`] (blocking), [`Policy::retry_async`] (spawnable),
//!   [`Policy::retry_async_mut`] (`AsyncFnMut`), and the code-block form [`Policy::begin`].
//! - Attribute macros (feature `macros`, on by default) put a policy on a function, as Python's
//!   decorators do: `#[persevere::on_error(expo, max_tries = 3)]`,
//!   `#[persevere::on_predicate(fibo(max_value = 13))]`, `#[persevere::retry(policy())]`. They
//!   share their names with the functions [`on_error`](fn@on_error) and
//!   [`on_predicate`](fn@on_predicate) (macros and functions live in different namespaces); see
//!   the `persevere-macros` crate for their keys.
//! - [`testing::VirtualClock`] runs every rule on virtual time.
//! - Logging goes through `tracing` with Python's messages ("Backing off f(...) for 0.4s (err)"
//!   at INFO, "Giving up f(...) after 3 tries (err)" at ERROR), target `persevere`.
//!
//! The semantics where Python and its peers differ are in `docs/semantics.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
mod clock;
mod core;
mod details;
mod drivers;
mod error_chain;
mod falsy;
mod jitter;
mod limits;
mod log;
mod policy;
mod rng;
mod saturating;
mod sleep;
pub mod testing;
mod wait;

pub use crate::core::{Judge, Next, Retrying, Rules, Verdict};
pub use clock::{Clock, SystemClock};
pub use details::Details;
pub use error_chain::{AnyError, ErrorChain, ErrorFilter, OnTypes, ViaBox, ViaError};
pub use falsy::Falsy;
pub use jitter::{CustomJitter, Jitter};
pub use limits::{IntoMaxTime, IntoMaxTries, MaxTime, MaxTries};
pub use policy::{
    ErrorRules, OnError, OnPredicate, Policy, PredicateRules, RetryValue, WhileFalsy, on_error,
    on_predicate,
};
pub use rng::Rng;
#[cfg(feature = "tokio")]
pub use sleep::TokioSleeper;
#[cfg(feature = "async-io")]
pub use sleep::{AsyncIoSleep, AsyncIoSleeper};
pub use sleep::{AsyncSleeper, DefaultSleeper, Sleeper, ThreadSleeper};
pub use tracing::Level;
pub use wait::{
    Constant, Decay, Decorrelated, Delay, Expo, Fibo, Intervals, Linear, NoFallback, Runtime,
    RuntimeWait, Wait, constant, decay, decorrelated, expo, fibo, intervals, linear, runtime,
};

#[cfg(feature = "macros")]
pub use persevere_macros::{on_error, on_predicate, retry};
