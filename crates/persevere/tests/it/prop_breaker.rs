//! Property tests of the circuit breaker's state machine on the virtual clock, over random
//! sequences of admissions, outcomes and clock steps: it is never stuck open (an open duration
//! after any history, an attempt is let through), there is no probe storm (a half-open round
//! lets through at most its probes; a round lasts at least an open duration), and a closed
//! breaker refuses nothing.

use persevere::breaker::{BreakerState, CircuitBreaker};
use persevere::budget::Budget;
use persevere::testing::VirtualClock;
use proptest::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OPEN: Duration = Duration::from_millis(1_000);

#[derive(Debug, Clone)]
enum Op {
    Admit,
    /// An attempt's end: failed, and how long it ran (ms).
    Ended(bool, u64),
    /// The clock moves on (ms).
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Admit),
        4 => (any::<bool>(), 0u64..200).prop_map(|(f, ms)| Op::Ended(f, ms)),
        2 => (0u64..1_500).prop_map(Op::Advance),
    ]
}

proptest! {
    #[test]
    fn never_stuck_open_and_no_probe_storm(
        ops in proptest::collection::vec(op(), 1..200),
        window in 1u32..8,
        min_calls in 1u32..8,
        probes in 1u32..4,
        ratio in 0.1f64..1.0,
    ) {
        let clock = VirtualClock::new();
        let events: Arc<Mutex<Vec<(BreakerState, BreakerState, Instant)>>> = Arc::default();
        let log = events.clone();
        let at = clock.clone();
        let b = CircuitBreaker::default()
            .count_window(window)
            .min_calls(min_calls)
            .failure_ratio(ratio)
            .slow_call_duration(Duration::from_millis(150))
            .open_duration(OPEN)
            .half_open_calls(probes)
            .on_state_change(move |from, to| log.lock().unwrap().push((from, to, at.now())));
        // The model of a half-open round: when it began and the probes it let through.
        let mut round: Option<(Instant, u32)> = None;
        for op in ops {
            let now = clock.now();
            match op {
                Op::Admit => {
                    let before = b.state();
                    let granted = b.admit_call(now).is_ok();
                    if before == BreakerState::Closed {
                        prop_assert!(granted, "a closed breaker refuses nothing");
                    }
                    let seen = events.lock().unwrap().clone();
                    if let Some(&(_, BreakerState::HalfOpen, t)) = seen.last() {
                        if b.state() == BreakerState::HalfOpen {
                            let (start, sent) = round.get_or_insert((t, 0));
                            if *start < t {
                                *start = t;
                                *sent = 0;
                            }
                            // A round lasts an open duration; then a new one may begin.
                            if now.duration_since(*start) >= OPEN && granted && *sent >= probes {
                                *start = now;
                                *sent = 0;
                            }
                            if granted {
                                *sent += 1;
                            }
                            prop_assert!(*sent <= probes, "{} probes in a round of {}", sent, probes);
                        }
                    }
                }
                Op::Ended(failed, ms) => b.attempt_ended(failed, Duration::from_millis(ms), now),
                Op::Advance(ms) => clock.advance(Duration::from_millis(ms)),
            }
            if b.state() != BreakerState::HalfOpen {
                round = None;
            }
        }
        // Never stuck: an open duration after any history, an attempt goes through.
        clock.advance(OPEN);
        prop_assert!(b.admit_call(clock.now()).is_ok(), "stuck in {:?}", b.state());
    }
}
