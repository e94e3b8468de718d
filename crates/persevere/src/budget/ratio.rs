//! `RatioBudget`: Finagle's and tower's retry budget, a fraction of the calls plus a floor per
//! second, over a sliding window.

use super::error::{BudgetError, or_panic};
use super::sync::Arc;
use super::window::Window;
use super::{Budget, RetryCause, Withdrawal};
use std::fmt;
use std::time::{Duration, Instant};

/// One retry, in the budget's units: a call earns `percent * RETRY` units, a retry costs
/// `RETRY`. Thousandths, as in Finagle (`ScaleFactor = 1000`): `percent` is honoured to three
/// decimal places (0.1 % steps).
const RETRY: u64 = 1_000;

const NAME: &str = "RatioBudget";

/// A retry budget that lets a fraction of the calls be retried, plus a floor per second, over
/// a sliding window: Finagle's `RetryBudget`, tower's `TpsBudget`, Linkerd's `retryBudget`.
///
/// When it grants a retry, the retries of the last `ttl` stay at or below `percent` × the calls
/// of the last `ttl` + `min_per_sec` × `ttl` (the last `ttl` being counted in tenths, below).
/// Each call ([`on_call`](Budget::on_call)) deposits `percent` of a retry; each retry
/// ([`withdraw`](Budget::withdraw), whatever its [`RetryCause`], hedges included) withdraws one,
/// granted while the deposits and withdrawals of the last `ttl`, plus the floor's reserve of
/// `min_per_sec` × `ttl` retries, leave at least one. Failures and successes change nothing.
///
/// Deposits and withdrawals expire `ttl` after they were made, give or take a tenth of `ttl`:
/// the window is a ring of 10 slots of `ttl / 10` each (as in tower), counted from the first
/// instant the budget is given, and a slot's deposits and withdrawals expire together when the
/// slot leaves the window. Since the withdrawals that spent a deposit can outlive it, the
/// balance may be negative for a while; retries are refused until new calls make up for it.
///
/// Amounts are counted in thousandths of a retry: a call earns `round(percent * 1000)`, a
/// retry costs 1000 (the [`Withdrawal::amount`]). A slot counts at most 2^31 thousandths
/// (over 10 million calls per slot at 20 %), and saturates beyond.
///
/// Cloning gives another handle to the same budget; it is lock-free (atomics only).
///
/// ```
/// use persevere::budget::{Budget, RatioBudget, RetryCause};
/// use std::time::{Duration, Instant};
///
/// let budget = RatioBudget::default(); // 20 %, plus 10 retries a second, over 10 s
/// let now = Instant::now();
/// // With no calls yet, the floor allows 10 per second over 10 s.
/// assert_eq!(budget.available_retries(now), 100);
/// for _ in 0..1_000 {
///     budget.on_call(now);
/// }
/// assert_eq!(budget.available_retries(now), 300);
/// let shared = budget.clone(); // same budget, e.g. for another policy or thread
/// assert!(shared.withdraw(RetryCause::Transient, now).is_some());
/// assert_eq!(budget.available_retries(now), 299);
/// ```
#[derive(Clone)]
pub struct RatioBudget {
    shared: Arc<Shared>,
}

struct Shared {
    percent: f64,
    min_per_sec: u32,
    ttl: Duration,
    /// Units earned per call.
    deposit: i64,
    /// The floor's `min_per_sec * ttl` retries, in units.
    reserve: i64,
    window: Window,
}

impl RatioBudget {
    /// A budget that allows `percent` of the calls to be retried (0.2 is 20 %), plus
    /// `min_per_sec` retries per second, over a sliding window of `ttl`.
    ///
    /// # Panics
    ///
    /// If a parameter is out of range (see [`try_new`](RatioBudget::try_new)), with the message
    /// of the [`BudgetError`] after `persevere: RatioBudget: `.
    ///
    /// ```should_panic
    /// use persevere::budget::RatioBudget;
    /// use std::time::Duration;
    ///
    /// // panics: persevere: RatioBudget: `ttl` must be from 1 s to 60 s, got 0ns
    /// RatioBudget::new(0.2, 10, Duration::ZERO);
    /// ```
    #[track_caller]
    pub fn new(percent: f64, min_per_sec: u32, ttl: Duration) -> Self {
        or_panic(Self::try_new(percent, min_per_sec, ttl))
    }

