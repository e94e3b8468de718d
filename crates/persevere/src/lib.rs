//! Retry with exponential backoff and jitter: Python's `backoff`, done in Rust.
//!
//! A **policy** says how to retry; the code that fails stays as it is.
//!
//! ```
//! use persevere::{on_error, expo};
//! # fn read_line() -> String { "7".into() }
//!
//! // Python: @backoff.on_exception(backoff.expo, ValueError, max_tries=3)
//! let n = on_error(expo()).max_tries(3).retry(|| read_line().parse::<i64>());
//! # assert_eq!(n, Ok(7));
//! ```
//!
//! A policy is a wait strategy ([`expo`], [`fibo`], [`constant`], [`intervals`], [`linear`],
//! [`decay`], [`decorrelated`], [`runtime`], or any `Iterator<Item = Duration> + Clone`), a
//! [`Jitter`], limits (`max_tries`, `max_time`), which outcomes are retried, and handlers.
//!
//! - [`on_error`](fn@on_error) retries `Err` (Python's `on_exception`);
//!   [`on_predicate`](fn@on_predicate) retries returned values (Python's `on_predicate`).
//! - Drivers: [`Policy::retry`] (blocking), [`Policy::retry_async`] (spawnable),
//!   [`Policy::retry_async_mut`] (`AsyncFnMut`), [`Policy::retry_with`] and
//!   [`Policy::retry_async_with`] (the operation sees its [`Attempt`]: number and time left),
//!   and the code-block form [`Policy::begin`].
//! - One policy serves many operations: parts that read no type (strategy, limits,
//!   `on::<T>()`, clock, ...) leave it free to retry functions of any value and error types,
//!   from a `static` or an `Arc` (see [`Policy`] for which parts fix which types). Handlers and
//!   filters may borrow local state.
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
//!
//! # Features
//!
//! | feature | default | pulls in | gives |
//! |---|---|---|---|
//! | `tokio` | yes | `tokio` (`time`; `rt` for the debug-build warning about blocking retries on a worker thread) | async sleeps and the paused-time-aware clock of [`SystemClock`]; [`time::TokioSleeper`] |
//! | `macros` | yes | `persevere-macros` | `#[on_error]`, `#[on_predicate]`, `#[retry]` |
//! | `async-io` | no | `async-io` | [`time::AsyncIoSleeper`] for smol and other `async-io` runtimes |
//! | `anyhow` | no | `anyhow` | `on::<T>()` looks through `anyhow::Error` |
//! | `http` | no | nothing | [`http`]: Retry-After and the other server-wait parsers, status and method classifiers |
//! | `config` | no | `toml`, `serde_json` | [`config`](mod@config): policies from TOML or JSON files (the command's option names as keys), gRPC service config and AWS retry settings |
//! | `metrics` | no | `metrics` (the facade) | [`Policy::metrics`]: attempts, retries, give-ups by reason, budget refusals, attempt durations ([`metrics`](mod@metrics)) |
//! | `tower` | no | `tower-service`, `tower-layer` (the traits `tower` re-exports) | [`tower::RetryLayer`] and the [`tower::Retry`] service, for any service whose request is `Clone` |
//! | `reqwest` | no | `reqwest` (no default features: no TLS, no HTTP/2), and `http` above | [`reqwest`](mod@reqwest): transient errors and responses, server waits, [`reqwest::on_transient`], [`reqwest::send`] |
//! | `tonic` | no | `tonic` (no default features: no transport, no codegen), and `tower` and `http` above | [`Policy::grpc_codes`]: gRPC's retryable codes and `grpc-retry-pushback-ms` on `tonic::Status`; [`tonic::GrpcRetry`], a channel that retries |
//! | `reqwest-middleware` | no | `reqwest-middleware`, `http` (the crate), and `reqwest` above | [`reqwest::RetryMiddleware`] |
//!
//! A default build pulls in none of the integrations (`http` and below). Without the `metrics`
//! part, a policy pays nothing for the metrics: a call keeps no attempt start and reads no
//! clock for them. PostgreSQL needs no feature: `tokio-postgres`'s errors are classified in
//! the examples (`examples/src/pg_retry.rs`). The wait strategies and jitter build without
//! `std` in the `persevere-wait` crate.
//!
//! # Every builder method
//!
//! The contract's example, as written (the setup lines are hidden):
//!
//! ```
//! # use persevere::{AsyncSleeper, Level, Sleeper};
//! # use std::time::Duration;
//! # #[derive(Debug)] struct MyError;
//! # impl std::fmt::Display for MyError {
//! #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("e") }
//! # }
//! # impl std::error::Error for MyError {}
//! # impl MyError {
//! #     fn retry_after(&self) -> Option<Duration> { None }
//! #     fn is_transient(&self) -> bool { true }
//! #     fn is_fatal(&self) -> bool { false }
//! # }
//! # fn fetch() -> Result<u32, MyError> { Ok(1) }
//! # struct Client; impl Client { async fn fetch(&self) -> Result<u32, MyError> { Ok(2) } }
//! # struct Conn(u32); impl Conn { async fn query(&mut self) -> Result<u32, MyError> { self.0 += 1; Ok(self.0) } }
//! # #[derive(Debug)] struct Msg;
//! # struct Queue; impl Queue { fn poll(&self) -> Option<Msg> { Some(Msg) } }
//! # #[derive(Clone)] struct MySleeper;
//! # impl Sleeper for MySleeper { fn sleep(&self, _: Duration) {} }
//! # impl AsyncSleeper for MySleeper {
//! #     type Sleep = std::future::Ready<()>;
//! #     fn sleep_async(&self, _: Duration) -> Self::Sleep { std::future::ready(()) }
//! # }
//! # let my_sleeper = MySleeper; let client = Client; let mut conn = Conn(0); let queue = Queue;
//! # futures_lite::future::block_on(async {
//! use persevere::{on_error, on_predicate, expo, fibo, constant, intervals, linear, decay,
//!                 runtime, decorrelated, Jitter};
//! use std::time::Duration;
//!
//! // Wait strategies.
//! expo()                                   // factor * base^n: 1s, 2s, 4s, ... (base 2, factor 1s)
//!     .base(3.0).factor(Duration::from_millis(100)).max_value(Duration::from_secs(60));
//! fibo().factor(Duration::from_secs(1)).max_value(Duration::from_secs(13)); // 1,1,2,3,5,8,13,13..
//! constant(Duration::from_secs(1));        // forever
//! intervals([1, 2, 3].map(Duration::from_secs)); // finite: when exhausted, give up
//! linear(Duration::from_secs(1), Duration::from_secs(2)).max_value(Duration::from_secs(9));
//! decay(Duration::from_secs(100), 3.0).min_value(Duration::from_secs(5)); // initial*e^(-rate*t)
//! decorrelated(Duration::from_millis(5), Duration::from_secs(2)); // AWS: min(cap, U(base, 3*prev))
//! runtime(|e: &MyError| e.retry_after());  // wait chosen from the last error/value (Retry-After)
//!
//! // Retry on errors (Python on_exception). The closure returns Result<T, E>; so does the call.
//! let policy = on_error(expo())
//!     .max_tries(5)                        // total attempts, including the first
//!     .max_time(Duration::from_secs(60))   // deadline for the whole call
//!     .jitter(Jitter::Full)                // None, Equal, Random, Proportional(f)
//!     .when(|e: &MyError| e.is_transient())   // which errors are retried (default: all)
//!     .on::<std::io::Error>()              // errors that are, or are caused by, an io::Error
//!     .giveup(|e: &MyError| e.is_fatal())  // Python giveup: stop at once
//!     .on_backoff(|d| eprintln!("try {} failed, sleeping {:?}", d.tries(), d.wait()))
//!     .on_giveup(|d| eprintln!("gave up after {} tries", d.tries()))
//!     .on_success(|d| eprintln!("done after {} tries", d.tries()))
//!     .name("fetch_inventory")             // the target name used in logs
//!     .seed(42)                            // reproducible jitter
//!     .sleeper(my_sleeper)                 // a user's own sleeper (blocking and/or async)
//!     .log_levels(Level::DEBUG, Level::WARN); // or .no_log()
//!
//! let v = policy.retry(|| fetch());                        // blocking: FnMut() -> Result<T, E>
//! # assert!(matches!(v, Ok(1)));
//! let v = policy.retry_async(|| client.fetch()).await;     // async: FnMut() -> impl Future
//! # assert!(matches!(v, Ok(2)));
//! let v = policy.retry_async_mut(async || conn.query().await).await; // AsyncFnMut
//! # assert!(matches!(v, Ok(1)));
//!
//! // Retry on returned values (Python on_predicate). The closure returns V; so does the call.
//! let msg: Option<Msg> = on_predicate(fibo().max_value(Duration::from_secs(13)))
//!     .predicate(|m: &Option<Msg>| m.is_none())   // default: retry while the value is Falsy
//!     .retry(|| queue.poll());
//! # assert!(msg.is_some());
//! # });
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The policy module first: rustdoc lists `Policy`'s methods in module order, and the builder
// methods should lead. Its public names are re-exported at the root (`persevere::OnError`); the
// module itself holds the plumbing that the policy's type parameters name.
#[doc(hidden)]
pub mod policy;

