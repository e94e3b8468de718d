//! `AdaptiveThrottle` against the SRE formula, on a virtual clock, and budgets combined as
//! tuples.

use persevere::GiveUpReason;
use persevere::budget::{AdaptiveThrottle, Budget, RatioBudget, RetryCause, TokenBucket};
use persevere::testing::VirtualClock;
use std::time::Duration;

fn sre(k: f64, requests: u64, accepts: u64) -> f64 {
    ((requests as f64 - k * accepts as f64) / (requests as f64 + 1.0)).max(0.0)
}

#[test]
fn the_rejection_probability_is_the_sre_formula_on_the_windows_counts() {
    let clock = VirtualClock::new();
    let t = AdaptiveThrottle::default().seed(1);
    let now = clock.now();
    assert_eq!(t.rejection_probability(now), 0.0);
    // 10 calls, 10 served: nothing rejected.
    for _ in 0..10 {
        t.on_call(now);
        t.on_success(None, now);
    }
    assert_eq!(t.counts(now), (10, 10));
    assert_eq!(t.rejection_probability(now), 0.0);
    // 40 more calls, each failing with a timeout (overload: not accepted).
    for _ in 0..40 {
        t.on_call(now);
        t.on_failure(RetryCause::Timeout, now);
    }
    assert_eq!(t.counts(now), (50, 10));
    assert_eq!(t.rejection_probability(now), sre(2.0, 50, 10));
    assert_eq!(t.rejection_probability(now), 30.0 / 51.0);
    // No retryable failure is an accept, whatever its cause: an overloaded server's fast
    // errors count against it (counting transient ones kept the throttle from engaging in the
    // metastable simulation).
    t.on_call(now);
    t.on_failure(RetryCause::Transient, now);
    t.on_call(now);
    t.on_failure(RetryCause::Throttled, now);
    assert_eq!(t.counts(now), (52, 10));
    assert_eq!(t.rejection_probability(now), sre(2.0, 52, 10));
}

#[test]
fn k_scales_the_accepts() {
    let clock = VirtualClock::new();
    let now = clock.now();
    let t = AdaptiveThrottle::new(1.5, Duration::from_secs(60));
    for _ in 0..30 {
        t.on_call(now);
    }
    for _ in 0..10 {
        t.on_success(None, now);
    }
    assert_eq!(t.rejection_probability(now), (30.0 - 15.0) / 31.0);
}

#[test]
fn counts_expire_a_tenth_of_the_window_at_a_time() {
    let clock = VirtualClock::new();
    let t = AdaptiveThrottle::new(2.0, Duration::from_secs(10));
    let t0 = clock.now();
    for _ in 0..20 {
        t.on_call(t0);
    }
    clock.advance(Duration::from_secs(5));
    for _ in 0..10 {
        t.on_call(clock.now());
    }
    assert_eq!(t.counts(clock.now()), (30, 0));
    assert_eq!(t.rejection_probability(clock.now()), 30.0 / 31.0);
    // At 10 s the first period (0-1 s) has left the window; the calls at 5 s stay until 15 s.
    clock.advance(Duration::from_secs(5));
    assert_eq!(t.counts(clock.now()), (10, 0));
    assert_eq!(t.rejection_probability(clock.now()), 10.0 / 11.0);
    clock.advance(Duration::from_secs(5));
    assert_eq!(t.counts(clock.now()), (0, 0));
    assert_eq!(t.rejection_probability(clock.now()), 0.0);
}

