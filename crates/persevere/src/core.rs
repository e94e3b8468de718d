//! The decision core: the one place where the retry rules live.
//!
//! [`Retrying`] is the state of one call. Each finished attempt goes through
//! [`Retrying::check`], which turns "attempt n ended with outcome o at time t" into "return o" or
//! "retry after d", runs the handlers and writes the log. Every driver (blocking, async, the
//! code-block form, the macros, the CLI) only loops around it.

use crate::limits::{read_max_time, read_max_tries};
use crate::log::operation_name;
use crate::policy::{Handlers, Parts, Policy};
use crate::{AsyncSleeper, Attempt, Clock, Details, GiveUpReason, Sleeper};
use persevere_wait::{Jitter, Rng, Wait};
use std::fmt::Debug;
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

mod sealed {
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// What a policy's rules make of an operation's outcome type `O`. Implemented by the rules of
/// [`on_error`](fn@crate::on_error) (for `O = Result<T, E>`) and
/// [`on_predicate`](fn@crate::on_predicate) (for any `O = T`) only.
#[diagnostic::on_unimplemented(
    message = "this policy cannot retry an operation that returns `{O}`",
    note = "an `on_error` policy retries operations that return `Result<T, E>` (with `E: Debug`); an `on_predicate` policy retries values (with `T: Debug`); parts that read a type serve only that type"
)]
pub trait Rules<O>: Sealed {
    /// The value type the handlers' [`Details`] carry.
    type Value;
    /// The error type the handlers' [`Details`] carry (`Infallible` for `on_predicate`).
    type Error;
    /// What the wait strategy and the log read from a failed outcome: the error or the value.
    type Subject: ?Sized + Debug;

    /// The value and the error of an outcome, for [`Details`].
    fn parts(outcome: &O) -> (Option<&Self::Value>, Option<&Self::Error>);
}

/// Classifies an outcome. `M` is the inferred route of the `on` filters' error chains
/// (never written). Implemented by the policies' rules only.
pub trait Judge<O, M>: Rules<O> {
    /// The verdict on one outcome.
    fn judge<'o>(&self, outcome: &'o O) -> Verdict<'o, Self::Subject>;
}

/// The rules' verdict on one outcome.
#[derive(Debug)]
pub enum Verdict<'o, X: ?Sized> {
    /// Success: return it (after `on_success`).
    Success,
    /// A failure this policy does not handle (`on`/`when` rejected it): return it at once,
    /// with no handler and no log.
    Unmatched,
    /// A retryable failure: retry it unless a limit says otherwise.
    Retry(&'o X),
    /// A failure `giveup` marks fatal: return it after `on_giveup` and the give-up log.
    GiveUp(&'o X),
}

/// What the caller does next, as [`Retrying::check`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Next<O> {
    /// The call is over: return this outcome (a success, or the last failure when giving up).
    Done(O),
    /// Sleep this long (with [`Retrying::sleep`] or [`Retrying::sleep_async`]), then make the
    /// next attempt.
    Retry(Duration),
}

/// One retrying call: the code-block form, which lets the caller write the loop around any
/// code while the policy decides (Python backoff's `retry_context`, tenacity's `for attempt
/// in Retrying()`). Made by [`Policy::begin`]; `O` is the operation's outcome type.
///
/// Its future is `Send` whenever the caller's code is, which is why the attribute macros
/// expand to it.
///
/// ```
/// use persevere::{on_error, expo, Next, testing::VirtualClock};
///
/// let policy = on_error(expo()).max_tries(3).clock(VirtualClock::new());
/// let mut lines = ["x", "7"].into_iter();
/// let mut retrying = policy.begin();
/// let n = loop {
///     let outcome = lines.next().unwrap().parse::<i64>();
///     match retrying.check(outcome) {
///         Next::Done(result) => break result,
///         Next::Retry(wait) => retrying.sleep(wait),
///     }
/// };
/// assert_eq!(n, Ok(7));
/// ```
pub struct Retrying<'p, R, W, P, K, O>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
{
    policy: &'p Policy<R, W, P, K>,
    /// The name given to `begin_as`, used when the policy has none; trimmed only at an event,
    /// so the success path does no string work.
    default_name: &'p str,
    tries: u32,
    /// When the call started; read only if something needs the time.
    start: Option<Instant>,
    max_tries: Option<NonZeroU32>,
    max_time: Option<Duration>,
    wait_state: W::State,
    rng: Rng,
    outcome: PhantomData<fn(O)>,
}

