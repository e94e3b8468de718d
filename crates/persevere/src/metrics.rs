//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`): a
//! policy given [`metrics`](crate::Policy::metrics) counts its attempts, retries, give-ups and
//! budget refusals, and records how long each attempt ran, to whatever recorder the
//! application installed (Prometheus, StatsD, ...).
//!
//! | metric | kind | labels | counts |
//! |---|---|---|---|
//! | [`ATTEMPTS`] `persevere_attempts_total` | counter | `policy`, `outcome` | every attempt, whatever its outcome: `success`, `retryable`, `fatal`, or `unmatched` (a failure the filters do not handle) |
//! | [`RETRIES`] `persevere_retries_total` | counter | `policy` | every wait before a retry |
//! | [`GIVE_UPS`] `persevere_giveups_total` | counter | `policy`, `reason` | every call that gave up, by [`GiveUpReason`] (`max_tries`, `max_time`, `exhausted`, `fatal`, `budget`, `server`, `throttled`, `circuit_open`) |
//! | [`BUDGET_REFUSALS`] `persevere_budget_refusals_total` | counter | `policy` | every retry or hedge the budget refused |
//! | [`ATTEMPT_DURATION`] `persevere_attempt_duration_seconds` | histogram | `policy`, `outcome` | how long each attempt ran, in seconds, on the policy's clock |
//! | `persevere_call_retries` | histogram | `policy` | per call that retried, at its end: its retries (gRPC A96's `grpc.client.call.retries`) |
//! | `persevere_call_hedges` | histogram | `policy` | per call that hedged, at its end: its hedges (A96's `grpc.client.call.hedges`) |
//! | `persevere_call_retry_delay_seconds` | histogram | `policy` | per call that retried, at its end: the time it spent waiting between attempts (A96's `grpc.client.call.retry_delay`) |
//!
//! The three per-call histograms follow gRPC's A96 (OTel metrics for retries): recorded at the
//! end of a call, not for a call that did not retry (or hedge). A96's fourth,
//! `transparent_retries`, counts what gRPC resends below the application when a request never
//! left the client; persevere sits above the transport and has none. See `docs/telemetry.md`.
//!
//! `policy` is the policy's [`name`](crate::Policy::name), else the retried function's path
//! (as in the logs): name the policy for a stable label. A policy without the metrics part
//! keeps nothing and reads no clock for them; one with it reads the clock after each attempt.
//!
//! ```
//! use persevere::{on_error, constant};
//! use std::time::Duration;
//!
//! let policy = on_error(constant(Duration::ZERO)).max_tries(3).name("inventory").metrics();
//! let mut calls = 0;
//! let r: Result<u32, &str> = policy.retry(|| { calls += 1; if calls < 2 { Err("busy") } else { Ok(calls) } });
//! assert_eq!(r, Ok(2));
//! // With a recorder installed: persevere_attempts_total{policy="inventory",outcome="retryable"} 1,
//! // {..,outcome="success"} 1, persevere_retries_total{policy="inventory"} 1.
//! ```

use crate::policy::{
    AttemptOutcome, AttemptStart, Blocking, Handlers, Keeps, Parts, Policy, ServerWaits, TimeoutFor,
};
use crate::{Details, GiveUpReason};
use std::time::{Duration, Instant};

/// Attempts, by `policy` and `outcome`.
pub const ATTEMPTS: &str = "persevere_attempts_total";
/// Waits before a retry, by `policy`.
pub const RETRIES: &str = "persevere_retries_total";
/// Calls that gave up, by `policy` and `reason`.
pub const GIVE_UPS: &str = "persevere_giveups_total";
/// Retries and hedges the budget refused, by `policy`.
pub const BUDGET_REFUSALS: &str = "persevere_budget_refusals_total";
/// How long attempts ran, in seconds, by `policy` and `outcome`.
pub const ATTEMPT_DURATION: &str = "persevere_attempt_duration_seconds";
// The per-call histograms of gRPC's A96, named in the module's table (no constants: the public
// surface stays small).
const CALL_RETRIES: &str = "persevere_call_retries";
const CALL_HEDGES: &str = "persevere_call_hedges";
const CALL_RETRY_DELAY: &str = "persevere_call_retry_delay_seconds";

/// Describes the metrics (their help text and units) to the installed recorder, for
/// exporters that publish descriptions. Optional: the metrics are recorded without it.
///
/// ```
/// persevere::metrics::describe();
/// ```
pub fn describe() {
    ::metrics::describe_counter!(ATTEMPTS, "Attempts made by persevere policies, by outcome");
    ::metrics::describe_counter!(RETRIES, "Waits before a retry");
    ::metrics::describe_counter!(GIVE_UPS, "Retrying calls that gave up, by reason");
    ::metrics::describe_counter!(
        BUDGET_REFUSALS,
        "Retries and hedges that a retry budget refused"
    );
    ::metrics::describe_histogram!(
        ATTEMPT_DURATION,
        ::metrics::Unit::Seconds,
        "How long each attempt ran"
    );
    ::metrics::describe_histogram!(
        CALL_RETRIES,
        ::metrics::Unit::Count,
        "Retries per call that retried"
    );
    ::metrics::describe_histogram!(
        CALL_HEDGES,
        ::metrics::Unit::Count,
        "Hedges per call that hedged"
    );
    ::metrics::describe_histogram!(
        CALL_RETRY_DELAY,
        ::metrics::Unit::Seconds,
        "Time spent waiting between attempts, per call that retried"
    );
}

