//! The guards a client process of the metastable scenario shares: a retry budget, and an
//! adaptive throttle or a circuit breaker in front of every attempt. They are persevere's own
//! types (`RatioBudget`, `TokenBucket`, `AdaptiveThrottle`, `CircuitBreaker`), told what
//! persevere's decision core tells them, in the core's order, at the instants of the
//! simulation's clock: the `now` every `Budget` method takes is the point where a policy's
//! clock reaches its guards, and here it is the simulated time.
//!
//! As a policy built with `.budget(budget).gate(guard)` asks them:
//!
//! - a call starts: the budget hears of it (`on_call`), the gate admits the first attempt or
//!   refuses it (`admit_call`: the call ends without an attempt);
//! - an attempt fails: both hear the failure and its cause (`on_failure`, then
//!   `attempt_ended`); if the call may retry, the budget is asked, then the gate
//!   (`try_withdraw`; a gate's refusal gives the budget's withdrawal back), before the wait;
//! - an attempt succeeds: `on_success` with what paid for it, then `attempt_ended`.
//!
//! ```
//! use persevere::breaker::CircuitBreaker;
//! use persevere::budget::RetryCause;
//! use persevere_sim::guards::Guards;
//! use std::time::Instant;
//!
//! let breaker = CircuitBreaker::default().count_window(2).min_calls(2);
//! let guards = Guards::new(None, Some(Box::new(breaker.clone())), Instant::now());
//! assert!(guards.start(0.0));
//! guards.failed(RetryCause::Timeout, 0.0, 1_000.0);
//! guards.failed(RetryCause::Timeout, 0.0, 1_000.0);
//! // Two failures opened it: the next first attempt is refused (open 60 s by default).
//! assert!(!guards.start(1_000.0));
//! assert!(guards.start(61_000.0)); // a half-open probe
//! ```

use persevere::budget::{Budget, RetryCause, Withdrawal};
use std::time::{Duration, Instant};

/// A guard as a policy holds it.
pub type Guard = Box<dyn Budget>;

/// The budget and the gate of one client process, on the simulation's clock.
pub struct Guards {
    budget: Option<Guard>,
    gate: Option<Guard>,
    origin: Instant,
}

/// Why a retry does not go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The retry budget refused it (the call gives up, as at its limits).
    Budget,
    /// The gate (throttle or breaker) refused it: a local refusal.
    Gate,
}

impl Guards {
    /// The guards, with `origin` as the simulation's time 0.
    pub fn new(budget: Option<Guard>, gate: Option<Guard>, origin: Instant) -> Self {
        Guards {
            budget,
            gate,
            origin,
        }
    }

    /// The instant of the simulation's time `t_ms`.
    pub fn at(&self, t_ms: f64) -> Instant {
        self.origin + Duration::from_secs_f64(t_ms / 1e3)
    }

    /// A call starts at `t_ms`: `false` if the gate refuses its first attempt.
    pub fn start(&self, t_ms: f64) -> bool {
        let now = self.at(t_ms);
        if let Some(b) = &self.budget {
            b.on_call(now);
        }
        match &self.gate {
            Some(g) => g.admit_call(now).is_ok(),
            None => true,
        }
    }

    /// An attempt sent at `sent_ms` failed at `t_ms` with `cause`.
    pub fn failed(&self, cause: RetryCause, sent_ms: f64, t_ms: f64) {
        let now = self.at(t_ms);
        let ran = Duration::from_secs_f64((t_ms - sent_ms).max(0.0) / 1e3);
        if let Some(b) = &self.budget {
            b.on_failure(cause, now);
        }
        if let Some(g) = &self.gate {
            g.on_failure(cause, now);
            g.attempt_ended(true, ran, now);
        }
    }

    /// A retry after a failure of `cause` at `t_ms`: what the budget charged for it, or why it
    /// does not go out.
    pub fn retry(&self, cause: RetryCause, t_ms: f64) -> Result<Option<Withdrawal>, Refusal> {
        let now = self.at(t_ms);
        let paid = match &self.budget {
            Some(b) => Some(b.withdraw(cause, now).ok_or(Refusal::Budget)?),
            None => None,
        };
        if let Some(g) = &self.gate {
            if g.try_withdraw(cause, now).is_err() {
                if let (Some(b), Some(w)) = (&self.budget, paid) {
                    b.refund(w, now);
                }
                return Err(Refusal::Gate);
            }
        }
        Ok(paid)
    }

    /// An attempt sent at `sent_ms` succeeded at `t_ms`; `paid` is what the budget charged
    /// for it (`None` for a first attempt).
    pub fn succeeded(&self, paid: Option<Withdrawal>, sent_ms: f64, t_ms: f64) {
        let now = self.at(t_ms);
        let ran = Duration::from_secs_f64((t_ms - sent_ms).max(0.0) / 1e3);
        if let Some(b) = &self.budget {
            b.on_success(paid, now);
        }
        if let Some(g) = &self.gate {
            g.on_success(None, now);
            g.attempt_ended(false, ran, now);
        }
    }
}
