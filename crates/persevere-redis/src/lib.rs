//! A persevere retry budget, circuit breaker and adaptive throttle shared by a whole fleet
//! through Redis.
//!
//! - [`RedisBudget`]: a ratio budget or a token bucket (below).
//! - [`RedisBreaker`]: a circuit breaker (the core's `CircuitBreaker` rules: a count or time
//!   window, failure and slow-call ratios) with one state for the fleet;
//!   [`blocking::BreakerStore`] asks Redis once per question, for processes that make one
//!   call (the `persevere` command's `--breaker`).
//! - [`RedisThrottle`]: the core's `AdaptiveThrottle` on the fleet's requests and accepts.
//!
//! All three decide without a round trip (a tokio task reconciles them with Redis), count on
//! Redis's clock, and fall back on a local one with the same parameters while Redis is
//! unreachable (or refuse everything, with [`Options::fail_closed`]), logged once.
//!
//! A [`RatioBudget`] or a [`TokenBucket`] protects a server from one process. A fleet of
//! replicas retrying the same failing dependency needs one budget for all of them:
//! [`RedisBudget`] is that budget, with the core's rules (a [`Kind`]), held in one Redis key
//! that every client names, changed only by atomic Lua scripts, and expiring when no client
//! uses it any more.
//!
//! ```no_run
//! use persevere::{expo, on_error};
//! use persevere_redis::{Kind, RedisBudget};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), persevere_redis::Error> {
//! // The AWS SDKs' retry quota, one for every replica of the service.
//! let budget = RedisBudget::connect("redis://cache:6379/", "retry:orders", Kind::aws_standard())
//!     .await?;
//! let policy = on_error(expo()).max_tries(3).budget(budget.clone());
//! let _: Result<(), &str> = policy.retry_async(|| async { Err("down") }).await;
//! # Ok(())
//! # }
//! ```
//!
//! # Consistency
//!
//! A retry decision is a compare-and-swap on a *lease*: credit that this client's background
//! task took out of the shared budget in Redis, atomically, before the decision. So while Redis
//! answers, **no client spends credit the shared budget did not give it, and the fleet's
//! retries stay within the budget** that one [`RatioBudget`] or [`TokenBucket`] fed with all
//! the fleet's calls would allow, up to two delays of at most one sync (`sync_interval` +
//! `sync_timeout`, 270 ms by default):
//!
//! - what calls earn reaches Redis up to one sync late, and so also expires up to one sync
//!   late: a ratio budget may grant `percent` of the calls made in one sync more than a local
//!   one (20 % of 270 ms of calls, against a window of 10 s);
//! - a bucket's failure costs (gRPC's) that a client's lease cannot pay reach Redis up to one
//!   sync late: until then the other clients may spend the leases they hold (at most
//!   [`max_lease`](Options::max_lease) each) although the bucket is at its floor.
//!
//! The opposite error is the price of the leases: credit leased to one client is not available
//! to the others until its next sync, so the fleet may *refuse* up to `max_lease` retries per
//! client that one shared counter would grant; a client leases twice what it asked for in the
//! last interval, so an idle client holds one retry's worth.
//!
//! While Redis is unreachable each client falls back on a local budget with the same
//! parameters: the fleet may then grant up to one budget per client (a ratio budget's floor,
//! `min_per_sec × ttl`, once per client instead of once for the fleet; a bucket's capacity
//! per client), or nothing with [`fail_closed`](Options::fail_closed). A Redis that restarts
//! empty starts the budget afresh. The [`blocking`] module's [`RatioStore`](blocking::RatioStore)
//! makes one round trip per decision instead, and is exact.
//!
//! Time is Redis's (`TIME` in the scripts), so that clients with skewed clocks agree on a
//! ratio budget's window; the `now` a policy passes is used by the local fallback only.
//!
//! [`RatioBudget`]: persevere::budget::RatioBudget
//! [`TokenBucket`]: persevere::budget::TokenBucket

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Without `tokio`, only the blocking ratio store is built: the buckets' parts go unused.
#![cfg_attr(not(feature = "tokio"), allow(dead_code))]

pub mod blocking;
mod breaker_store;
mod error;
mod kind;
mod scripts;

#[cfg(feature = "tokio")]
mod budget;
#[cfg(feature = "tokio")]
mod ledger;
#[cfg(feature = "tokio")]
mod link;
#[cfg(feature = "tokio")]
mod options;
#[cfg(feature = "tokio")]
mod shared_breaker;
#[cfg(feature = "tokio")]
mod shared_throttle;
#[cfg(feature = "tokio")]
mod sync;
#[cfg(feature = "tokio")]
mod task;

#[cfg(feature = "tokio")]
pub use budget::RedisBudget;
pub use error::Error;
pub use kind::{Kind, LocalBudget};
#[cfg(feature = "tokio")]
pub use options::Options;
#[cfg(feature = "tokio")]
pub use shared_breaker::RedisBreaker;
#[cfg(feature = "tokio")]
pub use shared_throttle::RedisThrottle;
