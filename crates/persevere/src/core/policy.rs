//! The policy as the core reads it: its rules, strategy, part list, timeline and plain
//! settings. Built by the methods of `policy`; read by `Retrying`.

use crate::SystemClock;
use crate::core::limits::Limit;
use crate::log::LogLevels;
use persevere_wait::{Jitter, params};
use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

/// A retry policy: rules for which outcomes are retried (`R`), a wait strategy (`W`), the
/// closure parts (`P`: handlers, limits read per call, a custom jitter), the timeline (`K`: the
/// clock and the sleeper), and plain settings (limits, jitter, name, seed, logging).
///
/// Made by [`on_error`](fn@crate::on_error) (named [`OnError`](crate::OnError)) or
/// [`on_predicate`](fn@crate::on_predicate) (named [`OnPredicate`](crate::OnPredicate)). The builder methods
/// consume and return the policy. A policy is `Clone` when its parts are, and `Send`, `Sync`
/// and `'static` exactly when its parts are: handlers and filters may borrow local state.
///
/// # One policy, many operations
///
/// A policy is not tied to the value type `T` and error type `E` of what it retries unless a
/// part reads them:
///
/// | part | fixes |
/// |---|---|
/// | strategy, jitter, `max_tries`, `max_time`, `name`, `seed`, logging, `clock`, `sleeper` | nothing |
/// | `on::<X>()`, `on_if::<X>(..)` | nothing (they read the error's `source()` chain, so `E` must have one) |
/// | `when(..)`, `giveup(..)` | `E` |
/// | `predicate(..)` | `T` |
/// | `runtime(..)` strategies | what their closure reads (`E` for `on_error`, `T` for `on_predicate`) |
/// | `on_backoff`, `on_giveup`, `on_success` | `T` and `E` (those of their [`Details`](crate::Details)) |
/// | [`value_type::<T>()`](Policy::value_type), [`error_type::<E>()`](Policy::error_type) | what they name |
///
/// So a policy without such parts can live in a `static` and serve functions of any types,
/// as one Python decorator configuration serves many functions:
///
/// ```
/// use persevere::{on_error, expo, OnError, Expo};
/// use std::sync::LazyLock;
/// use std::time::Duration;
///
/// static HTTP: LazyLock<OnError<Expo>> = LazyLock::new(|| {
///     on_error(expo().factor(Duration::ZERO)).max_tries(3)
/// });
///
/// let name: Result<String, std::io::Error> = HTTP.retry(|| Ok("inventory".to_string()));
/// let count: Result<i32, std::num::ParseIntError> = HTTP.retry(|| "42".parse());
/// assert_eq!((name.unwrap(), count.unwrap()), ("inventory".to_string(), 42));
/// ```
///
/// Once a part fixes a type, later closures know it and need no annotation:
/// `.when(|e: &MyError| e.is_transient()).giveup(|e| e.is_fatal())`.
///
/// # Parts that borrow
///
/// Handlers and filters may borrow local state, and the policy is `Send`, `Sync` and
/// `'static` exactly when they are. Count into a `Cell` (handlers are `Fn`, so a `+= 1` on a
/// captured variable needs one):
///
/// ```
/// use persevere::{on_error, constant};
/// use std::{cell::Cell, time::Duration};
///
/// let backoffs = Cell::new(0);
/// let policy = on_error(constant(Duration::ZERO)).max_tries(3).on_backoff(|_| backoffs.set(backoffs.get() + 1));
/// let _: Result<(), &str> = policy.retry(|| Err("down"));
/// assert_eq!(backoffs.get(), 2);
/// ```
///
/// A part that is not `Send` keeps the policy on its thread:
///
/// ```compile_fail
/// use persevere::{on_error, expo, Details};
///
/// let local = std::rc::Rc::new(std::cell::Cell::new(0));
/// let policy = on_error(expo()).on_backoff(move |_: &Details<'_, (), ()>| local.set(1));
/// std::thread::spawn(move || drop(policy)); // error: `Rc<Cell<i32>>` cannot be sent
/// ```
///
/// # Storing a policy
///
/// A policy without closures has a short name: `OnError<Expo>` above, `OnPredicate<Fibo>`.
/// Closures have no names, so a policy with them is stored in a generic field, behind
/// `Box<dyn Fn ..>` parts, or erased with [`boxed`](Policy::boxed) into [`BoxedOnError`](crate::BoxedOnError),
/// whose name does not change whatever parts, clock or sleeper the policy has.
pub struct Policy<R, W, P = (), K = SystemClock> {
    pub(crate) rules: R,
    pub(crate) wait: W,
    pub(crate) parts: P,
    pub(crate) config: Config,
    pub(crate) timeline: K,
}

