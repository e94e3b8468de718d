//! `Policy::grpc_codes`: which `tonic::Status` errors are retried (gRFC A6's
//! `retryableStatusCodes`), and the wait the server's `grpc-retry-pushback-ms` asks for.

use crate::http::{Pushback, grpc_retry_pushback_ms};
use crate::policy::{ErrorFilter, ErrorRules, FixWith, Fixed, OnError, ServerWaitFn, Slot};
use std::time::Duration;
use tonic::Status;

/// A6's pushback key, in the trailers (or, in a trailers-only response, the headers).
const PUSHBACK: &str = "grpc-retry-pushback-ms";

/// The server wait of [`grpc_codes`](crate::Policy::grpc_codes)'s policies.
type PushbackWait = fn(&Status) -> Option<Duration>;

/// The policy [`grpc_codes`](crate::Policy::grpc_codes) makes of an `OnError<W, F, P, K, TS, _>`.
type WithGrpcCodes<W, F, P, K, TS> =
    OnError<W, (F, GrpcCodes), (P, ServerWaitFn<PushbackWait>), K, TS, Fixed<Status>>;

/// The error filter added by [`grpc_codes`](crate::Policy::grpc_codes): the retryable codes as
/// a bit set (bit `n` for code `n`, 0 to 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrpcCodes(u32);

impl GrpcCodes {
    fn new<C: Into<i32>>(codes: impl IntoIterator<Item = C>) -> Self {
        GrpcCodes(codes.into_iter().fold(0, |set, code| {
            match u32::try_from(code.into()) {
                Ok(n) if n <= 16 => set | (1 << n),
                // gRPC has no such code: nothing to retry.
                _ => set,
            }
        }))
    }

    fn holds(self, status: &Status) -> bool {
        let n = i32::from(status.code()) as u32;
        n <= 16 && self.0 & (1 << n) != 0
    }
}

impl ErrorFilter<Status, ()> for GrpcCodes {
    const HAS_ON: bool = false;

    fn on_matches(&self, _: &Status) -> bool {
        false
    }

    /// A retryable code is retried; so is, whatever its code, a status whose server says "do
    /// not retry": the retry is then refused by its server wait (see [`pushback_wait`]), so
    /// that the call gives up with the reason `server` and its budget hears of the failure
    /// (A6 counts such a response as a failure for throttling).
    #[inline]
    fn when_holds(&self, status: &Status) -> bool {
        self.holds(status) || pushback(status) == Some(Pushback::DoNotRetry)
    }

    fn gives_up(&self, _: &Status) -> bool {
        false
    }
}

/// What the status's `grpc-retry-pushback-ms` says; `None` when it has none. Two values are
/// refused as a malformed one is (grpc-go does so).
fn pushback(status: &Status) -> Option<Pushback> {
    let mut values = status.metadata().get_all(PUSHBACK).iter();
    let first = values.next()?;
    if values.next().is_some() {
        return Some(Pushback::DoNotRetry);
    }
    Some(match first.to_str() {
        Ok(text) => grpc_retry_pushback_ms(text),
        Err(_) => Pushback::DoNotRetry,
    })
}

/// The server's wait: the pushback exactly, and for "do not retry" a wait longer than any
/// `max_server_wait`, which ends the call at once.
fn pushback_wait(status: &Status) -> Option<Duration> {
    match pushback(status)? {
        Pushback::RetryAfter(wait) => Some(wait),
        Pushback::DoNotRetry => Some(Duration::MAX),
    }
}