impl<R, W, P, K> Policy<R, W, P, K> {
    /// Starts one retrying call in the code-block form (see [`Retrying`]). Reads `max_tries`
    /// and `max_time` (closures are called here, once per call), and the clock if a limit, a
    /// handler or an enabled log event needs it.
    #[inline]
    pub fn begin<O>(&self) -> Retrying<'_, R, W, P, K, O>
    where
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
    {
        self.begin_as("retry")
    }

    /// [`begin`](Policy::begin), naming an unnamed policy `default_name` in logs and
    /// [`Details::target`] (the attribute macros pass the function's name).
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let policy = on_error(expo());
    /// let retrying = policy.begin_as::<Result<(), ()>>("sync_stock");
    /// assert_eq!((retrying.tries(), retrying.target()), (0, "sync_stock"));
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn begin_as<'a, O>(&'a self, default_name: &'a str) -> Retrying<'a, R, W, P, K, O>
    where
        R: Rules<O>,
        W: Wait<R::Subject>,
        P: Parts,
        K: Clock,
    {
        let config = &self.config;
        let max_time = read_max_time(config.max_time, || self.parts.max_time());
        let parts = &self.parts;
        let handlers = parts.has_backoff() || parts.has_giveup() || parts.has_success();
        let needs_clock = max_time.is_some() || handlers || config.log.any_enabled();
        Retrying {
            policy: self,
            default_name,
            tries: 0,
            start: needs_clock.then(|| self.timeline.now()),
            max_tries: read_max_tries(config.max_tries, || self.parts.max_tries()),
            max_time,
            wait_state: self.wait.start(),
            // Seeded at the first failure (see `backoff`): a success does no random work.
            rng: Rng::fresh(),
            outcome: PhantomData,
        }
    }
}