#[doc(hidden)]
pub mod __private;
mod attempt;
mod boxed;
pub mod breaker;
pub mod budget;
mod call;
#[cfg(feature = "config")]
pub mod config;
mod core;
mod details;
mod drivers;
// `ErrorChain`, the bound of `on::<T>()`: named in its error messages, implemented by the
// library for every error type a user has; not a name users write.
#[doc(hidden)]
pub mod error;
mod falsy;
mod hedge;
#[cfg(feature = "http")]
pub mod http;
mod log;
#[cfg(feature = "metrics")]
pub mod metrics;
mod refused;
#[cfg(feature = "reqwest")]
pub mod reqwest;
mod spans;
pub mod testing;
pub mod time;
mod timed_out;
mod timeline;
#[cfg(feature = "tonic")]
pub mod tonic;
#[cfg(feature = "tower")]
pub mod tower;
pub mod wait;

pub use crate::core::{Next, Retrying};
pub use attempt::Attempt;
pub use boxed::{BoxedOnError, BoxedOnPredicate};
pub use call::Call;
pub use details::{Details, GiveUpReason};
pub use falsy::Falsy;
pub use hedge::Hedged;
pub use persevere_wait::{
    Constant, Decay, Decorrelated, Expo, Fibo, Intervals, Jitter, Linear, Rng, Runtime, constant,
    decay, decorrelated, expo, fibo, intervals, linear, runtime,
};
pub use policy::{OnError, OnPredicate, Policy, on_error, on_predicate};
pub use refused::Refused;
#[allow(deprecated)]
pub use time::DefaultSleeper;
pub use timed_out::TimedOut;
pub use timeline::{AsyncSleeper, Clock, Sleeper, SystemClock};
pub use tracing::Level;

#[cfg(feature = "macros")]
pub use persevere_macros::{on_error, on_predicate, retry};
