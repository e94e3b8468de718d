//! `--breaker NAME` and its options: a circuit breaker shared by every run of the same name
//! (in a file of the user's, or in Redis), so that once enough attempts have failed the next
//! runs are refused without running the command, until the open duration has passed and a
//! probe run succeeds.
//!
//! The breaker hears every attempt's end (a failure the run would retry counts as failed; a
//! success, and a failure never retried, as answered). It is the policy's gate: the core asks
//! it before the first attempt (a refusal ends the run with `CIRCUIT_OPEN` before anything
//! runs) and before each retry (a refusal ends the run with the last attempt's status, as the
//! budget's does). A store that fails is said once; then
//! `--breaker-unreachable` decides, as `--budget-unreachable` does for the budget.

use crate::breaker_file::{BreakerStore, FileBreaker};
use crate::breaker_state::{Admit, Rules};
use crate::budget::StoreUrl;
use crate::budget_store::place::Place;
use crate::duration::parse_duration;
use crate::store_link::StoreLink;
use crate::usage_error::UsageError;
use persevere::GiveUpReason;
use persevere::breaker::CircuitBreaker;
use persevere::budget::{Budget, RetryCause, Withdrawal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The exit status of a run refused before its first attempt because the breaker is open:
/// sysexits' EX_TEMPFAIL ("a temporary failure; try again later"), apart from every status a
/// command or persevere's other endings give.
pub const CIRCUIT_OPEN: u8 = 75;

/// `--breaker` and its options (flattened into the command line).
#[derive(Debug, Clone, clap::Args)]
pub struct BreakerOptions {
    /// Share a circuit breaker NAME: while it is open, runs exit 75 [default: none]
    ///
    /// Every persevere of the same NAME and --breaker-store shares it. It hears each attempt:
    /// once the last --breaker-calls attempts hold --breaker-failures failures, it opens; while
    /// it is open a run exits 75 at once without running COMMAND ("giving up COMMAND after 0
    /// tries: the circuit breaker NAME is open", reported "reason":"circuit_open"), and a retry
    /// it refuses ends the run with the last attempt's status. After --breaker-open it lets
    /// --breaker-probes attempts through: if fewer than --breaker-failures of them fail it
    /// closes, else it opens again.
    #[arg(long, value_name = "NAME", env = "PERSEVERE_BREAKER",
          value_parser = crate::budget::parse_name, hide_short_help = true,
          help_heading = "Circuit breaker")]
    pub breaker: Option<String>,

    /// Share of failed attempts that opens the breaker [default: 50%]
    #[arg(long, value_name = "PERCENT", default_value = "50%", env = "PERSEVERE_BREAKER_FAILURES",
          value_parser = crate::budget::parse_percent, hide_default_value = true,
          hide_short_help = true, help_heading = "Circuit breaker")]
    pub breaker_failures: f64,

    /// How many of the last attempts the breaker judges (and the fewest before it opens)
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        env = "PERSEVERE_BREAKER_CALLS",
        hide_short_help = true,
        help_heading = "Circuit breaker"
    )]
    pub breaker_calls: u32,

    /// How long the breaker stays open before it lets probes through (1ms to 1d)
    #[arg(long, value_name = "DUR", default_value = "60s", env = "PERSEVERE_BREAKER_OPEN",
          value_parser = parse_duration, hide_short_help = true, help_heading = "Circuit breaker")]
    pub breaker_open: Duration,

    /// Probe attempts let through once the open duration has passed
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10,
        env = "PERSEVERE_BREAKER_PROBES",
        hide_short_help = true,
        help_heading = "Circuit breaker"
    )]
    pub breaker_probes: u32,

    /// Where the breaker is kept: file:PATH or redis://HOST[:PORT][/DB] [default: a file]
    ///
    /// The default file is $XDG_RUNTIME_DIR/persevere/breaker-NAME, else
    /// $TMPDIR/persevere-UID/breaker-NAME, made and verified as the budget's (--budget-store).
    /// In Redis it is the key persevere:breaker:NAME, on Redis's clock. A damaged file starts
    /// closed, said once; a store that cannot be reached or is refused is said once, and
    /// --breaker-unreachable says what decides then. A URL's password is never printed.
    #[arg(long, value_name = "URL", env = "PERSEVERE_BREAKER_STORE",
          value_parser = crate::budget::parse_store, hide_short_help = true, help_heading = "Circuit breaker")]
    pub breaker_store: Option<StoreUrl>,

    /// What decides when the breaker's store cannot be reached: local or refuse [default: local]
    ///
    /// local: a breaker of this run alone, with the same options (it starts closed). refuse:
    /// the breaker counts as open (fail closed: exit 75 before the first attempt, no retry).
    #[arg(
        long,
        value_name = "WHAT",
        value_enum,
        default_value = "local",
        env = "PERSEVERE_BREAKER_UNREACHABLE",
        hide_default_value = true,
        hide_short_help = true,
        help_heading = "Circuit breaker"
    )]
    pub breaker_unreachable: BreakerUnreachable,
}

