//! The decision core: the one place where the retry rules live.
//!
//! [`Retrying`] is the state of one call. Each finished attempt goes through
//! [`Retrying::check`], which turns "attempt n ended with outcome o at time t" into "return o" or
//! "retry after d", runs the handlers and writes the log. Every driver (blocking, async, the
//! code-block form, the macros, the CLI) only loops around it.

use crate::jitter::Jitter;
use crate::log::operation_name;
use crate::policy::{Policy, Settings, handlers};
use crate::{AsyncSleeper, Clock, Details, Rng, Sleeper, Wait};
use std::fmt::Debug;
use std::time::{Duration, Instant};

mod sealed {
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// What the rules of a policy make of an attempt's outcome. Implemented by the policies'
/// rules only.
pub trait Rules<T, E>: Sealed {
    /// What the retried operation returns: `Result<T, E>` or `T`.
    type Outcome;
    /// What the wait strategy and the log read from a failed outcome: the error or the value.
    type Subject: ?Sized + Debug;

    /// The value and the error of an outcome, for [`Details`].
    fn parts(outcome: &Self::Outcome) -> (Option<&T>, Option<&E>);
}

/// Classifies an outcome. `M` is the inferred route of [`crate::ErrorChain`] (see
/// [`crate::Policy::on`]). Implemented by the policies' rules only.
pub trait Judge<T, E, M>: Rules<T, E> {
    /// The verdict on one outcome.
    fn judge<'o>(&self, outcome: &'o Self::Outcome) -> Verdict<'o, Self::Subject>;
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
/// in Retrying()`). Made by [`Policy::begin`].
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
pub struct Retrying<'p, R, W, T, E, S, C>
where
    R: Rules<T, E>,
    W: Wait<R::Subject>,
{
    policy: &'p Policy<R, W, T, E, S, C>,
    /// The name given to `begin_as`, used when the policy has none; trimmed only at an event,
    /// so the success path does no string work.
    default_name: &'p str,
    tries: u32,
    /// When the call started; read only if something needs the time.
    start: Option<Instant>,
    /// The call's `max_tries`; 0 means unlimited (a policy rejects 0 as a limit).
    max_tries: u32,
    max_time: Option<Duration>,
    wait_state: W::State,
    rng: Rng,
}

impl<R, W, T, E, S, C> Policy<R, W, T, E, S, C> {
    /// Starts one retrying call in the code-block form (see [`Retrying`]). Reads `max_tries`
    /// and `max_time` (closures are called here, once per call), and the clock if a limit, a
    /// handler or an enabled log event needs it.
    #[inline]
    pub fn begin(&self) -> Retrying<'_, R, W, T, E, S, C>
    where
        R: Rules<T, E>,
        W: Wait<R::Subject>,
        C: Clock,
    {
        self.begin_as("retry")
    }

    /// [`begin`](Policy::begin), naming an unnamed policy `default_name` in logs and
    /// [`Details::target`] (the attribute macros pass the function's name).
    ///
    /// ```
    /// use persevere::{on_error, expo};
    /// let policy = on_error::<_, (), ()>(expo());
    /// let retrying = policy.begin_as("sync_stock");
    /// assert_eq!(retrying.tries(), 0);
    /// ```
    #[inline(always)]
    pub fn begin_as<'a>(&'a self, default_name: &'a str) -> Retrying<'a, R, W, T, E, S, C>
    where
        R: Rules<T, E>,
        W: Wait<R::Subject>,
        C: Clock,
    {
        let s = &self.settings;
        let max_time = s.max_time.read();
        let needs_clock = max_time.is_some() || !s.handlers.is_empty() || s.log.any_enabled();
        Retrying {
            policy: self,
            default_name,
            tries: 0,
            start: needs_clock.then(|| s.clock.now()),
            max_tries: s.max_tries.read().unwrap_or(0),
            max_time,
            wait_state: s.wait.start(),
            // Seeded at the first failure (see `backoff`): a success does no random work.
            rng: Rng::fresh(),
        }
    }
}

impl<'p, R, W, T, E, S, C> Retrying<'p, R, W, T, E, S, C>
where
    R: Rules<T, E>,
    W: Wait<R::Subject>,
    C: Clock,
{
    /// Decides what follows an attempt that ended with `outcome`: [`Next::Done`] with the
    /// outcome to return, or [`Next::Retry`] with the wait before the next attempt. Runs the
    /// handlers and writes the log for this event.
    // Inlined into every driver so that a success costs only the judgement: the failure and
    // event paths are separate functions.
    #[inline(always)]
    pub fn check<M>(&mut self, outcome: R::Outcome) -> Next<R::Outcome>
    where
        R: Judge<T, E, M>,
    {
        self.tries = self.tries.saturating_add(1);
        let wait = match self.policy.rules.judge(&outcome) {
            Verdict::Success => {
                if !self.settings().handlers.success.is_empty() {
                    self.succeeded(&outcome);
                }
                None
            }
            Verdict::Unmatched => None,
            Verdict::GiveUp(subject) => {
                self.give_up(&outcome, subject, self.elapsed());
                None
            }
            Verdict::Retry(subject) => self.backoff(&outcome, subject),
        };
        match wait {
            Some(wait) => Next::Retry(wait),
            None => Next::Done(outcome),
        }
    }

    /// The name used in logs and [`Details::target`]: the policy's `name`, else the name
    /// given to [`begin_as`](Policy::begin_as) without trailing `::{{closure}}` segments.
    pub fn target(&self) -> &'p str {
        match &self.policy.settings.name {
            Some(name) => name,
            None => operation_name(self.default_name),
        }
    }

