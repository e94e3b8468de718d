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

/// The wait a response's headers ask for, now: the first of these headers that parses, in this
/// order: `retry-after-ms` and `x-ms-retry-after-ms` (milliseconds, fractions honoured: `1.5`
/// is 1.5 ms), `retry-after` (seconds or an HTTP date, with [`retry_after`](super::retry_after)),
/// `x-amz-retry-after` (whole milliseconds). The millisecond headers come first: they are more
/// precise, and a server that sends one also sends `Retry-After` rounded up for older clients.
/// A header that is absent or does not parse (a sign, an exponent, text) is skipped; `None`
/// when none gives advice. Huge values saturate; spaces and tabs around a value are ignored.
///
/// `header(name)` looks a header up by its lowercase name and gives its value as text, which
/// any HTTP client's header map can do, so this needs no HTTP crate:
///
/// ```
/// use persevere::http::header_wait;
/// use std::time::Duration;
///
/// let headers = [("content-type", "text/plain"), ("retry-after", "3")];
/// let get = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
/// assert_eq!(header_wait(get), Some(Duration::from_secs(3)));
///
/// let azure = [("retry-after", "2"), ("retry-after-ms", "1500")];
/// let get = |name: &str| azure.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
/// assert_eq!(header_wait(get), Some(Duration::from_millis(1500)));
/// assert_eq!(header_wait(|_| None), None);
/// ```
///
/// With the `http` crate's `HeaderMap` (hyper, axum, reqwest, tonic):
/// `header_wait(|name| response.headers().get(name)?.to_str().ok())`.
pub fn header_wait<'h>(header: impl Fn(&str) -> Option<&'h str>) -> Option<Duration> {
    header_wait_at(header, SystemTime::now())
}

/// [`header_wait`] at a given `now` (an HTTP date in `Retry-After` is read against it).
pub(crate) fn header_wait_at<'h>(
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
