//! The metastable scenario (issue 21): a server with a fixed capacity and a bounded queue, a
//! client process whose calls time out and retry by a [`Policy`], and a trigger that overloads
//! the server for a while and is then removed. Does goodput come back?
//!
//! Model (all times in ms; messages take `|N(10, 2)|` as in [`crate::contention`]):
//! - the server has `workers` workers, each serving one attempt at a time for `service_ms`,
//!   and a first-come-first-served queue of at most `queue` attempts; an attempt that finds
//!   the queue full is rejected at once (a fast failure). The server cannot tell that a client
//!   stopped waiting: it serves every attempt it queued. That wasted work is what keeps an
//!   overloaded server overloaded (Bronson et al., HotOS 2021);
//! - `clients` open-loop clients each start a request every `interval_ms` at a random phase,
//!   for a total rate of `load` times the server's capacity;
//! - each attempt times out at the client after `timeout_ms`; a timeout or a rejection is a
//!   failure, retried by the policy (its budget, throttle and breaker all shared by the calls of
//!   the process) after [`crate::metastable_policy::backoff`];
//! - the trigger lasts from `trigger_ms` for `trigger_len_ms`: half the workers, or a service
//!   time ten times as long.

use crate::events::Events;
use crate::metastable_measure::Trace;
use crate::metastable_policy::{self, Policy};
pub use crate::metastable_setup::{Setup, Trigger};
use crate::net::Net;
use persevere::Rng;
use persevere::budget::{RetryCause, Withdrawal};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

struct Request {
    tries: u32,
    backoff: crate::Backoff,
    /// What the budget charged for the attempt in flight, if it is a retry.
    paid: Option<Withdrawal>,
}

struct Attempt {
    request: usize,
    /// The client got its answer or stopped waiting.
    settled: bool,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Start(usize),
    Retry(usize),
    /// An attempt reaches the server.
    Arrive(usize),
    /// A worker finishes an attempt.
    Done(usize),
    /// The answer reaches the client: served (`true`) or rejected.
    Answer(usize, bool),
    Timeout(usize),
    /// The trigger ends: idle workers take queued attempts again.
    Restore,
}

/// The shared state of the client process: its budget and its modelled guards.
struct Guards {
    budget: Option<Box<dyn persevere::budget::Budget>>,
    throttle: Option<crate::guards::ThrottleModel>,
    breaker: Option<crate::guards::BreakerModel>,
    rng: Rng,
    origin: Instant,
}

impl Guards {
    fn at(&self, t: f64) -> Instant {
        self.origin + Duration::from_secs_f64(t / 1e3)
    }

    /// Whether an attempt may go out at `t`: the breaker, then the throttle, may refuse it.
    fn allow(&mut self, t: f64) -> bool {
        // Without let-chains: the crate's rust-version is 1.85.
        if let Some(b) = &mut self.breaker {
            if !b.allow(t) {
                return false;
            }
        }
        match &mut self.throttle {
            Some(th) => th.allow(t, &mut self.rng),
            None => true,
        }
    }

    fn outcome(&mut self, ok: bool, t: f64) {
        if let Some(b) = &mut self.breaker {
            b.record(ok, t);
        }
        if let (Some(th), true) = (&mut self.throttle, ok) {
            th.accept(t);
        }
    }
}

