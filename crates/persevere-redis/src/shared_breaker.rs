//! `RedisBreaker`: a circuit breaker shared by a fleet of processes through Redis, deciding in
//! atomics as `RedisBudget` does; a tokio task reconciles it with Redis.

use crate::blocking::BreakerRules;
use crate::breaker_store::BREAKER;
use crate::error::{self, Error};
use crate::link::Link;
use crate::options::Options;
use crate::task::{self, Exchanges, Handle, Signals};
use persevere::GiveUpReason;
use persevere::breaker::{BreakerState, CircuitBreaker};
use persevere::budget::{Budget, RetryCause, Withdrawal};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A circuit breaker shared by every client of a Redis key: the rules of a [`BreakerRules`]
/// (a [`CircuitBreaker`] with a count or time window, a failure ratio and a slow-call rule),
/// one state for the whole fleet.
///
/// Decisions make no round trip. The client holds the fleet's state as of its last sync
/// (closed, open or half-open) and any probes it leased: closed lets every attempt go; open
/// or half-open lets an attempt go only on a leased probe, and refuses the others with
/// [`GiveUpReason::CircuitOpen`]. A background task syncs every
/// [`sync_interval`](Options::sync_interval): one script call (the same `breaker.lua` as
/// [`BreakerStore`](crate::blocking::BreakerStore)) sends the outcomes of the attempts made
/// since the last sync (successes first), asks for one probe if an attempt was refused since
/// the last sync, and reads the state back. A leased probe is kept until an attempt uses it
/// or the round is decided (a round whose probes never report starts again after an open
/// duration), and given back when the client stops. So the fleet's window
/// holds every client's outcomes, the open duration is counted on Redis's clock, and no more
/// probes than the breaker's go out per round; a client sees a transition up to one sync late.
///
/// When Redis does not answer, a local [`CircuitBreaker`] with the same rules decides (or,
/// with [`fail_closed`](Options::fail_closed), every attempt is refused), as a
/// [`RedisBudget`](crate::RedisBudget) falls back on a local budget; that is logged once
/// (a `tracing` warning), the task keeps trying, and the breaker is shared again when Redis
/// answers. The local breaker hears every outcome all along, so it is warm when it decides.
///
/// Cloning gives another handle to the same client; the task needs a tokio runtime, and stops
/// (giving its unused probes back) when the last handle is dropped.
///
/// What sharing costs: a client sees the fleet's transitions up to one sync late (attempts
/// it lets go meanwhile still count), and the outcomes of one sync are judged in a batch
/// (successes first, so a batch with failures ends the window with them).
///
/// ```no_run
/// use persevere::{constant, on_error, GiveUpReason, Refused};
/// use persevere_redis::{Options, RedisBreaker, blocking::BreakerRules};
/// use std::time::Duration;
///
/// #[derive(Debug)]
/// enum Error { Down, Refused(GiveUpReason) }
/// impl From<Refused> for Error {
///     fn from(r: Refused) -> Self { Error::Refused(r.reason()) }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let rules = BreakerRules::new(100, 0.5, Duration::from_secs(60), 10)?;
/// let breaker =
///     RedisBreaker::connect("redis://cache:6379/", "breaker:payments", rules, Options::default())
///         .await?;
/// let policy = on_error(constant(Duration::from_millis(100))).max_tries(3).gate(breaker.clone());
/// let _ = policy.retry_async(|| async { Err::<(), _>(Error::Down) }).await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisBreaker {
    state: Arc<State>,
    handle: Arc<Handle>,
}

/// The indices of [`State::outcomes`]: failed is 1, slow adds 2.
const SUCCEEDED: usize = 0;
const FAILED: usize = 1;
const SLOW_SUCCEEDED: usize = 2;
const SLOW_FAILED: usize = 3;

/// What the handles and the task share.
struct State {
    local: CircuitBreaker,
    /// The rules, which say which outcomes are slow.
    rules: BreakerRules,
    fail_closed: bool,
    /// Whether Redis answered the last sync.
    shared: AtomicBool,
    /// The fleet's state at the last sync: 0 closed, 1 open, 2 half-open.
    phase: AtomicU8,
    /// Probes leased and not used yet.
    probes: AtomicI64,
    /// Outcomes since the last sync: fast and slow successes, fast and slow failures.
    outcomes: [AtomicU64; 4],
    /// An attempt was refused since the last sync: ask for a probe.
    wants_probe: AtomicBool,
    signals: Arc<Signals>,
}

impl RedisBreaker {
    /// A client of the breaker at `key` on the Redis server at `url`; waits for the first
    /// exchange (at most [`sync_timeout`](Options::sync_timeout)). An unreachable Redis is not
    /// an error: the client starts on its fallback and keeps trying.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`], [`Error::InvalidOption`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (the task is spawned on the current one).
    pub async fn connect(
        url: &str,
        key: impl Into<String>,
        rules: BreakerRules,
        options: Options,
    ) -> Result<RedisBreaker, Error> {
        let key = key.into();
        let client = error::client(url)?;
        options.check(Some(Duration::from_secs(1)))?;
        let state = Arc::new(State {
            local: rules.local_breaker().name(key.clone()),
            rules,
            fail_closed: options.fail_closed,
            shared: AtomicBool::new(false),
            phase: AtomicU8::new(0),
            probes: AtomicI64::new(0),
            outcomes: Default::default(),
            wants_probe: AtomicBool::new(false),
            signals: Signals::new(),
        });
        let syncer = Syncer {
            state: state.clone(),
            link: Link::new(client, options.sync_timeout),
            key: key.clone(),
            synced_once: false,
        };
        let signals = state.signals.clone();
        let handle = task::start(syncer, key, signals, options.sync_interval).await;
        Ok(RedisBreaker { handle, state })
    }

