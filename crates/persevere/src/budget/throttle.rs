//! `AdaptiveThrottle`: Google SRE's client-side adaptive throttling, over a sliding window.

use super::error::{BudgetError, or_panic};
use super::sync::{Arc, AtomicU64, Ordering};
use super::window::Window;
use super::{Budget, RetryCause, Withdrawal};
use crate::GiveUpReason;
use std::fmt;
use std::time::{Duration, Instant};

const NAME: &str = "AdaptiveThrottle";

/// The SRE book's multiplier.
const DEFAULT_K: f64 = 2.0;

/// The SRE book's window: two minutes.
const DEFAULT_WINDOW: Duration = Duration::from_secs(120);

/// Client-side adaptive throttling ("Handling Overload", *Site Reliability Engineering*,
/// ch. 21): over a sliding window the client counts `requests` (every attempt it makes, those
/// it rejects itself included) and `accepts` (attempts the backend served), and rejects a new
/// attempt locally with probability
///
/// ```text
/// max(0, (requests - K * accepts) / (requests + 1))
/// ```
///
/// While the backend serves everything, `requests <= K * accepts` and nothing is rejected;
/// when it serves less than one attempt in `K`, the client sheds the excess itself, and keeps
/// sending a trickle that notices the recovery.
///
/// As a [`Budget`] given to [`Policy::budget`](crate::Policy::budget) it gates **retries**
/// (and hedges): a rejected retry ends the call with its last failure and
/// [`GiveUpReason::Throttled`]. Given to [`Policy::gate`](crate::Policy::gate) it gates
/// **every attempt**, the first ones included (a rejected first attempt makes no call and
/// returns the error's `From<`[`Refused`](crate::Refused)`>`), as the SRE book does.
///
/// What counts:
///
/// | event | requests | accepts |
/// |---|---|---|
/// | a call starts ([`on_call`](Budget::on_call), [`admit_call`](Budget::admit_call)) | +1 | |
/// | a retry or hedge is asked for ([`try_withdraw`](Budget::try_withdraw)) | +1, even if rejected | |
/// | a success ([`on_success`](Budget::on_success)) | | +1 |
/// | a retryable failure ([`on_failure`](Budget::on_failure)), whatever its cause | | |
/// | an attempt granted, then refused by another guard of a combination ([`refund`](Budget::refund)) | −1 | |
///
/// A retryable failure is not an accept, whatever its cause: an overloaded server sheds load
/// with fast errors (a full queue, a 503 without a wait) before it times out, and the
/// failures a policy retries are that kind. Counting them as accepts (an earlier version
/// counted [`Transient`](RetryCause::Transient) ones) kept the throttle from ever engaging
/// against such a server: in the metastable simulation (docs/simulation.md) the throttle rows
/// then stayed down like naive retries.
///
/// The window is a ring of 10 periods of `window / 10` each, as the budgets' (counted from the
/// first instant the throttle sees): counts expire a tenth of the window at a time. A success
/// is counted in the newest period the throttle has seen a request in, which is its own
/// attempt's period or a later one: an accept never expires before the request it answers, and
/// the success itself reads no clock.
///
/// # Default
///
/// `K = 2`, a window of two minutes (the book's); random draws seeded from the thread's
/// generator. [`seed`](AdaptiveThrottle::seed) makes them reproducible.
///
/// Cloning gives another handle to the same throttle; it is lock-free (atomics only).
///
/// ```
/// use persevere::budget::{AdaptiveThrottle, Budget, RetryCause};
/// use std::time::Instant;
///
/// let throttle = AdaptiveThrottle::default().seed(7);
/// let now = Instant::now();
/// for _ in 0..100 {
///     throttle.on_call(now);
///     throttle.on_success(None, now);
/// }
/// assert_eq!(throttle.rejection_probability(now), 0.0);
/// // 300 more calls, none served: (400 - 2 * 100) / 401 of the next attempts are rejected.
/// for _ in 0..300 {
///     throttle.on_call(now);
///     throttle.on_failure(RetryCause::Timeout, now);
/// }
/// assert_eq!(throttle.rejection_probability(now), 200.0 / 401.0);
/// ```
#[derive(Clone)]
pub struct AdaptiveThrottle {
    shared: Arc<Shared>,
}

