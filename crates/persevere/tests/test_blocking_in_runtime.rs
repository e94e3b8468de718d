//! A blocking retry that sleeps on a tokio worker thread is a mistake; debug builds warn about
//! it once per process. Its own test binary (so its own process): the warning is once per
//! process, and the subscriber is global, since `spawn_blocking` runs on another thread.
#![cfg(all(debug_assertions, feature = "tokio"))]

use persevere::{Jitter, constant, on_error};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::WARN {
            self.0
                .lock()
                .unwrap()
                .push(event.metadata().target().to_string());
        }
    }
}

/// One real retry: a 1 ms blocking sleep with the default clock.
fn blocking_retry() -> Result<(), &'static str> {
    let mut calls = 0;
    on_error(constant(Duration::from_millis(1)))
        .jitter(Jitter::None)
        .max_tries(2)
        .no_log()
        .retry(|| {
            calls += 1;
            if calls < 2 { Err("busy") } else { Ok(()) }
        })
}

#[test]
fn a_blocking_sleep_on_a_worker_thread_warns_once_and_spawn_blocking_does_not() {
    let warnings = Warnings::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(warnings.clone()))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Off the runtime's threads: the right way, no warning.
        tokio::task::spawn_blocking(blocking_retry)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(*warnings.0.lock().unwrap(), Vec::<String>::new());
        // A success sleeps not at all: no check, no warning.
        on_error(constant(Duration::from_millis(1)))
            .retry(|| Ok::<(), ()>(()))
            .unwrap();
        assert_eq!(warnings.0.lock().unwrap().len(), 0);
        // On the thread that drives the runtime: one warning, and only one per process.
        blocking_retry().unwrap();
        blocking_retry().unwrap();
    });
    assert_eq!(*warnings.0.lock().unwrap(), ["persevere"]);
    // A plain thread outside any runtime: nothing more.
    std::thread::spawn(blocking_retry).join().unwrap().unwrap();
    assert_eq!(warnings.0.lock().unwrap().len(), 1);
}