/// `--breaker-unreachable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BreakerUnreachable {
    /// A breaker of this run alone, with the same options
    #[default]
    Local,
    /// The breaker counts as open (fail closed)
    Refuse,
}

/// The options of `--breaker`, checked.
#[derive(Debug, Clone)]
pub struct BreakerArgs {
    name: String,
    rules: Rules,
    local: CircuitBreaker,
    store: Option<StoreUrl>,
    unreachable: BreakerUnreachable,
}

impl BreakerArgs {
    /// The checked options, `None` without `--breaker`; an option given without it, or a value
    /// the library's `CircuitBreaker` refuses, is a usage error naming the option.
    pub fn new(
        o: &BreakerOptions,
        given: impl Fn(&str) -> bool,
        name: impl Fn(&str) -> String,
    ) -> Result<Option<BreakerArgs>, UsageError> {
        let Some(breaker) = &o.breaker else {
            let ids = [
                "breaker_failures",
                "breaker_calls",
                "breaker_open",
                "breaker_probes",
                "breaker_store",
                "breaker_unreachable",
            ];
            if let Some(id) = ids.into_iter().find(|id| given(id)) {
                return Err(UsageError(format!(
                    "{} applies only with --breaker",
                    name(id)
                )));
            }
            return Ok(None);
        };
        let bad = |id: &str, e: persevere::budget::BudgetError| {
            let what = e.to_string();
            let allowed = what.split(" must be ").nth(1).unwrap_or(&what);
            UsageError(format!("{} must be {allowed}", name(id)))
        };
        let local = CircuitBreaker::default()
            .name(breaker.clone())
            .try_count_window(o.breaker_calls)
            .and_then(|b| b.try_min_calls(o.breaker_calls))
            .map_err(|e| bad("breaker_calls", e))?
            .try_failure_ratio(o.breaker_failures)
            .map_err(|e| bad("breaker_failures", e))?
            .try_open_duration(o.breaker_open)
            .map_err(|e| bad("breaker_open", e))?
            .try_half_open_calls(o.breaker_probes)
            .map_err(|e| bad("breaker_probes", e))?;
        Ok(Some(BreakerArgs {
            name: breaker.clone(),
            rules: Rules {
                window: o.breaker_calls,
                failure_ratio: o.breaker_failures,
                open_ms: o.breaker_open.as_millis() as i64,
                probes: o.breaker_probes,
            },
            local,
            store: o.breaker_store.clone(),
            unreachable: o.breaker_unreachable,
        }))
    }
}

/// The breaker every run holds: the shared one with `--breaker`, else one that lets every
/// attempt go (so that the policy has one type whatever the options).
#[derive(Clone, Default)]
pub struct CliBreaker(Option<Arc<StoreBreaker>>);

/// The shared breaker: the store while it works, else the local breaker (or a refusal).
pub struct StoreBreaker {
    name: String,
    store: StoreLink<dyn BreakerStore>,
    local: CircuitBreaker,
    unreachable: BreakerUnreachable,
}

impl CliBreaker {
    /// Opens the store of `args` (one that cannot be reached leaves the fallback, said once).
    pub fn open(args: Option<&BreakerArgs>, quiet: bool) -> Result<CliBreaker, UsageError> {
        let Some(args) = args else {
            return Ok(CliBreaker(None));
        };
        let (store, label) = match &args.store {
            Some(StoreUrl::Redis(url)) => open_redis(url, args)?,
            Some(StoreUrl::File(path)) => {
                let label = format!("file:{}", path.display());
                let opened = Place::named(path)
                    .and_then(|place| FileBreaker::open(place, args.rules, quiet));
                (boxed(opened), label)
            }
            None => {
                let (dir, file) = default_place(&args.name);
                let label = format!("file:{}", dir.join(&file).display());
                let opened = Place::private(&dir, &file)
                    .and_then(|place| FileBreaker::open(place, args.rules, quiet));
                (boxed(opened), label)
            }
        };
        let then = match args.unreachable {
            BreakerUnreachable::Local => "a local breaker decides for this run",
            BreakerUnreachable::Refuse => {
                "the breaker counts as open for this run (--breaker-unreachable refuse)"
            }
        };
        let breaker = StoreBreaker {
            name: args.name.clone(),
            store: StoreLink::new(store, format!("breaker store {label}"), then, quiet),
            local: args.local.clone(),
            unreachable: args.unreachable,
        };
        Ok(CliBreaker(Some(Arc::new(breaker))))
    }

