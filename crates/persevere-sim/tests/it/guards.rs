//! `persevere_sim::guards`: the library's throttle and breaker, and a budget, told what the
//! decision core tells them, at the simulation's instants. (The throttle's and the breaker's
//! own rules are tested in the library, on a virtual clock.)

use persevere::breaker::{BreakerState, CircuitBreaker};
use persevere::budget::{AdaptiveThrottle, Budget, RetryCause, Withdrawal};
use persevere_sim::guards::{Guards, Refusal};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

#[test]
fn the_throttle_counts_requests_and_accepts_as_the_core_reports_them() {
    let throttle = AdaptiveThrottle::new(2.0, Duration::from_secs(120)).seed(1);
    let origin = Instant::now();
    let guards = Guards::new(None, Some(Box::new(throttle.clone())), origin);
    for i in 0..100 {
        let t = f64::from(i);
        assert!(
            guards.start(t),
            "nothing is rejected while every attempt is served"
        );
        guards.succeeded(None, t, t + 5.0);
    }
    // Failures are not accepts: a timeout, nor a rejection (an overloaded server's answer).
    guards.start(200.0);
    guards.failed(RetryCause::Timeout, 200.0, 1_200.0);
    guards.start(300.0);
    guards.failed(RetryCause::Transient, 300.0, 310.0);
    let now = origin + Duration::from_secs(2);
    assert_eq!(throttle.counts(now), (102, 100));
    // A retry asked for is a request, granted or not.
    let _ = guards.retry(RetryCause::Timeout, 1_200.0);
    assert_eq!(throttle.counts(now), (103, 100));
}

#[test]
fn the_breaker_opens_refuses_for_its_open_duration_then_probes_on_the_simulations_clock() {
    let breaker = CircuitBreaker::default()
        .count_window(10)
        .min_calls(10)
        .open_duration(Duration::from_secs(5))
        .half_open_calls(2);
    let guards = Guards::new(None, Some(Box::new(breaker.clone())), Instant::now());
    for i in 0..10 {
        let t = f64::from(i) * 100.0;
        assert!(guards.start(t));
        guards.failed(RetryCause::Timeout, t, t + 1_000.0);
    }
    assert_eq!(breaker.state(), BreakerState::Open); // opened at 1.9 s
    assert!(!guards.start(6_800.0));
    assert_eq!(
        guards.retry(RetryCause::Timeout, 6_800.0),
        Err(Refusal::Gate)
    );
    // 5 s after it opened: two probes, and no third.
    assert!(guards.start(7_000.0));
    assert!(guards.start(7_000.0));
    assert!(!guards.start(7_000.0));
    guards.succeeded(None, 7_000.0, 7_050.0);
    guards.succeeded(None, 7_000.0, 7_060.0);
    assert_eq!(breaker.state(), BreakerState::Closed);
}

/// A budget that grants every retry and keeps its balance, to see refunds.
#[derive(Clone, Default)]
struct Balance(Arc<AtomicI64>);

impl Budget for Balance {
    fn on_call(&self, _now: Instant) {}
    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}
    fn withdraw(&self, _cause: RetryCause, _now: Instant) -> Option<Withdrawal> {
        self.0.fetch_sub(1, Ordering::Relaxed);
        Some(Withdrawal::new(1))
    }
    fn refund(&self, granted: Withdrawal, _now: Instant) {
        self.0.fetch_add(granted.amount() as i64, Ordering::Relaxed);
    }
    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}
}

#[test]
fn a_retry_the_gate_refuses_gives_the_budget_its_withdrawal_back() {
    let budget = Balance::default();
    let breaker = CircuitBreaker::default().count_window(1).min_calls(1);
    let guards = Guards::new(
        Some(Box::new(budget.clone())),
        Some(Box::new(breaker)),
        Instant::now(),
    );
    assert!(guards.start(0.0));
    guards.failed(RetryCause::Transient, 0.0, 10.0); // opens the breaker
    assert_eq!(
        guards.retry(RetryCause::Transient, 10.0),
        Err(Refusal::Gate)
    );
    assert_eq!(budget.0.load(Ordering::Relaxed), 0);
}
