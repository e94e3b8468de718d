//! `BreakerStore`: a circuit breaker's state in Redis, one exact round trip per question, for
//! processes that make one call (a retrying CLI): every run of a fleet sees one breaker.

use crate::error::{self, Error};
use persevere::breaker::{BreakerState, CircuitBreaker};
use persevere::budget::BudgetError;
use redis::Script;
use std::sync::LazyLock;
use std::time::Duration;

/// The breaker's state machine (see `breaker.lua`).
pub(crate) static BREAKER: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("breaker.lua")));

/// [`CircuitBreaker`]'s defaults for slow calls: an attempt of 60 s or more is slow, and a
/// window of nothing but slow calls opens it.
const DEFAULT_SLOW_CALL_DURATION: Duration = Duration::from_secs(60);
const DEFAULT_SLOW_CALL_RATIO: f64 = 1.0;

/// The rules of a breaker shared through a [`BreakerStore`]: those of a
/// [`CircuitBreaker`] with a count window of `window` outcomes (judged once full, unless
/// [`min_calls`](Self::min_calls) says sooner) or a [`time_window`](Self::time_window), a
/// failure ratio, and a slow-call
/// rule ([`slow_calls`](Self::slow_calls); `CircuitBreaker`'s default unless set), checked by
/// the core's setters so that both reject the same values.
///
/// ```
/// use persevere_redis::blocking::BreakerRules;
/// use std::time::Duration;
///
/// let rules = BreakerRules::new(100, 0.5, Duration::from_secs(60), 10).unwrap(); // resilience4j's
/// let err = BreakerRules::new(100, 1.5, Duration::from_secs(60), 10).unwrap_err();
/// assert_eq!(err.parameter(), "failure_ratio");
/// // Opens when 80 % of the last 100 attempts ran 2 s or more.
/// let rules = rules.slow_calls(Duration::from_secs(2), 0.8).unwrap();
/// // The same over the outcomes of the last minute, once there are 20 of them.
/// let rules = rules.time_window(Duration::from_secs(60), 20).unwrap();
/// # let _ = rules;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerRules {
    /// The count window's length; unused with a time window.
    pub(crate) window: u32,
    /// The time window's span, if the window is one.
    pub(crate) span: Option<Duration>,
    /// The fewest outcomes judged before it may open.
    pub(crate) min_calls: u32,
    pub(crate) failure_ratio: f64,
    pub(crate) open_duration: Duration,
    pub(crate) probes: u32,
    pub(crate) slow_call_duration: Duration,
    pub(crate) slow_call_ratio: f64,
}

impl BreakerRules {
    /// Judges the last `window` outcomes (once there are that many), opens when `failure_ratio`
    /// of them failed, stays open `open_duration`, then lets `probes` probe attempts through.
    ///
    /// # Errors
    ///
    /// The core's [`BudgetError`] for a value [`CircuitBreaker`]'s `try_` setters refuse.
    pub fn new(
        window: u32,
        failure_ratio: f64,
        open_duration: Duration,
        probes: u32,
    ) -> Result<BreakerRules, BudgetError> {
        CircuitBreaker::default()
            .try_count_window(window)?
            .try_min_calls(window)?
            .try_failure_ratio(failure_ratio)?
            .try_open_duration(open_duration)?
            .try_half_open_calls(probes)?;
        Ok(BreakerRules {
            window,
            span: None,
            min_calls: window,
            failure_ratio,
            open_duration,
            probes,
            slow_call_duration: DEFAULT_SLOW_CALL_DURATION,
            slow_call_ratio: DEFAULT_SLOW_CALL_RATIO,
        })
    }

    /// These rules, and: an attempt that ran `duration` or more is slow, and the breaker also
    /// opens when `ratio` of the judged outcomes were slow (as
    /// [`CircuitBreaker::slow_call_duration`] and [`CircuitBreaker::slow_call_ratio`]). Each
    /// client tells Redis which of its attempts were slow.
    ///
    /// # Errors
    ///
    /// The core's [`BudgetError`] for a value `CircuitBreaker`'s `try_` setters refuse: a zero
    /// `duration`, a `ratio` not above 0 and at most 1.
    pub fn slow_calls(self, duration: Duration, ratio: f64) -> Result<BreakerRules, BudgetError> {
        CircuitBreaker::default()
            .try_slow_call_duration(duration)?
            .try_slow_call_ratio(ratio)?;
        Ok(BreakerRules {
            slow_call_duration: duration,
            slow_call_ratio: ratio,
            ..self
        })
    }

