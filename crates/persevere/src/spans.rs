//! Spans through `tracing`: a policy given [`spans`](crate::Policy::spans) opens a span per
//! call and a span per attempt, so that an OpenTelemetry pipeline (`tracing-opentelemetry`)
//! shows each attempt, its outcome, the wait after it and why the call gave up. Names and
//! attributes: `docs/telemetry.md`.
//!
//! | span | attributes |
//! |---|---|
//! | `persevere.call` | `persevere.policy`, `persevere.call.attempts` (started so far, hedges included; 0 for a call a gate refused), and at its end `persevere.call.outcome` (`success`, `gave_up`, `unmatched`), `persevere.give_up.reason` ([`GiveUpReason::as_str`]: `max_tries`, ..., `throttled`, `circuit_open`), `otel.status_code` (`ERROR` unless it succeeded) |
//! | `persevere.attempt` (a child of the call's) | `persevere.attempt.number` (from 1), `persevere.attempt.outcome` (`success`, `retryable`, `fatal`, `unmatched`), `persevere.retry.delay` (seconds, when another attempt follows), `persevere.give_up.reason` (on the last), `http.request.resend_count` (the tower and reqwest integrations, from the second attempt on) |
//!
//! The attempt's span is entered while the attempt runs: for the whole blocking call, and at
//! each poll of an async attempt's future (hedged attempts, which overlap, each in its own
//! span), so that the spans of what the attempt calls (an HTTP client's) are its children.
//! A policy without the part keeps no span, reads no clock and enters nothing for them.

use crate::GiveUpReason;
// From the core, not `policy`, which re-exports this module's part.
use crate::core::parts::{
    AttemptOutcome, AttemptStart, Blocking, Handlers, Keeps, Parts, ServerWaits, TimeoutFor,
};
use crate::core::policy::Policy;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tracing::Span;
use tracing::field::Empty;

/// The part added by [`spans`](Policy::spans): it reads no type, so the policy still serves
/// operations of any types.
#[derive(Debug, Clone, Copy, Default)]
#[doc(hidden)]
pub struct Spans;

impl<R, W, P, K> Policy<R, W, P, K> {
    /// Opens a `tracing` span per call (`persevere.call`) and one per attempt
    /// (`persevere.attempt`, a child of the call's, entered while the attempt runs), with the
    /// attempt's number and outcome, the wait after it and the reason the call gave up: what
    /// OpenTelemetry shows through `tracing-opentelemetry` (the names are in
    /// `docs/telemetry.md`). Spans are at the `INFO` level, target `persevere`. A policy
    /// without `spans()` opens none and pays nothing for them.
    ///
    /// ```
    /// use persevere::{on_error, constant};
    /// use std::time::Duration;
    ///
    /// let policy = on_error(constant(Duration::ZERO)).max_tries(3).name("inventory").spans();
    /// let mut calls = 0;
    /// let r: Result<u32, &str> = policy.retry(|| { calls += 1; if calls < 2 { Err("busy") } else { Ok(calls) } });
    /// assert_eq!(r, Ok(2));
    /// // With a subscriber: one `persevere.call` span (policy "inventory", 2 attempts,
    /// // outcome "success") holding two `persevere.attempt` spans ("retryable", "success").
    /// ```
    #[must_use]
    pub fn spans(self) -> Policy<R, W, (P, Spans), K> {
        self.map_parts(|parts| (parts, Spans))
    }
}

impl Parts for Spans {
    type AttemptStart = AttemptSpans;
}

impl<T, E> Handlers<T, E> for Spans {}
impl<X: ?Sized> ServerWaits<X> for Spans {}
impl<O> TimeoutFor<O> for Spans {}
impl Blocking for Spans {}

/// What a call of a policy with [`spans`](Policy::spans) keeps: its span, and that of the
/// attempt it runs (a hedged call keeps one per running attempt).
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct AttemptSpans {
    call: Span,
    attempt: Span,
    /// The number of the attempt whose span was opened last (0 before the call starts).
    number: u32,
    /// How many attempts the call started, shared by the states of its running attempts
    /// (hedges); recorded on the call's span at its end (an OpenTelemetry exporter keeps
    /// every value recorded, so it is recorded once).
    started: Option<Arc<AtomicU32>>,
}

