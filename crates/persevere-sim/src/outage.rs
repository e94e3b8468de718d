//! The outage scenario: open-loop clients, a server with twice the normal capacity that fails
//! every request for a while, and each request retried by its own policy.
//!
//! Model (all times in ms, message delays `|N(10, 2)|` as in [`crate::contention`]):
//! - each of `clients` clients starts a new request every `interval_ms` (open loop: a new
//!   request does not wait for the previous one), at a random phase;
//! - the server serves attempts one at a time, first come first served, each taking
//!   `interval_ms / (clients * capacity)`: with capacity 2 it serves twice the normal total
//!   rate. A failed attempt costs as much as a successful one;
//! - an attempt whose service ends in `[outage_start_ms, outage_start_ms + outage_ms)` fails;
//!   every other attempt succeeds;
//! - after a failed attempt's response arrives, the request gives up if it has made
//!   `max_tries` attempts (persevere's `max_tries` counts the first), else it waits its backoff
//!   and sends the next attempt;
//! - with a budget ([`BudgetKind`]), one budget is shared by all the clients: a request reports
//!   its start, each failed attempt and its success to it, and asks it before each retry; a
//!   refused retry gives up at once. The budget reads the simulated time (a fixed origin plus
//!   the scenario's milliseconds).

use crate::budgets::BudgetKind;
use crate::events::Events;
use crate::net::Net;
use crate::{Backoff, Strategy};
use persevere::Rng;
use persevere::budget::{RetryCause, Withdrawal};
use std::time::{Duration, Instant};

/// The width of a [`timeline`] bin, in ms.
pub const BIN_MS: f64 = 250.0;

/// The scenario's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    /// Open-loop clients.
    pub clients: usize,
    /// Each client starts one request per interval (ms).
    pub interval_ms: f64,
    /// The server's capacity as a multiple of the normal total request rate.
    pub capacity: f64,
    /// When the outage begins (ms).
    pub outage_start_ms: f64,
    /// How long every attempt fails (ms).
    pub outage_ms: f64,
    /// Requests start until this time (ms); the run then goes on until all are done.
    pub horizon_ms: f64,
    /// Total attempts per request, the first included.
    pub max_tries: u32,
    /// The retry budget all the clients share.
    pub budget: BudgetKind,
}

impl Setup {
    /// The issue's scenario: 100 clients, one request each per 100 ms, capacity 2x, a 10 s
    /// outage after 5 s of normal load, requests starting for 60 s after recovery; no budget.
    pub fn issue(max_tries: u32) -> Self {
        Setup {
            clients: 100,
            interval_ms: 100.0,
            capacity: 2.0,
            outage_start_ms: 5_000.0,
            outage_ms: 10_000.0,
            horizon_ms: 75_000.0,
            max_tries,
            budget: BudgetKind::None,
        }
    }

    /// The same scenario with `budget` shared by the clients.
    pub fn with_budget(self, budget: BudgetKind) -> Self {
        Setup { budget, ..self }
    }

    /// Requests per second under normal load.
    pub fn normal_rate(&self) -> f64 {
        self.clients as f64 * 1e3 / self.interval_ms
    }

    fn outage_end_ms(&self) -> f64 {
        self.outage_start_ms + self.outage_ms
    }

    fn in_outage(&self, t: f64) -> bool {
        (self.outage_start_ms..self.outage_end_ms()).contains(&t)
    }
}

/// What one strategy does to the server around the outage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Attempts reaching the server during the outage / requests started during it.
    pub amplification: f64,
    /// The busiest second's attempts / the normal requests per second.
    pub peak_load: f64,
    /// From recovery until the last retry (an attempt after the first) is served, in ms.
    pub drain_ms: f64,
    /// Requests that gave up (their last attempt failed).
    pub gave_up: f64,
    /// Retries the budget refused (each one a request that gave up early).
    pub refused: f64,
}

impl Outcome {
    const ZERO: Outcome = Outcome {
        amplification: 0.0,
        peak_load: 0.0,
        drain_ms: 0.0,
        gave_up: 0.0,
        refused: 0.0,
    };
}

