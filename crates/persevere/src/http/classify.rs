//! Which HTTP statuses are worth retrying, and which methods may be retried at all.

/// Whether a response status is transient, that is, worth a retry: 408 Request Timeout,
/// 429 Too Many Requests, 500 Internal Server Error, 502 Bad Gateway, 503 Service Unavailable
/// and 504 Gateway Timeout. Every other status is not (4xx ask the client to change the
/// request; 501 and 505 will not change on their own).
///
/// Combine it with [`is_idempotent_method`]: a 429 or 503 does not make a `POST` safe to
/// repeat.
///
/// ```
/// use persevere::http::is_transient_status;
///
/// assert!(is_transient_status(503));
/// assert!(is_transient_status(429));
/// assert!(!is_transient_status(501));
/// assert!(!is_transient_status(404));
/// ```
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Whether a method is idempotent (RFC 9110 §9.2.2: repeating it has the effect of doing it
/// once), so that a client may retry it automatically: the safe methods, `PUT` and `DELETE`.
/// `POST` and `PATCH` are not: "A client SHOULD NOT automatically retry a request with a
/// non-idempotent method unless it has some means to know that the request semantics are
/// actually idempotent" (an idempotency key, for instance).
///
/// Method names are case-sensitive (RFC 9110 §9.1): `put` is another method, which this does
/// not know, so it is not idempotent.
///
/// ```
/// use persevere::http::is_idempotent_method;
///
/// assert!(is_idempotent_method("PUT"));
/// assert!(is_idempotent_method("GET"));
/// assert!(!is_idempotent_method("POST"));
/// assert!(!is_idempotent_method("delete"));
/// ```
pub fn is_idempotent_method(method: &str) -> bool {
    // The safe methods (RFC 9110 §9.2.1: read-only), then the two idempotent writers.
    matches!(
        method,
        "GET" | "HEAD" | "OPTIONS" | "TRACE" | "PUT" | "DELETE"
    )
}