impl AttemptSpans {
    fn open(&mut self, number: u32) {
        self.number = number;
        self.attempt = tracing::info_span!(
            target: "persevere",
            parent: &self.call,
            "persevere.attempt",
            persevere.attempt.number = number,
            persevere.attempt.outcome = Empty,
            persevere.retry.delay = Empty,
            persevere.give_up.reason = Empty,
            http.request.resend_count = Empty,
        );
        // Attempts started so far: the last number opened (hedges open in order).
        if let Some(started) = &self.started {
            started.fetch_max(number, Ordering::Relaxed);
        }
    }
}

impl AttemptStart for AttemptSpans {
    const OBSERVED: bool = true;
    const SPANS: bool = true;

    fn unset() -> Self {
        AttemptSpans {
            call: Span::none(),
            attempt: Span::none(),
            number: 0,
            started: None,
        }
    }

    fn at(_now: Instant) -> Self {
        Self::unset()
    }

    fn ran(&self, _now: Instant) -> Option<Duration> {
        None
    }

    // Spans keep their own time.
    fn restart(&mut self, _now: Instant) {}

    fn call_started(&mut self, target: &str, keeps: Keeps) {
        // A boxed policy keeps room for spans whether or not it has the part.
        if !keeps.spans {
            return;
        }
        self.call = tracing::info_span!(
            target: "persevere",
            "persevere.call",
            persevere.policy = target,
            persevere.call.attempts = Empty,
            persevere.call.outcome = Empty,
            persevere.give_up.reason = Empty,
            otel.status_code = Empty,
        );
        if !self.call.is_disabled() {
            self.started = Some(Arc::new(AtomicU32::new(0)));
        }
        self.open(1);
    }

    fn call_refused(&mut self, target: &str, keeps: Keeps, reason: GiveUpReason) {
        if !keeps.spans {
            return;
        }
        // No attempt went: the call's span alone, closed when the call's state is dropped.
        self.call = tracing::info_span!(
            target: "persevere",
            "persevere.call",
            persevere.policy = target,
            persevere.call.attempts = 0u32,
            persevere.call.outcome = "gave_up",
            persevere.give_up.reason = reason.as_str(),
            otel.status_code = "ERROR",
        );
    }

    fn attempt_started(&mut self, _now: Instant, number: u32) {
        // The first attempt's span opens with the call's; a call without a span (no
        // subscriber wanted it) has none for its attempts either.
        if self.started.is_some() && number != self.number {
            self.open(number);
        }
    }

    fn attempt_ended(&mut self, number: u32, outcome: AttemptOutcome) {
        // In the code-block form, an attempt not marked (`mark_attempt`) gets its span here.
        if self.started.is_some() && self.attempt.is_disabled() {
            self.open(number);
        }
        self.attempt
            .record("persevere.attempt.outcome", outcome.as_str());
    }

    fn backing_off(&mut self, wait: Duration) {
        self.attempt
            .record("persevere.retry.delay", wait.as_secs_f64());
    }

    fn gave_up(&self, reason: GiveUpReason) {
        self.attempt
            .record("persevere.give_up.reason", reason.as_str());
        self.call
            .record("persevere.give_up.reason", reason.as_str());
    }

    fn settled(&mut self, _target: &str, call_over: Option<&'static str>) {
        // The attempt's span closes with its last handle, here unless a future still holds it.
        self.attempt = Span::none();
        if let Some(outcome) = call_over {
            if let Some(started) = &self.started {
                let started = started.load(Ordering::Relaxed);
                self.call.record("persevere.call.attempts", started);
            }
            self.call.record("persevere.call.outcome", outcome);
            if outcome != "success" {
                self.call.record("otel.status_code", "ERROR");
            }
        }
    }

    fn in_attempt<T>(&self, f: impl FnOnce() -> T) -> T {
        self.attempt.in_scope(f)
    }
}

/// Sets OpenTelemetry's `http.request.resend_count` on the running attempt's span (the
/// current span, inside an attempt's future) when the request is a resend (`resent` > 0):
/// the tower and reqwest integrations call it for policies with [`spans`](Policy::spans).
#[cfg(any(feature = "tower", feature = "reqwest"))]
pub(crate) fn record_resend(resent: u32) {
    if resent > 0 {
        Span::current().record("http.request.resend_count", resent);
    }
}
