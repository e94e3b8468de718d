//! The metrics part: what a policy records through the `metrics` facade, captured by a
//! recorder of our own (installed per test thread, so that tests run in parallel).
#![cfg(feature = "metrics")]

use metrics::{
    Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use persevere::budget::RatioBudget;
use persevere::metrics::{ATTEMPT_DURATION, ATTEMPTS, BUDGET_REFUSALS, GIVE_UPS, RETRIES};
use persevere::testing::VirtualClock;
use persevere::{Jitter, Next, constant, on_error, on_predicate};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One recorded value: the metric's name, its labels in order, and the value (a counter's
/// increment or a histogram's sample).
#[derive(Debug, Clone, PartialEq)]
struct Event {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// A recorder that keeps every event, in order.
#[derive(Default, Clone)]
struct Capture(Arc<Mutex<Vec<Event>>>);

struct Handle {
    key: Key,
    events: Arc<Mutex<Vec<Event>>>,
}

impl Handle {
    fn push(&self, value: f64) {
        let labels = self
            .key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        self.events.lock().unwrap().push(Event {
            name: self.key.name().to_owned(),
            labels,
            value,
        });
    }
}

impl CounterFn for Handle {
    fn increment(&self, value: u64) {
        self.push(value as f64);
    }

    fn absolute(&self, _value: u64) {
        unreachable!("persevere only increments counters")
    }
}

impl HistogramFn for Handle {
    fn record(&self, value: f64) {
        self.push(value);
    }
}

impl Recorder for Capture {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(self.handle(key)))
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        unreachable!("persevere records no gauge")
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(Arc::new(self.handle(key)))
    }
}

impl Capture {
    fn handle(&self, key: &Key) -> Handle {
        Handle {
            key: key.clone(),
            events: self.0.clone(),
        }
    }

    /// Runs `f` with this recorder installed on the current thread.
    fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        metrics::with_local_recorder(self, f)
    }

    fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }

    /// The sum of the values of `name` with these labels.
    fn total(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.values(name, labels).iter().sum()
    }

    /// The values of `name` with these labels, in order.
    fn values(&self, name: &str, labels: &[(&str, &str)]) -> Vec<f64> {
        self.events()
            .into_iter()
            .filter(|e| e.name == name)
            .filter(|e| {
                e.labels.len() == labels.len()
                    && labels
                        .iter()
                        .zip(&e.labels)
                        .all(|((k, v), (k2, v2))| k == k2 && v == v2)
            })
            .map(|e| e.value)
            .collect()
    }
}

#[test]
fn a_call_that_gives_up_counts_attempts_retries_and_the_give_up_by_reason() {
    let capture = Capture::default();
    let policy = on_error(constant(Duration::from_secs(1)))
        .jitter(Jitter::None)
        .max_tries(3)
        .name("inventory")
        .metrics()
        .clock(VirtualClock::new());
    let r: Result<(), &str> = capture.run(|| policy.retry(|| Err("down")));
    assert_eq!(r, Err("down"));
    let p = ("policy", "inventory");
    assert_eq!(capture.total(ATTEMPTS, &[p, ("outcome", "retryable")]), 3.0);
    assert_eq!(capture.total(RETRIES, &[p]), 2.0);
    assert_eq!(capture.total(GIVE_UPS, &[p, ("reason", "max_tries")]), 1.0);
    assert_eq!(capture.total(BUDGET_REFUSALS, &[p]), 0.0);
    assert_eq!(
        capture.values(ATTEMPT_DURATION, &[p, ("outcome", "retryable")]),
        [0.0; 3]
    );
    // The per-call histograms of gRPC's A96: 2 retries, 2 s waited.
    assert_eq!(capture.values("persevere_call_retries", &[p]), [2.0]);
    assert_eq!(
        capture.values("persevere_call_retry_delay_seconds", &[p]),
        [2.0]
    );
    // Nothing else: 3 attempts, 3 durations, 2 retries, 1 give-up, 2 per-call values.
    assert_eq!(capture.events().len(), 11);
}

#[test]
fn attempt_durations_exclude_the_waits_between_attempts() {
    let capture = Capture::default();
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_secs(10)))
        .name("slow")
        .metrics()
        .clock(clock.clone());
    let mut runs = [3, 5, 2].map(Duration::from_secs).into_iter();
    let r: Result<u32, &str> = capture.run(|| {
        policy.retry(|| {
            let run = runs.next().unwrap();
            clock.advance(run);
            if run == Duration::from_secs(2) {
                Ok(2)
            } else {
                Err("slow")
            }
        })
    });
    assert_eq!(r, Ok(2));
    let p = ("policy", "slow");
    assert_eq!(
        capture.values(ATTEMPT_DURATION, &[p, ("outcome", "retryable")]),
        [3.0, 5.0]
    );
    assert_eq!(
        capture.values(ATTEMPT_DURATION, &[p, ("outcome", "success")]),
        [2.0]
    );
    assert_eq!(capture.total(ATTEMPTS, &[p, ("outcome", "success")]), 1.0);
    assert_eq!(capture.total(RETRIES, &[p]), 2.0);
    assert_eq!(
        capture.values(GIVE_UPS, &[p, ("reason", "max_tries")]),
        [0.0_f64; 0]
    );
}