    /// [`new`](RatioBudget::new), returning an error for a parameter out of range instead of
    /// panicking. The ranges are Finagle's and tower's: `ttl` from 1 s to 60 s; `percent` from
    /// 0 to 10 (1000 %), not NaN (Finagle and tower accept up to 1000.0, that is 100,000 %:
    /// a "budget" that large bounds nothing); `min_per_sec` any `u32`.
    ///
    /// ```
    /// use persevere::budget::RatioBudget;
    /// use std::time::Duration;
    ///
    /// let ttl = Duration::from_secs(10);
    /// assert!(RatioBudget::try_new(0.2, 10, ttl).is_ok());
    /// let err = RatioBudget::try_new(-0.1, 10, ttl).unwrap_err();
    /// assert_eq!(err.to_string(), "`percent` must be from 0 to 10 (0 % to 1000 %), got -0.1");
    /// let err = RatioBudget::try_new(0.2, 10, Duration::from_secs(61)).unwrap_err();
    /// assert_eq!(err.to_string(), "`ttl` must be from 1 s to 60 s, got 61s");
    /// ```
    pub fn try_new(percent: f64, min_per_sec: u32, ttl: Duration) -> Result<Self, BudgetError> {
        check_percent(percent)?;
        check_ttl(ttl)?;
        // `ttl` is at most 60 s, so the reserve is below 2^48 units.
        let ttl_millis = ttl.as_millis() as i64;
        Ok(RatioBudget {
            shared: Arc::new(Shared {
                percent,
                min_per_sec,
                ttl,
                deposit: (percent * RETRY as f64).round() as i64,
                reserve: i64::from(min_per_sec) * ttl_millis * RETRY as i64 / 1_000,
                window: Window::new(ttl),
            }),
        })
    }

    /// The fraction of the calls that may be retried, as given (0.2 is 20 %).
    pub fn percent(&self) -> f64 {
        self.shared.percent
    }

    /// The retries per second allowed whatever the calls, as given.
    pub fn min_per_sec(&self) -> u32 {
        self.shared.min_per_sec
    }

    /// How long deposits and withdrawals count, as given.
    pub fn ttl(&self) -> Duration {
        self.shared.ttl
    }

    /// The balance at `now`, in retries: the floor's reserve plus what the calls of the window
    /// earned, minus the retries of the window. It is negative when credits have expired before
    /// the retries they paid for. Reading it changes nothing.
    ///
    /// ```
    /// use persevere::budget::{Budget, RatioBudget};
    /// use std::time::{Duration, Instant};
    ///
    /// let budget = RatioBudget::new(0.25, 1, Duration::from_secs(10));
    /// let now = Instant::now();
    /// budget.on_call(now);
    /// budget.on_call(now);
    /// assert_eq!(budget.balance(now), 10.5); // 1/s for 10 s, plus a quarter per call
    /// ```
    pub fn balance(&self, now: Instant) -> f64 {
        self.units(now) as f64 / RETRY as f64
    }

    /// The whole retries that would be granted at `now` if no call came in the meantime: the
    /// balance, rounded down, or zero if it is negative. Reading it changes nothing.
    ///
    /// ```
    /// use persevere::budget::{Budget, RatioBudget};
    /// use std::time::{Duration, Instant};
    ///
    /// let budget = RatioBudget::new(0.2, 0, Duration::from_secs(10));
    /// let now = Instant::now();
    /// for _ in 0..9 {
    ///     budget.on_call(now);
    /// }
    /// assert_eq!(budget.available_retries(now), 1); // 9 calls earned 1.8 retries
    /// ```
    pub fn available_retries(&self, now: Instant) -> u64 {
        (self.units(now).max(0) as u64) / RETRY
    }

    fn units(&self, now: Instant) -> i64 {
        self.shared.reserve + self.shared.window.sum(now)
    }
}

/// tower's and Linkerd's default, from Finagle: `RatioBudget::new(0.2, 10, 10 s)`, 20 % of the
/// calls plus 10 retries per second, over 10 s.
impl Default for RatioBudget {
    fn default() -> Self {
        RatioBudget::new(0.2, 10, Duration::from_secs(10))
    }
}

impl fmt::Debug for RatioBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RatioBudget")
            .field("percent", &self.shared.percent)
            .field("min_per_sec", &self.shared.min_per_sec)
            .field("ttl", &self.shared.ttl)
            .finish_non_exhaustive()
    }
}

impl Budget for RatioBudget {
    fn on_call(&self, now: Instant) {
        let period = self.shared.window.advance(now);
        if self.shared.deposit > 0 {
            self.shared.window.add(period, self.shared.deposit);
        }
    }

    #[inline]
    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}

    fn withdraw(&self, _cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        let period = self.shared.window.advance(now);
        self.shared
            .window
            .try_take(period, RETRY as i64, self.shared.reserve)
            .then_some(Withdrawal::new(RETRY))
    }

    #[inline]
    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}

    fn refund(&self, granted: Withdrawal, now: Instant) {
        let amount = granted.amount().min(RETRY) as i64;
        if amount > 0 {
            let period = self.shared.window.advance(now);
            self.shared.window.add(period, amount);
        }
    }
}

fn check_percent(percent: f64) -> Result<(), BudgetError> {
    if (0.0..=10.0).contains(&percent) {
        Ok(())
    } else {
        Err(BudgetError::new(
            NAME,
            "percent",
            "from 0 to 10 (0 % to 1000 %)",
            percent,
        ))
    }
}

fn check_ttl(ttl: Duration) -> Result<(), BudgetError> {
    if (Duration::from_secs(1)..=Duration::from_secs(60)).contains(&ttl) {
        Ok(())
    } else {
        Err(BudgetError::new(NAME, "ttl", "from 1 s to 60 s", ttl))
    }
}
