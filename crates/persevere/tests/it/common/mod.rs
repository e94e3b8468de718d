//! Shared test helpers: handler recorders.
#![allow(dead_code)]

use persevere::Details;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One handler event as the tests compare it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T, E> {
    pub tries: u32,
    pub wait: Option<Duration>,
    pub elapsed: Duration,
    pub value: Option<T>,
    pub error: Option<E>,
}

/// Records the events of the three handlers.
#[derive(Clone)]
pub struct Recorder<T, E> {
    pub backoffs: Arc<Mutex<Vec<Event<T, E>>>>,
    pub giveups: Arc<Mutex<Vec<Event<T, E>>>>,
    pub successes: Arc<Mutex<Vec<Event<T, E>>>>,
}

impl<T: Clone, E: Clone> Recorder<T, E> {
    pub fn new() -> Self {
        Recorder {
            backoffs: Arc::default(),
            giveups: Arc::default(),
            successes: Arc::default(),
        }
    }

    pub fn handler(
        list: &Arc<Mutex<Vec<Event<T, E>>>>,
    ) -> impl Fn(&Details<'_, T, E>) + Send + Sync + 'static
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        let list = list.clone();
        move |d| {
            list.lock().unwrap().push(Event {
                tries: d.tries(),
                wait: d.wait(),
                elapsed: d.elapsed(),
                value: d.value().cloned(),
                error: d.error().cloned(),
            })
        }
    }

    pub fn backoffs(&self) -> Vec<Event<T, E>> {
        self.backoffs.lock().unwrap().clone()
    }
    pub fn giveups(&self) -> Vec<Event<T, E>> {
        self.giveups.lock().unwrap().clone()
    }
    pub fn successes(&self) -> Vec<Event<T, E>> {
        self.successes.lock().unwrap().clone()
    }
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.successes().len(),
            self.backoffs().len(),
            self.giveups().len(),
        )
    }
}

pub fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|s| Duration::from_secs(*s)).collect()
}

/// The policy with the recorder's three handlers attached (a macro: the policy's type grows
/// with each handler).
#[macro_export]
macro_rules! recorded {
    ($policy:expr, $rec:expr $(,)?) => {{
        let rec = $rec;
        $policy
            .on_success($crate::common::Recorder::handler(&rec.successes))
            .on_backoff($crate::common::Recorder::handler(&rec.backoffs))
            .on_giveup($crate::common::Recorder::handler(&rec.giveups))
    }};
}