#[test]
fn an_accept_counts_in_the_newest_period_a_request_was_seen_in() {
    let clock = VirtualClock::new();
    let t = AdaptiveThrottle::new(2.0, Duration::from_secs(10));
    let t0 = clock.now();
    t.on_call(t0);
    // The attempt answers 4.5 s later, with no other request in between: its accept joins
    // its request's period (0-1 s), and both leave the window together at 10 s.
    clock.advance(Duration::from_millis(4_500));
    t.on_success(None, clock.now());
    assert_eq!(t.counts(clock.now()), (1, 1));
    clock.advance(Duration::from_millis(5_500));
    assert_eq!(t.counts(clock.now()), (0, 0));
    // With a request at 12.5 s, an answer at 13.5 s counts in 12-13 s, beside that request.
    clock.advance(Duration::from_millis(2_500));
    t.on_call(clock.now());
    clock.advance(Duration::from_secs(1));
    t.on_success(None, clock.now());
    clock.advance(Duration::from_secs(8));
    assert_eq!(
        t.counts(clock.now()),
        (1, 1),
        "at 21.5 s both are in the window"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(t.counts(clock.now()), (0, 0), "at 22.5 s both have left it");
}

#[test]
fn a_healthy_backend_is_never_throttled() {
    let clock = VirtualClock::new();
    let t = AdaptiveThrottle::default();
    for _ in 0..10_000 {
        let now = clock.now();
        assert!(t.admit_call(now).is_ok());
        t.on_success(None, now);
        clock.advance(Duration::from_millis(10));
    }
}

#[test]
fn rejections_follow_the_probability_and_a_seed_reproduces_them() {
    let clock = VirtualClock::new();
    let now = clock.now();
    let run = |seed: u64| {
        let t = AdaptiveThrottle::default().seed(seed);
        // 1000 requests, 250 accepts: p = (1000 - 500) / 1001 before the first draw.
        for _ in 0..1_000 {
            t.on_call(now);
        }
        for _ in 0..250 {
            t.on_success(None, now);
        }
        let mut rejected = Vec::new();
        for _ in 0..1_000 {
            let p = t.rejection_probability(now);
            let refused = t.try_withdraw(RetryCause::Transient, now).is_err();
            rejected.push(refused);
            // Every ask counted as a request, rejected or not.
            assert!(t.rejection_probability(now) > p);
        }
        assert_eq!(t.counts(now), (2_000, 250));
        rejected
    };
    let a = run(3);
    assert_eq!(a, run(3), "the same seed, the same rejections");
    assert_ne!(a, run(4));
    // p rises from 0.50 to 0.75 over the draws: about 64 % rejected.
    let share = a.iter().filter(|&&r| r).count() as f64 / 1_000.0;
    assert!((0.55..0.73).contains(&share), "rejected {share}");
}

#[test]
fn a_rejection_says_throttled() {
    let clock = VirtualClock::new();
    let now = clock.now();
    let t = AdaptiveThrottle::default().seed(9);
    for _ in 0..100_000 {
        t.on_call(now);
    }
    // p = 100000 / 100001: the next asks are rejected (a draw below 1e-5 would be needed).
    assert_eq!(
        t.try_withdraw(RetryCause::Transient, now),
        Err(GiveUpReason::Throttled)
    );
    assert_eq!(t.admit_call(now), Err(GiveUpReason::Throttled));
    assert_eq!(GiveUpReason::Throttled.as_str(), "throttled");
}

#[test]
fn a_refund_takes_the_request_back() {
    let clock = VirtualClock::new();
    let now = clock.now();
    let t = AdaptiveThrottle::default();
    let granted = t.try_withdraw(RetryCause::Transient, now).unwrap();
    assert_eq!(t.counts(now), (1, 0));
    t.refund(granted, now);
    assert_eq!(t.counts(now), (0, 0));
}

#[test]
fn bad_parameters_are_errors_naming_them() {
    let err = AdaptiveThrottle::try_new(f64::NAN, Duration::from_secs(60)).unwrap_err();
    assert_eq!(err.parameter(), "k");
    assert_eq!(err.budget(), "AdaptiveThrottle");
    let err = AdaptiveThrottle::try_new(2.0, Duration::from_secs(3601)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`window` must be from 1 s to 1 hour, got 3601s"
    );
}

#[test]
fn a_pair_refunds_the_first_member_when_the_second_refuses() {
    let clock = VirtualClock::new();
    let now = clock.now();
    let bucket = TokenBucket::builder(10.0).retry_cost(5.0).build();
    let throttle = AdaptiveThrottle::default().seed(1);
    for _ in 0..100_000 {
        throttle.on_call(now);
    }
    let pair = (bucket.clone(), throttle.clone());
    assert_eq!(
        pair.try_withdraw(RetryCause::Transient, now),
        Err(GiveUpReason::Throttled)
    );
    assert_eq!(bucket.tokens(), 10.0, "the bucket got its 5 tokens back");
    // The first refusal ends the asking: the throttle is not asked (nor counted).
    let empty = TokenBucket::builder(1.0).initial(0.0).build();
    let fresh = AdaptiveThrottle::default();
    let pair = (empty, fresh.clone());
    assert_eq!(
        pair.try_withdraw(RetryCause::Transient, now),
        Err(GiveUpReason::Budget)
    );
    assert_eq!(fresh.counts(now), (0, 0));
}

#[test]
fn a_triple_returns_each_members_own_withdrawal_on_success() {
    let clock = VirtualClock::new();
    let now = clock.now();
    let aws = TokenBucket::aws_standard();
    let ratio = RatioBudget::new(1.0, 0, Duration::from_secs(10));
    let throttle = AdaptiveThrottle::default();
    // Two earlier successes: the throttle rejects nothing (p = 0).
    throttle.on_success(None, now);
    throttle.on_success(None, now);
    let triple = (ratio.clone(), throttle.clone(), aws.clone());
    triple.on_call(now);
    triple.on_failure(RetryCause::Timeout, now);
    let paid = triple.try_withdraw(RetryCause::Timeout, now).unwrap();
    assert_eq!(aws.tokens(), 490.0);
    assert_eq!(ratio.available_retries(now), 0);
    triple.on_success(Some(paid), now);
    assert_eq!(aws.tokens(), 500.0, "the bucket's 10 tokens came back");
    assert_eq!(throttle.counts(now), (2, 3));
}
