//! `RedisThrottle`: Google SRE's adaptive throttling on a fleet's counts, shared through
//! Redis; decisions in atomics, a tokio task reconciles the counts.

use crate::error::{self, Error};
use crate::link::Link;
use crate::options::Options;
use crate::task::{self, Exchanges, Handle, Signals};
use persevere::GiveUpReason;
use persevere::budget::{AdaptiveThrottle, Budget, BudgetError, RetryCause, Withdrawal};
use redis::Script;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

static THROTTLE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("throttle.lua")));

/// An [`AdaptiveThrottle`] whose counts are the fleet's: every client of a Redis key adds its
/// requests and accepts to one window kept in Redis (10 slots on Redis's clock), and rejects
/// an attempt locally with probability `max(0, (requests - K * accepts) / (requests + 1))`
/// computed on the fleet's counts at its last sync plus its own since. So a backend that
/// stops serving one client is throttled by all of them at once, and a client that has just
/// started inherits what the fleet has seen.
///
/// It counts as the core's throttle does (see [`AdaptiveThrottle`]'s table): a call or an
/// attempt asked for is a request, rejected or not; a success is an accept, a failure never
/// is (an overloaded server's fast rejections are not service); a refund takes a request back. Given
/// to [`Policy::budget`](persevere::Policy::budget) it gates retries, to
/// [`Policy::gate`](persevere::Policy::gate) every attempt; a rejection is
/// [`GiveUpReason::Throttled`].
///
/// A background task sends the counts every [`sync_interval`](Options::sync_interval) and
/// reads the fleet's back (one script call). When Redis does not answer, a local
/// [`AdaptiveThrottle`] with the same `k` and window, which hears every event all along,
/// decides (or every attempt is rejected, with [`fail_closed`](Options::fail_closed)); that
/// is logged once, and the counts are shared again when Redis answers.
///
/// ```no_run
/// use persevere::{expo, on_error};
/// use persevere_redis::{Options, RedisThrottle};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let window = Duration::from_secs(120);
/// let throttle =
///     RedisThrottle::connect("redis://cache:6379/", "throttle:search", 2.0, window, Options::default())
///         .await?;
/// let policy = on_error(expo()).max_tries(3).budget(throttle.clone());
/// let _: Result<(), &str> = policy.retry_async(|| async { Err("overloaded") }).await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisThrottle {
    state: Arc<State>,
    handle: Arc<Handle>,
}

struct State {
    /// Decides while Redis is unreachable, and holds the rule and the generator that decide
    /// on the fleet's counts while it answers.
    local: AdaptiveThrottle,
    fail_closed: bool,
    shared: AtomicBool,
    /// The fleet's counts at the last sync.
    requests: AtomicI64,
    accepts: AtomicI64,
    /// This client's counts since the last sync.
    new_requests: AtomicI64,
    new_accepts: AtomicI64,
    signals: Arc<Signals>,
}

impl RedisThrottle {
    /// A client of the throttle at `key` on `url`, with multiplier `k` over `window`; waits
    /// for the first exchange (at most [`sync_timeout`](Options::sync_timeout)). An
    /// unreachable Redis is not an error: the local throttle decides and the task keeps trying.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`], [`Error::InvalidOption`] (also for a `k` or a `window` that
    /// [`AdaptiveThrottle::try_new`] refuses, with its message).
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (the task is spawned on the current one).
    pub async fn connect(
        url: &str,
        key: impl Into<String>,
        k: f64,
        window: Duration,
        options: Options,
    ) -> Result<RedisThrottle, Error> {
        let key = key.into();
        let client = error::client(url)?;
        let local = AdaptiveThrottle::try_new(k, window)
            .map_err(|e: BudgetError| Error::InvalidOption(e.to_string()))?;
        let slot_ms = (window.as_millis() as u64 / 10).max(1);
        options.check(Some(Duration::from_millis(slot_ms)))?;
        let state = Arc::new(State {
            local,
            fail_closed: options.fail_closed,
            shared: AtomicBool::new(false),
            requests: AtomicI64::new(0),
            accepts: AtomicI64::new(0),
            new_requests: AtomicI64::new(0),
            new_accepts: AtomicI64::new(0),
            signals: Signals::new(),
        });
        let syncer = Syncer {
            state: state.clone(),
            link: Link::new(client, options.sync_timeout),
            key: key.clone(),
            slot_ms,
            synced_once: false,
        };
        let signals = state.signals.clone();
        let handle = task::start(syncer, key, signals, options.sync_interval).await;
        Ok(RedisThrottle { handle, state })
    }

    /// The Redis key.
    pub fn key(&self) -> &str {
        &self.handle.key
    }

    /// Whether Redis answered the last exchange (`false`: the local throttle decides).
    pub fn is_shared(&self) -> bool {
        self.state.shared.load(Ordering::Acquire)
    }

