//! The metastable scenario's setup: the server, the clients' load, and the trigger that
//! overloads the server for a while (see `metastable.rs` for the model).

use std::fmt;

/// What overloads the server for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// Half the workers are gone (a lost zone, a bad deploy).
    CapacityHalved,
    /// Each attempt holds its worker ten times as long (a slow dependency).
    LatencyTenfold,
}

impl Trigger {
    /// Both, in the order of the tables.
    pub const ALL: [Trigger; 2] = [Trigger::CapacityHalved, Trigger::LatencyTenfold];

    /// The name in the CSV file.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::CapacityHalved => "capacity_halved",
            Trigger::LatencyTenfold => "latency_x10",
        }
    }
}

impl Trigger {
    /// The trigger in words, for titles.
    pub fn label(self) -> &'static str {
        match self {
            Trigger::CapacityHalved => "capacity halved",
            Trigger::LatencyTenfold => "latency x10",
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The scenario's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    /// Server workers.
    pub workers: usize,
    /// Time a worker spends on one attempt, normally (ms).
    pub service_ms: f64,
    /// Most attempts waiting for a worker.
    pub queue: usize,
    /// Open-loop clients (the calls of one client process).
    pub clients: usize,
    /// The offered load: requests per second over the server's normal capacity.
    pub load: f64,
    /// The client's attempt timeout (ms).
    pub timeout_ms: f64,
    /// The trigger.
    pub trigger: Trigger,
    /// When the trigger starts (ms).
    pub trigger_ms: f64,
    /// How long it lasts (ms).
    pub trigger_len_ms: f64,
    /// Requests start until this time (ms).
    pub horizon_ms: f64,
}

impl Setup {
    /// The published scenario: 10 workers of 10 ms (1000 attempts a second), a queue of 2000
    /// (2 s of work), load 0.7, a 1 s attempt timeout; 10 s of normal load, a 10 s trigger,
    /// then 60 s.
    pub fn issue(trigger: Trigger) -> Self {
        Setup {
            workers: 10,
            service_ms: 10.0,
            queue: 2_000,
            clients: 100,
            load: 0.7,
            timeout_ms: 1_000.0,
            trigger,
            trigger_ms: 10_000.0,
            trigger_len_ms: 10_000.0,
            horizon_ms: 80_000.0,
        }
    }

    /// Attempts a second the server serves normally.
    pub fn capacity(&self) -> f64 {
        self.workers as f64 * 1e3 / self.service_ms
    }

    /// When the trigger is removed (ms).
    pub fn trigger_end_ms(&self) -> f64 {
        self.trigger_ms + self.trigger_len_ms
    }

    pub(crate) fn triggered(&self, t: f64) -> bool {
        (self.trigger_ms..self.trigger_end_ms()).contains(&t)
    }

    pub(crate) fn workers_at(&self, t: f64) -> usize {
        match self.trigger {
            Trigger::CapacityHalved if self.triggered(t) => self.workers / 2,
            _ => self.workers,
        }
    }

    pub(crate) fn service_at(&self, t: f64) -> f64 {
        match self.trigger {
            Trigger::LatencyTenfold if self.triggered(t) => self.service_ms * 10.0,
            _ => self.service_ms,
        }
    }
}
