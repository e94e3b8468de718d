//! The AWS contention experiment ("Exponential Backoff And Jitter", 2015), with the setup of
//! its simulator (`aws-samples/aws-arch-backoff-simulator`):
//!
//! - one row with one version number; each client makes exactly one successful
//!   optimistic-concurrency update: it reads the version, then writes with it, and the write
//!   succeeds only if the version still matches (which increments it);
//! - every message (read request, read response, write request, write response) takes
//!   `|N(10 ms, 2 ms)|`;
//! - after a failed write the client waits one message delay plus its backoff, then reads
//!   again; the backoff's attempt counter starts at 1 (see [`crate::strategy`]);
//! - all clients start at t = 0; `calls` counts the writes that reach the server (reads are
//!   not counted); `time` is the time of the last event, the last client's successful write
//!   response.

use crate::events::Events;
use crate::net::Net;
use crate::{Backoff, Strategy};
use persevere::Rng;

/// The mean result of one strategy at one number of clients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Write calls reaching the server, per run.
    pub calls: f64,
    /// Simulated milliseconds until the last client is done, per run.
    pub time_ms: f64,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    /// A read request reaches the server.
    Read(usize),
    /// The read response, carrying the version, reaches the client.
    ReadResponse(usize, u64),
    /// A write request with the version the client read reaches the server.
    Write(usize, u64),
    /// The write response reaches the client.
    WriteResponse(usize, bool),
}

/// One run: `clients` clients contending with `strategy`, all random numbers from `seed`.
///
/// ```
/// use persevere_sim::{contention, Strategy};
///
/// // One client never conflicts: one write, four message delays (about 40 ms).
/// let one = contention::run(Strategy::Exponential, 1, 3);
/// assert_eq!(one.calls, 1.0);
/// assert!(one.time_ms > 20.0 && one.time_ms < 60.0);
/// ```
pub fn run(strategy: Strategy, clients: usize, seed: u64) -> Outcome {
    let mut seeds = Rng::seeded(seed);
    let mut net = Net::brooker(seeds.next_u64());
    let mut backoffs: Vec<Backoff> = (0..clients)
        .map(|_| strategy.backoff(seeds.next_u64()))
        .collect();

    let mut version = 0u64;
    let mut calls = 0u64;
    let mut now = 0.0;
    let mut events = Events::new();
    for c in 0..clients {
        events.push(net.delay(), Event::Read(c));
    }
    while let Some((t, event)) = events.pop() {
        now = t;
        match event {
            Event::Read(c) => events.push(t + net.delay(), Event::ReadResponse(c, version)),
            Event::ReadResponse(c, v) => events.push(t + net.delay(), Event::Write(c, v)),
            Event::Write(c, v) => {
                calls += 1;
                let ok = v == version;
                if ok {
                    version += 1;
                }
                events.push(t + net.delay(), Event::WriteResponse(c, ok));
            }
            Event::WriteResponse(_, true) => {}
            Event::WriteResponse(c, false) => {
                let wait = backoffs[c].next_wait_ms();
                events.push(t + net.delay() + wait, Event::Read(c));
            }
        }
    }
    debug_assert_eq!(version, clients as u64);
    Outcome {
        calls: calls as f64,
        time_ms: now,
    }
}

/// The mean of `runs` runs, seeded from `seed` (each run gets its own seed).
pub fn mean(strategy: Strategy, clients: usize, runs: u32, seed: u64) -> Outcome {
    let mut seeds = Rng::seeded(seed);
    let (mut calls, mut time_ms) = (0.0, 0.0);
    for _ in 0..runs {
        let o = run(strategy, clients, seeds.next_u64());
        calls += o.calls;
        time_ms += o.time_ms;
    }
    Outcome {
        calls: calls / f64::from(runs),
        time_ms: time_ms / f64::from(runs),
    }
}

/// One row of the experiment's table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// The strategy.
    pub strategy: Strategy,
    /// The number of contending clients.
    pub clients: usize,
    /// The means over the runs.
    pub outcome: Outcome,
}

/// The whole experiment: every strategy at each number of clients in `clients`, `runs` runs
/// per point. Each point has its own seed derived from `seed`, the strategy and the clients,
/// so a point's numbers do not depend on which other points are run.
pub fn experiment(clients: &[usize], runs: u32, seed: u64) -> Vec<Row> {
    let mut rows = Vec::new();
    for &n in clients {
        for (i, &strategy) in Strategy::ALL.iter().enumerate() {
            let point_seed = Rng::seeded(seed ^ ((n as u64) << 8 | i as u64)).next_u64();
            rows.push(Row {
                strategy,
                clients: n,
                outcome: mean(strategy, n, runs, point_seed),
            });
        }
    }
    rows
}

/// The blog's numbers of clients: 10, 20, ..., 190.
pub fn blog_clients() -> Vec<usize> {
    (1..20).map(|i| i * 10).collect()
}
