//! Which log events a call writes is decided at its start, from the level filter of the whole
//! process (docs/semantics.md): a process of its own, since the tests of other files install
//! subscribers that move that filter.

use persevere::testing::VirtualClock;
use persevere::{Jitter, Next, constant, on_error};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Counts the events it sees.
#[derive(Clone, Default)]
struct Count(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for Count {
    fn on_event(&self, _event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// The events `f` writes under a subscriber installed for it.
fn events_during(f: impl FnOnce()) -> usize {
    let count = Count::default();
    let subscriber = tracing_subscriber::registry().with(count.clone());
    tracing::subscriber::with_default(subscriber, f);
    count.0.load(Ordering::Relaxed)
}

#[test]
fn a_subscriber_installed_during_a_call_takes_effect_from_the_next_call() {
    let policy = on_error(constant(Duration::from_secs(1)))
        .max_tries(2)
        .jitter(Jitter::None)
        .clock(VirtualClock::new());
    // Started with no subscriber anywhere: no event enabled, no clock read.
    let mut retrying = policy.begin::<Result<(), &str>>();
    let during = events_during(|| {
        assert_eq!(
            retrying.check(Err("busy")),
            Next::Retry(Duration::from_secs(1))
        );
        assert_eq!(retrying.check(Err("busy")), Next::Done(Err("busy")));
    });
    assert_eq!(
        during, 0,
        "neither the backoff nor the give-up of a call started unlogged"
    );
    // The next call starts under the subscriber: one backoff, one give-up.
    let next = events_during(|| {
        assert_eq!(policy.retry(|| Err::<(), _>("busy")), Err("busy"));
    });
    assert_eq!(next, 2);
}
