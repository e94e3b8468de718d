//! Loom models of the budgets' atomics: every interleaving of two or three threads, checked.
//! Run with `RUSTFLAGS="--cfg persevere_loom" cargo test -p persevere --test loom_budget --release`
//! (`.ci/run` does, with its own target directory).
#![cfg(persevere_loom)]

use loom::thread;
use persevere::budget::{Budget, RatioBudget, RetryCause, TokenBucket};
use std::time::{Duration, Instant};

#[test]
fn a_token_is_never_granted_twice() {
    loom::model(|| {
        let bucket = TokenBucket::builder(5.0)
            .retry_cost(5.0)
            .success_reward(0.0)
            .build();
        let now = Instant::now();
        let other = bucket.clone();
        let t = thread::spawn(move || other.withdraw(RetryCause::Transient, now).is_some());
        let here = bucket.withdraw(RetryCause::Transient, now).is_some();
        let there = t.join().unwrap();
        assert!(here ^ there, "exactly one of two takers gets the one retry");
        assert_eq!(bucket.tokens(), 0.0);
    });
}

#[test]
fn a_refund_is_never_lost() {
    loom::model(|| {
        // AWS rules: a retry costs 5, a success after it returns the 5.
        let bucket = TokenBucket::builder(10.0)
            .retry_cost(5.0)
            .success_reward(1.0)
            .refund_retry_cost(true)
            .build();
        let now = Instant::now();
        let other = bucket.clone();
        let t = thread::spawn(move || {
            let paid = other.withdraw(RetryCause::Transient, now);
            assert!(paid.is_some());
            other.on_success(paid, now);
        });
        assert!(bucket.withdraw(RetryCause::Transient, now).is_some());
        t.join().unwrap();
        assert_eq!(bucket.tokens(), 5.0, "10 - 5 - 5 + 5: the refund arrived");
    });
}

#[test]
fn ratio_credit_is_spent_once_and_never_lost() {
    loom::model(|| {
        // 100 %: each call earns one retry; no floor.
        let budget = RatioBudget::new(1.0, 0, Duration::from_secs(10));
        let now = Instant::now();
        let (a, b) = (budget.clone(), budget.clone());
        let depositor = thread::spawn(move || a.on_call(now));
        let spender = thread::spawn(move || {
            b.on_call(now);
            b.withdraw(RetryCause::Transient, now).is_some()
        });
        depositor.join().unwrap();
        let early = spender.join().unwrap();
        let mut granted = u32::from(early);
        while budget.withdraw(RetryCause::Transient, now).is_some() {
            granted += 1;
        }
        assert_eq!(
            granted, 2,
            "two calls, two retries, whatever the interleaving"
        );
    });
}

#[test]
fn concurrent_writers_in_successive_periods_keep_every_deposit() {
    loom::model(|| {
        // Periods of 1 s (ttl 10 s over 10 slots): one writer in period 0, one in period 1.
        let budget = RatioBudget::new(1.0, 0, Duration::from_secs(10));
        let t0 = Instant::now();
        budget.on_call(t0); // the window's origin
        let other = budget.clone();
        let t = thread::spawn(move || other.on_call(t0 + Duration::from_millis(1_500)));
        budget.on_call(t0 + Duration::from_millis(500));
        t.join().unwrap();
        assert_eq!(
            budget.available_retries(t0 + Duration::from_millis(1_600)),
            3
        );
    });
}

#[test]
fn an_expired_credit_is_never_spent_whoever_sweeps_it() {
    loom::model(|| {
        // Periods of 1 s: the credit of period 0 has left the window when two withdrawals
        // race in period 12 (the slot of period 0 is not reused: only the sweep of the total,
        // once per period by whichever comes first, takes it out). Neither may have it.
        let budget = RatioBudget::new(1.0, 0, Duration::from_secs(10));
        let t0 = Instant::now();
        budget.on_call(t0);
        let later = t0 + Duration::from_millis(12_500);
        let other = budget.clone();
        let t = thread::spawn(move || other.withdraw(RetryCause::Transient, later).is_some());
        let here = budget.withdraw(RetryCause::Transient, later).is_some();
        let there = t.join().unwrap();
        assert!(!here && !there, "an expired credit was spent");
        // A live credit is spent once.
        budget.on_call(later);
        assert!(budget.withdraw(RetryCause::Transient, later).is_some());
        assert_eq!(budget.available_retries(later), 0);
    });
}