struct Shared {
    k: f64,
    window: Duration,
    /// Requests; its periods are the time axis of both windows. A decision reads both
    /// windows' running totals (two loads); `counts` sums their slots.
    requests: Window,
    /// Accepts, counted in the requests' periods (the newest seen).
    accepts: Window,
    /// A splitmix64 state: each draw adds the golden gamma and mixes (one atomic add).
    rng: AtomicU64,
}

impl AdaptiveThrottle {
    /// A throttle with multiplier `k` over a sliding window of `window`.
    ///
    /// # Panics
    ///
    /// If a parameter is out of range (see [`try_new`](AdaptiveThrottle::try_new)), with the
    /// message of the [`BudgetError`] after `persevere: AdaptiveThrottle: `.
    ///
    /// ```should_panic
    /// use persevere::budget::AdaptiveThrottle;
    /// use std::time::Duration;
    ///
    /// // panics: persevere: AdaptiveThrottle: `k` must be a finite number from 1 to 1000, got 0.5
    /// AdaptiveThrottle::new(0.5, Duration::from_secs(60));
    /// ```
    #[track_caller]
    pub fn new(k: f64, window: Duration) -> Self {
        or_panic(Self::try_new(k, window))
    }

    /// [`new`](AdaptiveThrottle::new), returning an error for a parameter out of range:
    /// `k` from 1 to 1000 (below 1 a healthy backend would be throttled), `window` from 1 s
    /// to 1 hour.
    ///
    /// ```
    /// use persevere::budget::AdaptiveThrottle;
    /// use std::time::Duration;
    ///
    /// assert!(AdaptiveThrottle::try_new(2.0, Duration::from_secs(10)).is_ok());
    /// let err = AdaptiveThrottle::try_new(2.0, Duration::ZERO).unwrap_err();
    /// assert_eq!(err.to_string(), "`window` must be from 1 s to 1 hour, got 0ns");
    /// assert_eq!(err.parameter(), "window");
    /// ```
    pub fn try_new(k: f64, window: Duration) -> Result<Self, BudgetError> {
        if !(1.0..=1000.0).contains(&k) {
            return Err(BudgetError::new(
                NAME,
                "k",
                "a finite number from 1 to 1000",
                k,
            ));
        }
        if !(Duration::from_secs(1)..=Duration::from_secs(3600)).contains(&window) {
            return Err(BudgetError::new(
                NAME,
                "window",
                "from 1 s to 1 hour",
                window,
            ));
        }
        Ok(AdaptiveThrottle {
            shared: Arc::new(Shared {
                k,
                window,
                requests: Window::new(window),
                accepts: Window::new(window),
                rng: AtomicU64::new(persevere_wait::Rng::fresh().next_u64()),
            }),
        })
    }

    /// Makes the random draws reproducible: the same seed and the same sequence of events
    /// give the same rejections. Applies to every clone (they share one generator).
    ///
    /// ```
    /// use persevere::budget::AdaptiveThrottle;
    /// let _throttle = AdaptiveThrottle::default().seed(42);
    /// ```
    #[must_use]
    pub fn seed(self, seed: u64) -> Self {
        self.shared.rng.store(seed, Ordering::Relaxed);
        self
    }

    /// The multiplier `K`, as given.
    pub fn k(&self) -> f64 {
        self.shared.k
    }

    /// The window, as given.
    pub fn window(&self) -> Duration {
        self.shared.window
    }

    /// The requests and accepts counted in the window at `now`. Reading them changes nothing.
    ///
    /// ```
    /// use persevere::budget::{AdaptiveThrottle, Budget};
    /// use std::time::Instant;
    ///
    /// let throttle = AdaptiveThrottle::default();
    /// let now = Instant::now();
    /// throttle.on_call(now);
    /// throttle.on_success(None, now);
    /// throttle.on_call(now);
    /// assert_eq!(throttle.counts(now), (2, 1));
    /// ```
    pub fn counts(&self, now: Instant) -> (u64, u64) {
        let s = &self.shared;
        match s.requests.period_for_read(now) {
            Some(period) => (
                s.requests.sum_at(period).max(0) as u64,
                s.accepts.sum_at(period).max(0) as u64,
            ),
            None => (0, 0),
        }
    }