/// The part added by [`metrics`](Policy::metrics): it reads no type, so the policy still
/// serves operations of any types.
#[derive(Debug, Clone, Copy, Default)]
#[doc(hidden)]
pub struct Metrics;

impl<R, W, P, K> Policy<R, W, P, K> {
    /// Records this policy's attempts, retries, give-ups, budget refusals and attempt
    /// durations through the `metrics` facade, labelled by the policy's
    /// [`name`](Policy::name) (see [`persevere::metrics`](crate::metrics) for the metrics and
    /// labels). Each attempt is timed on the policy's clock, from its start (after the wait
    /// before it) to its outcome.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let _policy = on_error(expo()).name("fetch_inventory").metrics();
    /// ```
    #[must_use]
    pub fn metrics(self) -> Policy<R, W, (P, Metrics), K> {
        self.map_parts(|parts| (parts, Metrics))
    }
}

impl Parts for Metrics {
    // Retries and give-ups come through the handler events.
    const BACKOFF: bool = true;
    const GIVEUP: bool = true;

    type AttemptStart = CallCounts;

    fn attempt_ended(&self, target: &str, outcome: AttemptOutcome, duration: Duration) {
        let outcome = outcome.as_str();
        ::metrics::counter!(ATTEMPTS, "policy" => target.to_owned(), "outcome" => outcome)
            .increment(1);
        ::metrics::histogram!(
            ATTEMPT_DURATION,
            "policy" => target.to_owned(),
            "outcome" => outcome
        )
        .record(duration.as_secs_f64());
    }

    fn budget_refused(&self, target: &str) {
        ::metrics::counter!(BUDGET_REFUSALS, "policy" => target.to_owned()).increment(1);
    }
}

impl<T, E> Handlers<T, E> for Metrics {
    fn backoff(&self, details: &Details<'_, T, E>) {
        ::metrics::counter!(RETRIES, "policy" => details.target().to_owned()).increment(1);
    }

    fn giveup(&self, details: &Details<'_, T, E>) {
        let Some(reason) = details.reason() else {
            return;
        };
        let policy = details.target();
        ::metrics::counter!(GIVE_UPS, "policy" => policy.to_owned(), "reason" => reason.as_str())
            .increment(1);
        if reason == GiveUpReason::Budget {
            self.budget_refused(policy);
        }
    }
}

impl<X: ?Sized> ServerWaits<X> for Metrics {}

/// What a call of a policy with [`metrics`](Policy::metrics) keeps: when the running attempt
/// started, and the call's counts for the per-call histograms.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct CallCounts {
    start: Option<Instant>,
    /// The highest attempt number started (hedges start in order).
    started: u32,
    retries: u32,
    delay: Duration,
    /// Whether the call records the per-call metrics (set at its start).
    on: bool,
}

impl AttemptStart for CallCounts {
    const OBSERVED: bool = true;
    const COUNTS: bool = true;

    fn unset() -> Self {
        CallCounts {
            start: None,
            started: 0,
            retries: 0,
            delay: Duration::ZERO,
            on: false,
        }
    }

    fn at(now: Instant) -> Self {
        CallCounts {
            start: Some(now),
            ..Self::unset()
        }
    }

    fn ran(&self, now: Instant) -> Option<Duration> {
        self.start.map(|start| now.saturating_duration_since(start))
    }

    // The counts are the call's: only the start changes.
    fn restart(&mut self, now: Instant) {
        self.start = Some(now);
    }

    fn call_started(&mut self, _target: &str, keeps: Keeps) {
        // A boxed policy keeps room for the counts whether or not it has the part.
        self.on = keeps.counts;
        self.started = 1;
    }

    fn attempt_started(&mut self, now: Instant, number: u32) {
        self.start = Some(now);
        self.started = self.started.max(number);
    }

    fn backing_off(&mut self, wait: Duration) {
        self.retries = self.retries.saturating_add(1);
        self.delay = self.delay.saturating_add(wait);
    }

    fn resume(&mut self, finished: Self) {
        // The counts only grow: the larger is the later.
        self.start = finished.start;
        self.started = self.started.max(finished.started);
        self.retries = self.retries.max(finished.retries);
        self.delay = self.delay.max(finished.delay);
        self.on = finished.on;
    }

    fn settled(&mut self, target: &str, call_over: Option<&'static str>) {
        if call_over.is_none() || !self.on {
            return;
        }
        if self.retries > 0 {
            ::metrics::histogram!(CALL_RETRIES, "policy" => target.to_owned())
                .record(f64::from(self.retries));
            ::metrics::histogram!(CALL_RETRY_DELAY, "policy" => target.to_owned())
                .record(self.delay.as_secs_f64());
        }
        let hedges = self.started.saturating_sub(1 + self.retries);
        if hedges > 0 {
            ::metrics::histogram!(CALL_HEDGES, "policy" => target.to_owned())
                .record(f64::from(hedges));
        }
    }
}
impl<O> TimeoutFor<O> for Metrics {}
impl Blocking for Metrics {}