    /// The Redis key.
    pub fn key(&self) -> &str {
        &self.handle.key
    }

    /// Whether Redis answered the last exchange (`false`: the fallback decides).
    pub fn is_shared(&self) -> bool {
        self.state.shared.load(Ordering::Acquire)
    }

    /// The fleet's state at the last exchange (the local breaker's while not shared).
    pub fn state(&self) -> BreakerState {
        if !self.is_shared() {
            return self.state.local.state();
        }
        match self.state.phase.load(Ordering::Acquire) {
            0 => BreakerState::Closed,
            1 => BreakerState::Open,
            _ => BreakerState::HalfOpen,
        }
    }

    /// Makes an exchange with Redis now and waits for it. Breakers need no call to this;
    /// tests do.
    pub async fn sync(&self) {
        self.state.signals.sync_now().await;
    }

    fn admit(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        let s = &self.state;
        if !s.shared.load(Ordering::Acquire) {
            return match s.fail_closed {
                true => Err(GiveUpReason::CircuitOpen),
                false => s.local.admit_call(now),
            };
        }
        if s.phase.load(Ordering::Acquire) == 0 {
            return Ok(Withdrawal::new(0));
        }
        let took = s
            .probes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                (p > 0).then_some(p - 1)
            });
        match took {
            Ok(_) => Ok(Withdrawal::new(1)),
            Err(_) => {
                s.wants_probe.store(true, Ordering::Release);
                Err(GiveUpReason::CircuitOpen)
            }
        }
    }
}

impl fmt::Debug for RedisBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBreaker")
            .field("key", &self.handle.key)
            .field("shared", &self.is_shared())
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

/// Asked like the core's [`CircuitBreaker`]: before a retry and, behind a
/// [`gate`](persevere::Policy::gate), before a first attempt; it hears every attempt's end.
impl Budget for RedisBreaker {
    fn on_call(&self, _now: Instant) {}

    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        self.try_withdraw(cause, now).ok()
    }

    fn try_withdraw(&self, _cause: RetryCause, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.admit(now)
    }

    fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.admit(now)
    }

    fn refund(&self, granted: Withdrawal, now: Instant) {
        if self.is_shared() {
            if granted.amount() == 1 {
                self.state.probes.fetch_add(1, Ordering::AcqRel);
            }
        } else {
            self.state.local.refund(granted, now);
        }
    }

    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}

    fn attempt_ended(&self, failed: bool, ran: Duration, now: Instant) {
        let s = &self.state;
        let kind = usize::from(failed) + 2 * usize::from(s.rules.is_slow(ran));
        s.outcomes[kind].fetch_add(1, Ordering::AcqRel);
        s.local.attempt_ended(failed, ran, now);
    }
}

struct Syncer {
    state: Arc<State>,
    link: Link,
    key: String,
    synced_once: bool,
}

impl Exchanges for Syncer {
    /// One exchange. `closing`: give the probes back and ask for none.
    async fn exchange(&mut self, closing: bool) {
        let s = self.state.clone();
        let outcomes = s.outcomes.each_ref().map(|n| n.swap(0, Ordering::AcqRel));
        let wants = s.wants_probe.swap(false, Ordering::AcqRel) && !closing;
        // Leased probes are kept until used (a round whose probe never reports starts again
        // after an open duration, in the script), and given back when the client stops.
        let unused = match closing {
            true => s.probes.swap(0, Ordering::AcqRel).max(0) as u64,
            false => 0,
        };
        match self.call(outcomes, u64::from(wants), unused).await {
            Ok((granted, phase, _left)) => {
                s.phase.store(phase.clamp(0, 2) as u8, Ordering::Release);
                if phase != 2 {
                    // The round is decided: probes still held are void.
                    s.probes.store(0, Ordering::Release);
                }
                s.probes.fetch_add(granted.max(0), Ordering::AcqRel);
                if !s.shared.swap(true, Ordering::AcqRel) && self.synced_once {
                    tracing::info!(key = %self.key, "persevere-redis: Redis is back: the breaker is shared again");
                }
            }
            Err(err) => {
                // Failures are sent again (counting one twice errs towards opening); successes
                // are dropped, in case the call was applied.
                for kind in [FAILED, SLOW_FAILED] {
                    s.outcomes[kind].fetch_add(outcomes[kind], Ordering::AcqRel);
                }
                let was_shared = s.shared.swap(false, Ordering::AcqRel);
                if was_shared || !self.synced_once {
                    let decides = match s.fail_closed {
                        true => "every attempt is refused",
                        false => "a local breaker with the same rules decides",
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
    /// One `sync` of `breaker.lua`: the outcomes, by kind (see [`State::outcomes`]).
    async fn call(
        &mut self,
        outcomes: [u64; 4],
        want: u64,
        unused: u64,
    ) -> Result<(i64, i64, i64), Error> {
        let mut call = BREAKER.prepare_invoke();
        call.key(&self.key).arg("sync").arg(0);
        self.state.rules.push_args(&mut call);
        call.arg(0)
            .arg(outcomes[SUCCEEDED])
            .arg(outcomes[FAILED])
            .arg(outcomes[SLOW_SUCCEEDED])
            .arg(outcomes[SLOW_FAILED])
            .arg(want)
            .arg(unused);
        self.link.invoke(&call).await
    }
}