/// The plain settings every policy has, whatever its parts.
#[derive(Clone)]
pub(crate) struct Config {
    /// The explicit jitter; `None` keeps each strategy's default.
    pub(crate) jitter: Option<Jitter>,
    /// Whether a custom jitter (the last `JitterFn` part) replaces `jitter`.
    pub(crate) custom_jitter: bool,
    pub(crate) max_tries: Limit<NonZeroU32>,
    pub(crate) max_time: Limit<Duration>,
    pub(crate) name: Option<Cow<'static, str>>,
    pub(crate) seed: Option<u64>,
    /// With `max_time`: give up instead of a wait that would end at or past the deadline.
    pub(crate) no_attempt_at_deadline: bool,
    /// The longest server-directed wait the policy follows.
    pub(crate) max_server_wait: Duration,
    pub(crate) log: LogLevels,
    /// Every guard the core asks (the budget and the gate, as one): the one shared value a
    /// call tests, so that a plain policy pays one branch for all of them; a value, so that a
    /// policy with a budget keeps its short name (`OnError<Expo>`).
    pub(crate) budget: Option<SharedBudget>,
    /// What [`budget`](crate::Policy::budget) gave: gates retries only.
    pub(crate) retry_budget: Option<SharedBudget>,
    /// What [`gate`](crate::Policy::gate) gave: gates every attempt.
    pub(crate) gate: Option<SharedBudget>,
    /// `retry_budget` is the process-wide default, inherited when the policy was built (a
    /// policy's own clock drops it: see [`set_default`](crate::budget::set_default)).
    pub(crate) inherited_budget: bool,
}

/// A budget as a policy holds it: shared, and `Send + Sync` so that the policy stays so.
pub(crate) type SharedBudget = std::sync::Arc<dyn crate::budget::Budget + Send + Sync>;

/// The default of [`max_server_wait`](Policy::max_server_wait): five minutes (Envoy caps its
/// rate-limited backoff at 300 s).
#[doc(hidden)]
pub const DEFAULT_MAX_SERVER_WAIT: Duration = Duration::from_secs(300);

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("jitter", &self.jitter)
            .field("max_tries", &self.max_tries)
            .field("max_time", &self.max_time)
            .field("name", &self.name)
            .field("seed", &self.seed)
            .field("budget", &self.budget.is_some())
            .finish_non_exhaustive()
    }
}

impl Config {
    pub(crate) fn new() -> Self {
        Config {
            jitter: None,
            custom_jitter: false,
            max_tries: Limit::Unset,
            max_time: Limit::Unset,
            name: None,
            seed: None,
            no_attempt_at_deadline: false,
            max_server_wait: DEFAULT_MAX_SERVER_WAIT,
            log: LogLevels::default(),
            budget: None,
            retry_budget: None,
            gate: None,
            inherited_budget: false,
        }
    }

    /// A new policy's settings: [`new`](Config::new) with the process-wide default budget, if
    /// one is set (read here, once per policy built, never during a call).
    pub(crate) fn inheriting() -> Self {
        let mut config = Config::new();
        if let Some(budget) = crate::budget::default::current() {
            config.retry_budget = Some(budget);
            config.inherited_budget = true;
            config.combine_guards();
        }
        config
    }

    /// Drops the retry budget (the gate stays).
    pub(crate) fn drop_budget(&mut self) {
        self.retry_budget = None;
        self.inherited_budget = false;
        self.combine_guards();
    }

    /// Sets the guards the core asks from the budget and the gate: either alone as it is, or
    /// both as a pair whose budget does not gate first attempts.
    pub(crate) fn combine_guards(&mut self) {
        self.budget = match (&self.retry_budget, &self.gate) {
            (Some(budget), Some(gate)) => Some(std::sync::Arc::new((
                crate::budget::RetriesOnly(budget.clone()),
                gate.clone(),
            ))),
            (budget, gate) => budget.clone().or_else(|| gate.clone()),
        };
    }
}

impl<R: Clone, W: Clone, P: Clone, K: Clone> Clone for Policy<R, W, P, K> {
    fn clone(&self) -> Self {
        Policy {
            rules: self.rules.clone(),
            wait: self.wait.clone(),
            parts: self.parts.clone(),
            config: self.config.clone(),
            timeline: self.timeline.clone(),
        }
    }
}

impl<R, W: fmt::Debug, P, K> fmt::Debug for Policy<R, W, P, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("Policy")
            .field("wait", &self.wait)
            .field("jitter", &c.jitter)
            .field("max_tries", &c.max_tries)
            .field("max_time", &c.max_time)
            .field("name", &c.name)
            .field("seed", &c.seed)
            .finish_non_exhaustive()
    }
}

/// How a call hedges: set by [`Policy::hedge`] or [`Call::hedge`](crate::Call::hedge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hedge {
    pub(crate) delay: Duration,
    pub(crate) max_in_flight: NonZeroU32,
}

impl Hedge {
    pub(crate) fn new(delay: Duration, max_in_flight: u32) -> Result<Self, params::ParamError> {
        Ok(Hedge {
            delay,
            max_in_flight: params::hedge_in_flight(max_in_flight)?,
        })
    }
}
