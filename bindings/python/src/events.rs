//! What the core's handlers report to the binding: the numbers of the event (tries, elapsed,
//! wait, why a call gave up). The Python side calls the user's handlers with backoff's
//! details dict, inside its `except` block (so that `sys.exc_info()` in a handler sees the
//! exception, as backoff's default log handlers rely on) and awaiting coroutine handlers.

use persevere::{Details, GiveUpReason};
use std::cell::Cell;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub tries: u32,
    pub elapsed: Duration,
    pub wait: Option<Duration>,
    pub reason: Option<GiveUpReason>,
}

thread_local! {
    static EVENT: Cell<Option<Event>> = const { Cell::new(None) };
}

/// The core's handler for every event: records it for the binding method that called `check`.
pub fn record<T, E>(details: &Details<'_, T, E>) {
    let event = Event {
        tries: details.tries(),
        elapsed: details.elapsed(),
        wait: details.wait(),
        reason: details.reason(),
    };
    EVENT.with(|e| e.set(Some(event)));
}

/// Takes the event recorded by the last `check`, if any.
pub fn take() -> Option<Event> {
    EVENT.with(Cell::take)
}
