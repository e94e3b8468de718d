//! Policies as data: a retry policy read from a TOML or JSON file, with the `persevere`
//! command's long option names as keys, so that one file serves the library and the command;
//! and importers of the settings operators already have (gRPC service config, the AWS SDKs'
//! retry settings). Feature `config`.
//!
//! ```toml
//! wait = "expo"            # expo, fibo, constant, linear, decay, decorrelated
//! factor = "100ms"         # durations in the command's grammar, or numbers of seconds
//! max-value = "10s"
//! jitter = "full"          # full, none, equal, random, proportional=F
//! max-tries = 5
//! max-time = "1m"
//! budget = "20%"           # "ratio", "aws-standard", "aws-2026", "grpc", or a table
//!
//! [services.inventory]     # a complete policy of its own; it shares the budget above
//! wait = "constant"
//! interval = "1s"
//! max-tries = 3
//! attempt-timeout = "2s"
//! hedge = { delay = "50ms", max-in-flight = 2 }
//! ```
//!
//! The keys:
//!
//! | key | value | builder |
//! |---|---|---|
//! | `wait` | a strategy's name (default `expo`) | [`expo`](crate::expo), ... |
//! | `intervals` | a list of durations (replaces `wait`) | [`intervals`](crate::intervals) |
//! | `base`, `decay-factor` | numbers | `expo().base`, `decay(_, rate)` |
//! | `factor` | the first wait of expo and fibo, decorrelated's base (default 1 s) | |
//! | `max-value` | the cap of expo, fibo, linear, decorrelated | |
//! | `interval` | constant's wait, linear's and decay's first (default 1 s) | |
//! | `step`, `min-value` | linear's step (default 1 s), decay's floor | |
//! | `jitter` | `full`, `none`, `equal`, `random`, `proportional=F` | [`Policy::jitter`](crate::Policy::jitter) |
//! | `max-tries` | a whole number, at least 1 | [`Policy::max_tries`](crate::Policy::max_tries) |
//! | `max-time` | a duration above zero | [`Policy::max_time`](crate::Policy::max_time) |
//! | `attempt-timeout` | a duration above zero | [`Policy::attempt_timeout`](crate::Policy::attempt_timeout) (see [`PolicySpec::build`]) |
//! | `max-server-wait` | a duration | [`Policy::max_server_wait`](crate::Policy::max_server_wait) |
//! | `budget` | `"ratio"` (20 %, 10/s, 10 s), `"20%"`, `"aws-standard"`, `"aws-2026"`, `"grpc"` (A6's 10 tokens, 0.1), or `{ type = "ratio", percent, min-rate, window }`, `{ type = "grpc", max-tokens, token-ratio }`, `{ type = "bucket", capacity, retry-cost, ... }` (the rules of [`TokenBucketBuilder`](crate::budget::TokenBucketBuilder), in kebab case) | [`Policy::budget`](crate::Policy::budget) |
//! | `budget-min-rate`, `budget-window` | the command's options for a ratio budget | |
//! | `hedge` | `{ delay, max-in-flight }` | [`Policy::hedge`](crate::Policy::hedge) (see [`PolicySpec::build`]) |
//! | `name`, `seed` | a string, a whole number | [`Policy::name`](crate::Policy::name), [`Policy::seed`](crate::Policy::seed) |
//! | `retryable-status-codes` | gRPC status codes, by name or number | [`PolicySpec::retries_status_code`] |
//! | `services` | named policies, `services.<name>` | [`PolicySpec::service`] |
//!
//! Every value is checked by the builder's own check, and an error names the field's path and
//! what is allowed ([`ConfigError`]); nothing panics, and unknown keys are refused (a typo is
//! never silently a default). A key that does not apply to the chosen strategy is refused
//! too, as the command refuses the option.
//!
//! **The command's own keys.** A file written for the `persevere` command may also set the
//! options that only a command has, at its top level: `forever`, `retry-on-exit`,
//! `stop-on-exit`, `retry-on-sigpipe`, `retry-if-output`, `until-output`, `signal`,
//! `kill-after`, `preserve-status`, `cleanup-on-success`, `hold-stdout`, `hold-limit`,
//! `replay-stdin`, `quiet`, `verbose`, `report`, `budget-store`, `budget-name`,
//! `budget-unreachable`. The library accepts them, ignores them (the command checks their
//! values), and prints them back; so a library reading the command's file is not refused. The
//! command's `--timeout` is `attempt-timeout` in a file (the command takes that name too).
//! Keys of the library that a command has no use for (`hedge`, `max-server-wait`, `name`,
//! `retryable-status-codes`, `services`) are ignored by the command.
//!
//! ```
//! use persevere::config::PolicySpec;
//!
//! let spec = PolicySpec::from_toml("max-tries = 3\nstop-on-exit = \"2,64-78\"\nquiet = true")?;
//! assert_eq!(spec.max_tries(), Some(3));
//! assert_eq!(spec.to_toml(), "max-tries = 3\nquiet = true\nstop-on-exit = \"2,64-78\"\n");
//! assert!(PolicySpec::from_toml("stop-on-exits = 2").is_err()); // a typo is still refused
//! # Ok::<(), persevere::config::ConfigError>(())
//! ```
//!
//! **Reload.** [`ReloadablePolicy`] holds the policy of a spec that can be replaced while
//! calls run (each call runs under the policy current at its start); `examples/reload.rs`
//! reloads it when its file changes.
//!
//! A service's table is a complete policy: it takes nothing from the top level but the budget
//! (the same budget, shared, unless it names its own), since a budget bounds the retries to one
//! server whatever the method (gRPC's throttling is per server).

