//! `CircuitBreaker`: the handle, its settings, its transitions and their events.

use super::outcomes::{CountWindow, MAX_COUNT_WINDOW, Outcomes, TimeWindow, Totals};
use super::state::{BreakerState, MAX_PROBES, Phase, Round, TIME_MASK, elapsed_us};
use crate::GiveUpReason;
use crate::budget::error::{BudgetError, or_panic};
use crate::budget::sync::{Arc, AtomicU64, Ordering};
use crate::budget::ticks;
use crate::budget::{Budget, RetryCause, Withdrawal};
use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

const NAME: &str = "CircuitBreaker";

/// A handler of state changes: `(from, to)`.
// A std `Arc` whatever the build: the handler is shared, not synchronised.
type StateHandler = std::sync::Arc<dyn Fn(BreakerState, BreakerState) + Send + Sync>;

/// Which window the closed breaker judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WindowKind {
    Count(u32),
    Time(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Settings {
    window: WindowKind,
    min_calls: u32,
    failure_ratio: f64,
    slow_call_ratio: f64,
    slow_call_duration: Duration,
    open_duration: Duration,
    half_open_calls: u32,
}

/// resilience4j's defaults.
const DEFAULTS: Settings = Settings {
    window: WindowKind::Count(100),
    min_calls: 100,
    failure_ratio: 0.5,
    slow_call_ratio: 1.0,
    slow_call_duration: Duration::from_secs(60),
    open_duration: Duration::from_secs(60),
    half_open_calls: 10,
};

/// A circuit breaker: closed, open or half-open, shared by every policy and thread that holds
/// a clone of it (see the [module's documentation](super) for when to use one, and when not).
///
/// - **Closed**: attempts go through; the outcome of each fills a window (the last
///   [`count_window`](Self::count_window) attempts, or those of the last
///   [`time_window`](Self::time_window)). Once it holds at least
///   [`min_calls`](Self::min_calls) outcomes and the share that failed reaches
///   [`failure_ratio`](Self::failure_ratio), or the share slower than
///   [`slow_call_duration`](Self::slow_call_duration) reaches
///   [`slow_call_ratio`](Self::slow_call_ratio), it opens.
/// - **Open**: every attempt it is asked about is refused, without calling the operation,
///   for [`open_duration`](Self::open_duration).
/// - **Half-open**: then it lets [`half_open_calls`](Self::half_open_calls) probe attempts
///   through and refuses the others; once that many outcomes are in, it closes (window
///   emptied) if their failure and slow shares are below the thresholds, else opens again. A
///   round whose probes have not all reported within an open duration (a probe's call was
///   dropped) starts again: a breaker is never stuck half-open.
///
/// The failures it counts are those the policy retries; a success, and a failure the policy
/// does not retry (a fatal or an unmatched error: the dependency answered), count as
/// successes. Outcomes that arrive while it is open (attempts that started before) are
/// ignored.
///
/// # Default
///
/// resilience4j's: a count window of 100 calls, at least 100 calls, failure ratio 50 %, slow
/// calls: 100 % of the calls slower than 60 s, open 60 s, 10 half-open probes.
///
/// | setting | persevere | resilience4j | recloser | Polly v8 |
/// |---|---|---|---|---|
/// | window | 100 calls | 100 calls (`COUNT_BASED`) | 100 calls | 30 s (`SamplingDuration`) |
/// | minimum calls | 100 | 100 | the window | 100 (`MinimumThroughput`) |
/// | failure ratio | 0.5 | 50 % | 0.5 | 0.1 |
/// | slow calls | 100 % over 60 s | 100 % over 60 s | none | none |
/// | open duration | 60 s | 60 s | 30 s | 5 s (`BreakDuration`) |
/// | half-open probes | 10 | 10 | 10 | 1 |
///
/// # Sharing and cost
///
/// Cloning gives another handle to the same breaker. Asking it costs one atomic load while it
/// is closed; a count window records an outcome with three atomic operations and no lock; a
/// time window takes a lock for a few integer operations per outcome (an uncontended lock is
/// two atomic operations, and it keeps a period's three counts consistent). Transitions are
/// one compare-and-swap each, so exactly one thread makes, and reports, each.
///
/// # Events
///
/// Each transition runs the [`on_state_change`](Self::on_state_change) handler, logs a
/// `tracing` event at WARN (target `persevere`, fields `breaker`, `from`, `to`), and with the
/// `metrics` feature counts `persevere_breaker_transitions_total{breaker, from, to}` and sets
/// the gauge `persevere_breaker_state{breaker}` (0 closed, 1 open, 2 half-open).
///
/// ```
/// use persevere::breaker::{BreakerState, CircuitBreaker};
/// use persevere::budget::Budget;
/// use persevere::GiveUpReason;
/// use std::time::{Duration, Instant};
///
/// let breaker = CircuitBreaker::default()
///     .count_window(4)
///     .min_calls(4)
///     .open_duration(Duration::from_secs(30))
///     .half_open_calls(1);
/// let t0 = Instant::now();
/// for _ in 0..4 {
///     assert!(breaker.admit_call(t0).is_ok());
///     breaker.attempt_ended(true, Duration::from_millis(5), t0); // failed
/// }
/// assert_eq!(breaker.state(), BreakerState::Open);
/// assert_eq!(breaker.admit_call(t0).unwrap_err(), GiveUpReason::CircuitOpen);
/// // 30 s later one probe goes through; its success closes the breaker.
/// let later = t0 + Duration::from_secs(30);
/// assert!(breaker.admit_call(later).is_ok());
/// assert_eq!(breaker.state(), BreakerState::HalfOpen);
/// assert!(breaker.admit_call(later).is_err(), "one probe at a time");
/// breaker.attempt_ended(false, Duration::from_millis(5), later);
/// assert_eq!(breaker.state(), BreakerState::Closed);
/// ```
#[derive(Clone)]
pub struct CircuitBreaker {
    shared: Arc<Shared>,
}

struct Shared {
    settings: Settings,
    name: Cow<'static, str>,
    handler: Option<StateHandler>,
    /// Instants are kept as microseconds from here, on the guards' time axis (`ticks`): a day
    /// before the breaker was made, so that a virtual clock made a little earlier still
    /// counts forward.
    base_nanos: i64,
    phase: AtomicU64,
    round: AtomicU64,
    outcomes: Outcomes,
}

macro_rules! setting {
    ($(#[$doc:meta])* $set:ident, $try_set:ident, $t:ty, $allowed:literal, |$v:ident| $ok:expr, |$s:ident| $apply:expr) => {
        $(#[$doc])*
        ///
        /// # Panics
        ///
        #[doc = concat!("If the value is not ", $allowed, " (see [`", stringify!($try_set), "`](Self::", stringify!($try_set), ")).")]
        #[track_caller]
        #[must_use]
        pub fn $set(self, $v: $t) -> Self {
            or_panic(self.$try_set($v))
        }

        #[doc = concat!("[`", stringify!($set), "`](Self::", stringify!($set), ") with a value read from configuration: an error naming `", stringify!($set), "` unless it is ", $allowed, ".")]
        pub fn $try_set(self, $v: $t) -> Result<Self, BudgetError> {
            if !$ok {
                return Err(BudgetError::new(NAME, stringify!($set), $allowed, $v));
            }
            let mut $s = self.shared.settings;
            $apply;
            Ok(self.rebuilt($s))
        }
    };
}

impl CircuitBreaker {
    fn with(settings: Settings, name: Cow<'static, str>, handler: Option<StateHandler>) -> Self {
        let now = Instant::now();
        let outcomes = match settings.window {
            WindowKind::Count(n) => Outcomes::Count(CountWindow::new(n)),
            WindowKind::Time(span) => Outcomes::Time(Box::new(TimeWindow::new(span))),
        };
        CircuitBreaker {
            shared: Arc::new(Shared {
                settings,
                name,
                handler,
                base_nanos: ticks::nanos(now).saturating_sub(86_400 * 1_000_000_000),
                phase: AtomicU64::new(Phase::closed().0),
                round: AtomicU64::new(Round::empty(0).0),
                outcomes,
            }),
        }
    }

    /// A setter's result: a new breaker with these settings, closed and empty.
    fn rebuilt(&self, settings: Settings) -> Self {
        let s = &self.shared;
        CircuitBreaker::with(settings, s.name.clone(), s.handler.clone())
    }

    setting!(
        /// Judges the last `calls` outcomes (a count window; the default, 100).
        count_window, try_count_window, u32, "from 1 to 500000",
        |calls| (1..=MAX_COUNT_WINDOW).contains(&calls),
        |s| s.window = WindowKind::Count(calls)
    );

    setting!(
        /// Judges the outcomes of the last `span` (a time window, counted in tenths of it),
        /// instead of a number of calls.
        time_window, try_time_window, Duration, "from 1 s to 1 hour",
        |span| (Duration::from_secs(1)..=Duration::from_secs(3_600)).contains(&span),
        |s| s.window = WindowKind::Time(span)
    );

    setting!(
        /// The fewest outcomes in the window before it may open (default 100; a count window
        /// smaller than this needs only the window full).
        min_calls, try_min_calls, u32, "at least 1",
        |calls| calls >= 1,
        |s| s.min_calls = calls
    );

    setting!(
        /// The share of failed calls that opens it (default 0.5).
        failure_ratio, try_failure_ratio, f64, "above 0 and at most 1",
        |ratio| ratio > 0.0 && ratio <= 1.0,
        |s| s.failure_ratio = ratio
    );

    setting!(
        /// The share of slow calls that opens it (default 1.0: every call in the window slow).
        slow_call_ratio, try_slow_call_ratio, f64, "above 0 and at most 1",
        |ratio| ratio > 0.0 && ratio <= 1.0,
        |s| s.slow_call_ratio = ratio
    );

    setting!(
        /// How long an attempt may run before it counts as slow (default 60 s).
        slow_call_duration, try_slow_call_duration, Duration, "above zero",
        |duration| !duration.is_zero(),
        |s| s.slow_call_duration = duration
    );

    setting!(
        /// How long it stays open before it lets probes through (default 60 s).
        open_duration, try_open_duration, Duration, "from 1 ms to 1 day",
        |duration| (Duration::from_millis(1)..=Duration::from_secs(86_400)).contains(&duration),
        |s| s.open_duration = duration
    );

    setting!(
        /// How many probe attempts it lets through half-open (default 10).
        half_open_calls, try_half_open_calls, u32, "from 1 to 4000",
        |calls| (1..=MAX_PROBES).contains(&calls),
        |s| s.half_open_calls = calls
    );

    /// The name its logs and metrics give it (default `circuit_breaker`).
    ///
    /// ```
    /// use persevere::breaker::CircuitBreaker;
    /// let breaker = CircuitBreaker::default().name("payments");
    /// assert_eq!(breaker.breaker_name(), "payments");
    /// ```
    #[must_use]
    pub fn name(self, name: impl Into<Cow<'static, str>>) -> Self {
        let s = &self.shared;
        CircuitBreaker::with(s.settings, name.into(), s.handler.clone())
    }

    /// Its name in logs and metrics.
    pub fn breaker_name(&self) -> &str {
        &self.shared.name
    }

    /// Runs `handler(from, to)` at each transition, on the thread that made it (keep it
    /// short: it runs on a call's path). Like every setter, it returns a new breaker, closed
    /// and empty: configure a breaker before cloning it.
    ///
    /// ```
    /// use persevere::breaker::{BreakerState, CircuitBreaker};
    /// use persevere::budget::Budget;
    /// use std::sync::{Arc, Mutex};
    /// use std::time::{Duration, Instant};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let breaker = CircuitBreaker::default()
    ///     .count_window(2)
    ///     .min_calls(2)
    ///     .on_state_change(move |from, to| log.lock().unwrap().push((from, to)));
    /// let now = Instant::now();
    /// breaker.attempt_ended(true, Duration::ZERO, now);
    /// breaker.attempt_ended(true, Duration::ZERO, now);
    /// assert_eq!(*seen.lock().unwrap(), [(BreakerState::Closed, BreakerState::Open)]);
    /// ```
    #[must_use]
    pub fn on_state_change(
        self,
        handler: impl Fn(BreakerState, BreakerState) + Send + Sync + 'static,
    ) -> Self {
        let s = &self.shared;
        let handler: StateHandler = std::sync::Arc::new(handler);
        CircuitBreaker::with(s.settings, s.name.clone(), Some(handler))
    }

    /// Its state now. An open breaker whose open duration has passed says `Open` until an
    /// attempt asks it (the move to half-open is made by the first attempt that asks).
    pub fn state(&self) -> BreakerState {
        Phase(self.shared.phase.load(Ordering::Acquire)).state()
    }

    fn micros(&self, now: Instant) -> u64 {
        let nanos = ticks::nanos(now)
            .saturating_sub(self.shared.base_nanos)
            .max(0);
        (nanos as u64 / 1_000) & TIME_MASK
    }

    fn open_us(&self) -> u64 {
        self.shared.settings.open_duration.as_micros() as u64
    }

    /// Moves from `from` to `state` at `now_us`; `true` if this thread made the move.
    fn transition(&self, from: Phase, state: BreakerState, now_us: u64) -> bool {
        let to = from.next(state, now_us);
        let moved = self
            .shared
            .phase
            .compare_exchange(from.0, to.0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if moved && from.state() != state {
            if state == BreakerState::Closed {
                self.shared.outcomes.clear();
            }
            self.emit(from.state(), state);
        }
        moved
    }

    #[cold]
    fn emit(&self, from: BreakerState, to: BreakerState) {
        let name: &str = &self.shared.name;
        tracing::warn!(
            target: "persevere",
            breaker = name,
            from = from.as_str(),
            to = to.as_str(),
            "circuit breaker {name}: {from} -> {to}"
        );
        #[cfg(feature = "metrics")]
        {
            ::metrics::counter!(
                "persevere_breaker_transitions_total",
                "breaker" => name.to_owned(),
                "from" => from.as_str(),
                "to" => to.as_str()
            )
            .increment(1);
            let code = match to {
                BreakerState::Closed => 0.0,
                BreakerState::Open => 1.0,
                BreakerState::HalfOpen => 2.0,
            };
            ::metrics::gauge!("persevere_breaker_state", "breaker" => name.to_owned()).set(code);
        }
        if let Some(handler) = &self.shared.handler {
            handler(from, to);
        }
    }

    /// Lets an attempt through at `now` (`Ok(true)`: as a half-open probe) or refuses it.
    fn admit(&self, now: Instant) -> Result<bool, GiveUpReason> {
        let s = &self.shared;
        loop {
            let phase = Phase(s.phase.load(Ordering::Acquire));
            match phase.state() {
                BreakerState::Closed => return Ok(false),
                BreakerState::Open => {
                    let now_us = self.micros(now);
                    if elapsed_us(phase.since(), now_us) < self.open_us() {
                        return Err(GiveUpReason::CircuitOpen);
                    }
                    self.transition(phase, BreakerState::HalfOpen, now_us);
                }
                BreakerState::HalfOpen => {
                    if self.take_probe(phase) {
                        return Ok(true);
                    }
                    let now_us = self.micros(now);
                    if elapsed_us(phase.since(), now_us) < self.open_us() {
                        return Err(GiveUpReason::CircuitOpen);
                    }
                    // A round undecided for an open duration (probes whose calls were
                    // dropped): a new round, so that the breaker is never stuck.
                    self.transition(phase, BreakerState::HalfOpen, now_us);
                }
            }
        }
    }

    /// Takes one of the round's probes, if one is left.
    fn take_probe(&self, phase: Phase) -> bool {
        let s = &self.shared;
        let probes = u64::from(s.settings.half_open_calls);
        let mut word = s.round.load(Ordering::Acquire);
        loop {
            let round = Round(word).of(phase.generation());
            if round.sent() >= probes {
                return false;
            }
            match s.round.compare_exchange_weak(
                word,
                round.send().0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => word = actual,
            }
        }
    }

    /// Records an attempt's outcome at `now`, and makes the transition it calls for.
    fn record(&self, failed: bool, ran: Duration, now: Instant) {
        let s = &self.shared;
        let slow = ran >= s.settings.slow_call_duration;
        let phase = Phase(s.phase.load(Ordering::Acquire));
        match phase.state() {
            BreakerState::Open => {}
            BreakerState::Closed => {
                let Some(totals) = s.outcomes.record(failed, slow, || self.micros(now)) else {
                    return;
                };
                let needed = match s.settings.window {
                    WindowKind::Count(n) => s.settings.min_calls.min(n),
                    WindowKind::Time(_) => s.settings.min_calls,
                };
                if totals.calls >= u64::from(needed) && self.trips(totals) {
                    self.transition(phase, BreakerState::Open, self.micros(now));
                }
            }
            BreakerState::HalfOpen => {
                let probes = u64::from(s.settings.half_open_calls);
                let mut word = s.round.load(Ordering::Acquire);
                let round = loop {
                    let round = Round(word).of(phase.generation()).record(failed, slow);
                    match s.round.compare_exchange_weak(
                        word,
                        round.0,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => break round,
                        Err(actual) => word = actual,
                    }
                };
                // The outcome that completes the round decides it, once.
                if round.done() == probes {
                    let totals = Totals {
                        calls: round.done(),
                        failed: round.failed(),
                        slow: round.slow(),
                    };
                    let next = if self.trips(totals) {
                        BreakerState::Open
                    } else {
                        BreakerState::Closed
                    };
                    self.transition(phase, next, self.micros(now));
                }
            }
        }
    }

    fn trips(&self, t: Totals) -> bool {
        let s = &self.shared.settings;
        let calls = t.calls as f64;
        t.calls > 0
            && (t.failed as f64 >= s.failure_ratio * calls
                || t.slow as f64 >= s.slow_call_ratio * calls)
    }

    /// Gives a probe back (its attempt did not start after all).
    fn release_probe(&self) {
        let s = &self.shared;
        let phase = Phase(s.phase.load(Ordering::Acquire));
        if phase.state() != BreakerState::HalfOpen {
            return;
        }
        let mut word = s.round.load(Ordering::Acquire);
        loop {
            let round = Round(word);
            if round.generation() != Round::empty(phase.generation()).generation() {
                return;
            }
            match s.round.compare_exchange_weak(
                word,
                round.unsend().0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => word = actual,
            }
        }
    }
}

/// resilience4j's defaults (see the table above).
impl Default for CircuitBreaker {
    fn default() -> Self {
        CircuitBreaker::with(DEFAULTS, Cow::Borrowed("circuit_breaker"), None)
    }
}

impl fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("name", &self.shared.name)
            .field("state", &self.state())
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

/// A breaker is asked like a budget: before a retry ([`try_withdraw`](Budget::try_withdraw))
/// and, behind a [`gate`](crate::Policy::gate), before a first attempt
/// ([`admit_call`](Budget::admit_call)); it hears every attempt's end
/// ([`attempt_ended`](Budget::attempt_ended)). A probe's grant is a withdrawal of 1, which a
/// [`refund`](Budget::refund) gives back.
impl Budget for CircuitBreaker {
    #[inline]
    fn on_call(&self, _now: Instant) {}

    #[inline]
    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        self.try_withdraw(cause, now).ok()
    }

    #[inline]
    fn try_withdraw(&self, _cause: RetryCause, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.admit(now)
            .map(|probe| Withdrawal::new(u64::from(probe)))
    }

    #[inline]
    fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.admit(now)
            .map(|probe| Withdrawal::new(u64::from(probe)))
    }

    fn refund(&self, granted: Withdrawal, _now: Instant) {
        if granted.amount() == 1 {
            self.release_probe();
        }
    }

    #[inline]
    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}

    #[inline]
    fn attempt_ended(&self, failed: bool, ran: Duration, now: Instant) {
        self.record(failed, ran, now);
    }
}
