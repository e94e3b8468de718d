//! Policies: immutable, cloneable values that say how to retry. One policy serves many
//! concurrent calls; each call gets fresh state from [`Policy::begin`].

mod error_rules;
pub(crate) mod handlers;
mod predicate_rules;

pub use error_rules::ErrorRules;
pub use predicate_rules::{PredicateRules, RetryValue, WhileFalsy};

pub(crate) use handlers::Handlers;

use crate::error_chain::AnyError;
use crate::limits::{IntoMaxTime, IntoMaxTries, Limit};
use crate::log::LogLevels;
use crate::{Clock, DefaultSleeper, Details, Jitter, SystemClock};
use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::time::Duration;
use tracing::Level;

/// A retry policy: a wait strategy, a jitter, limits, the rules for which outcomes are retried
/// (`R`), handlers, a sleeper (`S`) and a clock (`C`).
///
/// Made by [`on_error`] (named [`OnError`]) or [`on_predicate`] (named [`OnPredicate`]).
/// `T` is the value type and `E` the error type of the operation; they are usually inferred
/// from the retried closure. The builder methods consume and return the policy; a policy is
/// `Clone`, and `Send + Sync` when its parts are (handlers and closures must be
/// `Send + Sync + 'static`).
pub struct Policy<R, W, T, E, S = DefaultSleeper, C = SystemClock> {
    pub(crate) rules: R,
    pub(crate) settings: Settings<W, T, E, S, C>,
}

/// The parts every policy has, whatever its rules.
pub(crate) struct Settings<W, T, E, S, C> {
    pub(crate) wait: W,
    pub(crate) jitter: Option<Jitter>,
    pub(crate) max_tries: Limit<u32>,
    pub(crate) max_time: Limit<Duration>,
    pub(crate) handlers: Handlers<T, E>,
    pub(crate) name: Option<Cow<'static, str>>,
    pub(crate) seed: Option<u64>,
    /// With `max_time`: give up instead of a wait that would end at or past the deadline.
    pub(crate) no_attempt_at_deadline: bool,
    pub(crate) log: LogLevels,
    pub(crate) sleeper: S,
    pub(crate) clock: C,
}

/// A policy that retries errors: the closure returns `Result<T, E>`, and so does the call.
pub type OnError<W, T, E, S = DefaultSleeper, C = SystemClock, K = AnyError> =
    Policy<ErrorRules<E, K>, W, T, E, S, C>;

/// A policy that retries returned values: the closure returns `T`, and so does the call.
pub type OnPredicate<W, T, S = DefaultSleeper, C = SystemClock, P = WhileFalsy> =
    Policy<PredicateRules<P>, W, T, Infallible, S, C>;

/// A policy that retries the operation's errors (Python's `on_exception`).
///
/// The retried closure returns `Result<T, E>`; the call returns the first `Ok`, or the last
/// error unchanged when it gives up. Every error is retried unless [`on`](Policy::on),
/// [`when`](Policy::when) or [`giveup`](Policy::giveup) say otherwise.
///
/// The generic parameters are `W` (the strategy), `T` and `E`: a macro or a caller that knows
/// `T` and `E` can write `on_error::<_, T, E>(expo())` so that closures in later builder
/// methods need no annotations.
///
/// ```
/// use persevere::{on_error, expo, testing::VirtualClock};
///
/// let mut lines = ["x", "y", "7"].into_iter();
/// let n = on_error(expo())
///     .max_tries(3)
///     .clock(VirtualClock::new())
///     .retry(|| lines.next().unwrap().parse::<i64>());
/// assert_eq!(n, Ok(7));
/// ```
pub fn on_error<W, T, E>(wait: W) -> OnError<W, T, E> {
    Policy {
        rules: ErrorRules::new(),
        settings: Settings::new(wait),
    }
}

