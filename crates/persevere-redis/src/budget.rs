//! `RedisBudget`: the handle that policies hold. Decisions are the ledger's (atomics); a tokio
//! task reconciles the ledger with Redis.

use crate::error::{self, Error};
use crate::kind::{Inner, Kind, RETRY};
use crate::ledger::Ledger;
use crate::options::Options;
use crate::scripts::Shape;
use crate::sync::Syncer;
use crate::task::{self, Handle, Signals};
use persevere::budget::{Budget, RetryCause, Withdrawal};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A retry budget shared by every client of a Redis key: a ratio budget or a token bucket
/// with the core's rules (see [`Kind`]), for a whole fleet.
///
/// Decisions make no round trip: a retry is granted from a *lease*, credit that a background
/// task has already taken out of the shared budget for this client, atomically, in a Lua
/// script. The task reconciles every [`sync_interval`](Options::sync_interval): it sends what
/// the client's calls earned and its failures owe, gives back the unspent lease and takes a
/// new one, twice the last interval's demand (at most [`max_lease`](Options::max_lease)
/// retries). See the crate's documentation for the consistency this gives.
///
/// When Redis does not answer, a local budget with the same parameters decides (or nothing
/// is granted, with [`fail_closed`](Options::fail_closed)); that is logged once (a `tracing`
/// warning), the task keeps trying, and the budget is shared again when Redis answers.
///
/// Cloning gives another handle to the same client. The task needs a tokio runtime (with the
/// `time` and `net` drivers); it stops, giving its lease back, when the last handle is dropped
/// or at [`close`](RedisBudget::close).
///
/// ```no_run
/// use persevere::{expo, on_error};
/// use persevere_redis::{Kind, RedisBudget};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), persevere_redis::Error> {
/// let kind = Kind::ratio(0.2, 10, Duration::from_secs(10)).expect("in range");
/// let budget = RedisBudget::connect("redis://127.0.0.1:6379/", "budget:payments", kind).await?;
/// let policy = on_error(expo()).max_tries(5).budget(budget.clone());
/// let answer: Result<&str, &str> = policy.retry_async(|| async { Err("down") }).await;
/// # let _ = answer;
/// budget.close().await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisBudget {
    ledger: Arc<Ledger>,
    handle: Arc<Handle>,
}

impl RedisBudget {
    /// [`connect_with`](RedisBudget::connect_with) with the default [`Options`].
    ///
    /// # Errors
    ///
    /// As [`connect_with`](RedisBudget::connect_with).
    pub async fn connect(
        url: &str,
        key: impl Into<String>,
        kind: Kind,
    ) -> Result<RedisBudget, Error> {
        RedisBudget::connect_with(url, key, kind, Options::default()).await
    }

    /// A client of the budget at `key` on the Redis server at `url` (`redis://HOST[:PORT][/DB]`
    /// and the other forms redis-rs reads), which creates it if it does not exist. Waits for
    /// the first exchange with Redis (at most [`sync_timeout`](Options::sync_timeout)); if
    /// Redis does not answer, the budget starts on its local fallback and keeps trying.
    ///
    /// Every client of a key should use the same [`Kind`]: a ratio budget's window is checked
    /// (the scripts count its slots), the rest is each client's own (what its calls earn, the
    /// floor it tests against).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`], [`Error::InvalidOption`], or [`Error::WindowMismatch`] when the
    /// key holds a ratio budget with another window. An unreachable Redis is not an error.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (the reconciling task is spawned on the current one).
    pub async fn connect_with(
        url: &str,
        key: impl Into<String>,
        kind: Kind,
        options: Options,
    ) -> Result<RedisBudget, Error> {
        let key = key.into();
        let client = error::client(url)?;
        let shape = shape(&kind, &options);
        let slot = match kind.inner {
            Inner::Ratio { ttl, .. } => Some(ttl / 10),
            Inner::Bucket { .. } => None,
        };
        options.check(slot)?;
        let ledger = Arc::new(Ledger::new(&kind, options.fail_closed));
        let signals = Signals::new();
        let interval = options.sync_interval;
        let mut syncer = Syncer::new(
            ledger.clone(),
            client,
            key.clone(),
            shape,
            options,
            signals.clone(),
        );
        // The first exchange here, so that a usage error (another window) is the caller's.
        if let Err(err) = syncer.sync(false).await
            && err.is_usage()
        {
            return Err(err);
        }
        tokio::spawn(task::run(syncer, signals.clone(), interval));
        Ok(RedisBudget {
            ledger,
            handle: Arc::new(Handle::new(key, signals)),
        })
    }