struct Request {
    backoff: Backoff,
    tries: u32,
    /// What the budget charged for the attempt in flight, if it is a retry.
    paid: Option<Withdrawal>,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    /// A client starts a new request.
    Start(usize),
    /// An attempt of a request reaches the server.
    Arrive(usize),
    /// The response to an attempt reaches the client.
    Response(usize, bool),
}

/// One run of the scenario with `strategy`, seeded.
pub fn run(setup: &Setup, strategy: Strategy, seed: u64) -> Outcome {
    simulate(setup, strategy, seed).0
}

/// What happened in each [`BIN_MS`] bin of one run, from t = 0.
#[derive(Default)]
struct Trace {
    /// Attempts reaching the server.
    arrivals: Vec<u64>,
    /// The longest an attempt arriving in the bin waited for the server (its queue), in ms.
    queued_ms: Vec<f64>,
}

impl Trace {
    fn arrive(&mut self, t: f64, queued_ms: f64) {
        let i = (t / BIN_MS) as usize;
        if self.arrivals.len() <= i {
            self.arrivals.resize(i + 1, 0);
            self.queued_ms.resize(i + 1, 0.0);
        }
        self.arrivals[i] += 1;
        self.queued_ms[i] = self.queued_ms[i].max(queued_ms);
    }
}

/// One run, and its trace.
fn simulate(setup: &Setup, strategy: Strategy, seed: u64) -> (Outcome, Trace) {
    let mut seeds = Rng::seeded(seed);
    let mut net = Net::brooker(seeds.next_u64());
    let service_ms = setup.interval_ms / (setup.clients as f64 * setup.capacity);
    let budget = setup.budget.budget();
    let origin = Instant::now();
    let at = |t: f64| origin + Duration::from_secs_f64(t / 1e3);
    let mut events = Events::new();
    for c in 0..setup.clients {
        events.push(seeds.next_f64() * setup.interval_ms, Event::Start(c));
    }
    let mut requests: Vec<Request> = Vec::new();
    let (mut per_second, mut trace) = (Vec::new(), Trace::default());
    let (mut started_in_outage, mut arrived_in_outage) = (0u64, 0u64);
    let (mut server_free, mut last_retry_served, mut gave_up) = (0.0f64, 0.0f64, 0u64);
    let mut refused = 0u64;

    while let Some((t, event)) = events.pop() {
        match event {
            Event::Start(c) => {
                if t >= setup.horizon_ms {
                    continue;
                }
                events.push(t + setup.interval_ms, Event::Start(c));
                started_in_outage += u64::from(setup.in_outage(t));
                if let Some(b) = &budget {
                    b.on_call(at(t));
                }
                requests.push(Request {
                    backoff: strategy.backoff(seeds.next_u64()),
                    tries: 0,
                    paid: None,
                });
                events.push(t + net.delay(), Event::Arrive(requests.len() - 1));
            }
            Event::Arrive(r) => {
                let request = &mut requests[r];
                request.tries += 1;
                let second = (t / 1e3) as usize;
                if per_second.len() <= second {
                    per_second.resize(second + 1, 0u64);
                }
                per_second[second] += 1;
                trace.arrive(t, (server_free - t).max(0.0));
                arrived_in_outage += u64::from(setup.in_outage(t));
                server_free = server_free.max(t) + service_ms;
                if request.tries >= 2 {
                    last_retry_served = last_retry_served.max(server_free);
                }
                let ok = !setup.in_outage(server_free);
                events.push(server_free + net.delay(), Event::Response(r, ok));
            }
            Event::Response(r, true) => {
                if let Some(b) = &budget {
                    b.on_success(requests[r].paid, at(t));
                }
            }
            Event::Response(r, false) => {
                let request = &mut requests[r];
                if let Some(b) = &budget {
                    b.on_failure(RetryCause::Transient, at(t));
                }
                if request.tries >= setup.max_tries {
                    gave_up += 1;
                    continue;
                }
                if let Some(b) = &budget {
                    request.paid = b.withdraw(RetryCause::Transient, at(t));
                    if request.paid.is_none() {
                        refused += 1;
                        gave_up += 1;
                        continue;
                    }
                }
                let wait = request.backoff.next_wait_ms();
                events.push(t + wait + net.delay(), Event::Arrive(r));
            }
        }
    }
    // The last second is partial (the horizon's tail); the first is full from t = 0.
    let peak = per_second.iter().copied().max().unwrap_or(0);
    let outcome = Outcome {
        amplification: arrived_in_outage as f64 / started_in_outage.max(1) as f64,
        peak_load: peak as f64 / setup.normal_rate(),
        drain_ms: (last_retry_served - setup.outage_end_ms()).max(0.0),
        gave_up: gave_up as f64,
        refused: refused as f64,
    };
    (outcome, trace)
}