/// The builder method of `tonic` (feature `tonic`).
impl<W, F, P, K, TS: Slot, ES: Slot> OnError<W, F, P, K, TS, ES> {
    /// Retries the [`tonic::Status`](::tonic::Status) errors whose code is one of `codes` (gRFC A6's
    /// `retryableStatusCodes`), and follows the server's `grpc-retry-pushback-ms` as A6 says:
    ///
    /// - a value of 0 or more: the next attempt comes after exactly that wait, instead of the
    ///   strategy's (no jitter; the strategy does not advance, so its next wait is the one it
    ///   would have made: A6 restarts from `initialBackoff` instead); a wait beyond
    ///   [`max_server_wait`](crate::Policy::max_server_wait) or the time left ends the call;
    /// - a negative, malformed or repeated value: no retry. The call ends at once with
    ///   [`GiveUpReason::Server`](crate::GiveUpReason::Server) (after `on_giveup`), and a
    ///   budget counts the failure, as A6's throttling does. (This is a server wait of
    ///   `Duration::MAX`, beyond any cap: do not set `max_server_wait(Duration::MAX)`.)
    ///
    /// A pushback on a status whose code is not retryable is not followed. `codes` are
    /// [`tonic::Code`](::tonic::Code)s or their numbers, such as a `config::PolicySpec`'s
    /// `retryable_status_codes()` (`.iter().copied()`); a number that is no code is ignored.
    /// gRPC's own guide calls only `UNAVAILABLE` safe to retry for any method, so
    /// `[Code::Unavailable]` is the set to start from; add `RESOURCE_EXHAUSTED`, `ABORTED` or
    /// `DEADLINE_EXCEEDED` for methods known to be idempotent. Other errors are returned at
    /// once, as `when` returns them. Fixes `E` to `tonic::Status`.
    ///
    /// The policy retries a generated client's calls as a closure
    /// (`policy.retry_async(|| client.clone().say_hello(request()))`), or every call of a
    /// channel ([`GrpcRetry`](crate::tonic::GrpcRetry)).
    ///
    /// ```
    /// use persevere::{on_error, constant, testing::VirtualClock};
    /// use std::time::Duration;
    /// use tonic::{Code, Status, metadata::MetadataMap};
    ///
    /// let policy = on_error(constant(Duration::from_secs(1)))
    ///     .max_tries(3)
    ///     .grpc_codes([Code::Unavailable])
    ///     .clock(VirtualClock::new());
    /// let busy = |pushback: &str| {
    ///     let mut metadata = MetadataMap::new();
    ///     metadata.insert("grpc-retry-pushback-ms", pushback.parse().unwrap());
    ///     Status::with_metadata(Code::Unavailable, "busy", metadata)
    /// };
    ///
    /// let mut calls = 0;
    /// let r: Result<(), Status> = policy.retry(|| { calls += 1; Err(Status::invalid_argument("no")) });
    /// assert_eq!((r.unwrap_err().code(), calls), (Code::InvalidArgument, 1));
    ///
    /// let mut calls = 0;
    /// let r: Result<(), Status> = policy.retry(|| { calls += 1; Err(busy("250")) });
    /// assert_eq!((r.unwrap_err().code(), calls), (Code::Unavailable, 3));
    ///
    /// let mut calls = 0;
    /// let r: Result<(), Status> = policy.retry(|| { calls += 1; Err(busy("-1")) });
    /// assert_eq!((r.unwrap_err().code(), calls), (Code::Unavailable, 1));
    /// ```
    #[must_use]
    pub fn grpc_codes<C: Into<i32>>(
        self,
        codes: impl IntoIterator<Item = C>,
    ) -> WithGrpcCodes<W, F, P, K, TS>
    where
        ES: FixWith<Status, Out = Fixed<Status>>,
    {
        let filter = GrpcCodes::new(codes);
        self.map_rules(|rules| ErrorRules::with_filters((rules.filters, filter)))
            .map_parts(|parts| (parts, ServerWaitFn(pushback_wait as PushbackWait)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;
    use tonic::metadata::MetadataMap;

    fn with_pushback(values: &[&str]) -> Status {
        let mut metadata = MetadataMap::new();
        for v in values {
            metadata.append(PUSHBACK, v.parse().unwrap());
        }
        Status::with_metadata(Code::Unavailable, "busy", metadata)
    }

    #[test]
    fn codes_by_name_or_number_and_no_others() {
        let codes = GrpcCodes::new([14, 10, -1, 17, 99]);
        assert!(codes.holds(&Status::unavailable("")));
        assert!(codes.holds(&Status::aborted("")));
        assert!(!codes.holds(&Status::unknown("")));
        assert_eq!(GrpcCodes::new([Code::Unavailable]), GrpcCodes::new([14]));
    }

    #[test]
    fn pushback_values() {
        assert_eq!(pushback(&Status::unavailable("")), None);
        assert_eq!(pushback_wait(&with_pushback(&["0"])), Some(Duration::ZERO));
        assert_eq!(
            pushback_wait(&with_pushback(&["1500"])),
            Some(Duration::from_millis(1500))
        );
        for refusal in [&["-1"][..], &["soon"], &["1", "2"], &["2147483648"]] {
            assert_eq!(pushback_wait(&with_pushback(refusal)), Some(Duration::MAX));
        }
    }

    #[test]
    fn a_refusal_is_judged_whatever_the_code() {
        let codes = GrpcCodes::new([Code::Unavailable]);
        let with_code = |code, pushback: &str| {
            Status::with_metadata(code, "no", with_pushback(&[pushback]).metadata().clone())
        };
        assert!(codes.when_holds(&with_code(Code::InvalidArgument, "-1")));
        assert!(!codes.when_holds(&with_code(Code::InvalidArgument, "5")));
        assert!(codes.when_holds(&with_code(Code::Unavailable, "5")));
    }
}