    /// The Redis key.
    pub fn key(&self) -> &str {
        &self.handle.key
    }

    /// Whether Redis answered the last exchange (`false`: the local budget decides).
    pub fn is_shared(&self) -> bool {
        self.ledger.shared.load(Ordering::Acquire)
    }

    /// The unspent lease, in retries (ratio) or tokens (bucket).
    pub fn lease(&self) -> f64 {
        self.ledger.lease.load(Ordering::Acquire).max(0) as f64 / RETRY as f64
    }

    /// The shared budget's level at the last exchange: the ratio budget's balance in retries
    /// (reserve included, leases taken out), or the bucket's tokens not out on lease.
    pub fn level(&self) -> f64 {
        self.ledger.level.load(Ordering::Acquire) as f64 / RETRY as f64
    }

    /// Waits for the task's next exchange with Redis (successful or not), made now rather
    /// than at the next interval. Budgets need no call to this; tests and benchmarks do.
    pub async fn sync(&self) {
        let mut done = self.handle.signals().syncs();
        // Syncs run one at a time: the one that starts next is number `started + 1`.
        let next = self.ledger.syncs_started.load(Ordering::Acquire) + 1;
        self.ledger.starved.store(true, Ordering::Release);
        // A sync asked for by `wake` happens at once unless one has just happened.
        self.ledger.wake.notify_one();
        let wait = done.wait_for(|n| *n >= next);
        let _ = tokio::time::timeout(Duration::from_secs(30), wait).await;
    }

    /// Gives the lease back and sends what this client earned and owes, if this is the last
    /// handle, and waits for that (at most the sync timeout); the task then stops. A budget
    /// dropped instead does the same in the background, if its runtime still runs.
    pub async fn close(self) {
        let mut done = self.handle.signals().syncs();
        let seen = *done.borrow_and_update();
        let last = Arc::strong_count(&self.handle) == 1;
        drop(self);
        if last {
            // Ends when the task has reported its last exchange, or has stopped.
            let _ =
                tokio::time::timeout(Duration::from_secs(30), done.wait_for(|n| *n > seen)).await;
        }
    }
}

fn shape(kind: &Kind, options: &Options) -> Shape {
    match kind.inner {
        Inner::Ratio {
            min_per_sec, ttl, ..
        } => {
            let ttl_ms = ttl.as_millis() as u64;
            Shape::Ratio {
                slot_ms: (ttl_ms / 10).max(1),
                reserve: u64::from(min_per_sec) * ttl_ms,
                step: RETRY,
            }
        }
        Inner::Bucket { rules, initial } => Shape::Bucket {
            capacity: rules.capacity,
            initial,
            lease_ms: options.bucket_lease_period.as_millis() as u64,
            idle_ms: options.bucket_idle_expiry.as_millis() as u64,
            keep: rules.refuse_at_or_below.map_or(0, |floor| floor + 1),
            step: crate::kind::step(&rules),
        },
    }
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBudget")
            .field("key", &self.handle.key)
            .field("shared", &self.is_shared())
            .field("lease", &self.lease())
            .finish_non_exhaustive()
    }
}

impl Budget for RedisBudget {
    #[inline]
    fn on_call(&self, now: Instant) {
        self.ledger.on_call(now)
    }

    #[inline]
    fn on_failure(&self, cause: RetryCause, now: Instant) {
        self.ledger.on_failure(cause, now)
    }

    #[inline]
    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        self.ledger.withdraw(cause, now)
    }

    #[inline]
    fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
        self.ledger.on_success(last, now)
    }
}
