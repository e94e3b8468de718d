//! `cargo bench -p persevere-benches --bench guards`: what the overload guards add to the
//! decisions of the core. A retry budget, an adaptive throttle and a circuit breaker, asked as
//! one guard (a triple), at a fixed instant (a call reads the clock once per decision whether it
//! has one guard or three):
//!
//! - `first_attempt_success`: one decision, a call that succeeds at once: the gated first
//!   attempt (`admit_call`), its end (`attempt_ended`) and the success (`on_success`);
//! - `failure_then_retry`: a call of two decisions, a retryable failure (`attempt_ended`,
//!   `on_failure`), the retry granted (`try_withdraw`), then its success;
//! - `guarded_call`: whole calls through a policy with the three guards (system clock, a
//!   sleeper that returns at once), against the same policy without.
//!
//! The guards never refuse here, so that what is measured is the path of a healthy system: the
//! budget earns 10 retries a call (`percent` 10, its largest), the throttle has K = 4 (a call
//! that fails twice before its success makes 3 requests for 1 accept, which the book's K = 2
//! would shed in part), and the breaker opens only when every call in its window failed
//! (`failure_ratio(1.0)`; the failure scenarios fail half or two thirds of their attempts),
//! while each still does all its counting.

use criterion::{Criterion, criterion_group, criterion_main};
use persevere::breaker::CircuitBreaker;
use persevere::budget::{AdaptiveThrottle, Budget, RatioBudget, RetryCause};
use persevere::{Jitter, Refused, expo, on_error};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug)]
enum Error {
    Busy,
    Refused,
}

impl From<Refused> for Error {
    fn from(_: Refused) -> Self {
        Error::Refused
    }
}

fn guards() -> (RatioBudget, AdaptiveThrottle, CircuitBreaker) {
    // Never empty (10 retries earned a call) and never open (see the header).
    (
        RatioBudget::new(10.0, 10, Duration::from_secs(10)),
        AdaptiveThrottle::new(4.0, Duration::from_secs(120)).seed(1),
        CircuitBreaker::default().failure_ratio(1.0),
    )
}

/// A call that succeeds at once, as the core tells one guard of it.
fn one_success(guard: &impl Budget, now: Instant) -> bool {
    let granted = guard.admit_call(now).is_ok();
    guard.attempt_ended(false, Duration::from_millis(1), now);
    guard.on_success(None, now);
    granted
}

fn decisions(c: &mut Criterion) {
    let mut g = c.benchmark_group("guards");
    let triple = guards();
    let now = Instant::now();
    let first_attempt_success = || {
        let t = black_box(&triple);
        let granted = t.admit_call(now).is_ok();
        t.attempt_ended(false, Duration::from_millis(1), now);
        t.on_success(None, now);
        granted
    };
    let failure_then_retry = || {
        let t = black_box(&triple);
        let granted = t.admit_call(now).is_ok();
        t.attempt_ended(true, Duration::from_millis(1), now);
        t.on_failure(RetryCause::Transient, now);
        let w = t.try_withdraw(RetryCause::Transient, now);
        t.attempt_ended(false, Duration::from_millis(1), now);
        t.on_success(w.ok(), now);
        granted && w.is_ok()
    };
    // What is timed is the path where every guard lets the attempt go (a refusal returns early).
    for _ in 0..10_000 {
        assert!(first_attempt_success() && failure_then_retry());
    }
    g.bench_function("first_attempt_success", |b| b.iter(first_attempt_success));
    g.bench_function("failure_then_retry", |b| b.iter(failure_then_retry));
    // Each guard alone, on the success path: where the triple's time goes.
    let (budget, throttle, breaker) = guards();
    g.bench_function("first_attempt_success/budget", |b| {
        b.iter(|| one_success(black_box(&budget), now))
    });
    g.bench_function("first_attempt_success/throttle", |b| {
        b.iter(|| one_success(black_box(&throttle), now))
    });
    g.bench_function("first_attempt_success/breaker", |b| {
        b.iter(|| one_success(black_box(&breaker), now))
    });
    // The floor under the guards' design: one locked read-modify-write (a decision of the
    // triple makes seven: a slot and a total for the budget's deposit, the throttle's request
    // and its accept, and the breaker's ring position).
    let word = AtomicU64::new(0);
    g.bench_function("one_locked_add", |b| {
        b.iter(|| black_box(&word).fetch_add(1, Ordering::AcqRel))
    });
    g.finish();

    let mut g = c.benchmark_group("guarded_call");
    let plain = on_error(expo())
        .jitter(Jitter::None)
        .max_tries(5)
        .sleeper(|_: Duration| {});
    let (budget, throttle, breaker) = guards();
    let guarded = on_error(expo())
        .jitter(Jitter::None)
        .max_tries(5)
        .budget(budget)
        .gate((throttle, breaker))
        .sleeper(|_: Duration| {});
    // A throttle with an empty window refuses retries until it has seen accepts (its cold
    // start): successful calls first.
    for _ in 0..10 {
        let _ = guarded.retry(|| Ok::<_, Error>(1));
    }
    for _ in 0..10_000 {
        let mut calls = 0;
        let r = guarded.retry(|| {
            calls += 1;
            if calls < 3 {
                Err(Error::Busy)
            } else {
                Ok(calls)
            }
        });
        assert!(matches!(r, Ok(3)), "the guards let every attempt go: {r:?}");
    }
    g.bench_function("plain_success", |b| {
        b.iter(|| plain.retry(|| Ok::<_, Error>(black_box(1))))
    });
    g.bench_function("guarded_success", |b| {
        b.iter(|| guarded.retry(|| Ok::<_, Error>(black_box(1))))
    });
    g.bench_function("plain_fail_twice", |b| {
        b.iter(|| {
            let mut calls = 0;
            plain.retry(|| {
                calls += 1;
                if calls < 3 {
                    Err(Error::Busy)
                } else {
                    Ok(calls)
                }
            })
        })
    });
    g.bench_function("guarded_fail_twice", |b| {
        b.iter(|| {
            let mut calls = 0;
            guarded.retry(|| {
                calls += 1;
                if calls < 3 {
                    Err(Error::Busy)
                } else {
                    Ok(calls)
                }
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = decisions
}
criterion_main!(benches);