    /// The probability that the next attempt is rejected at `now`:
    /// `max(0, (requests - K * accepts) / (requests + 1))` on the window's counts, exactly.
    /// Reading it changes nothing.
    pub fn rejection_probability(&self, now: Instant) -> f64 {
        let (requests, accepts) = self.counts(now);
        self.probability_for(requests, accepts)
    }

    /// The rule on counts kept elsewhere (a fleet's, in `persevere-redis`): the probability
    /// that an attempt is rejected when the window holds `requests` and `accepts`, with this
    /// throttle's `K`. Reads nothing of this throttle's own window.
    ///
    /// ```
    /// use persevere::budget::AdaptiveThrottle;
    ///
    /// let throttle = AdaptiveThrottle::default(); // K = 2
    /// assert_eq!(throttle.probability_for(400, 100), 200.0 / 401.0);
    /// assert_eq!(throttle.probability_for(100, 100), 0.0);
    /// ```
    pub fn probability_for(&self, requests: u64, accepts: u64) -> f64 {
        let (requests, accepts) = (requests as f64, accepts as f64);
        ((requests - self.shared.k * accepts) / (requests + 1.0)).max(0.0)
    }

    /// Draws whether an attempt is rejected when the window holds `requests` and `accepts`
    /// ([`probability_for`](Self::probability_for)), from this throttle's generator (see
    /// [`seed`](Self::seed)). Counts nothing: for a throttle whose counts are kept elsewhere.
    ///
    /// ```
    /// use persevere::budget::AdaptiveThrottle;
    ///
    /// let throttle = AdaptiveThrottle::default().seed(7);
    /// assert!(!throttle.draw_rejection(100, 100)); // probability 0
    /// let rejected = (0..1000).filter(|_| throttle.draw_rejection(1000, 0)).count();
    /// assert!(rejected > 950, "{rejected}"); // probability 1000/1001
    /// ```
    pub fn draw_rejection(&self, requests: u64, accepts: u64) -> bool {
        // While the backend serves enough (the common case), no division and no draw.
        if requests as f64 <= self.shared.k * accepts as f64 {
            return false;
        }
        self.draw() < self.probability_for(requests, accepts)
    }

    /// Counts a request at `now` and says whether it is rejected (drawn with the
    /// probability before it was counted, as the book computes it).
    fn rejects(&self, now: Instant) -> bool {
        let s = &self.shared;
        let period = s.requests.advance(now);
        let requests = s.requests.total_at(period).max(0) as u64;
        let accepts = s.accepts.total_at(period).max(0) as u64;
        s.requests.add(period, 1);
        self.draw_rejection(requests, accepts)
    }

    /// A uniform number in [0, 1) from the shared splitmix64 stream.
    fn draw(&self) -> f64 {
        const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut z = self
            .shared
            .rng
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn accept(&self) {
        let s = &self.shared;
        s.accepts.add_at(s.requests.latest(), 1);
    }
}

/// The SRE formula.
/// The SRE book's throttle: `K = 2` over two minutes.
impl Default for AdaptiveThrottle {
    fn default() -> Self {
        AdaptiveThrottle::new(DEFAULT_K, DEFAULT_WINDOW)
    }
}

impl fmt::Debug for AdaptiveThrottle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdaptiveThrottle")
            .field("k", &self.shared.k)
            .field("window", &self.shared.window)
            .finish_non_exhaustive()
    }
}

impl Budget for AdaptiveThrottle {
    #[inline]
    fn on_call(&self, now: Instant) {
        let s = &self.shared;
        s.requests.add(s.requests.advance(now), 1);
    }

    // A retryable failure is never an accept (see the table above).
    #[inline]
    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        self.try_withdraw(cause, now).ok()
    }

    #[inline]
    fn try_withdraw(&self, _cause: RetryCause, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        if self.rejects(now) {
            Err(GiveUpReason::Throttled)
        } else {
            Ok(Withdrawal::new(0))
        }
    }

    #[inline]
    fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.try_withdraw(RetryCause::Transient, now)
    }

    fn refund(&self, _granted: Withdrawal, now: Instant) {
        let s = &self.shared;
        s.requests.add(s.requests.advance(now), -1);
    }

    #[inline]
    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {
        self.accept();
    }
}
