//! `--budget` and its options: the values they accept, and the shared budget they make.
//!
//! Each persevere run counts as one call of the budget (it earns PERCENT of a retry when it
//! starts) and each retry withdraws one; a refused retry ends the run with the last attempt's
//! status, and the give-up message and report say so.

use crate::budget_store::file::FileStore;
use crate::budget_store::place::Place;
use crate::budget_store::{StoreBudget, Unreachable, WindowStore};
use crate::config::UsageError;
use persevere::budget::{Budget, RatioBudget, RetryCause, Withdrawal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the CLI waits for Redis (connecting, and each round trip) before a local budget
/// decides instead.
const REDIS_TIMEOUT: Duration = Duration::from_secs(1);

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
        let (store, label): (Result<Box<dyn WindowStore>, String>, String) = match &args.store {
            Some(StoreUrl::Redis(url)) => {
                let key = format!("persevere:budget:{}", args.name);
                let opened = persevere_redis::blocking::RatioStore::open(
                    url,
                    &key,
                    args.window,
                    args.min_rate,
                    REDIS_TIMEOUT,
                );
                // The URL's password is never printed, whatever the message quotes.
                let store = match opened {
                    Ok(store) => Ok(Box::new(RedactedStore {
                        store,
                        url: url.clone(),
                    }) as Box<dyn WindowStore>),
                    Err(persevere_redis::Error::Redis(why)) => Err(scrub(&why, url)),
                    Err(e) => {
                        let why = scrub(&e.to_string(), url);
                        return Err(usage(format!("--budget-store: {why}")));
                    }
                };
                (store, redacted(url))
            }
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
fn default_place(name: &str) -> (PathBuf, String) {
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

/// The Redis store, whose errors never show the URL's password.
struct RedactedStore {
    store: persevere_redis::blocking::RatioStore,
    url: String,
}

impl WindowStore for RedactedStore {
    fn deposit(&mut self, units: u64) -> Result<(), String> {
        WindowStore::deposit(&mut self.store, units).map_err(|e| scrub(&e, &self.url))
    }

    fn take(&mut self, units: u64) -> Result<bool, String> {
        WindowStore::take(&mut self.store, units).map_err(|e| scrub(&e, &self.url))
    }
}

/// The password of `redis://USER:PASSWORD@HOST`, if the URL has one.
fn password(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let userinfo = &authority[..authority.rfind('@')?];
    let secret = match userinfo.find(':') {
        Some(colon) => &userinfo[colon + 1..],
        // `redis://SECRET@HOST`: a lone user name may be a token.
        None => userinfo,
    };
    Some(secret).filter(|s| !s.is_empty())
}

/// The URL with its password replaced by `***`, for messages.
pub fn redacted(url: &str) -> String {
    scrub(url, url)
}

/// `text` with every occurrence of `url`'s password replaced by `***`.
fn scrub(text: &str, url: &str) -> String {
    match password(url) {
        Some(secret) => text.replace(secret, "***"),
        None => text.to_string(),
    }
}

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

    /// `redis://user:password@..` was printed on stderr.
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redacted("redis://u:s3cret@h:1/2"), "redis://u:***@h:1/2");
        assert_eq!(redacted("redis://:s3cret@h"), "redis://:***@h");
        assert_eq!(redacted("redis://tok@h"), "redis://***@h");
        assert_eq!(redacted("redis://h:6379/0"), "redis://h:6379/0");
        assert_eq!(
            scrub("connection to h refused (s3cret)", "redis://u:s3cret@h"),
            "connection to h refused (***)"
        );
    }
}