    /// These rules, judged once the window holds `calls` outcomes (as
    /// [`CircuitBreaker::min_calls`]). [`new`](Self::new) sets it to the count window's length,
    /// so that a count window is judged once full; a smaller value judges a count window
    /// sooner, and a larger one waits only for the window to be full, as in the core. For a
    /// time window, [`time_window`](Self::time_window) takes it.
    ///
    /// ```
    /// use persevere_redis::blocking::BreakerRules;
    /// use std::time::Duration;
    ///
    /// // The last 100 outcomes, judged from the 20th on.
    /// let rules = BreakerRules::new(100, 0.5, Duration::from_secs(60), 10)
    ///     .unwrap()
    ///     .min_calls(20)
    ///     .unwrap();
    /// assert_eq!(rules.local_breaker().breaker_name(), "circuit_breaker");
    /// let err = rules.min_calls(0).unwrap_err();
    /// assert_eq!(err.parameter(), "min_calls");
    /// ```
    ///
    /// # Errors
    ///
    /// The core's [`BudgetError`] for a value `CircuitBreaker`'s `try_` setters refuse: zero.
    pub fn min_calls(self, calls: u32) -> Result<BreakerRules, BudgetError> {
        CircuitBreaker::default().try_min_calls(calls)?;
        Ok(BreakerRules {
            min_calls: calls,
            ..self
        })
    }

    /// These rules over a time window instead of the count window: the outcomes of the last
    /// `span` (in ten periods of `span / 10`, on Redis's clock), judged once there are
    /// `min_calls` of them (as [`CircuitBreaker::time_window`] and
    /// [`CircuitBreaker::min_calls`]).
    ///
    /// # Errors
    ///
    /// The core's [`BudgetError`] for a value `CircuitBreaker`'s `try_` setters refuse: a
    /// `span` outside 1 s to 1 hour, a zero `min_calls`.
    pub fn time_window(self, span: Duration, min_calls: u32) -> Result<BreakerRules, BudgetError> {
        CircuitBreaker::default()
            .try_time_window(span)?
            .try_min_calls(min_calls)?;
        Ok(BreakerRules {
            span: Some(span),
            min_calls,
            ..self
        })
    }

    /// A local [`CircuitBreaker`] with the same rules: what decides while Redis is
    /// unreachable.
    pub fn local_breaker(&self) -> CircuitBreaker {
        let window = match self.span {
            Some(span) => CircuitBreaker::default().time_window(span),
            None => CircuitBreaker::default().count_window(self.window),
        };
        window
            .min_calls(self.min_calls)
            .failure_ratio(self.failure_ratio)
            .open_duration(self.open_duration)
            .half_open_calls(self.probes)
            .slow_call_duration(self.slow_call_duration)
            .slow_call_ratio(self.slow_call_ratio)
    }

    /// Whether an attempt that ran `ran` counts as slow.
    pub(crate) fn is_slow(&self, ran: Duration) -> bool {
        ran >= self.slow_call_duration
    }

    /// The script's arguments after the operation and the outcome: the rules (ARGV[3..9]).
    pub(crate) fn push_args(&self, call: &mut redis::ScriptInvocation<'_>) {
        // A count window never holds more than its length: a larger minimum means a full
        // window, as in the core.
        let (window, period_ms, min_calls) = match self.span {
            Some(span) => (0, (span.as_millis() / 10) as u64, self.min_calls),
            None => (self.window, 0, self.min_calls.min(self.window)),
        };
        call.arg(window)
            .arg(self.failure_ratio)
            .arg(self.open_duration.as_millis() as u64)
            .arg(self.probes)
            .arg(self.slow_call_ratio)
            .arg(period_ms)
            .arg(min_calls);
    }
}

