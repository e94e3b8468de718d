//! HTTP helpers for retrying (feature `http`; no HTTP client needed): parsers for the headers
//! in which servers say how long to wait, and classifiers of statuses and methods, to combine
//! in a policy's predicates and server waits.
//!
//! | header | parser | `None` or refusal when |
//! |---|---|---|
//! | `Retry-After` (RFC 9110) | [`retry_after`]: delay-seconds or any of the three HTTP-date forms | malformed, empty, signed or fractional seconds, impossible date |
//! | `retry-after-ms`, `x-ms-retry-after-ms` | [`header_wait`]: milliseconds, fractions honoured | malformed, empty, signed |
//! | `x-amz-retry-after` (AWS) | [`header_wait`]: whole milliseconds | malformed, empty, signed, fractional |
//! | `grpc-retry-pushback-ms` (gRPC) | [`grpc_retry_pushback_ms`]: a [`Pushback`] | negative or unparseable: [`Pushback::DoNotRetry`] |
//!
//! [`header_wait`] reads them all from a response's headers, whatever the HTTP client.
//!
//! Every parser ignores spaces and tabs around the value, saturates instead of overflowing,
//! and never panics, whatever the input. `None` means "no advice": the policy keeps its own
//! backoff.
//!
//! ```
//! use persevere::http::{is_idempotent_method, is_transient_status, retry_after};
//! use std::time::{Duration, SystemTime};
//!
//! // A response as an HTTP client would give it.
//! struct Response { status: u16, retry_after: Option<&'static str> }
//!
//! fn should_retry(method: &str, r: &Response) -> bool {
//!     is_idempotent_method(method) && is_transient_status(r.status)
//! }
//! fn server_wait(r: &Response) -> Option<Duration> {
//!     retry_after(r.retry_after?, SystemTime::now())
//! }
//!
//! let busy = Response { status: 503, retry_after: Some("2") };
//! assert!(should_retry("GET", &busy));
//! assert!(!should_retry("POST", &busy));
//! assert_eq!(server_wait(&busy), Some(Duration::from_secs(2)));
//! ```

mod classify;
mod date;
mod headers;
mod millis;
mod numbers;
mod retry_after;

pub use classify::{is_idempotent_method, is_transient_status};
pub use headers::header_wait;
pub use millis::{Pushback, grpc_retry_pushback_ms};
use millis::{retry_after_ms, x_amz_retry_after};
pub use retry_after::retry_after;