    /// The requests and accepts the next decision sees: the fleet's at the last exchange and
    /// this client's since (the local throttle's while not shared).
    pub fn counts(&self, now: Instant) -> (u64, u64) {
        let s = &self.state;
        if !self.is_shared() {
            return s.local.counts(now);
        }
        let r = s.requests.load(Ordering::Acquire) + s.new_requests.load(Ordering::Acquire);
        let a = s.accepts.load(Ordering::Acquire) + s.new_accepts.load(Ordering::Acquire);
        (r.max(0) as u64, a.max(0) as u64)
    }

    /// The probability that the next attempt is rejected, on [`counts`](Self::counts).
    pub fn rejection_probability(&self, now: Instant) -> f64 {
        if !self.is_shared() {
            return self.state.local.rejection_probability(now);
        }
        let (r, a) = self.counts(now);
        self.state.local.probability_for(r, a)
    }

    /// Makes an exchange with Redis now and waits for it. Throttles need no call to this;
    /// tests do.
    pub async fn sync(&self) {
        self.state.signals.sync_now().await;
    }

    /// Counts a request and draws whether it is rejected (the core's rule on the fleet's
    /// counts).
    fn rejects(&self, now: Instant) -> bool {
        let s = &self.state;
        let (requests, accepts) = self.counts(now);
        s.new_requests.fetch_add(1, Ordering::AcqRel);
        s.local.draw_rejection(requests, accepts)
    }

    fn accept(&self) {
        self.state.new_accepts.fetch_add(1, Ordering::AcqRel);
    }
}

impl fmt::Debug for RedisThrottle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisThrottle")
            .field("key", &self.handle.key)
            .field("k", &self.state.local.k())
            .field("shared", &self.is_shared())
            .finish_non_exhaustive()
    }
}

impl Budget for RedisThrottle {
    fn on_call(&self, now: Instant) {
        self.state.new_requests.fetch_add(1, Ordering::AcqRel);
        self.state.local.on_call(now);
    }

    fn on_failure(&self, cause: RetryCause, now: Instant) {
        // A failure is never an accept, whatever its cause (the core's rule).
        self.state.local.on_failure(cause, now);
    }

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        self.try_withdraw(cause, now).ok()
    }

    fn try_withdraw(&self, cause: RetryCause, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        let s = &self.state;
        if !self.is_shared() {
            if s.fail_closed {
                return Err(GiveUpReason::Throttled);
            }
            // The local throttle decides; the fleet hears of the request when Redis is back.
            s.new_requests.fetch_add(1, Ordering::AcqRel);
            return s.local.try_withdraw(cause, now);
        }
        // The local throttle counts the request too, so that it is warm if Redis goes (a
        // count only: its own sum and draw would be thrown away).
        s.local.on_call(now);
        match self.rejects(now) {
            true => Err(GiveUpReason::Throttled),
            false => Ok(Withdrawal::new(0)),
        }
    }

    fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.try_withdraw(RetryCause::Transient, now)
    }

    fn refund(&self, granted: Withdrawal, now: Instant) {
        self.state.new_requests.fetch_sub(1, Ordering::AcqRel);
        self.state.local.refund(granted, now);
    }

    fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
        self.accept();
        self.state.local.on_success(last, now);
    }
}

struct Syncer {
    state: Arc<State>,
    link: Link,
    key: String,
    slot_ms: u64,
    synced_once: bool,
}

impl Exchanges for Syncer {
    async fn exchange(&mut self, _closing: bool) {
        let s = self.state.clone();
        let requests = s.new_requests.swap(0, Ordering::AcqRel);
        let accepts = s.new_accepts.swap(0, Ordering::AcqRel);
        match self.call(requests, accepts).await {
            Ok((r, a)) => {
                s.requests.store(r, Ordering::Release);
                s.accepts.store(a, Ordering::Release);
                if !s.shared.swap(true, Ordering::AcqRel) && self.synced_once {
                    tracing::info!(key = %self.key, "persevere-redis: Redis is back: the throttle is shared again");
                }
            }
            Err(err) => {
                // Sent again with the next sync (counting twice if this one was applied errs
                // towards throttling, which is what an outage of the store calls for).
                s.new_requests.fetch_add(requests, Ordering::AcqRel);
                s.new_accepts.fetch_add(accepts, Ordering::AcqRel);
                let was_shared = s.shared.swap(false, Ordering::AcqRel);
                if was_shared || !self.synced_once {
                    let decides = match s.fail_closed {
                        true => "every attempt is rejected",
                        false => "a local throttle with the same parameters decides",
                    };
                    tracing::warn!(
                        key = %self.key,
                        error = %err,
                        "persevere-redis: Redis is unreachable: {decides} until it is back"
                    );
                }
            }
        }
        self.synced_once = true;
        s.signals.synced();
    }

    fn is_shared(&self) -> bool {
        self.state.shared.load(Ordering::Acquire)
    }
}

impl Syncer {
    async fn call(&mut self, requests: i64, accepts: i64) -> Result<(i64, i64), Error> {
        let mut call = THROTTLE.prepare_invoke();
        call.key(&self.key)
            .arg(self.slot_ms)
            .arg(requests)
            .arg(accepts);
        self.link.invoke(&call).await
    }
}
