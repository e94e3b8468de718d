//! Loom models of the atomics of the adaptive throttle and the circuit breaker: every
//! interleaving of two threads, checked. Run with
//! `RUSTFLAGS="--cfg persevere_loom" cargo test -p persevere --test loom_breaker --release`
//! (`.ci/run` does, with its own target directory).
#![cfg(persevere_loom)]

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use persevere::breaker::{BreakerState, CircuitBreaker};
use persevere::budget::{AdaptiveThrottle, Budget, RetryCause};
use std::time::{Duration, Instant};

#[test]
fn throttle_counts_are_never_lost() {
    loom::model(|| {
        let throttle = AdaptiveThrottle::new(2.0, Duration::from_secs(10)).seed(1);
        let now = Instant::now();
        throttle.on_call(now); // the window's origin
        let other = throttle.clone();
        let t = thread::spawn(move || {
            other.on_call(now);
            other.on_success(None, now);
        });
        let granted = throttle.try_withdraw(RetryCause::Transient, now);
        throttle.on_success(None, now);
        t.join().unwrap();
        // A retry asked for counts as a request whether granted or not (the draw may refuse
        // it: before the other thread's success the window holds one request and no accept);
        // a refunded grant takes its request back.
        let requests = match granted {
            Ok(w) => {
                throttle.refund(w, now);
                2
            }
            Err(_) => 3,
        };
        assert_eq!(throttle.counts(now), (requests, 2));
    });
}

/// A breaker whose transitions are counted.
fn counted(breaker: CircuitBreaker) -> (CircuitBreaker, loom::sync::Arc<AtomicUsize>) {
    let seen = loom::sync::Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    let breaker = breaker.on_state_change(move |_, _| {
        count.fetch_add(1, Ordering::Relaxed);
    });
    (breaker, seen)
}

#[test]
fn concurrent_failures_open_the_breaker_once() {
    loom::model(|| {
        let (breaker, transitions) =
            counted(CircuitBreaker::default().count_window(2).min_calls(2));
        let now = Instant::now();
        let other = breaker.clone();
        let t = thread::spawn(move || other.attempt_ended(true, Duration::ZERO, now));
        breaker.attempt_ended(true, Duration::ZERO, now);
        t.join().unwrap();
        assert_eq!(breaker.state(), BreakerState::Open);
        assert_eq!(transitions.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn half_open_lets_through_at_most_its_probes() {
    loom::model(|| {
        let open = Duration::from_secs(1);
        let (breaker, transitions) = counted(
            CircuitBreaker::default()
                .count_window(1)
                .min_calls(1)
                .open_duration(open)
                .half_open_calls(1),
        );
        let t0 = Instant::now();
        breaker.attempt_ended(true, Duration::ZERO, t0);
        let later = t0 + open;
        let other = breaker.clone();
        let t = thread::spawn(move || other.admit_call(later).is_ok());
        let here = breaker.admit_call(later).is_ok();
        let there = t.join().unwrap();
        assert!(here ^ there, "exactly one probe of one");
        // Closed -> Open, then Open -> HalfOpen once.
        assert_eq!(transitions.load(Ordering::Relaxed), 2);
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
    });
}

#[test]
fn the_probes_outcomes_close_the_breaker_once() {
    loom::model(|| {
        let open = Duration::from_secs(1);
        let (breaker, transitions) = counted(
            CircuitBreaker::default()
                .count_window(1)
                .min_calls(1)
                .open_duration(open)
                .half_open_calls(2),
        );
        let t0 = Instant::now();
        breaker.attempt_ended(true, Duration::ZERO, t0);
        let later = t0 + open;
        assert!(breaker.admit_call(later).is_ok());
        assert!(breaker.admit_call(later).is_ok());
        let other = breaker.clone();
        let t = thread::spawn(move || other.attempt_ended(false, Duration::ZERO, later));
        breaker.attempt_ended(false, Duration::ZERO, later);
        t.join().unwrap();
        assert_eq!(breaker.state(), BreakerState::Closed);
        assert_eq!(transitions.load(Ordering::Relaxed), 3);
    });
}

#[test]
fn a_failure_is_kept_while_a_success_passes_a_healthy_window() {
    loom::model(|| {
        // A window full of successes takes a success without writing: a failure recorded at
        // the same time is still counted, and opens the breaker once (1 of 2 failed).
        let (breaker, transitions) = counted(
            CircuitBreaker::default()
                .count_window(2)
                .min_calls(2)
                .failure_ratio(0.5),
        );
        let now = Instant::now();
        breaker.attempt_ended(false, Duration::ZERO, now);
        breaker.attempt_ended(false, Duration::ZERO, now);
        let other = breaker.clone();
        let t = thread::spawn(move || other.attempt_ended(true, Duration::ZERO, now));
        breaker.attempt_ended(false, Duration::ZERO, now);
        t.join().unwrap();
        assert_eq!(breaker.state(), BreakerState::Open);
        assert_eq!(transitions.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn a_time_window_keeps_every_outcome() {
    loom::model(|| {
        let breaker = CircuitBreaker::default()
            .time_window(Duration::from_secs(10))
            .min_calls(2)
            .failure_ratio(1.0);
        let now = Instant::now();
        let other = breaker.clone();
        let t = thread::spawn(move || other.attempt_ended(true, Duration::ZERO, now));
        breaker.attempt_ended(true, Duration::ZERO, now);
        t.join().unwrap();
        assert_eq!(
            breaker.state(),
            BreakerState::Open,
            "2 failures of 2 counted"
        );
    });
}
