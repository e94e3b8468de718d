//! Property tests over the decision core, on the virtual clock: random outcome sequences,
//! attempt durations and limits. Attempts never exceed `max_tries`; no attempt starts after
//! `max_time` (nor at it with `no_attempt_at_deadline`); the sleeps never exceed the time left;
//! handlers run exactly once per event, in order; the result is the last outcome unchanged; a
//! budget never goes below zero and never refuses a retry it should allow.

use persevere::budget::TokenBucket;
use persevere::testing::VirtualClock;
use persevere::{GiveUpReason, Jitter, constant, expo, on_error};
use proptest::prelude::*;
use std::cell::RefCell;
use std::time::Duration;

/// What one attempt ends with. The index tells outcomes apart, so that "the result is the last
/// outcome unchanged" can be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// Retried.
    Busy,
    /// Rejected by `when`: returned at once, no handler.
    Unmatched,
    /// Marked fatal by `giveup`.
    Fatal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failure(Outcome, usize);

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Backoff { tries: u32, wait: Duration },
    Giveup { tries: u32, reason: GiveUpReason },
    Success { tries: u32 },
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        1 => Just(Outcome::Ok),
        6 => Just(Outcome::Busy),
        1 => Just(Outcome::Unmatched),
        1 => Just(Outcome::Fatal),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    outcomes: Vec<Outcome>,
    /// Each attempt's duration, ms.
    durations: Vec<u64>,
    max_tries: Option<u32>,
    max_time_ms: Option<u64>,
    no_attempt_at_deadline: bool,
    expo: bool,
    factor_ms: u64,
    full_jitter: bool,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(outcome(), 1..30),
        proptest::collection::vec(0u64..3_000, 30),
        proptest::option::of(1u32..12),
        proptest::option::of(0u64..20_000),
        any::<bool>(),
        any::<bool>(),
        0u64..5_000,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(
                outcomes,
                durations,
                max_tries,
                max_time_ms,
                no_attempt,
                expo,
                factor_ms,
                full,
                seed,
            )| {
                Case {
                    outcomes,
                    durations,
                    max_tries,
                    max_time_ms,
                    no_attempt_at_deadline: no_attempt,
                    expo,
                    factor_ms,
                    full_jitter: full,
                    seed,
                }
            },
        )
}

