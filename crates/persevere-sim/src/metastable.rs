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
use crate::guards::{Guards, Refusal};
use crate::metastable_measure::Trace;
use crate::metastable_policy::{self, Policy};
pub use crate::metastable_setup::{Setup, Trigger};
use crate::net::Net;
use persevere::Rng;
use persevere::budget::{RetryCause, Withdrawal};
use std::collections::VecDeque;
use std::time::Instant;

struct Request {
    tries: u32,
    backoff: crate::Backoff,
    /// What the budget charged for the attempt in flight, if it is a retry.
    paid: Option<Withdrawal>,
}

struct Attempt {
    request: usize,
    /// When the client sent it.
    sent_ms: f64,
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

/// One seeded run of `policy` in `setup`: what happened, second by second.
pub fn run(setup: &Setup, policy: Policy, seed: u64) -> Trace {
    let mut seeds = Rng::seeded(seed);
    let mut net = Net::brooker(seeds.next_u64());
    // The throttle's draws take the seed the modelled throttle's generator took.
    let gate = policy.gate(seeds.next_u64());
    let guards = Guards::new(policy.budget.budget(), gate, Instant::now());
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
                let backoff = metastable_policy::backoff(seeds.next_u64());
                if !guards.start(t) {
                    trace.refuse();
                    continue; // refused locally: the call ends without an attempt
                }
                requests.push(Request {
                    tries: 0,
                    backoff,
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
                let (r, sent) = (attempts[a].request, attempts[a].sent_ms);
                if served {
                    trace.succeed(t);
                    guards.succeeded(requests[r].paid, sent, t);
                    None
                } else {
                    // A rejection is the server's answer: what the core calls a transient
                    // failure (no server-given wait).
                    let cause = RetryCause::Transient;
                    guards.failed(cause, sent, t);
                    let next = retry(&mut requests[r], &guards, cause, t, policy, &mut trace);
                    if let Some(wait) = next {
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
                let (r, sent) = (attempts[a].request, attempts[a].sent_ms);
                let cause = RetryCause::Timeout;
                guards.failed(cause, sent, t);
                if let Some(wait) = retry(&mut requests[r], &guards, cause, t, policy, &mut trace) {
                    events.push(t + wait, Event::Retry(r));
                }
                None
            }
        };
        if let Some(r) = send {
            if requests[r].tries > 0 {
                trace.retry();
            }
            requests[r].tries += 1;
            attempts.push(Attempt {
                request: r,
                sent_ms: t,
                settled: false,
            });
            let a = attempts.len() - 1;
            events.push(t + net.delay(), Event::Arrive(a));
            events.push(t + setup.timeout_ms, Event::Timeout(a));
        }
    }
    trace
}

/// After a failed attempt at `t` (the guards told already): the wait before the retry, or
/// `None` if the request gives up (its tries are spent, the budget refuses, or the gate
/// refuses: a local refusal, counted in `trace`).
fn retry(
    request: &mut Request,
    guards: &Guards,
    cause: RetryCause,
    t: f64,
    policy: Policy,
    trace: &mut Trace,
) -> Option<f64> {
    if request.tries >= policy.max_tries {
        return None;
    }
    match guards.retry(cause, t) {
        Ok(paid) => request.paid = paid,
        Err(Refusal::Budget) => return None,
        Err(Refusal::Gate) => {
            trace.refuse();
            return None;
        }
    }
    Some(request.backoff.next_wait_ms())
}