/// Whether an attempt may start, as a [`BreakerStore`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admission {
    /// The breaker is closed: go.
    Go,
    /// The breaker is half-open and this attempt is one of its probes.
    Probe,
    /// The breaker is open (or half-open with every probe out): refused; it lets probes through
    /// after `left`.
    Refused {
        /// Time left before it lets probes through (zero when the probes are out).
        left: Duration,
    },
}

/// A connection to one circuit breaker in Redis. Each question is one atomic script call on
/// Redis's clock, so that every client agrees on the window and on when the open duration
/// ends; nothing is kept in the process.
///
/// ```no_run
/// use persevere_redis::blocking::{Admission, BreakerRules, BreakerStore};
/// use std::time::Duration;
///
/// let rules = BreakerRules::new(5, 0.5, Duration::from_secs(30), 1)?;
/// let timeout = Duration::from_secs(1);
/// let mut breaker = BreakerStore::open("redis://127.0.0.1:6379/", "payments", rules, timeout)?;
/// if !matches!(breaker.admit()?, Admission::Refused { .. }) {
///     let failed = true; // the call, made
///     breaker.record(failed)?;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct BreakerStore {
    connection: redis::Connection,
    key: String,
    rules: BreakerRules,
}

impl BreakerStore {
    /// Connects to the breaker at `key` on `url`; `timeout` bounds the connection and each
    /// round trip. A key that does not exist is a closed, empty breaker.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`]; [`Error::InvalidOption`] for a zero `timeout`; [`Error::Redis`]
    /// if Redis is unreachable.
    pub fn open(
        url: &str,
        key: &str,
        rules: BreakerRules,
        timeout: Duration,
    ) -> Result<BreakerStore, Error> {
        let client = error::client(url)?;
        if timeout.is_zero() {
            return Err(Error::InvalidOption("`timeout` must not be zero".into()));
        }
        let redis = |e: redis::RedisError| Error::from_redis(&e);
        let connection = client.get_connection_with_timeout(timeout).map_err(redis)?;
        connection.set_read_timeout(Some(timeout)).map_err(redis)?;
        connection.set_write_timeout(Some(timeout)).map_err(redis)?;
        Ok(BreakerStore {
            connection,
            key: key.to_string(),
            rules,
        })
    }

    /// Asks whether an attempt may start now (`Probe`: as a half-open probe, whose outcome
    /// [`record`](BreakerStore::record) must report).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] if the round trip failed.
    pub fn admit(&mut self) -> Result<Admission, Error> {
        let (answer, _, left) = self.call("admit", false, false)?;
        Ok(match answer {
            1 => Admission::Go,
            2 => Admission::Probe,
            _ => Admission::Refused {
                left: Duration::from_millis(left.max(0) as u64),
            },
        })
    }

    /// Reports how an attempt ended, as a fast one; returns the breaker's state after it.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] if the round trip failed.
    pub fn record(&mut self, failed: bool) -> Result<BreakerState, Error> {
        self.record_timed(failed, Duration::ZERO)
    }

    /// Reports how an attempt ended and how long it ran (slow if `ran` reaches the rules'
    /// [`slow_calls`](BreakerRules::slow_calls) duration); returns the breaker's state after it.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] if the round trip failed.
    pub fn record_timed(&mut self, failed: bool, ran: Duration) -> Result<BreakerState, Error> {
        let slow = self.rules.is_slow(ran);
        let (_, state, _) = self.call("record", failed, slow)?;
        Ok(match state {
            1 => BreakerState::Open,
            2 => BreakerState::HalfOpen,
            _ => BreakerState::Closed,
        })
    }

    fn call(&mut self, op: &str, failed: bool, slow: bool) -> Result<(i64, i64, i64), Error> {
        let mut call = BREAKER.prepare_invoke();
        call.key(&self.key).arg(op).arg(u8::from(failed));
        self.rules.push_args(&mut call);
        call.arg(u8::from(slow));
        call.invoke(&mut self.connection)
            .map_err(|e| Error::from_redis(&e))
    }
}
