//! `redis://HOST[:PORT][/DB]`: the budget's window in Redis (persevere-redis's `RatioStore`,
//! its blocking, exact operations). Behind the cargo feature `redis` (on by default): the Redis
//! client is about 0.5 MB of the 3.1 MB binary, and its relocations cost every start-up. The URL's password is
//! never printed: messages and errors show `***` instead.

use super::WindowStore;
use std::time::Duration;

/// How long the CLI waits for Redis (connecting, and each round trip) before the store counts
/// as unreachable.
pub const REDIS_TIMEOUT: Duration = Duration::from_secs(1);

impl WindowStore for persevere_redis::blocking::RatioStore {
    fn deposit(&mut self, units: u64) -> Result<(), String> {
        persevere_redis::blocking::RatioStore::deposit(self, units).map_err(|e| e.to_string())
    }

    fn take(&mut self, units: u64) -> Result<bool, String> {
        debug_assert_eq!(units, super::RETRY);
        self.take_retry().map_err(|e| e.to_string())
    }
}

/// Opens the budget `name` at `url`: the store (or why it cannot be reached, said without the
/// password) and its label. `Err`: the options disagree with the store (a usage error).
pub fn open(
    url: &str,
    name: &str,
    window: Duration,
    min_rate: u32,
) -> Result<crate::budget::Opened, String> {
    let key = format!("persevere:budget:{name}");
    let opened =
        persevere_redis::blocking::RatioStore::open(url, &key, window, min_rate, REDIS_TIMEOUT);
    let store = match opened {
        Ok(store) => Ok(Box::new(RedactedStore {
            store,
            url: url.to_string(),
        }) as Box<dyn WindowStore>),
        Err(persevere_redis::Error::Redis(why)) => Err(scrub(&why, url)),
        Err(e) => return Err(scrub(&e.to_string(), url)),
    };
    Ok((store, redacted(url)))
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
pub fn scrub(text: &str, url: &str) -> String {
    match password(url) {
        Some(secret) => text.replace(secret, "***"),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