#[test]
fn the_async_driver_and_the_code_block_form_time_attempts_too() {
    let capture = Capture::default();
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_secs(10)))
        .max_tries(2)
        .name("async")
        .metrics()
        .clock(clock.clone());
    let r: Result<(), &str> = capture.run(|| {
        futures_lite::future::block_on(policy.retry_async(|| {
            clock.advance(Duration::from_secs(4));
            async { Err("down") }
        }))
    });
    assert_eq!(r, Err("down"));
    let p = ("policy", "async");
    assert_eq!(
        capture.values(ATTEMPT_DURATION, &[p, ("outcome", "retryable")]),
        [4.0, 4.0]
    );

    // In the code-block form without `mark_attempt`, an attempt is timed from when its wait
    // was meant to end: the same here, since the virtual sleep ends on time.
    let capture = Capture::default();
    let mut retrying = policy.begin();
    let r: Result<(), &str> = capture.run(|| {
        loop {
            clock.advance(Duration::from_secs(6));
            match retrying.check(Err("down")) {
                Next::Done(outcome) => break outcome,
                Next::Retry(wait) => retrying.sleep(wait),
            }
        }
    });
    assert_eq!(r, Err("down"));
    assert_eq!(
        capture.values(ATTEMPT_DURATION, &[p, ("outcome", "retryable")]),
        [6.0, 6.0]
    );
    assert_eq!(capture.total(GIVE_UPS, &[p, ("reason", "max_tries")]), 1.0);
}

#[test]
fn errors_the_filters_do_not_handle_and_fatal_ones_are_attempts_too() {
    let capture = Capture::default();
    let policy = on_error(constant(Duration::ZERO))
        .when(|e: &&str| *e != "not found")
        .giveup(|e| *e == "forbidden")
        .name("filters")
        .metrics()
        .clock(VirtualClock::new());
    capture.run(|| {
        assert_eq!(policy.retry(|| Err::<(), _>("not found")), Err("not found"));
        assert_eq!(policy.retry(|| Err::<(), _>("forbidden")), Err("forbidden"));
    });
    let p = ("policy", "filters");
    assert_eq!(capture.total(ATTEMPTS, &[p, ("outcome", "unmatched")]), 1.0);
    assert_eq!(capture.total(ATTEMPTS, &[p, ("outcome", "fatal")]), 1.0);
    // An unmatched error is returned as it is: no give-up; a fatal one gives up.
    assert_eq!(capture.total(GIVE_UPS, &[p, ("reason", "fatal")]), 1.0);
    assert_eq!(
        capture.values(GIVE_UPS, &[p, ("reason", "max_tries")]),
        [0.0_f64; 0]
    );
    assert_eq!(capture.total(RETRIES, &[p]), 0.0);
}

#[test]
fn a_budget_refusal_is_a_give_up_with_reason_budget_and_a_refusal() {
    let capture = Capture::default();
    // No credit at all: every retry is refused.
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(5)
        .budget(RatioBudget::new(0.0, 0, Duration::from_secs(10)))
        .name("budgeted")
        .metrics()
        .clock(VirtualClock::new());
    for _ in 0..4 {
        let r: Result<(), &str> = capture.run(|| policy.retry(|| Err("down")));
        assert_eq!(r, Err("down"));
    }
    let p = ("policy", "budgeted");
    assert_eq!(capture.total(ATTEMPTS, &[p, ("outcome", "retryable")]), 4.0);
    assert_eq!(capture.total(GIVE_UPS, &[p, ("reason", "budget")]), 4.0);
    assert_eq!(capture.total(BUDGET_REFUSALS, &[p]), 4.0);
    assert_eq!(capture.total(RETRIES, &[p]), 0.0);
}

#[test]
fn an_unnamed_policy_is_labelled_by_the_retried_function_and_predicates_count_too() {
    fn poll_queue() -> Option<u32> {
        let policy = on_predicate(constant(Duration::ZERO))
            .max_tries(2)
            .metrics()
            .clock(VirtualClock::new());
        policy.retry(|| None)
    }
    let capture = Capture::default();
    assert_eq!(capture.run(poll_queue), None);
    let events = capture.events();
    let label = &events[0].labels[0];
    assert_eq!(label.0, "policy");
    assert!(label.1.ends_with("poll_queue"), "{label:?}");
    assert_eq!(events.iter().filter(|e| e.name == ATTEMPTS).count(), 2);
}