mod aws;
mod budget;
mod error;
mod grpc;
mod read;
mod read_budget;
mod reload;
mod status_codes;
mod strategy;
mod values;
mod write;

pub use error::ConfigError;
pub use reload::ReloadablePolicy;

use crate::wait::AnyWait;
use crate::{OnError, on_error};
use budget::{Instance, SharedBudget};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;
use strategy::StrategyKeys;

/// A retry policy as data: read from TOML or JSON ([`from_toml`](PolicySpec::from_toml),
/// [`from_json`](PolicySpec::from_json)) or imported ([`from_grpc_service_config`](PolicySpec::from_grpc_service_config),
/// [`from_aws`](PolicySpec::from_aws)), printed back in the same format
/// ([`to_toml`](PolicySpec::to_toml), [`to_json`](PolicySpec::to_json)), and built into a
/// policy ([`build`](PolicySpec::build)). The keys are listed in the [module's documentation](self).
///
/// A spec holds its budget, built once when it is read: every policy built from the spec, or
/// from a clone of it, shares that budget.
///
/// ```
/// use persevere::config::PolicySpec;
/// use persevere::testing::VirtualClock;
/// use std::time::Duration;
///
/// let spec = PolicySpec::from_toml(r#"
///     wait = "constant"
///     interval = "0.5s"
///     jitter = "none"
///     max-tries = 3
/// "#)?;
/// let clock = VirtualClock::new();
/// let mut attempts = 0;
/// let r: Result<(), &str> = spec.build().clock(clock.clone()).retry(|| { attempts += 1; Err("down") });
/// assert_eq!((r, attempts), (Err("down"), 3));
/// assert_eq!(clock.sleeps(), [Duration::from_millis(500); 2]);
/// assert_eq!(PolicySpec::from_toml(&spec.to_toml())?, spec);
/// # Ok::<(), persevere::config::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicySpec {
    strategy: StrategyKeys,
    /// The strategy the keys make, checked when the file was read.
    wait: AnyWait,
    jitter: Option<crate::Jitter>,
    max_tries: Option<NonZeroU32>,
    max_time: Option<Duration>,
    attempt_timeout: Option<Duration>,
    max_server_wait: Option<Duration>,
    budget: Option<SharedBudget>,
    /// The budget is the top level's (a service that names none): not printed again.
    budget_inherited: bool,
    hedge: Option<(Duration, NonZeroU32)>,
    name: Option<String>,
    seed: Option<u64>,
    status_codes: Option<Vec<i32>>,
    services: BTreeMap<String, PolicySpec>,
    /// The command's own keys (`read::COMMAND_KEYS`), as the file gave them.
    command: BTreeMap<String, serde_json::Value>,
}

