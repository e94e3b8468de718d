//! One test (or a few) per row of design.md §3, "Semantics decided here".

use crate::common;

use common::{Recorder, secs};
use persevere::testing::VirtualClock;
use persevere::{
    Clock, Jitter, Sleeper, constant, decay, decorrelated, expo, fibo, intervals, linear, on_error,
    on_predicate, runtime,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A clock that counts its reads (and a sleeper that does nothing).
#[derive(Clone, Default)]
struct CountingClock(Arc<AtomicU32>);
impl Clock for CountingClock {
    fn now(&self) -> Instant {
        self.0.fetch_add(1, Ordering::SeqCst);
        Instant::now()
    }
}
impl Sleeper for CountingClock {
    fn sleep(&self, _: Duration) {}
}
impl CountingClock {
    fn reads(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

// Row "Clock": the success path reads no clock unless max_time or a handler needs it.
#[test]
fn clock_is_not_read_without_max_time_or_handlers() {
    let clock = CountingClock::default();
    // Without logging: in this test binary other tests install subscribers, and an enabled
    // log event needs the elapsed time too.
    let policy = on_error(expo()).no_log().clock(clock.clone());
    assert_eq!(policy.retry(|| Ok::<_, ()>(1)), Ok(1));
    let mut calls = 0;
    let _ = policy.retry(|| {
        calls += 1;
        if calls < 4 { Err(()) } else { Ok(1) }
    });
    assert_eq!(clock.reads(), 0);
}

#[test]
fn clock_is_read_when_max_time_or_a_handler_needs_it() {
    let clock = CountingClock::default();
    let _ = on_error(expo())
        .max_time(Duration::from_secs(1))
        .clock(clock.clone())
        .retry(|| Ok::<_, ()>(1));
    assert_eq!(
        clock.reads(),
        1,
        "start of the call only: a success needs no elapsed time"
    );

    let clock = CountingClock::default();
    let _ = on_error(expo())
        .on_success(|_| {})
        .clock(clock.clone())
        .retry(|| Ok::<_, ()>(1));
    assert_eq!(
        clock.reads(),
        2,
        "start, and the elapsed time for on_success"
    );
}

// Row "max_tries": total attempts, 1 = no retry, 0 rejected.
#[test]
fn max_tries_one_makes_one_call_and_no_backoff() {
    let rec = Recorder::<(), &str>::new();
    let mut calls = 0;
    let r = recorded!(
        on_error(expo()).max_tries(1).clock(VirtualClock::new()),
        &rec,
    )
    .retry(|| {
        calls += 1;
        Err("x")
    });
    assert_eq!((r, calls), (Err("x"), 1));
    assert_eq!(rec.counts(), (0, 0, 1));
}

#[test]
#[should_panic(expected = "`max_tries` must be at least 1")]
fn max_tries_zero_is_rejected() {
    let _ = on_error(expo()).max_tries(0);
}

#[test]
#[should_panic(expected = "`max_tries` must be a whole number from 1 to")]
fn negative_max_tries_is_rejected() {
    let _ = on_error(expo()).max_tries(-3);
}

// A value read per call (from configuration) must not panic the call: 0 makes one attempt.
#[test]
fn max_tries_closure_returning_zero_makes_one_attempt_without_panicking() {
    let policy = on_error(expo()).max_tries(|| 0).clock(VirtualClock::new());
    let mut calls = 0;
    let r = policy.retry(|| {
        calls += 1;
        Err::<(), ()>(())
    });
    assert_eq!((r, calls), (Err(()), 1));
}

// Row "max_time".
#[test]
fn max_time_truncates_the_last_sleep_to_the_deadline() {
    let clock = VirtualClock::new();
    let mut calls = 0;
    let r: Result<(), ()> = on_error(expo())
        .max_time(Duration::from_secs(10))
        .jitter(Jitter::None)
        .clock(clock.clone())
        .retry(|| {
            calls += 1;
            Err(())
        });
    assert!(r.is_err());
    assert_eq!(calls, 5, "the fifth attempt starts exactly at the deadline");
    assert_eq!(clock.sleeps(), secs(&[1, 2, 4, 3]));
}

#[test]
fn no_attempt_at_deadline_gives_up_instead_of_the_last_cut_sleep() {
    let clock = VirtualClock::new();
    let rec = Recorder::<(), ()>::new();
    let mut calls = 0;
    let r = recorded!(
        on_error(expo())
            .max_time(Duration::from_secs(10))
            .no_attempt_at_deadline()
            .jitter(Jitter::None)
            .clock(clock.clone()),
        &rec,
    )
    .retry(|| {
        calls += 1;
        Err(())
    });
    assert!(r.is_err());
    assert_eq!(
        calls, 4,
        "the wait of 8 s would reach the deadline at 7 s + 3 s"
    );
    assert_eq!(clock.sleeps(), secs(&[1, 2, 4]));
    assert_eq!(rec.counts(), (0, 3, 1));
    assert_eq!(rec.giveups()[0].elapsed, Duration::from_secs(7));

    // A wait that ends before the deadline is still taken.
    let clock = VirtualClock::new();
    let _: Result<(), ()> = on_error(constant(Duration::from_secs(3)))
        .max_time(Duration::from_secs(10))
        .no_attempt_at_deadline()
        .jitter(Jitter::None)
        .clock(clock.clone())
        .retry(|| Err(()));
    assert_eq!(clock.sleeps(), secs(&[3, 3, 3]));
}

#[test]
fn a_first_attempt_slower_than_max_time_is_not_retried() {
    let clock = VirtualClock::new();
    let mut calls = 0;
    let r: Result<(), ()> = on_error(constant(Duration::ZERO))
        .max_time(Duration::from_secs(5))
        .clock(clock.clone())
        .retry(|| {
            calls += 1;
            clock.advance(Duration::from_secs(6));
            Err(())
        });
    assert!(r.is_err());
    assert_eq!(calls, 1);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn total_time_never_exceeds_max_time_plus_the_last_attempt() {
    // The python-backoff fork's test_max_time: attempts of 0..9 s against max_time 0..9 s.
    for runtime_s in 0..10u64 {
        for max_time_s in 0..10u64 {
            let clock = VirtualClock::new();
            let _: Result<(), ()> = on_error(expo())
                .max_time(Duration::from_secs(max_time_s))
                .clock(clock.clone())
                .retry(|| {
                    clock.advance(Duration::from_secs(runtime_s));
                    Err(())
                });
            assert!(clock.elapsed() <= Duration::from_secs(max_time_s + runtime_s));
        }
    }
}

// Row "Which errors retry".
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    Transient,
    Fatal,
    Other,
}

#[test]
fn errors_rejected_by_when_return_at_once_without_handlers() {
    let rec = Recorder::<(), Failure>::new();
    let mut calls = 0;
    let r = recorded!(
        on_error(expo())
            .when(|e: &Failure| *e != Failure::Other)
            .clock(VirtualClock::new()),
        &rec,
    )
    .retry(|| {
        calls += 1;
        Err(if calls == 1 {
            Failure::Transient
        } else {
            Failure::Other
        })
    });
    assert_eq!((r, calls), (Err(Failure::Other), 2));
    assert_eq!(
        rec.counts(),
        (0, 1, 0),
        "only the transient error backed off; no give-up event"
    );
}

#[test]
fn every_when_must_hold() {
    let mut calls = 0;
    let r = on_error(expo())
        .when(|e: &u32| *e > 1)
        .when(|e: &u32| *e < 5)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err::<(), u32>([3, 4, 7][calls - 1])
        });
    assert_eq!((r, calls), (Err(7), 3));
}

#[test]
fn giveup_calls_on_giveup_and_returns_at_once() {
    let rec = Recorder::<(), Failure>::new();
    let mut calls = 0;
    let r = recorded!(
        on_error(expo())
            .giveup(|e: &Failure| *e == Failure::Fatal)
            .clock(VirtualClock::new()),
        &rec,
    )
    .retry(|| {
        calls += 1;
        Err(if calls < 3 {
            Failure::Transient
        } else {
            Failure::Fatal
        })
    });
    assert_eq!((r, calls), (Err(Failure::Fatal), 3));
    assert_eq!(rec.counts(), (0, 2, 1));
}

#[test]
fn giveup_is_checked_before_max_tries() {
    // Python's order: giveup(e) first, so a fatal error on the last try is a giveup too.
    let rec = Recorder::<(), Failure>::new();
    let r = recorded!(
        on_error(expo())
            .max_tries(1)
            .giveup(|e: &Failure| *e == Failure::Fatal)
            .clock(VirtualClock::new()),
        &rec,
    )
    .retry(|| Err(Failure::Fatal));
    assert_eq!(r, Err(Failure::Fatal));
    assert_eq!(rec.counts(), (0, 0, 1));
}

// Row "Jitter".
#[test]
fn full_jitter_never_exceeds_the_cap() {
    for seed in 0..200 {
        let clock = VirtualClock::new();
        let _: Result<(), ()> = on_error(expo().max_value(Duration::from_secs(5)))
            .max_tries(12)
            .seed(seed)
            .clock(clock.clone())
            .retry(|| Err(()));
        let sleeps = clock.sleeps();
        assert_eq!(sleeps.len(), 11);
        for (i, s) in sleeps.iter().enumerate() {
            let cap = Duration::from_secs(1 << i.min(3)).min(Duration::from_secs(5));
            assert!(*s <= cap, "seed {seed}: wait {i} = {s:?} > {cap:?}");
        }
    }
}

#[test]
fn equal_jitter_stays_in_the_upper_half_of_the_capped_value() {
    let clock = VirtualClock::new();
    let _: Result<(), ()> = on_error(expo().max_value(Duration::from_secs(4)))
        .jitter(Jitter::Equal)
        .max_tries(8)
        .clock(clock.clone())
        .retry(|| Err(()));
    for (i, s) in clock.sleeps().iter().enumerate() {
        let cap = Duration::from_secs(1 << i.min(2));
        assert!(*s >= cap / 2 && *s <= cap, "{i}: {s:?}");
    }
}

#[test]
fn runtime_and_decorrelated_default_to_no_jitter_others_to_full() {
    // runtime: exact.
    let clock = VirtualClock::new();
    let _: Result<(), ()> = on_error(runtime(|_: &()| Duration::from_secs(3)))
        .max_tries(20)
        .clock(clock.clone())
        .retry(|| Err(()));
    assert!(clock.sleeps().iter().all(|s| *s == Duration::from_secs(3)));

    // constant: full jitter by default, so the waits vary below the value.
    let clock = VirtualClock::new();
    let _: Result<(), ()> = on_error(constant(Duration::from_secs(3)))
        .max_tries(20)
        .clock(clock.clone())
        .retry(|| Err(()));
    let sleeps = clock.sleeps();
    assert!(sleeps.iter().all(|s| *s <= Duration::from_secs(3)));
    assert!(
        sleeps.iter().any(|s| *s != sleeps[0]),
        "full jitter varies the waits"
    );

    // decorrelated: its own randomness only, within [base, cap].
    let clock = VirtualClock::new();
    let _: Result<(), ()> = on_error(decorrelated(
        Duration::from_millis(5),
        Duration::from_secs(2),
    ))
    .max_tries(50)
    .clock(clock.clone())
    .retry(|| Err(()));
    assert!(
        clock
            .sleeps()
            .iter()
            .all(|s| *s >= Duration::from_millis(5) && *s <= Duration::from_secs(2))
    );
}

#[test]
fn runtime_fallback_waits_keep_the_fallbacks_default_jitter() {
    let clock = VirtualClock::new();
    let mut calls = 0u64;
    let _: Result<(), u64> = on_error(
        runtime(|e: &u64| (*e % 2 == 0).then(|| Duration::from_secs(7)))
            .or(constant(Duration::from_secs(100))),
    )
    .max_tries(41)
    .clock(clock.clone())
    .retry(|| {
        calls += 1;
        Err(calls)
    });
    let sleeps = clock.sleeps();
    // Even errors: the server's exact advice. Odd errors: the fallback, fully jittered.
    for (i, s) in sleeps.iter().enumerate() {
        if (i + 1) % 2 == 0 {
            assert_eq!(*s, Duration::from_secs(7));
        } else {
            assert!(*s <= Duration::from_secs(100));
        }
    }
    let fallback: Vec<_> = sleeps.iter().step_by(2).collect();
    assert!(fallback.iter().any(|s| **s != Duration::from_secs(100)));
}

#[test]
fn an_explicit_jitter_overrides_every_default() {
    let clock = VirtualClock::new();
    let _: Result<(), ()> = on_error(runtime(|_: &()| Duration::from_secs(8)))
        .jitter(Jitter::Full)
        .max_tries(30)
        .clock(clock.clone())
        .retry(|| Err(()));
    let sleeps = clock.sleeps();
    assert!(sleeps.iter().all(|s| *s <= Duration::from_secs(8)));
    assert!(sleeps.iter().any(|s| *s != Duration::from_secs(8)));
}

#[test]
fn jitter_is_applied_before_the_max_time_clamp() {
    // Random jitter adds up to 1 s, but the clamp to the deadline comes last.
    let clock = VirtualClock::new();
    let _: Result<(), ()> = on_error(constant(Duration::from_secs(4)))
        .jitter(Jitter::Random)
        .max_time(Duration::from_secs(4))
        .clock(clock.clone())
        .retry(|| Err(()));
    assert_eq!(clock.sleeps(), secs(&[4]));
}

// Row "Randomness".
#[test]
fn each_call_draws_fresh_random_state() {
    let policy = on_error(constant(Duration::from_secs(1000))).max_tries(6);
    let run = |clock: VirtualClock| {
        let _: Result<(), ()> = policy.clone().clock(clock.clone()).retry(|| Err(()));
        clock.sleeps()
    };
    assert_ne!(run(VirtualClock::new()), run(VirtualClock::new()));
}

#[test]
fn a_seed_makes_every_calls_waits_reproducible() {
    let clock = VirtualClock::new();
    let policy = on_error(decorrelated(
        Duration::from_millis(5),
        Duration::from_secs(60),
    ))
    .jitter(Jitter::Full)
    .seed(42)
    .max_tries(6)
    .clock(clock.clone());
    let _: Result<(), ()> = policy.retry(|| Err(()));
    let _: Result<(), ()> = policy.retry(|| Err(()));
    let sleeps = clock.sleeps();
    assert_eq!(sleeps[..5], sleeps[5..]);
}

// Rows "Exhausted strategy" and "Give-up result".
#[test]
fn an_exhausted_strategy_gives_up_with_the_last_outcome_unchanged() {
    let rec = Recorder::<(), String>::new();
    let mut calls = 0;
    let r = recorded!(
        on_error(intervals(secs(&[1, 1]))).clock(VirtualClock::new()),
        &rec,
    )
    .retry(|| {
        calls += 1;
        Err(format!("failure {calls}"))
    });
    assert_eq!(r, Err("failure 3".to_string()));
    assert_eq!(rec.counts(), (0, 2, 1));

    let last = on_predicate(expo().take(2))
        .clock(VirtualClock::new())
        .retry(Vec::<u8>::new);
    assert!(last.is_empty());
}

// Row "Handler panics".
#[test]
fn a_panicking_handler_propagates_and_stops_the_retries() {
    let calls = AtomicU32::new(0);
    let result = catch_unwind(AssertUnwindSafe(|| {
        on_error(expo())
            .on_backoff(|_| panic!("handler failed"))
            .clock(VirtualClock::new())
            .retry(|| {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), ()>(())
            })
    }));
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"handler failed"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

// Row "Panics in the operation".
#[test]
fn a_panicking_operation_is_never_retried() {
    let calls = AtomicU32::new(0);
    let result = catch_unwind(AssertUnwindSafe(|| {
        on_error(expo())
            .clock(VirtualClock::new())
            .retry(|| -> Result<(), ()> {
                calls.fetch_add(1, Ordering::SeqCst);
                panic!("bug")
            })
    }));
    assert!(result.is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

// Row "Bad parameters": the builder panics with a message naming the parameter.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).unwrap_err();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

#[test]
fn bad_parameters_panic_naming_the_parameter() {
    assert!(
        panic_message(|| {
            let _ = expo().base(0.5);
        })
        .contains("expo: `base` must be a finite number >= 1, got 0.5")
    );
    assert!(
        panic_message(|| {
            let _ = expo().base(f64::NAN);
        })
        .contains("`base`")
    );
    assert!(
        panic_message(|| {
            let _ = expo().base(f64::INFINITY);
        })
        .contains("got inf")
    );
    assert!(
        panic_message(|| {
            let _ = decay(Duration::from_secs(1), f64::NAN);
        })
        .contains("decay: `rate`")
    );
    assert!(
        panic_message(|| {
            let _ = decorrelated(Duration::from_secs(3), Duration::from_secs(1));
        })
        .contains("`base` (3s) must not be greater than `cap` (1s)")
    );
    assert!(
        panic_message(|| {
            let _ = on_error(expo()).jitter(Jitter::Proportional(-0.1));
        })
        .contains("Jitter::Proportional(f): `f` must be a number in [0, 1], got -0.1")
    );
    assert!(
        panic_message(|| {
            let _ = on_error(expo()).max_tries(0u64);
        })
        .contains("`max_tries`")
    );
}

// Row "Overflow": saturating arithmetic, never a panic or a wrap.
#[test]
fn every_strategy_saturates_over_many_steps() {
    let huge = Duration::MAX;
    assert_eq!(expo().base(1e300).nth(5), Some(huge));
    assert_eq!(expo().factor(huge).nth(3), Some(huge));
    assert_eq!(fibo().factor(huge).nth(3), Some(huge));
    assert_eq!(linear(huge, huge).nth(3), Some(huge));
    assert_eq!(decay(huge, 0.0).nth(3), Some(huge));
    assert_eq!(constant(huge).nth(3), Some(huge));
}

#[test]
fn saturated_waits_go_through_jitter_and_the_policy_without_panic() {
    for jitter in [
        Jitter::None,
        Jitter::Full,
        Jitter::Equal,
        Jitter::Random,
        Jitter::Proportional(1.0),
    ] {
        let clock = VirtualClock::new();
        let _: Result<(), ()> = on_error(expo().base(1e10))
            .jitter(jitter)
            .max_tries(60)
            .on_backoff(|d| assert!(d.wait().is_some()))
            .clock(clock.clone())
            .retry(|| Err(()));
        assert_eq!(clock.sleeps().len(), 59, "{jitter:?}");
        if matches!(jitter, Jitter::None | Jitter::Random) {
            assert!(
                clock.sleeps().last().unwrap() >= &(Duration::MAX / 2),
                "{jitter:?}"
            );
        }
    }
}

#[test]
fn tries_saturate_instead_of_wrapping() {
    // An unlimited policy past u32::MAX tries would take too long to run; the counter's
    // saturation is checked on the code-block form's `tries()` over a short run instead.
    let policy = on_error(constant(Duration::ZERO)).clock(VirtualClock::new());
    let mut retrying = policy.begin();
    for n in 1..=1000u32 {
        let _ = retrying.check(Err::<(), ()>(()));
        assert_eq!(retrying.tries(), n);
    }
}
