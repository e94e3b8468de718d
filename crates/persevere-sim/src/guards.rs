//! Models of the two overload guards the library does not have yet (issue 21, points 2 and 3):
//! Google SRE's client-side adaptive throttling and a circuit breaker. They are written here,
//! on the simulation's clock, only to measure what such guards do in the metastable scenario;
//! they are not persevere's types (`persevere::budget::AdaptiveThrottle` and
//! `persevere::breaker::CircuitBreaker` come later and will be measured by the same scenario).

use persevere::Rng;
use std::collections::VecDeque;

/// A model of client-side adaptive throttling ("Handling Overload", Google SRE book, ch. 21):
/// over a sliding window the client counts `requests` (every attempt the application makes,
/// the locally rejected ones included) and `accepts` (attempts the backend served), and rejects
/// a new attempt locally with probability `max(0, (requests - K * accepts) / (requests + 1))`.
///
/// ```
/// use persevere::Rng;
/// use persevere_sim::guards::ThrottleModel;
///
/// let mut t = ThrottleModel::new(2.0, 10);
/// let mut rng = Rng::seeded(1);
/// for _ in 0..100 {
///     // Every attempt so far was accepted: requests <= 2 * accepts, nothing is rejected.
///     assert!(t.allow(0.0, &mut rng));
///     t.accept(0.0);
/// }
/// assert_eq!(t.reject_probability(0.0), 0.0);
/// // 300 more attempts, none accepted: (400 - 2 * 100) / 401.
/// (0..300).for_each(|_| { t.allow(500.0, &mut rng); });
/// assert_eq!(t.reject_probability(500.0), 200.0 / 401.0);
/// // Ten seconds later the window holds nothing.
/// assert_eq!(t.reject_probability(10_000.0), 0.0);
/// ```
#[derive(Debug, Clone)]
pub struct ThrottleModel {
    k: f64,
    /// Per-second buckets `(second, requests, accepts)`, oldest first.
    buckets: VecDeque<(u64, u64, u64)>,
    window_s: u64,
}

impl ThrottleModel {
    /// A throttle with multiplier `k` (the book's 2) over the last `window_s` seconds (the
    /// book's 2 minutes), counted in one-second buckets.
    pub fn new(k: f64, window_s: u64) -> Self {
        ThrottleModel {
            k,
            buckets: VecDeque::new(),
            window_s,
        }
    }

    /// The current bucket, after dropping those that left the window at `now_ms`.
    fn bucket(&mut self, now_ms: f64) -> &mut (u64, u64, u64) {
        let second = (now_ms / 1e3) as u64;
        while let Some(&(s, _, _)) = self.buckets.front() {
            if s + self.window_s > second {
                break;
            }
            self.buckets.pop_front();
        }
        if self.buckets.back().is_none_or(|&(s, _, _)| s != second) {
            self.buckets.push_back((second, 0, 0));
        }
        self.buckets.back_mut().expect("just pushed")
    }

    /// The SRE formula on the window's counts at `now_ms`.
    pub fn reject_probability(&mut self, now_ms: f64) -> f64 {
        self.bucket(now_ms);
        let (requests, accepts) = self
            .buckets
            .iter()
            .fold((0u64, 0u64), |(r, a), &(_, br, ba)| (r + br, a + ba));
        let (requests, accepts) = (requests as f64, accepts as f64);
        ((requests - self.k * accepts) / (requests + 1.0)).max(0.0)
    }

    /// Counts an attempt and decides whether it may go out (`false`: rejected locally).
    pub fn allow(&mut self, now_ms: f64, rng: &mut Rng) -> bool {
        let p = self.reject_probability(now_ms);
        self.bucket(now_ms).1 += 1;
        rng.next_f64() >= p
    }

    /// The backend served an attempt.
    pub fn accept(&mut self, now_ms: f64) {
        self.bucket(now_ms).2 += 1;
    }
}