    /// The number of attempts checked so far.
    pub fn tries(&self) -> u32 {
        self.tries
    }

    /// The rules for a retryable failure: limits, then the strategy, jitter and deadline.
    #[inline]
    fn backoff(&mut self, outcome: &R::Outcome, subject: &R::Subject) -> Option<Duration> {
        let elapsed = self.elapsed();
        let out_of_tries = self.max_tries != 0 && self.tries >= self.max_tries;
        let out_of_time = self.max_time.is_some_and(|max| elapsed >= max);
        if out_of_tries || out_of_time {
            self.give_up(outcome, subject, elapsed);
            return None;
        }
        let settings = self.settings();
        if self.tries == 1 {
            if let Some(seed) = settings.seed {
                self.rng = Rng::seeded(seed);
            }
        }
        let Some(delay) = settings
            .wait
            .next_delay(&mut self.wait_state, subject, &mut self.rng)
        else {
            // An exhausted strategy gives up, as Python's StopIteration does.
            self.give_up(outcome, subject, elapsed);
            return None;
        };
        let jittered = match &settings.jitter {
            Some(jitter) => jitter.apply(delay.duration, &mut self.rng),
            None if delay.jittered_by_default => Jitter::Full.apply(delay.duration, &mut self.rng),
            None => delay.duration,
        };
        let wait = match self.max_time {
            Some(max) => {
                let left = max - elapsed;
                if settings.no_attempt_at_deadline && jittered >= left {
                    // The next attempt would start at the deadline: none starts.
                    self.give_up(outcome, subject, elapsed);
                    return None;
                }
                jittered.min(left)
            }
            None => jittered,
        };
        if settings.log.backoff_enabled() {
            settings
                .log
                .backoff(self.target(), self.tries, wait, elapsed, &subject);
        }
        if !settings.handlers.backoff.is_empty() {
            self.run(&settings.handlers.backoff, outcome, elapsed, Some(wait));
        }
        Some(wait)
    }

    #[cold]
    #[inline(never)]
    fn succeeded(&self, outcome: &R::Outcome) {
        self.run(
            &self.settings().handlers.success,
            outcome,
            self.elapsed(),
            None,
        );
    }

    #[cold]
    #[inline(never)]
    fn give_up(&self, outcome: &R::Outcome, subject: &R::Subject, elapsed: Duration) {
        let settings = self.settings();
        if settings.log.giveup_enabled() {
            settings
                .log
                .giveup(self.target(), self.tries, elapsed, &subject);
        }
        self.run(&settings.handlers.giveup, outcome, elapsed, None);
    }

    #[cold]
    #[inline(never)]
    fn run(
        &self,
        handlers: &[handlers::Handler<T, E>],
        outcome: &R::Outcome,
        elapsed: Duration,
        wait: Option<Duration>,
    ) {
        if handlers.is_empty() {
            return;
        }
        let (value, error) = R::parts(outcome);
        let details = Details {
            target: self.target(),
            tries: self.tries,
            elapsed,
            wait,
            value,
            error,
        };
        handlers::run(handlers, &details);
    }

    /// The time since the call started, or zero if nothing asked for the time at the start.
    fn elapsed(&self) -> Duration {
        match self.start {
            Some(start) => self.settings().clock.now().saturating_duration_since(start),
            None => Duration::ZERO,
        }
    }

    fn settings(&self) -> &'p Settings<W, T, E, S, C> {
        &self.policy.settings
    }
}

impl<R, W, T, E, S, C> Retrying<'_, R, W, T, E, S, C>
where
    R: Rules<T, E>,
    W: Wait<R::Subject>,
{
    /// Blocks for `wait` with the policy's sleeper.
    #[inline]
    pub fn sleep(&self, wait: Duration)
    where
        S: Sleeper,
    {
        self.policy.settings.sleeper.sleep(wait);
    }

    /// Waits `wait` with the policy's async sleeper.
    #[inline]
    pub fn sleep_async(&self, wait: Duration) -> S::Sleep
    where
        S: AsyncSleeper,
    {
        self.policy.settings.sleeper.sleep_async(wait)
    }
}

impl<R, W, T, E, S, C> Debug for Retrying<'_, R, W, T, E, S, C>
where
    R: Rules<T, E>,
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
