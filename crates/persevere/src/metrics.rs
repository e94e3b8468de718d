//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`): a
//! policy given [`metrics`](crate::Policy::metrics) counts its attempts, retries, give-ups and
//! budget refusals, and records how long each attempt ran, to whatever recorder the
//! application installed (Prometheus, StatsD, ...).
//!
//! | metric | kind | labels | counts |
//! |---|---|---|---|
//! | [`ATTEMPTS`] `persevere_attempts_total` | counter | `policy`, `outcome` | every attempt, whatever its outcome: `success`, `retryable`, `fatal`, or `unmatched` (a failure the filters do not handle) |
//! | [`RETRIES`] `persevere_retries_total` | counter | `policy` | every wait before a retry |
//! | [`GIVE_UPS`] `persevere_giveups_total` | counter | `policy`, `reason` | every call that gave up, by [`GiveUpReason`] (`max_tries`, `max_time`, `exhausted`, `fatal`, `budget`, `server`) |
//! | [`BUDGET_REFUSALS`] `persevere_budget_refusals_total` | counter | `policy` | every retry or hedge the budget refused |
//! | [`ATTEMPT_DURATION`] `persevere_attempt_duration_seconds` | histogram | `policy`, `outcome` | how long each attempt ran, in seconds, on the policy's clock |
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

use crate::policy::{AttemptOutcome, Blocking, Handlers, Parts, Policy, ServerWaits, TimeoutFor};
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

    type AttemptStart = Option<Instant>;

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
impl<O> TimeoutFor<O> for Metrics {}
impl Blocking for Metrics {}