/// The mean of `runs` seeded runs.
pub fn mean(setup: &Setup, strategy: Strategy, runs: u32, seed: u64) -> Outcome {
    let mut seeds = Rng::seeded(seed);
    let mut sum = Outcome::ZERO;
    for _ in 0..runs {
        let o = run(setup, strategy, seeds.next_u64());
        sum.amplification += o.amplification;
        sum.peak_load += o.peak_load;
        sum.drain_ms += o.drain_ms;
        sum.gave_up += o.gave_up;
        sum.refused += o.refused;
    }
    let n = f64::from(runs);
    Outcome {
        amplification: sum.amplification / n,
        peak_load: sum.peak_load / n,
        drain_ms: sum.drain_ms / n,
        gave_up: sum.gave_up / n,
        refused: sum.refused / n,
    }
}

/// The server over time in the outage scenario, averaged over runs: one point per [`BIN_MS`]
/// bin, at the bin's middle, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Attempts reaching the server per second, over the normal rate (1 is normal load).
    pub load: Vec<(f64, f64)>,
    /// The longest an attempt arriving in the bin waited in the server's queue, in seconds:
    /// the backlog, which after recovery is what remains to drain.
    pub queued: Vec<(f64, f64)>,
}

/// The [`Timeline`] up to `until_ms` of `runs` seeded runs (the same seeds as [`mean`]).
///
/// ```
/// use persevere_sim::{outage::{timeline, Setup, BIN_MS}, Strategy};
///
/// let setup = Setup { clients: 10, horizon_ms: 2_000.0, outage_ms: 0.0, ..Setup::issue(3) };
/// let t = timeline(&setup, Strategy::FullJitter, 1, 1, 1_000.0);
/// assert_eq!(t.load.len(), (1_000.0 / BIN_MS) as usize);
/// // No outage: normal load in every bin, and no queue beyond a few attempts' service.
/// assert!(t.load.iter().all(|&(_, load)| (0.8..1.2).contains(&load)));
/// assert!(t.queued.iter().all(|&(_, wait)| wait < 0.05));
/// ```
pub fn timeline(
    setup: &Setup,
    strategy: Strategy,
    runs: u32,
    seed: u64,
    until_ms: f64,
) -> Timeline {
    let n_bins = (until_ms / BIN_MS).ceil() as usize;
    let (mut arrivals, mut queued) = (vec![0u64; n_bins], vec![0.0f64; n_bins]);
    let mut seeds = Rng::seeded(seed);
    for _ in 0..runs {
        let (_, trace) = simulate(setup, strategy, seeds.next_u64());
        for (sum, n) in arrivals.iter_mut().zip(trace.arrivals) {
            *sum += n;
        }
        for (sum, q) in queued.iter_mut().zip(trace.queued_ms) {
            *sum += q;
        }
    }
    let runs = f64::from(runs);
    let per_bin_normal = setup.normal_rate() * BIN_MS / 1e3 * runs;
    let mid = |i: usize| (i as f64 + 0.5) * BIN_MS / 1e3;
    Timeline {
        load: arrivals
            .iter()
            .enumerate()
            .map(|(i, &n)| (mid(i), n as f64 / per_bin_normal))
            .collect(),
        queued: queued
            .iter()
            .enumerate()
            .map(|(i, &q)| (mid(i), q / runs / 1e3))
            .collect(),
    }
}