impl<'p, R, W, P, K, O> Retrying<'p, R, W, P, K, O>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error>,
    K: Clock,
{
    /// Decides what follows an attempt that ended with `outcome`: [`Next::Done`] with the
    /// outcome to return, or [`Next::Retry`] with the wait before the next attempt. Runs the
    /// handlers and writes the log for this event.
    // Inlined into every driver so that a success costs only the judgement: the failure and
    // event paths are separate functions.
    #[inline(always)]
    pub fn check<M>(&mut self, outcome: O) -> Next<O>
    where
        R: Judge<O, M>,
    {
        self.tries = self.tries.saturating_add(1);
        let wait = match self.policy.rules.judge(&outcome) {
            Verdict::Success => {
                if self.policy.parts.has_success() {
                    self.succeeded(&outcome);
                }
                None
            }
            Verdict::Unmatched => None,
            Verdict::GiveUp(subject) => {
                self.give_up(&outcome, subject, self.elapsed(), GiveUpReason::Fatal);
                None
            }
            Verdict::Retry(subject) => self.backoff(&outcome, subject),
        };
        match wait {
            Some(wait) => Next::Retry(wait),
            None => Next::Done(outcome),
        }
    }

    /// The next attempt as the operation may see it: its number and the time left before
    /// `max_time` (read from the clock now).
    ///
    /// ```
    /// use persevere::{on_error, expo, testing::VirtualClock};
    /// use std::time::Duration;
    ///
    /// let clock = VirtualClock::new();
    /// let policy = on_error(expo()).max_time(Duration::from_secs(10)).clock(clock.clone());
    /// let retrying = policy.begin::<Result<(), ()>>();
    /// clock.advance(Duration::from_secs(4));
    /// let attempt = retrying.attempt();
    /// assert_eq!((attempt.number(), attempt.time_left()), (1, Some(Duration::from_secs(6))));
    /// ```
    pub fn attempt(&self) -> Attempt {
        Attempt {
            number: self.tries.saturating_add(1),
            time_left: self.max_time.map(|max| max.saturating_sub(self.elapsed())),
        }
    }

    /// The rules for a retryable failure: limits, then the strategy, jitter and deadline.
    #[inline]
    fn backoff(&mut self, outcome: &O, subject: &R::Subject) -> Option<Duration> {
        let elapsed = self.elapsed();
        if self.max_tries.is_some_and(|max| self.tries >= max.get()) {
            self.give_up(outcome, subject, elapsed, GiveUpReason::MaxTries);
            return None;
        }
        if self.max_time.is_some_and(|max| elapsed >= max) {
            self.give_up(outcome, subject, elapsed, GiveUpReason::MaxTime);
            return None;
        }
        let policy = self.policy;
        if self.tries == 1 {
            if let Some(seed) = policy.config.seed {
                self.rng = Rng::seeded(seed);
            }
        }
        let Some(delay) = policy
            .wait
            .next_delay(&mut self.wait_state, subject, &mut self.rng)
        else {
            // An exhausted strategy gives up, as Python's StopIteration does.
            self.give_up(outcome, subject, elapsed, GiveUpReason::Exhausted);
            return None;
        };
        let jittered = if policy.config.custom_jitter {
            let custom = policy.parts.jitter(delay.duration, &mut self.rng);
            custom.expect("a custom jitter part exists when `custom_jitter` is set")
        } else {
            Jitter::for_delay(policy.config.jitter, delay, &mut self.rng)
        };
        let wait = match self.max_time {
            Some(max) => {
                let left = max - elapsed;
                if policy.config.no_attempt_at_deadline && jittered >= left {
                    // The next attempt would start at the deadline: none starts.
                    self.give_up(outcome, subject, elapsed, GiveUpReason::MaxTime);
                    return None;
                }
                jittered.min(left)
            }
            None => jittered,
        };
        let log = &policy.config.log;
        if log.backoff_enabled() {
            log.backoff(self.target(), self.tries, wait, elapsed, &subject);
        }
        if policy.parts.has_backoff() {
            self.run(outcome, elapsed, Some(wait), None, P::backoff);
        }
        Some(wait)
    }

    #[cold]
    #[inline(never)]
    fn succeeded(&self, outcome: &O) {
        self.run(outcome, self.elapsed(), None, None, P::success);
    }

    #[cold]
    #[inline(never)]
    fn give_up(&self, outcome: &O, subject: &R::Subject, elapsed: Duration, reason: GiveUpReason) {
        let log = &self.policy.config.log;
        if log.giveup_enabled() {
            log.giveup(self.target(), self.tries, elapsed, reason, &subject);
        }
        if self.policy.parts.has_giveup() {
            self.run(outcome, elapsed, None, Some(reason), P::giveup);
        }
    }

    fn run(
        &self,
        outcome: &O,
        elapsed: Duration,
        wait: Option<Duration>,
        reason: Option<GiveUpReason>,
        handlers: fn(&P, &Details<'_, R::Value, R::Error>),
    ) {
        let (value, error) = R::parts(outcome);
        let details = Details {
            target: self.target(),
            tries: self.tries,
            elapsed,
            wait,
            reason,
            value,
            error,
        };
        handlers(&self.policy.parts, &details);
    }

    /// The time since the call started, or zero if nothing asked for the time at the start.
    fn elapsed(&self) -> Duration {
        match self.start {
            Some(start) => self.policy.timeline.now().saturating_duration_since(start),
            None => Duration::ZERO,
        }
    }
}

impl<'p, R, W, P, K, O> Retrying<'p, R, W, P, K, O>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
{
    /// The name used in logs and [`Details::target`]: the policy's `name`, else the name
    /// given to [`begin_as`](Policy::begin_as) without trailing `::{{closure}}` segments.
    pub fn target(&self) -> &'p str {
        match &self.policy.config.name {
            Some(name) => name,
            None => operation_name(self.default_name),
        }
    }

    /// The number of attempts checked so far.
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// Blocks for `wait` with the policy's sleeper.
    #[inline]
    pub fn sleep(&self, wait: Duration)
    where
        K: Sleeper,
    {
        self.policy.timeline.sleep(wait);
    }

    /// Waits `wait` with the policy's async sleeper.
    #[inline]
    pub fn sleep_async(&self, wait: Duration) -> K::Sleep
    where
        K: AsyncSleeper,
    {
        self.policy.timeline.sleep_async(wait)
    }
}

impl<R, W, P, K, O> Debug for Retrying<'_, R, W, P, K, O>
where
    R: Rules<O>,
    W: Wait<R::Subject>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retrying")
            .field("default_name", &self.default_name)
            .field("tries", &self.tries)
            .field("max_tries", &self.max_tries)
            .field("max_time", &self.max_time)
            .finish_non_exhaustive()
    }
}
