//! `--budget` and its options: the values they accept, and the shared budget they make.
//!
//! Each persevere run counts as one call of the budget (it earns PERCENT of a retry when it
//! starts) and each retry withdraws one; a refused retry ends the run with the last attempt's
//! status, and the give-up message and report say so.

use crate::budget_store::file::FileStore;
use crate::budget_store::place::Place;
use crate::budget_store::{StoreBudget, Unreachable, WindowStore};
use crate::usage_error::UsageError;
use persevere::budget::{Budget, RatioBudget, RetryCause, Withdrawal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `--budget-store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `file:PATH`.
    File(PathBuf),
    /// `redis://HOST[:PORT][/DB]`.
    Redis(String),
}

/// `--budget`: `20%` is 0.2. The `%` is required: a bare `0.2` could mean 0.2 % or 20 %.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let Some(number) = text.trim().strip_suffix('%') else {
        return Err(format!(
            "'{text}' needs a % sign: e.g. 20% (a bare number could be a fraction or a percentage)"
        ));
    };
    match number.parse::<f64>() {
        Ok(p) if (0.0..=1000.0).contains(&p) => Ok(p / 100.0),
        _ => Err(format!(
            "'{text}' is not a percentage: expected a number from 0 to 1000 and %, e.g. 20%"
        )),
    }
}

/// `--budget-store`: `file:PATH` or `redis://HOST[:PORT][/DB]`.
pub fn parse_store(text: &str) -> Result<StoreUrl, String> {
    if let Some(path) = text.strip_prefix("file:") {
        if path.is_empty() {
            return Err("'file:' needs a path, e.g. file:/tmp/budget".into());
        }
        return Ok(StoreUrl::File(PathBuf::from(path)));
    }
    if text.starts_with("redis://") {
        return Ok(StoreUrl::Redis(text.to_string()));
    }
    Err(format!(
        "'{text}' is not a budget store: expected file:PATH or redis://HOST[:PORT][/DB]"
    ))
}

/// `--budget-name`: letters, digits, `.`, `_` and `-` (it names a file and a key).
pub fn parse_name(text: &str) -> Result<String, String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    if !text.is_empty() && text.len() <= 200 && text.chars().all(ok) && !text.starts_with('.') {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not a budget name: expected letters, digits, '.', '_' and '-'"
        ))
    }
}

/// The options of a shared budget, as given.
#[derive(Debug, Clone)]
pub struct BudgetArgs {
    pub percent: f64,
    pub min_rate: u32,
    pub window: Duration,
    pub store: Option<StoreUrl>,
    pub name: String,
    pub unreachable: Unreachable,
}

/// The budget every run holds: the shared one with `--budget`, else one that grants
/// everything (so that the policy has one type whatever the options).
#[derive(Clone, Default)]
pub struct CliBudget(Option<Arc<StoreBudget>>);

impl CliBudget {
    /// Opens the store of `args` (a store that cannot be reached leaves a local budget, said
    /// once). A bad value or a store that disagrees with the options is a usage error.
    pub fn open(args: &BudgetArgs, quiet: bool) -> Result<CliBudget, UsageError> {
        let usage = |m: String| UsageError(m);
        let local = RatioBudget::try_new(args.percent, args.min_rate, args.window)
            .map_err(|e| usage(format!("--budget-window: {e}").replace("`ttl` ", "")))?;
        let (store, label): Opened = match &args.store {
            Some(StoreUrl::Redis(url)) => open_redis(url, args)?,
            Some(StoreUrl::File(path)) => {
                let label = format!("file:{}", path.display());
                let opened = Place::named(path)
                    .and_then(|place| FileStore::open(place, args.window, args.min_rate, quiet));
                (boxed(opened), label)
            }
            None => {
                let (dir, file) = default_place(&args.name);
                let label = format!("file:{}", dir.join(&file).display());
                let opened = Place::private(&dir, &file)
                    .and_then(|place| FileStore::open(place, args.window, args.min_rate, quiet));
                (boxed(opened), label)
            }
        };
        Ok(CliBudget(Some(Arc::new(StoreBudget::new(
            store,
            local,
            label,
            args.unreachable,
            quiet,
        )))))
    }
}

fn boxed(opened: Result<FileStore, String>) -> Result<Box<dyn WindowStore>, String> {
    opened.map(|store| Box::new(store) as Box<dyn WindowStore>)
}

/// The default store's directory and file name: `$XDG_RUNTIME_DIR/persevere/budget-NAME`,
/// else `TMPDIR/persevere-UID/budget-NAME`. The directory is verified before use
/// (`budget_store/place.rs`): in a shared TMPDIR another user could have made it.
pub(crate) fn default_place(name: &str) -> (PathBuf, String) {
    let file = format!("budget-{name}");
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir.join("persevere"),
        _ => {
            // SAFETY: geteuid has no preconditions and cannot fail.
            let uid = unsafe { libc::geteuid() };
            std::env::temp_dir().join(format!("persevere-{uid}"))
        }
    };
    (dir, file)
}

/// The Redis store of `url`: the store (or why it cannot be reached) and its label for
/// messages, without the URL's password.
#[cfg(feature = "redis")]
fn open_redis(url: &str, args: &BudgetArgs) -> Result<Opened, UsageError> {
    crate::budget_store::redis::open(url, &args.name, args.window, args.min_rate)
        .map_err(|why| UsageError(format!("--budget-store: {why}")))
}

/// Built without the Redis client: `redis://` is a usage error that says so.
#[cfg(not(feature = "redis"))]
fn open_redis(_url: &str, _args: &BudgetArgs) -> Result<Opened, UsageError> {
    Err(UsageError(
        "--budget-store redis://...: this persevere was built without Redis (the cargo \
         feature `redis`, on by default)"
            .into(),
    ))
}

/// A store as opened: the store, or why it cannot be reached (then `--budget-unreachable`
/// decides), and its label for messages.
pub type Opened = (Result<Box<dyn WindowStore>, String>, String);

impl Budget for CliBudget {
    fn on_call(&self, now: Instant) {
        if let Some(b) = &self.0 {
            b.on_call(now);
        }
    }

    fn on_failure(&self, cause: RetryCause, now: Instant) {
        if let Some(b) = &self.0 {
            b.on_failure(cause, now);
        }
    }

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        match &self.0 {
            Some(b) => b.withdraw(cause, now),
            None => Some(Withdrawal::new(0)),
        }
    }

    fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
        if let Some(b) = &self.0 {
            b.on_success(last, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked() {
        assert_eq!(parse_percent("20%"), Ok(0.2));
        assert_eq!(parse_percent("2.5%"), Ok(0.025));
        // `--budget 0.2` meant 0.2 %.
        assert!(parse_percent("0.2").unwrap_err().contains("needs a % sign"));
        assert!(parse_percent("-1%").is_err());
        assert!(parse_percent("lots").is_err());
        assert_eq!(
            parse_store("file:/tmp/b"),
            Ok(StoreUrl::File("/tmp/b".into()))
        );
        assert_eq!(
            parse_store("redis://h:1/2"),
            Ok(StoreUrl::Redis("redis://h:1/2".into()))
        );
        assert!(parse_store("http://h").is_err());
        assert!(parse_store("file:").is_err());
        assert!(parse_name("ci-jobs.main_1").is_ok());
        assert!(parse_name("../etc").is_err());
        assert!(parse_name("").is_err());
    }
}
