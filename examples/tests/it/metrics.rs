//! A policy's metrics as a real recorder (metrics-util's debugging recorder) sees them, for
//! reqwest calls to the flaky HTTP server: exact counts by outcome and reason, and one
//! duration per attempt.

use metrics_util::CompositeKey;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use persevere::reqwest::{on_transient, send};
use persevere::{Jitter, constant};
use persevere_examples::flaky_http::{FlakyServer, Reply};
use std::time::{Duration, Instant};

/// What the recorder holds (a snapshot may be taken once: it drains what it reports).
type Snapshot = Vec<(
    CompositeKey,
    Option<metrics::Unit>,
    Option<metrics::SharedString>,
    DebugValue,
)>;

/// The value of `name` with exactly these labels.
fn value<'s>(
    snapshot: &'s Snapshot,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'s DebugValue> {
    snapshot
        .iter()
        .find(|(key, _, _, _)| {
            let key = key.key();
            let found: Vec<(&str, &str)> = key.labels().map(|l| (l.key(), l.value())).collect();
            key.name() == name && found == labels
        })
        .map(|(_, _, _, value)| value)
}

fn counter(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> u64 {
    match value(snapshot, name, labels) {
        Some(DebugValue::Counter(n)) => *n,
        None => 0,
        Some(other) => panic!("{name} is not a counter: {other:?}"),
    }
}

fn samples(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> Vec<f64> {
    match value(snapshot, name, labels) {
        Some(DebugValue::Histogram(samples)) => samples.iter().map(|s| s.into_inner()).collect(),
        None => Vec::new(),
        Some(other) => panic!("{name} is not a histogram: {other:?}"),
    }
}

#[test]
fn reqwest_calls_count_attempts_retries_and_give_ups_and_time_each_attempt() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let flaky = FlakyServer::start([
        Reply::status(503),
        Reply::ok("late").after(Duration::from_millis(100)),
    ])
    .unwrap();
    let down = FlakyServer::start([Reply::status(503)]).unwrap();
    let policy = on_transient(constant(Duration::from_millis(20)))
        .jitter(Jitter::None)
        .max_tries(3)
        .name("stock")
        .metrics();
    let client = reqwest::Client::new();
    let start = Instant::now();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let ok = send(&policy, client.get(flaky.url("/"))).await.unwrap();
            assert_eq!(ok.status(), 200);
            let last = send(&policy, client.get(down.url("/"))).await.unwrap();
            assert_eq!(last.status(), 503);
        })
    });
    let took = start.elapsed().as_secs_f64();
    assert_eq!((flaky.requests(), down.requests()), (2, 3));

    let p = ("policy", "stock");
    let s = &snapshotter.snapshot().into_vec();
    assert_eq!(
        counter(
            s,
            "persevere_attempts_total",
            &[p, ("outcome", "retryable")]
        ),
        4
    );
    assert_eq!(
        counter(s, "persevere_attempts_total", &[p, ("outcome", "success")]),
        1
    );
    assert_eq!(counter(s, "persevere_retries_total", &[p]), 3);
    assert_eq!(
        counter(s, "persevere_giveups_total", &[p, ("reason", "max_tries")]),
        1
    );
    assert_eq!(counter(s, "persevere_budget_refusals_total", &[p]), 0);
    let success = samples(
        s,
        "persevere_attempt_duration_seconds",
        &[p, ("outcome", "success")],
    );
    let failed = samples(
        s,
        "persevere_attempt_duration_seconds",
        &[p, ("outcome", "retryable")],
    );
    assert_eq!((success.len(), failed.len()), (1, 4));
    // The slow answer took its 100 ms; the attempts together took less than the whole run,
    // which also holds the 20 ms waits.
    assert!(success[0] >= 0.1, "{success:?}");
    let attempts: f64 = success.iter().chain(&failed).sum();
    assert!(attempts <= took - 3.0 * 0.02, "{attempts} of {took}");
}
