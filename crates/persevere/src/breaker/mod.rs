//! A circuit breaker: stop calling a dependency that is failing, for a while, then probe it.
//!
//! A [`CircuitBreaker`] watches the outcomes of the attempts made through it. When too many
//! fail (or are too slow) it *opens*: attempts are refused at once, without calling the
//! operation, for an open duration; then it lets a few probes through (*half-open*), and
//! their outcomes close it or open it again. It is shared by cloning, like a
//! [budget](crate::budget), and it *is* a [`Budget`](crate::budget::Budget), so the decision
//! core asks it where it asks a budget:
//!
//! - [`Policy::budget(breaker)`](crate::Policy::budget) gates **retries** only: a refused retry
//!   ends the call with its last failure and [`GiveUpReason::CircuitOpen`](crate::GiveUpReason::CircuitOpen),
//!   as a budget's refusal does. First attempts always go, and their outcomes still count.
//!   This is the mode Brooker's caution (below) recommends.
//! - [`Policy::gate(breaker)`](crate::Policy::gate) gates **every attempt**, the first
//!   included. A refused first attempt has no error to return, so the operation's error type
//!   must hold one: `E: From<`[`Refused`](crate::Refused)`>`, required only of policies with a
//!   gate, at compile time (as an attempt timeout requires `From<TimedOut>`). The call then
//!   returns `Err(E::from(refused))` without calling the operation.
//!
//! Several guards combine as a tuple: `.budget((RatioBudget::default(), breaker.clone()))`
//! asks the budget, then the breaker (see [`Budget`](crate::budget::Budget)'s tuples).
//!
//! ```
//! use persevere::breaker::CircuitBreaker;
//! use persevere::{on_error, constant, GiveUpReason, Refused, testing::VirtualClock};
//! use std::time::Duration;
//!
//! #[derive(Debug, PartialEq)]
//! enum FetchError { Down, Refused(GiveUpReason) }
//! impl From<Refused> for FetchError {
//!     fn from(r: Refused) -> Self { FetchError::Refused(r.reason()) }
//! }
//!
//! let breaker = CircuitBreaker::default().count_window(10).min_calls(10);
//! let policy = on_error(constant(Duration::ZERO))
//!     .max_tries(2)
//!     .gate(breaker.clone())
//!     .clock(VirtualClock::new());
//! let mut calls = 0;
//! for _ in 0..10 {
//!     let _ = policy.retry(|| { calls += 1; Err::<(), _>(FetchError::Down) });
//! }
//! // Ten failures opened it (after five calls of two attempts): the other calls made none.
//! assert_eq!(calls, 10);
//! let r = policy.retry(|| { calls += 1; Err::<(), _>(FetchError::Down) });
//! assert_eq!(r, Err(FetchError::Refused(GiveUpReason::CircuitOpen)));
//! assert_eq!(calls, 10);
//! ```
//!
//! # Brooker's caution: the mode a breaker adds
//!
//! A breaker makes the client *modal*: the same request is sent or refused depending on what
//! other requests did, and each mode behaves differently. Marc Brooker ("Fixing retries with
//! token buckets and circuit breakers", 2022) points at what that costs:
//!
//! - **Partial failures look total.** A dependency that fails one shard, one key or one
//!   tenant in three still opens a breaker that counts all its calls together, and then the
//!   healthy two thirds are refused too. A breaker turns a partial outage into a full one
//!   for everyone who shares it.
//! - **The open mode is rarely tested.** Code paths that run only while a breaker is open
//!   (the refusal's error, fallbacks) see production traffic only during incidents.
//! - **Recovery is slowed**: an open breaker learns of the recovery only by its probes, an
//!   open duration at a time.
//!
//! The metastable simulation (docs/simulation.md, `persevere-sim`, on this type) shows the
//! timer at work: after a 10 s overload a breaker open 30 s brings goodput back 22 to 24 s
//! after the trigger ends, whatever the server does meanwhile (goodput after 0.61 to 0.65 of
//! its level before), where a retry budget with an adaptive throttle takes 4 to 17 s; open
//! 5 s (Polly's break duration) it comes back within 3 s.
//!
//! So: prefer a retry budget ([`RatioBudget`](crate::budget::RatioBudget),
//! [`TokenBucket`](crate::budget::TokenBucket)) or an
//! [`AdaptiveThrottle`](crate::budget::AdaptiveThrottle), which shed load in proportion
//! instead of switching modes. Use a breaker when the dependency fails as a whole (one host, one
//! database) and a fast refusal is worth more than a slow failure; give each such dependency
//! its own breaker (never one for many hosts or tenants); and gate retries only
//! (`.budget(breaker)`) unless first attempts must be shed too.

mod circuit;
mod outcomes;
mod state;

pub use circuit::CircuitBreaker;
pub use state::BreakerState;
