//! Retrying reqwest calls (feature `reqwest`): classifiers of `reqwest`'s errors and
//! responses, a ready-made policy, and a `send` that clones the request for each attempt.
//!
//! One line retries a request correctly: transient failures only (refused or reset
//! connections, timeouts, and the statuses of [`is_transient_status`]: 408, 429, 500, 502,
//! 503, 504), waiting what the server asks for (`Retry-After` and the other headers of
//! [`header_wait`]), idempotent methods only:
//!
//! ```no_run
//! use persevere::{expo, reqwest::{on_transient, send}};
//!
//! # async fn run(client: reqwest::Client) -> Result<(), reqwest::Error> {
//! let policy = on_transient(expo()).max_tries(5);
//! let response = send(&policy, client.get("http://127.0.0.1:8080/report")).await?;
//! # let _ = response; Ok(()) }
//! ```
//!
//! - [`on_transient(wait)`](on_transient) is `on_predicate(wait)` with [`is_transient`] as its
//!   predicate and [`server_wait`] as its server wait, over `Result<Response, E>`: a policy
//!   like any other (add `max_tries`, `max_time`, a budget, handlers, metrics). It serves
//!   `reqwest::Error` and, with the `reqwest-middleware` feature, `reqwest_middleware::Error`.
//! - [`send(&policy, request)`](send) builds the request and retries it with any policy over
//!   `Result<Response, reqwest::Error>`. A request that cannot be sent twice is sent once and
//!   not retried: one with a **streaming body** (`Body::wrap_stream`), which was consumed by
//!   the first attempt, and one with a method that is not idempotent (`POST`, `PATCH`: RFC 9110
//!   says a client should not repeat them on its own). To retry a `POST` that you know is
//!   idempotent (it carries an idempotency key), retry the closure yourself:
//!   `policy.retry_async(|| client.post(url).body(body.clone()).send())`.
//! - [`RetryMiddleware`] (feature `reqwest-middleware`) does the same inside a
//!   `reqwest_middleware::ClientWithMiddleware`.
//! - To retry a whole download, body included, retry a closure that sends and reads: a body
//!   cut short is an error for which [`is_transient_error`] holds.
//!
//! An attempt timeout needs an error type that can hold [`TimedOut`](crate::TimedOut), which
//! `reqwest::Error` cannot: use reqwest's own `timeout` per request (a timed-out request is
//! transient) and the policy's `max_time` for the whole call.
//!
//! [`is_transient_status`]: crate::http::is_transient_status
//! [`header_wait`]: crate::http::header_wait

mod classify;
#[cfg(feature = "reqwest-middleware")]
mod middleware;
mod send;

pub use classify::{
    OnTransient, Transient, is_transient, is_transient_error, on_transient, server_wait,
};
#[cfg(feature = "reqwest-middleware")]
pub use middleware::RetryMiddleware;
pub use send::{is_retryable_request, send};
