//! The de-facto millisecond wait headers: `retry-after-ms` (and `x-ms-retry-after-ms`),
//! `x-amz-retry-after`, and gRPC's `grpc-retry-pushback-ms`.

use super::numbers::{decimal_millis, signed_i32, trim_ows, whole};
use std::time::Duration;

/// The wait a `retry-after-ms` or `x-ms-retry-after-ms` value asks for (Azure, OpenAI and the
/// gateways in front of them): milliseconds, as a non-negative decimal number.
///
/// A fraction is honoured to the nanosecond (`1.5` is 1.5 ms), since the clients that defined
/// the header read it as a float; a sign (`-5`, `+5`), an exponent (`1e3`) or a bare point
/// (`.5`, `5.`) gives `None`, as does an empty or malformed value: no advice, so that the policy
/// falls back on its own backoff. Huge values saturate. Spaces and tabs around the value are
/// ignored.
///
/// [`header_wait`](super::header_wait) reads it.
pub(crate) fn retry_after_ms(value: &str) -> Option<Duration> {
    decimal_millis(trim_ows(value))
}

/// The wait an `x-amz-retry-after` value asks for (AWS): milliseconds, as a non-negative
/// decimal integer, as the AWS SDKs parse it (smithy-rs reads a `u64`).
///
/// Fractions, signs, empty and malformed values give `None` (no advice); huge values
/// saturate. Spaces and tabs around the value are ignored. The AWS SDKs' 2026 revision does
/// not take the value as it is: it keeps the wait within `[t, t + 5 s]` of its own backoff
/// `t`; a policy applies such a clamp, not this parser.
///
/// [`header_wait`](super::header_wait) reads it.
pub(crate) fn x_amz_retry_after(value: &str) -> Option<Duration> {
    whole(trim_ows(value)).map(Duration::from_millis)
}

/// What a gRPC server's `grpc-retry-pushback-ms` trailer says (gRFC A6): retry after exactly
/// this wait, or do not retry at all.
///
/// "No advice" is the trailer's absence, which the caller sees before calling
/// [`grpc_retry_pushback_ms`]: `trailer.map(grpc_retry_pushback_ms)` is `None` then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pushback {
    /// Retry after this wait (A6: "exactly that delay", and later retries' backoff starts again
    /// from its initial value).
    RetryAfter(Duration),
    /// The server asks the client not to retry (a negative or unparseable value).
    DoNotRetry,
}

/// The server's pushback in a `grpc-retry-pushback-ms` value: an ASCII signed 32-bit integer
/// of milliseconds (gRFC A6).
///
/// A value of 0 or more is [`Pushback::RetryAfter`]. A negative value, one outside the 32-bit
/// range, an empty or a malformed one is [`Pushback::DoNotRetry`]: A6 says "if the value for
/// pushback is negative or unparseable, then it will be seen as the server asking the client
/// not to retry at all". A leading `+` is accepted (grpc-java and grpc-go accept it); spaces
/// and tabs around the value are ignored.
///
/// ```
/// use persevere::http::{grpc_retry_pushback_ms, Pushback};
/// use std::time::Duration;
///
/// assert_eq!(grpc_retry_pushback_ms("200"), Pushback::RetryAfter(Duration::from_millis(200)));
/// assert_eq!(grpc_retry_pushback_ms("-1"), Pushback::DoNotRetry);
/// assert_eq!(grpc_retry_pushback_ms("soon"), Pushback::DoNotRetry);
///
/// // The trailer's absence is no advice at all:
/// let trailer: Option<&str> = None;
/// assert_eq!(trailer.map(grpc_retry_pushback_ms), None);
/// ```
pub fn grpc_retry_pushback_ms(value: &str) -> Pushback {
    match signed_i32(trim_ows(value)) {
        Some(ms) if ms >= 0 => Pushback::RetryAfter(Duration::from_millis(ms as u64)),
        _ => Pushback::DoNotRetry,
    }
}
