//! The builder methods every policy has: limits, jitter, handlers, name, seed, logging, and the
//! timeline (clock and sleeper).

// Each part of a policy is a type, so the builder's return types spell the part lists out.
#![allow(clippy::type_complexity)]

use super::limits::{IntoMaxTime, IntoMaxTries};
use super::parts::{BackoffEvent, Gate, GiveupEvent, Handler, SuccessEvent};
use super::{FixTypes, IntoJitter, Policy};
use crate::budget::Budget;
use crate::core::limits::Limit;
use crate::core::policy::Config;
use crate::log::LogLevels;
use crate::timeline::WithSleeper;
use crate::wait::params::{self, ParamError};
use crate::{Clock, Details, Jitter};
use std::borrow::Cow;
use std::time::Duration;
use tracing::Level;

/// The builder methods every policy has.
impl<R, W, P, K> Policy<R, W, P, K> {
    /// The same policy with its part list replaced by `f(parts)`.
    pub(crate) fn map_parts<P2>(self, f: impl FnOnce(P) -> P2) -> Policy<R, W, P2, K> {
        Policy {
            rules: self.rules,
            wait: self.wait,
            parts: f(self.parts),
            config: self.config,
            timeline: self.timeline,
        }
    }

    /// The same policy with its rules replaced by `f(rules)`.
    pub(crate) fn map_rules<R2>(self, f: impl FnOnce(R) -> R2) -> Policy<R2, W, P, K> {
        Policy {
            rules: f(self.rules),
            wait: self.wait,
            parts: self.parts,
            config: self.config,
            timeline: self.timeline,
        }
    }

    /// Adds a handler part, fixing the slots it reads.
    fn add_handler<V, H, T, E>(
        self,
        handler: Handler<V, H, T, E>,
    ) -> Policy<R::Out, W, (P, Handler<V, H, T, E>), K>
    where
        R: FixTypes<T, E>,
    {
        self.map_rules(R::fix).map_parts(|parts| (parts, handler))
    }

    /// The total number of attempts, the first included: `1` means no retry. An integer, or
    /// a `Fn() -> u32` read at the start of each call.
    ///
    /// # Default
    /// Unlimited.
    ///
    /// # Panics
    /// On a number below 1 (Python silently treats 0 as unlimited) or above `u32::MAX`: the
    /// mistake of a literal. For a number read from configuration use
    /// [`try_max_tries`](Policy::try_max_tries), which returns the error. A closure that
    /// returns 0 does not panic: that call makes one attempt (no retry) and logs a warning.
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
    #[track_caller]
    pub fn max_tries<A: IntoMaxTries<P>>(self, max_tries: A) -> Policy<R, W, A::Parts, K> {
        let mut limit = Limit::Unset;
        let policy = self.map_parts(|parts| {
            let (given, parts) = max_tries.into_max_tries(parts);
            limit = given;
            parts
        });
        Policy {
            config: Config {
                max_tries: limit,
                ..policy.config
            },
            ..policy
        }
    }

    /// [`max_tries`](Policy::max_tries) with a number read from configuration: an error that
    /// names `max_tries` and the accepted range instead of a panic.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    ///
    /// let err = on_error(expo()).try_max_tries(0).unwrap_err();
    /// assert_eq!(err.parameter(), "max_tries");
    /// assert!(err.to_string().contains("at least 1"), "{err}");
    /// assert!(on_error(expo()).try_max_tries(5_u64).is_ok());
    /// ```
    pub fn try_max_tries<N: TryInto<i128>>(mut self, max_tries: N) -> Result<Self, ParamError> {
        // An integer beyond i128 is beyond u32 too: out of range either way.
        let n = max_tries.try_into().unwrap_or(i128::MAX);
        self.config.max_tries = Limit::Fixed(params::max_tries(n)?);
        Ok(self)
    }

