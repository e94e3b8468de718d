//! Which reqwest failures are transient, and what wait a response asks for.

use crate::http::{header_wait, is_transient_status};
use crate::policy::{Fixed, OnPredicate, ServerWaitFn};
use crate::{SystemClock, on_predicate};
use reqwest::Response;
use std::time::Duration;

/// Whether a `reqwest::Error` is worth a retry: a timeout, a failed or reset connection, an
/// error while sending the request or reading the response's body (the connection closed
/// mid-way: reqwest reports a body cut short while `bytes()` or `text()` read it as a decode
/// error caused by an I/O error), or a status error
/// ([`error_for_status`](reqwest::Response::error_for_status)) with a transient status. Not: a
/// request that could not be built, a redirect loop, a body that does not decode (bad JSON),
/// an upgrade.
///
/// ```no_run
/// # async fn run(client: reqwest::Client) {
/// let error = client.get("http://127.0.0.1:9/").send().await.unwrap_err();
/// assert!(persevere::reqwest::is_transient_error(&error)); // connection refused
/// # }
/// ```
pub fn is_transient_error(error: &reqwest::Error) -> bool {
    if let Some(status) = error.status() {
        return is_transient_status(status.as_u16());
    }
    error.is_timeout()
        || error.is_connect()
        || error.is_request()
        || error.is_body()
        || (error.is_decode() && caused_by_io(error))
}

/// Whether an `io::Error` is in the error's `source()` chain (a connection that ended, not
/// content that did not parse).
fn caused_by_io(error: &reqwest::Error) -> bool {
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        if error.is::<std::io::Error>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// An error that a reqwest call can end with: `reqwest::Error`, and with the
/// `reqwest-middleware` feature `reqwest_middleware::Error` (whose middleware errors are not
/// transient).
pub trait Transient {
    /// Whether the error is worth a retry.
    fn is_transient(&self) -> bool;
}

impl Transient for reqwest::Error {
    fn is_transient(&self) -> bool {
        is_transient_error(self)
    }
}

#[cfg(feature = "reqwest-middleware")]
impl Transient for reqwest_middleware::Error {
    fn is_transient(&self) -> bool {
        match self {
            reqwest_middleware::Error::Reqwest(error) => is_transient_error(error),
            reqwest_middleware::Error::Middleware(_) => false,
        }
    }
}

/// Whether a call's outcome is worth a retry: a transient error, or a response with a
/// transient status.
pub fn is_transient<E: Transient>(outcome: &Result<Response, E>) -> bool {
    match outcome {
        Ok(response) => is_transient_status(response.status().as_u16()),
        Err(error) => error.is_transient(),
    }
}

/// The wait a call's outcome asks for: a response's `retry-after-ms`, `x-ms-retry-after-ms`,
/// `Retry-After` (seconds or a date) or `x-amz-retry-after`, read with
/// [`header_wait`](crate::http::header_wait); `None` for an error or a response without advice.
pub fn server_wait<E>(outcome: &Result<Response, E>) -> Option<Duration> {
    let response = outcome.as_ref().ok()?;
    header_wait(|name| response.headers().get(name)?.to_str().ok())
}

/// The policy [`on_transient`] makes.
pub type OnTransient<W, E = reqwest::Error> = OnPredicate<
    W,
    fn(&Result<Response, E>) -> bool,
    (
        (),
        ServerWaitFn<fn(&Result<Response, E>) -> Option<Duration>>,
    ),
    SystemClock,
    Fixed<Result<Response, E>>,
>;

/// A policy that retries transient reqwest outcomes ([`is_transient`]) and waits what the
/// server asks for ([`server_wait`]; a wait beyond
/// [`max_server_wait`](crate::Policy::max_server_wait) ends the call), over
/// `Result<Response, E>` for `E` = `reqwest::Error` (or `reqwest_middleware::Error`). Add
/// limits and other parts as to any policy. When it gives up, the call returns the last
/// outcome: the last error, or the last response (a 503, say) as it is.
///
/// ```
/// use persevere::{expo, reqwest::{on_transient, OnTransient}};
/// use std::time::Duration;
///
/// let policy: OnTransient<_> = on_transient(expo().max_value(Duration::from_secs(10)))
///     .max_tries(5)
///     .max_time(Duration::from_secs(30));
/// # let _ = policy;
/// ```
pub fn on_transient<W, E: Transient>(wait: W) -> OnTransient<W, E> {
    on_predicate(wait)
        .predicate(is_transient::<E> as fn(&Result<Response, E>) -> bool)
        .server_wait(server_wait::<E> as fn(&Result<Response, E>) -> Option<Duration>)
}