/// A policy that retries returned values (Python's `on_predicate`).
///
/// The retried closure returns `T`; the call returns the first value the predicate rejects, or
/// the last value when it gives up. Without [`predicate`](Policy::predicate), falsy values
/// ([`Falsy`](crate::Falsy): `None`, `false`, `0`, empty) are retried.
///
/// ```
/// use persevere::{on_predicate, fibo, testing::VirtualClock};
/// use std::time::Duration;
///
/// let mut polls = [None, None, Some("message")].into_iter();
/// let clock = VirtualClock::new();
/// let msg = on_predicate(fibo().max_value(Duration::from_secs(13)))
///     .jitter(persevere::Jitter::None)
///     .clock(clock.clone())
///     .retry(|| polls.next().unwrap());
/// assert_eq!(msg, Some("message"));
/// assert_eq!(clock.sleeps(), [Duration::from_secs(1); 2]);
/// ```
pub fn on_predicate<W, T>(wait: W) -> OnPredicate<W, T> {
    Policy {
        rules: PredicateRules::new(),
        settings: Settings::new(wait),
    }
}

impl<W, T, E> Settings<W, T, E, DefaultSleeper, SystemClock> {
    fn new(wait: W) -> Self {
        Settings {
            wait,
            jitter: None,
            max_tries: Limit::Unset,
            max_time: Limit::Unset,
            handlers: Handlers::default(),
            name: None,
            seed: None,
            no_attempt_at_deadline: false,
            log: LogLevels::default(),
            sleeper: DefaultSleeper,
            clock: SystemClock,
        }
    }
}

impl<W, T, E, S, C> Settings<W, T, E, S, C> {
    /// The same settings with the sleeper and clock replaced by `f(sleeper, clock)`.
    fn map_timing<S2, C2>(self, f: impl FnOnce(S, C) -> (S2, C2)) -> Settings<W, T, E, S2, C2> {
        let (sleeper, clock) = f(self.sleeper, self.clock);
        Settings {
            wait: self.wait,
            jitter: self.jitter,
            max_tries: self.max_tries,
            max_time: self.max_time,
            handlers: self.handlers,
            name: self.name,
            seed: self.seed,
            no_attempt_at_deadline: self.no_attempt_at_deadline,
            log: self.log,
            sleeper,
            clock,
        }
    }
}

/// The builder methods every policy has.
impl<R, W, T, E, S, C> Policy<R, W, T, E, S, C> {
    /// The total number of attempts, the first included: `1` means no retry. An integer, or
    /// a `Fn() -> u32` read at the start of each call.
    ///
    /// # Default
    /// Unlimited. Panics on 0 (or a closure that returns 0), which Python silently treats as
    /// unlimited.
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    ///
    /// let mut calls = 0;
    /// let r: Result<(), &str> = on_error(expo()).max_tries(3).clock(VirtualClock::new())
    ///     .retry(|| { calls += 1; Err("down") });
    /// assert_eq!((r, calls), (Err("down"), 3));
    /// ```
    #[must_use]
    pub fn max_tries(mut self, max_tries: impl IntoMaxTries) -> Self {
        self.settings.max_tries = max_tries.into_max_tries().0;
        self
    }

    /// The deadline of the whole call, measured from its start with the policy's clock: after
    /// each failed attempt, if the elapsed time has reached `max_time` the call gives up
    /// without sleeping; otherwise it sleeps `min(wait, max_time - elapsed)` and tries again.
    /// A `Duration`, or a `Fn() -> Duration` read at the start of each call.
    ///
    /// # Default
    /// None.
    ///
    /// ```
    /// use persevere::{on_error, expo, Jitter, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let clock = VirtualClock::new();
    /// let _: Result<(), ()> = on_error(expo()).max_time(Duration::from_secs(10))
    ///     .jitter(Jitter::None).clock(clock.clone()).retry(|| Err(()));
    /// assert_eq!(clock.sleeps(), [1, 2, 4, 3].map(Duration::from_secs));
    /// ```
    #[must_use]
    pub fn max_time(mut self, max_time: impl IntoMaxTime) -> Self {
        self.settings.max_time = max_time.into_max_time().0;
        self
    }