    /// [`jitter`](Policy::jitter) with a value read from configuration: an error that names
    /// the fraction and the accepted range instead of a panic.
    ///
    /// ```
    /// use persevere::{on_error, expo, Jitter};
    ///
    /// let err = on_error(expo()).try_jitter(Jitter::Proportional(1.5)).unwrap_err();
    /// assert_eq!(err.parameter(), "f");
    /// ```
    pub fn try_jitter(mut self, jitter: Jitter) -> Result<Self, ParamError> {
        self.config.jitter = Some(jitter.check()?);
        self.config.custom_jitter = false;
        Ok(self)
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
    pub fn max_time<A: IntoMaxTime<P>>(self, max_time: A) -> Policy<R, W, A::Parts, K> {
        let mut limit = Limit::Unset;
        let policy = self.map_parts(|parts| {
            let (given, parts) = max_time.into_max_time(parts);
            limit = given;
            parts
        });
        Policy {
            config: Config {
                max_time: limit,
                ..policy.config
            },
            ..policy
        }
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
        self.config.no_attempt_at_deadline = true;
        self
    }

    /// The jitter for every wait, overriding the strategy's default (see [`Jitter`](crate::Jitter)), or a
    /// jitter of your own from [`Jitter::custom`](crate::Jitter::custom) (which may borrow local state). Panics if
    /// `Jitter::Proportional(f)` has `f` outside `[0, 1]`.
    ///
    /// ```
    /// use persevere::{on_error, constant, Jitter};
    /// use std::time::Duration;
    ///
    /// let _equal = on_error(constant(Duration::from_secs(1))).jitter(Jitter::Equal);
    /// let _quarter = on_error(constant(Duration::from_secs(1)))
    ///     .jitter(Jitter::custom(|d, u| d.mul_f64(0.75 + 0.25 * u)));
    /// ```
    /// # Panics
    /// On a [`Jitter::Proportional`] fraction outside [0, 1] or NaN; for a value read from
    /// configuration use [`try_jitter`](Policy::try_jitter).
    #[must_use]
    #[track_caller]
    pub fn jitter<J: IntoJitter<P>>(self, jitter: J) -> Policy<R, W, J::Parts, K> {
        let mut fixed = None;
        let policy = self.map_parts(|parts| {
            let (given, parts) = jitter.into_jitter(parts);
            fixed = given;
            parts
        });
        Policy {
            config: Config {
                jitter: fixed,
                custom_jitter: fixed.is_none(),
                ..policy.config
            },
            ..policy
        }
    }

    /// Adds a handler called before each sleep, after the backoff log (several run in order).
    /// It may borrow local state; it fixes `T` and `E` to those of its [`Details`].
    ///
    /// The policy's handlers are `Fn`: one policy serves many calls, from many threads at once,
    /// and a handler may itself call the policy. A handler that mutates what it captures (a
    /// `Vec` it pushes to) belongs to one call: give it to [`call`](Policy::call), whose
    /// [`on_backoff`](crate::Call::on_backoff) takes `FnMut` (rustc's error for an `FnMut`
    /// closure here is E0596, "cannot borrow as mutable").
    ///
    /// ```
    /// use persevere::{on_error, constant, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let policy = on_error(constant(Duration::ZERO)).max_tries(3).clock(VirtualClock::new());
    /// let mut tries = Vec::new();
    /// let _: Result<(), &str> = policy.call().on_backoff(|d| tries.push(d.tries())).retry(|| Err("down"));
    /// assert_eq!(tries, [1, 2]);
    /// ```
    ///
    /// A shared policy's handler counts through a `Cell` or an atomic:
    ///
    /// ```
    /// use persevere::{on_error, constant, testing::VirtualClock};
    /// use std::{cell::Cell, time::Duration};
    ///
    /// let backoffs = Cell::new(0);
    /// let _: Result<(), &str> = on_error(constant(Duration::from_secs(1)))
    ///     .max_tries(3)
    ///     .on_backoff(|d| backoffs.set(backoffs.get() + d.tries()))
    ///     .clock(VirtualClock::new())
    ///     .retry(|| Err("down"));
    /// assert_eq!(backoffs.get(), 1 + 2);
    /// ```
    #[must_use]
    pub fn on_backoff<T, E, H>(
        self,
        handler: H,
    ) -> Policy<R::Out, W, (P, Handler<BackoffEvent, H, T, E>), K>
    where
        R: FixTypes<T, E>,
        H: Fn(&Details<'_, T, E>),
    {
        self.add_handler(Handler::new(handler))
    }

    /// Adds a handler called when the call gives up, after the give-up log;
    /// [`Details::reason`] says why.
    ///
    /// ```
    /// use persevere::{on_error, constant};
    /// use std::time::Duration;
    ///
    /// let _policy = on_error(constant(Duration::from_secs(1)))
    ///     .on_giveup(|d: &persevere::Details<'_, (), String>| {
    ///         eprintln!("gave up after {} tries: {:?}", d.tries(), d.reason())
    ///     });
    /// ```
    #[must_use]
    pub fn on_giveup<T, E, H>(
        self,
        handler: H,
    ) -> Policy<R::Out, W, (P, Handler<GiveupEvent, H, T, E>), K>
    where
        R: FixTypes<T, E>,
        H: Fn(&Details<'_, T, E>),
    {
        self.add_handler(Handler::new(handler))
    }

    /// Adds a handler called when an attempt succeeds.
    ///
    /// ```
    /// use persevere::{on_error, constant};
    /// use std::time::Duration;
    ///
    /// let policy = on_error(constant(Duration::from_secs(1)))
    ///     .on_success(|d| eprintln!("got {:?} after {} tries", d.value(), d.tries()));
    /// let _ = policy.retry(|| Ok::<u32, String>(7));
    /// ```
    #[must_use]
    pub fn on_success<T, E, H>(
        self,
        handler: H,
    ) -> Policy<R::Out, W, (P, Handler<SuccessEvent, H, T, E>), K>
    where
        R: FixTypes<T, E>,
        H: Fn(&Details<'_, T, E>),
    {
        self.add_handler(Handler::new(handler))
    }

    /// The name used in logs and [`Details::target`].
    ///
    /// # Default
    /// The path of the retried function (`app::fetch`), or `retry` in the code-block form.
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let _policy = on_error(expo()).name("fetch_inventory");
    /// ```
    #[must_use]
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.config.name = Some(name.into());
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
        self.config.seed = Some(seed);
        self
    }

    /// The levels of the "Backing off" and "Giving up" events.
    ///
    /// # Default
    /// `INFO` and `ERROR`, as in Python. Events have target `persevere`.
    ///
    /// ```
    /// use persevere::{on_error, expo, Level};
    /// let _policy = on_error(expo()).log_levels(Level::DEBUG, Level::WARN);
    /// ```
    #[must_use]
    pub fn log_levels(mut self, backoff: Level, giveup: Level) -> Self {
        self.config.log = LogLevels {
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
    /// let _policy = on_error(expo()).no_log();
    /// ```
    #[must_use]
    pub fn no_log(mut self) -> Self {
        self.config.log.enabled = false;
        self
    }

    /// The sleeper that waits between attempts: a [`Sleeper`](crate::Sleeper) for blocking
    /// calls, an [`AsyncSleeper`](crate::AsyncSleeper) for async ones, or a type that is both.
    /// The clock stays the policy's (see [`clock`](Policy::clock) to replace both).
    ///
    /// # Default
    /// [`SystemClock`](crate::SystemClock).
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// use std::time::Duration;
    /// let _policy = on_error(expo()).sleeper(|_: Duration| {});
    /// ```
    #[must_use]
    pub fn sleeper<S>(self, sleeper: S) -> Policy<R, W, P, WithSleeper<K, S>> {
        Policy {
            rules: self.rules,
            wait: self.wait,
            parts: self.parts,
            config: self.config,
            timeline: WithSleeper {
                clock: self.timeline,
                sleeper,
            },
        }
    }

    /// The timeline: a clock that is also the sleeper, so that `max_time` is measured on the
    /// time the sleeps pass ([`SystemClock`](crate::SystemClock) for real time,
    /// [`VirtualClock`](crate::testing::VirtualClock) for tests). Call
    /// [`sleeper`](Policy::sleeper) afterwards to sleep some other way.
    ///
    /// A policy given its own clock does not keep the process-wide default budget it inherited
    /// (see [`budget::set_default`](crate::budget::set_default)): that budget counts on real
    /// time. A budget given with [`budget`](Policy::budget) stays.
    ///
    /// # Default
    /// [`SystemClock`](crate::SystemClock).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// let clock = VirtualClock::new();
    /// let _policy = on_error(expo()).clock(clock.clone());
    /// ```
    #[must_use]
    pub fn clock<K2: Clock>(mut self, clock: K2) -> Policy<R, W, P, K2> {
        // The process-wide default counts on real time: not on a timeline of the policy's own.
        if self.config.inherited_budget {
            self.config.drop_budget();
        }
        Policy {
            rules: self.rules,
            wait: self.wait,
            parts: self.parts,
            config: self.config,
            timeline: clock,
        }
    }

    /// Bounds this policy's retries with a budget shared by every policy and thread that
    /// holds a clone of it (see [`budget`](crate::budget)). A retry the budget refuses ends the
    /// call with its last outcome, after the give-up log and `on_giveup`, with
    /// [`GiveUpReason::Budget`](crate::GiveUpReason::Budget). The call reports to the budget on
    /// the policy's clock: its start, each retryable failure, each retry it asks for, and its
    /// success. It replaces the process-wide default (see
    /// [`budget::set_default`](crate::budget::set_default)) and a budget given before.
    ///
    /// ```
    /// use persevere::{on_error, constant, budget::RatioBudget, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// // 20 % of calls may be retried, no floor, credits kept 10 s.
    /// let budget = RatioBudget::new(0.2, 0, Duration::from_secs(10));
    /// let policy = on_error(constant(Duration::ZERO))
    ///     .max_tries(5)
    ///     .budget(budget.clone())
    ///     .clock(VirtualClock::new());
    /// let mut attempts = 0;
    /// for _ in 0..100 {
    ///     let _: Result<(), &str> = policy.retry(|| { attempts += 1; Err("down") });
    /// }
    /// assert_eq!(attempts, 120); // 100 first attempts and the 20 retries the budget allows
    /// ```
    #[must_use]
    pub fn budget<B: Budget + Send + Sync + 'static>(mut self, budget: B) -> Self {
        self.config.retry_budget = Some(std::sync::Arc::new(budget));
        self.config.inherited_budget = false;
        self.config.combine_guards();
        self
    }

    /// Removes this policy's retry budget: the process-wide default it inherited (see
    /// [`budget::set_default`](crate::budget::set_default)), or one given by
    /// [`budget`](Policy::budget) before. A [`gate`](Policy::gate) stays.
    ///
    /// ```
    /// use persevere::{on_error, constant, budget::RatioBudget, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let policy = on_error(constant(Duration::ZERO))
    ///     .max_tries(3)
    ///     .clock(VirtualClock::new())
    ///     .budget(RatioBudget::new(0.0, 0, Duration::from_secs(10))) // refuses every retry
    ///     .no_budget();
    /// let mut attempts = 0;
    /// let _: Result<(), &str> = policy.retry(|| { attempts += 1; Err("down") });
    /// assert_eq!(attempts, 3);
    /// ```
    #[must_use]
    pub fn no_budget(mut self) -> Self {
        self.config.drop_budget();
        self
    }

    /// Puts a guard in front of **every** attempt, the first included: a
    /// [`CircuitBreaker`](crate::breaker::CircuitBreaker), an
    /// [`AdaptiveThrottle`](crate::budget::AdaptiveThrottle), or several as a tuple. A first
    /// attempt it refuses is not made: the call returns `Err(E::from(`[`Refused`](crate::Refused)`))`
    /// at once, after the give-up log and `on_giveup` (0 tries, reason
    /// [`CircuitOpen`](crate::GiveUpReason::CircuitOpen) or
    /// [`Throttled`](crate::GiveUpReason::Throttled)); so the operation's error type must
    /// implement `From<Refused>`, which the compiler checks where the policy is used. A retry it
    /// refuses ends the call with its last failure, as a budget's refusal does. Beside a
    /// [`budget`](Policy::budget), both are asked before a retry (the budget first) and only
    /// the gate before a first attempt.
    ///
    /// The drivers (`retry`, `retry_async`, [`call`](Policy::call), hedging, the tower layer)
    /// ask the gate before the first attempt; the code-block form ([`begin`](Policy::begin))
    /// asks it when the code calls [`Retrying::refused`](crate::Retrying::refused) before its
    /// first attempt; the attribute macros ask it before retries only (their first attempt is
    /// counted, not refused).
    ///
    /// ```
    /// use persevere::{on_error, constant, GiveUpReason, Refused, budget::AdaptiveThrottle};
    /// use persevere::testing::VirtualClock;
    /// use std::time::Duration;
    ///
    /// #[derive(Debug, PartialEq)]
    /// enum Error { Overloaded, Refused(GiveUpReason) }
    /// impl From<Refused> for Error {
    ///     fn from(r: Refused) -> Self { Error::Refused(r.reason()) }
    /// }
    ///
    /// let throttle = AdaptiveThrottle::default().seed(1);
    /// let policy = on_error(constant(Duration::ZERO))
    ///     .max_tries(1)
    ///     // The server says to slow down: overload, which the throttle does not count as served.
    ///     .server_wait(|_: &Error| Some(Duration::ZERO))
    ///     .gate(throttle.clone())
    ///     .clock(VirtualClock::new());
    /// let mut sent = 0;
    /// for _ in 0..1_000 {
    ///     let _ = policy.retry(|| { sent += 1; Err::<(), _>(Error::Overloaded) });
    /// }
    /// // Nothing served: after the first attempts, nearly every one is rejected locally.
    /// assert!(sent < 50, "{sent} sent");
    /// ```
    ///
    /// A gate shapes the policy's type (it is why the compiler asks `E: From<Refused>`), as an
    /// [`attempt_timeout`](Policy::attempt_timeout) does, so a gated policy is no longer an
    /// `OnError<W>`. Name it with [`boxed`](Policy::boxed), for a `static` or a field:
    ///
    /// ```
    /// use persevere::{on_error, expo, BoxedOnError, Refused, breaker::CircuitBreaker};
    /// use std::sync::LazyLock;
    ///
    /// #[derive(Debug)]
    /// enum ApiError { Down, Refused(Refused) }
    /// impl From<Refused> for ApiError {
    ///     fn from(r: Refused) -> Self { ApiError::Refused(r) }
    /// }
    ///
    /// static API: LazyLock<BoxedOnError<u32, ApiError>> = LazyLock::new(|| {
    ///     on_error(expo()).max_tries(3).gate(CircuitBreaker::default()).boxed()
    /// });
    /// assert_eq!(API.retry(|| Ok::<_, ApiError>(7)).unwrap(), 7);
    /// ```
    #[must_use]
    pub fn gate<G: Budget + Send + Sync + 'static>(
        mut self,
        guard: G,
    ) -> Policy<R, W, (P, Gate), K> {
        self.config.gate = Some(std::sync::Arc::new(guard));
        self.config.combine_guards();
        Policy {
            rules: self.rules,
            wait: self.wait,
            parts: (self.parts, Gate),
            config: self.config,
            timeline: self.timeline,
        }
    }

    /// The longest server-directed wait (see `server_wait`) the policy follows; a longer one
    /// ends the call at once with [`GiveUpReason::Server`](crate::GiveUpReason::Server).
    ///
    /// # Default
    /// Five minutes ([`DEFAULT_MAX_SERVER_WAIT`](super::DEFAULT_MAX_SERVER_WAIT)).
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// use std::time::Duration;
    /// let _policy = on_error(expo()).max_server_wait(Duration::from_secs(30));
    /// ```
    #[must_use]
    pub fn max_server_wait(mut self, max: Duration) -> Self {
        self.config.max_server_wait = max;
        self
    }
}
