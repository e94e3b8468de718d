//! The modelled throttle and breaker (`persevere_sim::guards`) on a virtual clock: the SRE
//! formula exactly, and every breaker transition.

use persevere::Rng;
use persevere_sim::guards::{BreakerModel, BreakerState, ThrottleModel};

#[test]
fn the_throttle_rejects_with_the_sre_probability() {
    let mut t = ThrottleModel::new(2.0, 120);
    let mut rng = Rng::seeded(1);
    for _ in 0..10 {
        t.allow(0.0, &mut rng);
    }
    for _ in 0..3 {
        t.accept(0.0);
    }
    // requests 10, accepts 3: (10 - 6) / 11.
    assert_eq!(t.reject_probability(500.0), 4.0 / 11.0);
    // Accepts in later seconds count too, while they are in the window.
    t.accept(119_000.0);
    t.accept(119_000.0);
    assert_eq!(t.reject_probability(119_999.0), 0.0);
}

#[test]
fn the_throttle_forgets_what_left_its_window() {
    let mut t = ThrottleModel::new(2.0, 10);
    let mut rng = Rng::seeded(2);
    for _ in 0..100 {
        t.allow(0.0, &mut rng); // 100 requests in second 0, none accepted
    }
    assert_eq!(t.reject_probability(9_999.0), 100.0 / 101.0);
    assert_eq!(t.reject_probability(10_000.0), 0.0);
}

#[test]
fn a_throttle_rejects_the_share_the_formula_gives() {
    // Rejected attempts count as requests: with no accepts the probability climbs to n/(n+1).
    let mut t = ThrottleModel::new(2.0, 120);
    let mut rng = Rng::seeded(3);
    let sent = (0..10_000).filter(|_| t.allow(0.0, &mut rng)).count();
    // Each attempt is let through with probability 1 / (n + 1): about ln(10_000) + 0.58.
    assert!((5..=20).contains(&sent), "{sent}");
}

fn tripped(b: &mut BreakerModel, now: f64) {
    for _ in 0..10 {
        assert!(b.allow(now));
        b.record(false, now);
    }
}

#[test]
fn a_breaker_waits_for_its_minimum_calls_before_opening() {
    let mut b = BreakerModel::new(10, 10, 0.5, 1_000.0, 2);
    for _ in 0..9 {
        b.record(false, 0.0);
    }
    assert_eq!(b.state(), BreakerState::Closed);
    b.record(false, 5.0);
    assert_eq!(b.state(), BreakerState::Open { until_ms: 1_005.0 });
}

#[test]
fn a_breaker_under_its_failure_ratio_stays_closed() {
    let mut b = BreakerModel::new(10, 10, 0.5, 1_000.0, 2);
    for i in 0..100 {
        b.record(i % 5 != 0, 0.0); // 1 in 5 fails: 20 % < 50 %
    }
    assert_eq!(b.state(), BreakerState::Closed);
    // The window is a sliding count: 5 failures among the last 10 open it.
    for _ in 0..5 {
        b.record(false, 1.0);
    }
    assert_eq!(b.state(), BreakerState::Open { until_ms: 1_001.0 });
}

#[test]
fn an_open_breaker_refuses_until_its_time_and_ignores_late_outcomes() {
    let mut b = BreakerModel::new(10, 10, 0.5, 1_000.0, 2);
    tripped(&mut b, 0.0);
    assert!(!b.allow(999.9));
    b.record(true, 500.0); // an attempt sent before it opened
    assert_eq!(b.state(), BreakerState::Open { until_ms: 1_000.0 });
}

#[test]
fn a_half_open_breaker_lets_its_probes_through_and_no_more() {
    let mut b = BreakerModel::new(10, 10, 0.5, 1_000.0, 3);
    tripped(&mut b, 0.0);
    assert!(b.allow(1_000.0));
    assert_eq!(b.state(), BreakerState::HalfOpen { sent: 1 });
    assert!(b.allow(1_000.0) && b.allow(1_001.0));
    assert!(!b.allow(1_002.0));
    assert_eq!(b.state(), BreakerState::HalfOpen { sent: 3 });
}

#[test]
fn half_open_probes_that_fail_reopen_the_breaker() {
    let mut b = BreakerModel::new(10, 10, 0.5, 1_000.0, 2);
    tripped(&mut b, 0.0);
    assert!(b.allow(1_000.0) && b.allow(1_000.0));
    b.record(true, 1_010.0);
    assert_eq!(b.state(), BreakerState::HalfOpen { sent: 2 });
    b.record(false, 1_020.0); // 1 of 2 failed: the 50 % threshold is reached
    assert_eq!(b.state(), BreakerState::Open { until_ms: 2_020.0 });
}

#[test]
fn a_closed_again_breaker_starts_from_an_empty_window() {
    let mut b = BreakerModel::new(10, 10, 0.5, 1_000.0, 1);
    tripped(&mut b, 0.0);
    assert!(b.allow(1_000.0));
    b.record(true, 1_010.0);
    assert_eq!(b.state(), BreakerState::Closed);
    for _ in 0..9 {
        b.record(false, 1_020.0);
    }
    assert_eq!(
        b.state(),
        BreakerState::Closed,
        "9 outcomes are fewer than the minimum"
    );
}
