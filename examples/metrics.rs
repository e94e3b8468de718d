//! A policy's metrics through the `metrics` facade, captured here by metrics-util's debugging
//! recorder (an application installs Prometheus's or StatsD's instead).
//!
//! ```text
//! cargo run -p persevere-examples --example metrics
//! ```

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use persevere::budget::RatioBudget;
use persevere::{constant, on_error};
use std::time::Duration;

fn main() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().expect("no other recorder is installed");
    persevere::metrics::describe();

    let policy = on_error(constant(Duration::from_millis(10)))
        .max_tries(3)
        .budget(RatioBudget::new(0.5, 0, Duration::from_secs(10)))
        .name("inventory_sync")
        .metrics();
    for call in 0..4 {
        let mut attempt = 0;
        let _ = policy.retry(|| {
            attempt += 1;
            if call % 2 == 0 && attempt < 2 {
                Err("busy")
            } else {
                Ok(attempt)
            }
        });
    }
    let _: Result<(), &str> = policy.retry(|| Err("down"));

    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let labels: Vec<String> = key
            .key()
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        let value = match value {
            DebugValue::Counter(n) => n.to_string(),
            DebugValue::Histogram(samples) => format!("{} samples", samples.len()),
            DebugValue::Gauge(g) => g.to_string(),
        };
        println!("{}{{{}}} {value}", key.key().name(), labels.join(","));
    }
}