#[test]
fn a_boxed_policy_keeps_its_metrics_and_one_without_records_nothing() {
    let capture = Capture::default();
    let boxed = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .name("boxed")
        .metrics()
        .clock(VirtualClock::new())
        .boxed::<(), String, _>();
    let plain = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .name("plain")
        .clock(VirtualClock::new());
    capture.run(|| {
        let _ = boxed.retry(|| Err("down".to_string()));
        let _: Result<(), String> = plain.retry(|| Err("down".to_string()));
    });
    let p = ("policy", "boxed");
    assert_eq!(capture.total(ATTEMPTS, &[p, ("outcome", "retryable")]), 2.0);
    assert_eq!(capture.total(GIVE_UPS, &[p, ("reason", "max_tries")]), 1.0);
    assert!(capture.events().iter().all(|e| e.labels[0].1 == "boxed"));
}

#[test]
fn a_refused_hedge_counts_as_a_budget_refusal() {
    let capture = Capture::default();
    let clock = VirtualClock::new();
    let hedged = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .budget(RatioBudget::new(0.0, 0, Duration::from_secs(10)))
        .name("hedged")
        .metrics()
        .clock(clock.clone())
        .hedge(Duration::from_millis(100), 2);
    // The first attempt is still running when the hedge is due (a virtual sleep ends at its
    // first poll); the budget refuses the hedge, and the attempt answers at its second poll.
    let r: Result<u32, &str> = capture.run(|| {
        futures_lite::future::block_on(hedged.retry_async(|| {
            let mut polled = false;
            std::future::poll_fn(move |cx| {
                if polled {
                    return std::task::Poll::Ready(Ok(1));
                }
                polled = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            })
        }))
    });
    assert_eq!(r, Ok(1));
    let p = ("policy", "hedged");
    assert_eq!(capture.total(ATTEMPTS, &[p, ("outcome", "success")]), 1.0);
    assert_eq!(capture.total(BUDGET_REFUSALS, &[p]), 1.0);
    assert_eq!(
        capture.values(GIVE_UPS, &[p, ("reason", "budget")]),
        [0.0_f64; 0]
    );
    assert_eq!(clock.sleeps(), [Duration::from_millis(100)]);
}

#[test]
fn per_call_histograms_follow_grpc_a96_and_skip_calls_that_did_not_retry() {
    let capture = Capture::default();
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_secs(10)))
        .jitter(Jitter::None)
        .name("a96")
        .metrics()
        .clock(clock.clone());
    let mut calls = 0;
    capture.run(|| {
        let r: Result<u32, &str> = policy.retry(|| {
            calls += 1;
            if calls < 2 { Err("busy") } else { Ok(calls) }
        });
        assert_eq!(r, Ok(2));
        // A call that succeeds at once records no per-call value (A96: 0 is not reported).
        let r: Result<u32, &str> = policy.retry(|| Ok(1));
        assert_eq!(r, Ok(1));
    });
    let p = ("policy", "a96");
    assert_eq!(capture.values("persevere_call_retries", &[p]), [1.0]);
    assert_eq!(
        capture.values("persevere_call_retry_delay_seconds", &[p]),
        [10.0]
    );
    assert_eq!(capture.values("persevere_call_hedges", &[p]), [0.0_f64; 0]);
}

#[test]
fn a_hedged_call_records_its_hedges() {
    let capture = Capture::default();
    let hedged = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .name("hedged")
        .metrics()
        .clock(VirtualClock::new())
        .hedge(Duration::from_millis(100), 2);
    let mut started = 0;
    // The first attempt never answers; the hedge (due at once on the virtual clock) does.
    let r: Result<u32, &str> = capture.run(|| {
        futures_lite::future::block_on(hedged.retry_async(|| {
            started += 1;
            let n = started;
            std::future::poll_fn(move |_| {
                if n == 1 {
                    std::task::Poll::Pending
                } else {
                    std::task::Poll::Ready(Ok(n))
                }
            })
        }))
    });
    assert_eq!(r, Ok(2));
    let p = ("policy", "hedged");
    assert_eq!(capture.values("persevere_call_hedges", &[p]), [1.0]);
    assert_eq!(capture.values("persevere_call_retries", &[p]), [0.0_f64; 0]);
}

#[test]
fn a_boxed_policy_records_per_call_values_only_with_the_metrics_part() {
    let capture = Capture::default();
    let metered = on_error(constant(Duration::from_secs(1)))
        .jitter(Jitter::None)
        .max_tries(2)
        .name("metered")
        .metrics()
        .clock(VirtualClock::new())
        .boxed::<(), String, _>();
    let traced = on_error(constant(Duration::from_secs(1)))
        .max_tries(2)
        .name("traced")
        .spans()
        .clock(VirtualClock::new())
        .boxed::<(), String, _>();
    capture.run(|| {
        let _ = metered.retry(|| Err("down".to_string()));
        let _ = traced.retry(|| Err("down".to_string()));
    });
    let p = ("policy", "metered");
    assert_eq!(capture.values("persevere_call_retries", &[p]), [1.0]);
    assert_eq!(
        capture.values("persevere_call_retry_delay_seconds", &[p]),
        [1.0]
    );
    assert!(capture.events().iter().all(|e| e.labels[0].1 == "metered"));
}
