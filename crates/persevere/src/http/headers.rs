//! The server's wait, read from a response's headers whatever the HTTP client.

use super::{retry_after, retry_after_ms, x_amz_retry_after};
use std::time::{Duration, SystemTime};

// The headers read by `header_wait`, in the order they are tried: the millisecond headers
// first (they are more precise, and a server that sends one also sends `Retry-After` rounded
// up for older clients), then `Retry-After`, then AWS's.
const WAIT_HEADERS: [&str; 4] = [
    "retry-after-ms",
    "x-ms-retry-after-ms",
    "retry-after",
    "x-amz-retry-after",
];

/// The wait a response's headers ask for, now: [`header_wait_at`] at `SystemTime::now()`.
///
/// `header(name)` looks a header up by its lowercase name and gives its value as text, which
/// any HTTP client's header map can do, so this needs no HTTP crate:
///
/// ```
/// use persevere::http::header_wait;
/// use std::time::Duration;
///
/// let headers = [("content-type", "text/plain"), ("retry-after", "3")];
/// let wait = header_wait(|name| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v));
/// assert_eq!(wait, Some(Duration::from_secs(3)));
/// ```
///
/// With the `http` crate's `HeaderMap` (hyper, axum, reqwest, tonic):
/// `header_wait(|name| response.headers().get(name)?.to_str().ok())`.
pub fn header_wait<'h>(header: impl Fn(&str) -> Option<&'h str>) -> Option<Duration> {
    header_wait_at(header, SystemTime::now())
}

/// The wait that the first of these headers that parses asks for, in this order: `retry-after-ms` and
/// `x-ms-retry-after-ms` with [`retry_after_ms`], `retry-after` with [`retry_after`] at `now`,
/// `x-amz-retry-after` with [`x_amz_retry_after`]. A header that is absent or does not parse
/// is skipped; `None` when none gives advice.
///
/// ```
/// use persevere::http::header_wait_at;
/// use std::time::{Duration, SystemTime};
///
/// let headers = [("retry-after", "2"), ("retry-after-ms", "1500")];
/// let get = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
/// assert_eq!(header_wait_at(get, SystemTime::now()), Some(Duration::from_millis(1500)));
/// assert_eq!(header_wait_at(|_| None, SystemTime::now()), None);
/// ```
pub fn header_wait_at<'h>(
    header: impl Fn(&str) -> Option<&'h str>,
    now: SystemTime,
) -> Option<Duration> {
    let [ms, ms_azure, standard, amz] = WAIT_HEADERS;
    header(ms)
        .and_then(retry_after_ms)
        .or_else(|| header(ms_azure).and_then(retry_after_ms))
        .or_else(|| header(standard).and_then(|v| retry_after(v, now)))
        .or_else(|| header(amz).and_then(x_amz_retry_after))
}