    /// With [`max_time`](Policy::max_time): when the next wait would reach the deadline, give
    /// up at once (after the give-up log and `on_giveup`) instead of sleeping until the
    /// deadline and making one last attempt there. For callers that must not start work at
    /// the deadline, such as the `persevere` command, which stops a running attempt at it.
    ///
    /// # Default
    /// Off: the last sleep is cut to end at the deadline and one more attempt starts there
    /// (instant failures, `expo()`, no jitter, 10 s: sleeps 1, 2, 4, 3 over 5 calls).
    ///
    /// ```
    /// use persevere::{on_error, expo, Jitter, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let clock = VirtualClock::new();
    /// let mut calls = 0;
    /// let _: Result<(), ()> = on_error(expo()).max_time(Duration::from_secs(10))
    ///     .no_attempt_at_deadline()
    ///     .jitter(Jitter::None).clock(clock.clone()).retry(|| { calls += 1; Err(()) });
    /// assert_eq!(clock.sleeps(), [1, 2, 4].map(Duration::from_secs));
    /// assert_eq!(calls, 4);
    /// ```
    #[must_use]
    pub fn no_attempt_at_deadline(mut self) -> Self {
        self.settings.no_attempt_at_deadline = true;
        self
    }

    /// The jitter for every wait, overriding the strategy's default (see [`Jitter`]).
    /// Panics if `Jitter::Proportional(f)` has `f` outside `[0, 1]`.
    ///
    /// ```
    /// use persevere::{on_error, constant, Jitter};
    /// use std::time::Duration;
    ///
    /// let _policy = on_error::<_, (), ()>(constant(Duration::from_secs(1))).jitter(Jitter::Equal);
    /// ```
    #[must_use]
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        jitter.validate();
        self.settings.jitter = Some(jitter);
        self
    }

    /// Adds a handler called before each sleep, after the backoff log (several run in order).
    ///
    /// ```
    /// use persevere::{on_error, constant, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let _policy = on_error::<_, (), String>(constant(Duration::from_secs(1)))
    ///     .on_backoff(|d| eprintln!("try {} failed, sleeping {:?}", d.tries(), d.wait()));
    /// ```
    #[must_use]
    pub fn on_backoff(
        mut self,
        handler: impl Fn(&Details<'_, T, E>) + Send + Sync + 'static,
    ) -> Self {
        self.settings
            .handlers
            .backoff
            .push(std::sync::Arc::new(handler));
        self
    }

    /// Adds a handler called when the call gives up, after the give-up log.
    ///
    /// ```
    /// use persevere::{on_error, constant};
    /// use std::time::Duration;
    ///
    /// let _policy = on_error::<_, (), String>(constant(Duration::from_secs(1)))
    ///     .on_giveup(|d| eprintln!("gave up after {} tries", d.tries()));
    /// ```
    #[must_use]
    pub fn on_giveup(
        mut self,
        handler: impl Fn(&Details<'_, T, E>) + Send + Sync + 'static,
    ) -> Self {
        self.settings
            .handlers
            .giveup
            .push(std::sync::Arc::new(handler));
        self
    }

    /// Adds a handler called when an attempt succeeds.
    ///
    /// ```
    /// use persevere::{on_error, constant};
    /// use std::time::Duration;
    ///
    /// let _policy = on_error::<_, u32, String>(constant(Duration::from_secs(1)))
    ///     .on_success(|d| eprintln!("got {:?} after {} tries", d.value(), d.tries()));
    /// ```
    #[must_use]
    pub fn on_success(
        mut self,
        handler: impl Fn(&Details<'_, T, E>) + Send + Sync + 'static,
    ) -> Self {
        self.settings
            .handlers
            .success
            .push(std::sync::Arc::new(handler));
        self
    }

    /// The name used in logs and [`Details::target`].
    ///
    /// # Default
    /// The path of the retried function (`app::fetch`), or `retry` in the code-block form.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let _policy = on_error::<_, (), ()>(expo()).name("fetch_inventory");
    /// ```
    #[must_use]
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.settings.name = Some(name.into());
        self
    }

    /// Makes every call's random numbers (jitter, `decorrelated`) start from `seed`, so that
    /// each call's waits are reproducible.
    ///
    /// # Default
    /// Fresh random state per call, from a thread-local generator.
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    ///
    /// let run = || {
    ///     let clock = VirtualClock::new();
    ///     let _: Result<(), ()> = on_error(expo()).seed(42).max_tries(4)
    ///         .clock(clock.clone()).retry(|| Err(()));
    ///     clock.sleeps()
    /// };
    /// assert_eq!(run(), run());
    /// ```
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = Some(seed);
        self
    }

    /// The levels of the "Backing off" and "Giving up" events.
    ///
    /// # Default
    /// `INFO` and `ERROR`, as in Python. Events have target `persevere`.
    ///
    /// ```
    /// use persevere::{on_error, expo, Level};
    /// let _policy = on_error::<_, (), ()>(expo()).log_levels(Level::DEBUG, Level::WARN);
    /// ```
    #[must_use]
    pub fn log_levels(mut self, backoff: Level, giveup: Level) -> Self {
        self.settings.log = LogLevels {
            backoff,
            giveup,
            enabled: true,
        };
        self
    }

    /// Turns the default log events off (Python's `logger=None`).
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let _policy = on_error::<_, (), ()>(expo()).no_log();
    /// ```
    #[must_use]
    pub fn no_log(mut self) -> Self {
        self.settings.log.enabled = false;
        self
    }

    /// The sleeper that waits between attempts: a [`Sleeper`](crate::Sleeper) for blocking
    /// calls, an [`AsyncSleeper`](crate::AsyncSleeper) for async ones, or a type that is both.
    ///
    /// # Default
    /// [`DefaultSleeper`].
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// use std::time::Duration;
    /// let _policy = on_error::<_, (), ()>(expo()).sleeper(|_: Duration| {});
    /// ```
    #[must_use]
    pub fn sleeper<S2>(self, sleeper: S2) -> Policy<R, W, T, E, S2, C> {
        Policy {
            rules: self.rules,
            settings: self.settings.map_timing(|_, clock| (sleeper, clock)),
        }
    }

    /// The time source, which is also the sleeper: a virtual clock must control the sleeps for
    /// virtual time to mean anything. Call [`sleeper`](Policy::sleeper) afterwards to sleep
    /// some other way.
    ///
    /// # Default
    /// [`SystemClock`] (monotonic).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// let clock = VirtualClock::new();
    /// let _policy = on_error::<_, (), ()>(expo()).clock(clock.clone());
    /// ```
    #[must_use]
    pub fn clock<C2: Clock + Clone>(self, clock: C2) -> Policy<R, W, T, E, C2, C2> {
        Policy {
            rules: self.rules,
            settings: self.settings.map_timing(|_, _| (clock.clone(), clock)),
        }
    }
}

impl<R: Clone, W: Clone, T, E, S: Clone, C: Clone> Clone for Policy<R, W, T, E, S, C> {
    fn clone(&self) -> Self {
        let s = &self.settings;
        Policy {
            rules: self.rules.clone(),
            settings: Settings {
                wait: s.wait.clone(),
                jitter: s.jitter.clone(),
                max_tries: s.max_tries.clone(),
                max_time: s.max_time.clone(),
                handlers: s.handlers.clone(),
                name: s.name.clone(),
                seed: s.seed,
                no_attempt_at_deadline: s.no_attempt_at_deadline,
                log: s.log,
                sleeper: s.sleeper.clone(),
                clock: s.clock.clone(),
            },
        }
    }
}

impl<R, W: fmt::Debug, T, E, S, C> fmt::Debug for Policy<R, W, T, E, S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Policy")
            .field("wait", &s.wait)
            .field("jitter", &s.jitter)
            .field("max_tries", &s.max_tries)
            .field("max_time", &s.max_time)
            .field("name", &s.name)
            .field("seed", &s.seed)
            .finish_non_exhaustive()
    }
}