impl Default for PolicySpec {
    fn default() -> Self {
        PolicySpec {
            strategy: StrategyKeys::default(),
            wait: crate::expo().into(),
            jitter: None,
            max_tries: None,
            max_time: None,
            attempt_timeout: None,
            max_server_wait: None,
            budget: None,
            budget_inherited: false,
            hedge: None,
            name: None,
            seed: None,
            status_codes: None,
            services: BTreeMap::new(),
            command: BTreeMap::new(),
        }
    }
}

/// Two specs are equal when they say the same (their budgets' parameters, not which
/// instance they share).
impl PartialEq for PolicySpec {
    fn eq(&self, other: &Self) -> bool {
        self.strategy == other.strategy
            && self.jitter == other.jitter
            && self.max_tries == other.max_tries
            && self.max_time == other.max_time
            && self.attempt_timeout == other.attempt_timeout
            && self.max_server_wait == other.max_server_wait
            && self.budget.as_ref().map(|b| b.kind) == other.budget.as_ref().map(|b| b.kind)
            && self.budget_inherited == other.budget_inherited
            && self.hedge == other.hedge
            && self.name == other.name
            && self.seed == other.seed
            && self.status_codes == other.status_codes
            && self.services == other.services
            && self.command == other.command
    }
}

impl PolicySpec {
    /// Reads a policy file in TOML.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let err = PolicySpec::from_toml("max-tries = 3\nwait = \"constant\"\nfactor = \"1s\"").unwrap_err();
    /// assert_eq!(err.path(), "factor");
    /// assert_eq!(err.message(), "does not apply to wait = \"constant\" (it applies to wait = expo, fibo, decorrelated)");
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let tree: serde_json::Value = toml::from_str(text)
            .map_err(|e| ConfigError::new("", format!("not TOML: {}", e.to_string().trim_end())))?;
        read::document(&tree)
    }

    /// Reads a policy file in JSON (the same keys).
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_json(r#"{"max-tries": 2, "budget": "aws-standard"}"#)?;
    /// assert_eq!(spec.max_tries(), Some(2));
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let tree: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ConfigError::new("", format!("not JSON: {e}")))?;
        read::document(&tree)
    }

    /// The spec as a TOML file that [`from_toml`](PolicySpec::from_toml) reads back into an
    /// equal spec: the keys it was given (not every default), durations in the command's
    /// grammar.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_json(r#"{"max-time": 90, "jitter": "none"}"#)?;
    /// assert_eq!(spec.to_toml(), "jitter = \"none\"\nmax-time = \"90s\"\n");
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn to_toml(&self) -> String {
        // A table of strings, numbers, lists and tables always has a TOML form.
        toml::to_string(&write::document(self)).unwrap_or_default()
    }

    /// The spec as JSON (pretty-printed) that [`from_json`](PolicySpec::from_json) reads back.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_toml("max-tries = 2")?;
    /// assert_eq!(PolicySpec::from_json(&spec.to_json())?, spec);
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&write::document(self)).unwrap_or_default()
    }

    /// The policy: an `on_error` policy over the chosen strategy, with the spec's jitter,
    /// limits, budget (shared by every policy built from this spec), server-wait cap, name and
    /// seed. Add the classifiers (`when`, `on`), handlers and clock as for any policy.
    ///
    /// The attempt timeout and hedging are **not** in it: in this library both shape the
    /// policy's type (`OnError<W, (), ((), AttemptTimeout)>`, `Hedged<..>`), an attempt
    /// timeout needs `E: From<TimedOut>`, and both need an async driver, while a spec's policy
    /// must have one nameable type that blocking calls can use too. The caller applies them
    /// from [`attempt_timeout`](PolicySpec::attempt_timeout) and [`hedge`](PolicySpec::hedge)
    /// (already checked, so these builder calls cannot panic):
    ///
    /// ```
    /// use persevere::{config::PolicySpec, TimedOut};
    ///
    /// # #[derive(Debug)] struct Slow;
    /// # impl From<TimedOut> for Slow { fn from(_: TimedOut) -> Self { Slow } }
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() -> Result<(), persevere::config::ConfigError> {
    /// let spec = PolicySpec::from_toml("max-tries = 2\nattempt-timeout = \"1s\"\nhedge = { delay = \"50ms\", max-in-flight = 2 }")?;
    /// let policy = spec.build();
    /// let timeout = spec.attempt_timeout().expect("the file sets one");
    /// let (delay, in_flight) = spec.hedge().expect("the file sets one");
    /// let hedged = policy.attempt_timeout(timeout).hedge(delay, in_flight);
    /// let r: Result<u32, Slow> = hedged.retry_async(|| async { Ok(7) }).await;
    /// assert_eq!(r.unwrap(), 7);
    /// # Ok(()) }
    /// ```
    pub fn build(&self) -> OnError<AnyWait> {
        let mut policy = on_error(self.wait.clone());
        if let Some(jitter) = self.jitter {
            policy = policy.jitter(jitter);
        }
        if let Some(n) = self.max_tries {
            policy = policy.max_tries(n.get());
        }
        if let Some(d) = self.max_time {
            policy = policy.max_time(d);
        }
        if let Some(d) = self.max_server_wait {
            policy = policy.max_server_wait(d);
        }
        if let Some(b) = &self.budget {
            policy = match &b.instance {
                Instance::Ratio(r) => policy.budget(r.clone()),
                Instance::Bucket(t) => policy.budget(t.clone()),
            };
        }
        if let Some(name) = &self.name {
            policy = policy.name(name.clone());
        }
        if let Some(seed) = self.seed {
            policy = policy.seed(seed);
        }
        policy
    }

    /// The attempt timeout (`attempt-timeout`), for the caller to apply: see
    /// [`build`](PolicySpec::build).
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    /// use std::time::Duration;
    ///
    /// let spec = PolicySpec::from_toml("attempt-timeout = \"1.5s\"")?;
    /// assert_eq!(spec.attempt_timeout(), Some(Duration::from_millis(1500)));
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The hedging (`hedge`): the delay and the most attempts in flight, for the caller to
    /// apply: see [`build`](PolicySpec::build).
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    /// use std::time::Duration;
    ///
    /// let spec = PolicySpec::from_json(r#"{"hedge": {"delay": 0.05, "max-in-flight": 3}}"#)?;
    /// assert_eq!(spec.hedge(), Some((Duration::from_millis(50), 3)));
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn hedge(&self) -> Option<(Duration, u32)> {
        self.hedge.map(|(d, n)| (d, n.get()))
    }

    /// `max-tries`, if the spec sets it.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// assert_eq!(PolicySpec::from_toml("max-tries = 4")?.max_tries(), Some(4));
    /// assert_eq!(PolicySpec::from_toml("")?.max_tries(), None); // unlimited, as on_error's
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn max_tries(&self) -> Option<u32> {
        self.max_tries.map(NonZeroU32::get)
    }

    /// The gRPC status codes (as numbers: `UNAVAILABLE` is 14) the spec retries: a gRPC
    /// `retryPolicy`'s `retryableStatusCodes`, a `hedgingPolicy`'s `nonFatalStatusCodes`, or
    /// the file's `retryable-status-codes`. Empty when the spec names none.
    pub fn retryable_status_codes(&self) -> &[i32] {
        self.status_codes.as_deref().unwrap_or(&[])
    }

    /// Whether the spec retries the gRPC status `code`, for an integration that classifies by
    /// code: `policy.when(|s: &tonic::Status| spec.retries_status_code(s.code() as i32))`.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_toml(r#"retryable-status-codes = ["UNAVAILABLE", "aborted", 4]"#)?;
    /// assert_eq!(spec.retryable_status_codes(), [14, 10, 4]);
    /// assert!(spec.retries_status_code(14) && !spec.retries_status_code(13));
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn retries_status_code(&self, code: i32) -> bool {
        self.retryable_status_codes().contains(&code)
    }

    /// The policy named `name` under `services`.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_toml("budget = \"grpc\"\n[services.inventory]\nmax-tries = 3")?;
    /// let inventory = spec.service("inventory").unwrap();
    /// assert_eq!(inventory.max_tries(), Some(3));
    /// assert!(spec.service("billing").is_none());
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn service(&self, name: &str) -> Option<&PolicySpec> {
        self.services.get(name)
    }

    /// The names under `services`, in order.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_toml("[services.b]\n[services.a]\nmax-tries = 2")?;
    /// assert_eq!(spec.services().collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.services.keys().map(String::as_str)
    }
}