/// One seeded run of `policy` in `setup`: what happened, second by second.
pub fn run(setup: &Setup, policy: Policy, seed: u64) -> Trace {
    let mut seeds = Rng::seeded(seed);
    let mut net = Net::brooker(seeds.next_u64());
    let mut guards = Guards {
        budget: policy.budget.budget(),
        throttle: policy.throttle.map(metastable_policy::throttle),
        breaker: policy.breaker.map(|b| b.model()),
        rng: Rng::seeded(seeds.next_u64()),
        origin: Instant::now(),
    };
    let interval_ms = setup.clients as f64 * 1e3 / (setup.load * setup.capacity());
    let mut events = Events::new();
    for c in 0..setup.clients {
        events.push(seeds.next_f64() * interval_ms, Event::Start(c));
    }
    events.push(setup.trigger_end_ms(), Event::Restore);
    let mut requests: Vec<Request> = Vec::new();
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut busy = 0usize;
    let mut trace = Trace::default();

    while let Some((t, event)) = events.pop() {
        // The attempt to send now, for a new request or a retry.
        let send = match event {
            Event::Start(c) => {
                if t >= setup.horizon_ms {
                    continue;
                }
                events.push(t + interval_ms, Event::Start(c));
                trace.start(t);
                if let Some(b) = &guards.budget {
                    b.on_call(guards.at(t));
                }
                requests.push(Request {
                    tries: 0,
                    backoff: metastable_policy::backoff(seeds.next_u64()),
                    paid: None,
                });
                Some(requests.len() - 1)
            }
            Event::Retry(r) => Some(r),
            Event::Arrive(a) => {
                trace.arrive(t);
                if busy < setup.workers_at(t) {
                    busy += 1;
                    events.push(t + setup.service_at(t), Event::Done(a));
                } else if queue.len() < setup.queue {
                    queue.push_back(a);
                } else {
                    events.push(t + net.delay(), Event::Answer(a, false));
                }
                None
            }
            Event::Done(a) => {
                busy -= 1;
                events.push(t + net.delay(), Event::Answer(a, true));
                // A worker gone with the trigger takes nothing from the queue.
                while busy < setup.workers_at(t) {
                    let Some(next) = queue.pop_front() else { break };
                    busy += 1;
                    events.push(t + setup.service_at(t), Event::Done(next));
                }
                None
            }
            Event::Restore => {
                while busy < setup.workers_at(t) {
                    let Some(next) = queue.pop_front() else { break };
                    busy += 1;
                    events.push(t + setup.service_at(t), Event::Done(next));
                }
                None
            }
            Event::Answer(a, served) => {
                if attempts[a].settled {
                    continue; // the client stopped waiting: the server's work was wasted
                }
                attempts[a].settled = true;
                let r = attempts[a].request;
                guards.outcome(served, t);
                if served {
                    trace.succeed(t);
                    if let Some(b) = &guards.budget {
                        b.on_success(requests[r].paid, guards.at(t));
                    }
                    None
                } else {
                    let cause = RetryCause::Transient;
                    if let Some(wait) = retry(&mut requests[r], &guards, cause, t, policy) {
                        events.push(t + wait, Event::Retry(r));
                    }
                    None
                }
            }
            Event::Timeout(a) => {
                if attempts[a].settled {
                    continue;
                }
                attempts[a].settled = true;
                let r = attempts[a].request;
                guards.outcome(false, t);
                let cause = RetryCause::Timeout;
                if let Some(wait) = retry(&mut requests[r], &guards, cause, t, policy) {
                    events.push(t + wait, Event::Retry(r));
                }
                None
            }
        };
        if let Some(r) = send {
            if !guards.allow(t) {
                trace.refuse();
                continue; // a local refusal ends the call: it is not retried
            }
            if requests[r].tries > 0 {
                trace.retry();
            }
            requests[r].tries += 1;
            attempts.push(Attempt {
                request: r,
                settled: false,
            });
            let a = attempts.len() - 1;
            events.push(t + net.delay(), Event::Arrive(a));
            events.push(t + setup.timeout_ms, Event::Timeout(a));
        }
    }
    trace
}

/// After a failed attempt at `t`: the wait before the retry, or `None` if the request gives
/// up (its tries are spent or the budget refuses).
fn retry(
    request: &mut Request,
    guards: &Guards,
    cause: RetryCause,
    t: f64,
    policy: Policy,
) -> Option<f64> {
    if let Some(b) = &guards.budget {
        b.on_failure(cause, guards.at(t));
    }
    if request.tries >= policy.max_tries {
        return None;
    }
    if let Some(b) = &guards.budget {
        request.paid = Some(b.withdraw(cause, guards.at(t))?);
    }
    Some(request.backoff.next_wait_ms())
}