    /// The breaker's name (`--breaker NAME`), if there is one.
    pub fn name(&self) -> Option<String> {
        self.0.as_ref().map(|b| b.name.clone())
    }
}

fn boxed(opened: Result<FileBreaker, String>) -> Result<Box<dyn BreakerStore>, String> {
    opened.map(|store| Box::new(store) as Box<dyn BreakerStore>)
}

/// The default store: `breaker-NAME` in the budget's per-user directory.
fn default_place(name: &str) -> (PathBuf, String) {
    let (dir, _) = crate::budget::default_place(name);
    (dir, format!("breaker-{name}"))
}

/// A store as opened: the store, or why it cannot be reached, and its label for messages.
type Opened = (Result<Box<dyn BreakerStore>, String>, String);

#[cfg(feature = "redis")]
fn open_redis(url: &str, args: &BreakerArgs) -> Result<Opened, UsageError> {
    use persevere_redis::blocking::{Admission, BreakerRules, BreakerStore as Redis};

    struct RedisBreaker {
        store: Redis,
        url: String,
    }

    impl BreakerStore for RedisBreaker {
        fn admit(&mut self) -> Result<Admit, String> {
            let scrub = |e: persevere_redis::Error| {
                crate::budget_store::redis::scrub(&e.to_string(), &self.url)
            };
            Ok(match self.store.admit().map_err(scrub)? {
                Admission::Go => Admit::Go,
                Admission::Probe => Admit::Probe,
                Admission::Refused { left } => Admit::Refused(left.as_millis() as i64),
                _ => Admit::Refused(0),
            })
        }

        fn record(&mut self, failed: bool) -> Result<(), String> {
            let url = &self.url;
            self.store
                .record(failed)
                .map(|_| ())
                .map_err(|e| crate::budget_store::redis::scrub(&e.to_string(), url))
        }
    }

    let r = &args.rules;
    let rules = BreakerRules::new(
        r.window,
        r.failure_ratio,
        Duration::from_millis(r.open_ms as u64),
        r.probes,
    )
    .map_err(|e| UsageError(format!("--breaker: {e}")))?;
    let key = format!("persevere:breaker:{}", args.name);
    let timeout = crate::budget_store::redis::REDIS_TIMEOUT;
    let store = match Redis::open(url, &key, rules, timeout) {
        Ok(store) => Ok(Box::new(RedisBreaker {
            store,
            url: url.to_string(),
        }) as Box<dyn BreakerStore>),
        Err(persevere_redis::Error::Redis(why)) => {
            Err(crate::budget_store::redis::scrub(&why, url))
        }
        Err(e) => {
            let why = crate::budget_store::redis::scrub(&e.to_string(), url);
            return Err(UsageError(format!("--breaker-store: {why}")));
        }
    };
    Ok((store, crate::budget_store::redis::redacted(url)))
}

/// Built without the Redis client: `redis://` is a usage error that says so.
#[cfg(not(feature = "redis"))]
fn open_redis(_url: &str, _args: &BreakerArgs) -> Result<Opened, UsageError> {
    Err(UsageError(
        "--breaker-store redis://...: this persevere was built without Redis (the cargo \
         feature `redis`, on by default)"
            .into(),
    ))
}

impl StoreBreaker {
    fn admit(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        match self.store.with_store(|s| s.admit()) {
            Some(Admit::Go) => Ok(Withdrawal::new(0)),
            Some(Admit::Probe) => Ok(Withdrawal::new(1)),
            Some(Admit::Refused(_)) => Err(GiveUpReason::CircuitOpen),
            None => match self.unreachable {
                BreakerUnreachable::Local => self.local.admit_call(now),
                BreakerUnreachable::Refuse => Err(GiveUpReason::CircuitOpen),
            },
        }
    }
}

impl Budget for CliBreaker {
    fn on_call(&self, _now: Instant) {}

    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        self.try_withdraw(cause, now).ok()
    }

    fn try_withdraw(&self, _cause: RetryCause, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        match &self.0 {
            Some(b) => b.admit(now),
            None => Ok(Withdrawal::new(0)),
        }
    }

    // As a gate (see `Config::policy`), asked before the first attempt too.
    fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.try_withdraw(RetryCause::Transient, now)
    }

    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}

    fn attempt_ended(&self, failed: bool, ran: Duration, now: Instant) {
        // The CLI's MSRV (1.89) has let-chains.
        if let Some(b) = &self.0
            && b.store.with_store(|s| s.record(failed)).is_none()
        {
            b.local.attempt_ended(failed, ran, now);
        }
    }
}