/// The state of a [`BreakerModel`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreakerState {
    /// Calls go through; outcomes fill the window.
    Closed,
    /// Calls are refused until the given time (ms).
    Open {
        /// When the breaker lets probes through.
        until_ms: f64,
    },
    /// Up to `probes` calls go through; their outcomes decide.
    HalfOpen {
        /// Probes let through so far.
        sent: u32,
    },
}

/// A model of a count-based circuit breaker as resilience4j and recloser define one: closed, it
/// records the outcome of each call over the last `window` calls and opens once at least
/// `min_calls` are recorded and the failure ratio reaches `failure_ratio`; open, it refuses
/// every call for `open_ms`; half-open, it lets `probes` calls through, and closes if their
/// failure ratio is below `failure_ratio`, else opens again.
///
/// ```
/// use persevere_sim::guards::{BreakerModel, BreakerState};
///
/// let mut b = BreakerModel::new(4, 4, 0.5, 1_000.0, 2);
/// for _ in 0..4 {
///     assert!(b.allow(0.0));
///     b.record(false, 0.0);
/// }
/// assert_eq!(b.state(), BreakerState::Open { until_ms: 1_000.0 });
/// assert!(!b.allow(999.0));
/// assert!(b.allow(1_000.0) && b.allow(1_000.0) && !b.allow(1_000.0)); // two probes
/// b.record(true, 1_010.0);
/// b.record(true, 1_010.0);
/// assert_eq!(b.state(), BreakerState::Closed);
/// ```
#[derive(Debug, Clone)]
pub struct BreakerModel {
    window: usize,
    min_calls: usize,
    failure_ratio: f64,
    open_ms: f64,
    probes: u32,
    state: BreakerState,
    /// The last outcomes (`true`: failed), closed or half-open.
    outcomes: VecDeque<bool>,
}

impl BreakerModel {
    /// A breaker with these settings, closed.
    pub fn new(
        window: usize,
        min_calls: usize,
        failure_ratio: f64,
        open_ms: f64,
        probes: u32,
    ) -> Self {
        BreakerModel {
            window,
            min_calls,
            failure_ratio,
            open_ms,
            probes,
            state: BreakerState::Closed,
            outcomes: VecDeque::new(),
        }
    }

    /// Its state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Whether a call may go out at `now_ms` (a half-open breaker counts it as a probe).
    pub fn allow(&mut self, now_ms: f64) -> bool {
        match self.state {
            BreakerState::Closed => true,
            BreakerState::Open { until_ms } if now_ms < until_ms => false,
            BreakerState::Open { .. } => {
                self.state = BreakerState::HalfOpen { sent: 1 };
                self.outcomes.clear();
                true
            }
            BreakerState::HalfOpen { sent } if sent < self.probes => {
                self.state = BreakerState::HalfOpen { sent: sent + 1 };
                true
            }
            BreakerState::HalfOpen { .. } => false,
        }
    }

    /// A call that went out ended, `ok` or not, at `now_ms`.
    pub fn record(&mut self, ok: bool, now_ms: f64) {
        // Calls sent before the breaker opened may end while it is open: nothing to decide.
        let (needed, limit) = match self.state {
            BreakerState::Open { .. } => return,
            BreakerState::Closed => (self.min_calls, self.window),
            BreakerState::HalfOpen { .. } => (self.probes as usize, self.probes as usize),
        };
        self.outcomes.push_back(!ok);
        if self.outcomes.len() > limit {
            self.outcomes.pop_front();
        }
        if self.outcomes.len() < needed {
            return;
        }
        let failed = self.outcomes.iter().filter(|&&f| f).count() as f64;
        let tripped = failed / self.outcomes.len() as f64 >= self.failure_ratio;
        if tripped {
            self.state = BreakerState::Open {
                until_ms: now_ms + self.open_ms,
            };
            self.outcomes.clear();
        } else if matches!(self.state, BreakerState::HalfOpen { .. }) {
            self.state = BreakerState::Closed;
            self.outcomes.clear();
        }
    }
}