/// Runs the case; returns the result, each attempt's start (virtual ms), the sleeps, the events.
fn run(
    case: &Case,
) -> (
    Result<usize, Failure>,
    Vec<Duration>,
    Vec<Duration>,
    Vec<Event>,
) {
    let clock = VirtualClock::new();
    let events = RefCell::new(Vec::new());
    let mut starts = Vec::new();
    let factor = Duration::from_millis(case.factor_ms);
    let jitter = if case.full_jitter {
        Jitter::Full
    } else {
        Jitter::None
    };
    // The strategy is a run-time choice, so each arm builds and runs its own policy.
    macro_rules! go {
        ($strategy:expr) => {{
            let mut policy = on_error($strategy)
                .when(|f: &Failure| f.0 != Outcome::Unmatched)
                .giveup(|f| f.0 == Outcome::Fatal)
                .jitter(jitter)
                .seed(case.seed)
                .on_backoff(|d| {
                    events.borrow_mut().push(Event::Backoff {
                        tries: d.tries(),
                        wait: d.wait().unwrap(),
                    })
                })
                .on_giveup(|d| {
                    events.borrow_mut().push(Event::Giveup {
                        tries: d.tries(),
                        reason: d.reason().unwrap(),
                    })
                })
                .on_success(|d| {
                    events
                        .borrow_mut()
                        .push(Event::Success { tries: d.tries() })
                })
                .clock(clock.clone());
            if case.no_attempt_at_deadline {
                policy = policy.no_attempt_at_deadline();
            }
            let mut index = 0;
            let mut attempt = || {
                starts.push(clock.elapsed());
                let i = index;
                index += 1;
                clock.advance(Duration::from_millis(
                    case.durations[i % case.durations.len()],
                ));
                match case.outcomes[i % case.outcomes.len()] {
                    Outcome::Ok => Ok(i),
                    other => Err(Failure(other, i)),
                }
            };
            match (case.max_tries, case.max_time_ms) {
                (Some(t), Some(m)) => policy
                    .max_tries(t)
                    .max_time(Duration::from_millis(m))
                    .retry(&mut attempt),
                (Some(t), None) => policy.max_tries(t).retry(&mut attempt),
                (None, Some(m)) => policy
                    .max_time(Duration::from_millis(m))
                    .retry(&mut attempt),
                // Unlimited: the cycle of outcomes ends the call at its first non-Busy outcome,
                // or the exhausted-looking `take` below does.
                (None, None) => policy.max_tries(60).retry(&mut attempt),
            }
        }};
    }
    let result = if case.expo {
        go!(expo().factor(factor).max_value(Duration::from_secs(60)))
    } else {
        go!(constant(factor))
    };
    (result, starts, clock.sleeps(), events.into_inner())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn the_core_keeps_its_rules(case in case()) {
        let (result, starts, sleeps, events) = run(&case);
        let calls = starts.len() as u32;
        let max_tries = case.max_tries.unwrap_or(if case.max_time_ms.is_some() { u32::MAX } else { 60 });
        prop_assert!(calls >= 1);
        prop_assert!(calls <= max_tries, "{calls} calls, max_tries {max_tries}");

        // No attempt starts after max_time, nor at it with no_attempt_at_deadline.
        if let Some(max) = case.max_time_ms.map(Duration::from_millis) {
            for start in &starts[1..] {
                prop_assert!(*start <= max, "an attempt started at {start:?}, max_time {max:?}");
                if case.no_attempt_at_deadline {
                    prop_assert!(*start < max, "an attempt started at the deadline {max:?}");
                }
            }
            let slept: Duration = sleeps.iter().sum();
            prop_assert!(slept <= max, "slept {slept:?} of {max:?}");
        }

        // The result is the last attempt's outcome, unchanged.
        let last = calls as usize - 1;
        match result {
            Ok(i) => prop_assert_eq!(i, last),
            Err(Failure(_, i)) => prop_assert_eq!(i, last),
        }

        // Handlers: one backoff per retry, in order, with the sleep that followed; then exactly
        // one terminal event, except for an error the filters reject (no handler at all).
        let backoffs: Vec<_> = events.iter().filter(|e| matches!(e, Event::Backoff { .. })).collect();
        prop_assert_eq!(backoffs.len() as u32, calls - 1);
        for (n, (event, sleep)) in backoffs.iter().zip(&sleeps).enumerate() {
            prop_assert_eq!(*event, &Event::Backoff { tries: n as u32 + 1, wait: *sleep });
        }
        let terminal = &events[backoffs.len()..];
        match result {
            Ok(_) => prop_assert_eq!(terminal, &[Event::Success { tries: calls }][..]),
            Err(Failure(Outcome::Unmatched, _)) => prop_assert!(terminal.is_empty()),
            Err(Failure(kind, _)) => {
                prop_assert_eq!(terminal.len(), 1);
                let Event::Giveup { tries, reason } = terminal[0].clone() else {
                    panic!("a give-up ends a failed call: {terminal:?}")
                };
                prop_assert_eq!(tries, calls);
                if kind == Outcome::Fatal {
                    prop_assert_eq!(reason, GiveUpReason::Fatal);
                } else {
                    prop_assert!(matches!(reason, GiveUpReason::MaxTries | GiveUpReason::MaxTime), "{reason:?}");
                }
            }
        }
        prop_assert_eq!(events.len(), backoffs.len() + terminal.len());
    }

    #[test]
    fn a_budget_grants_exactly_what_it_holds(calls in 1u32..40, tries in 2u32..6, held in 0u32..60) {
        // A bucket holding `held` retries, no refunds: the fleet of calls gets exactly
        // min(wanted, held) retries, and the bucket never goes below zero.
        let bucket = TokenBucket::builder(f64::from(held).max(1.0))
            .initial(f64::from(held))
            .retry_cost(1.0)
            .success_reward(0.0)
            .refund_retry_cost(false)
            .build();
        let retries = RefCell::new(0u32);
        let refusals = RefCell::new(0u32);
        let policy = on_error(constant(Duration::ZERO))
            .max_tries(tries)
            .budget(bucket.clone())
            .on_backoff(|_| *retries.borrow_mut() += 1)
            .on_giveup(|d| {
                if d.reason() == Some(GiveUpReason::Budget) {
                    *refusals.borrow_mut() += 1;
                }
            })
            .clock(VirtualClock::new());
        for _ in 0..calls {
            let _: Result<(), ()> = policy.retry(|| Err(()));
            prop_assert!(bucket.tokens() >= 0.0);
        }
        let wanted = calls * (tries - 1);
        prop_assert_eq!(*retries.borrow(), wanted.min(held));
        prop_assert_eq!(bucket.tokens(), f64::from(held - wanted.min(held)));
        if wanted > held {
            prop_assert!(*refusals.borrow() >= 1);
        } else {
            prop_assert_eq!(*refusals.borrow(), 0);
        }
    }
}
