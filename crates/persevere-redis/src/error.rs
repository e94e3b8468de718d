//! The errors of making a shared budget: bad input is told apart from an unreachable server.

use std::fmt;

/// Why a [`RedisBudget`](crate::RedisBudget) or a [`RatioStore`](crate::blocking::RatioStore)
/// could not be made, or a blocking operation failed.
///
/// ```
/// use persevere_redis::{Error, blocking::RatioStore};
/// use std::time::Duration;
///
/// let (ttl, timeout) = (Duration::from_secs(10), Duration::from_secs(1));
/// let err = RatioStore::open("http://x", "k", ttl, 0, timeout).err().unwrap();
/// assert!(matches!(err, Error::InvalidUrl(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a Redis URL (`redis://HOST[:PORT][/DB]`, `rediss://`, `unix://`).
    InvalidUrl(String),
    /// An option is out of range; the message names it.
    InvalidOption(String),
    /// The key holds a ratio budget with another window: clients sharing a key must agree on
    /// the window (its slots are counted on Redis's clock).
    WindowMismatch(String),
    /// Redis could not be reached or answered with an error.
    Redis(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidUrl(m) => write!(f, "not a Redis URL: {m}"),
            Error::InvalidOption(m) => f.write_str(m),
            Error::WindowMismatch(m) => write!(f, "budget window mismatch: {m}"),
            Error::Redis(m) => write!(f, "Redis: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A Redis error, told apart: the scripts' window check is a usage error, the rest is the
    /// server's or the network's.
    pub(crate) fn from_redis(err: &redis::RedisError) -> Error {
        let text = err.to_string();
        match text.find(crate::scripts::WINDOW_MISMATCH) {
            Some(at) => {
                let rest = &text[at + crate::scripts::WINDOW_MISMATCH.len()..];
                Error::WindowMismatch(
                    rest.trim_start_matches(['"', ':', ' '])
                        .trim_end_matches('"')
                        .to_string(),
                )
            }
            None => Error::Redis(text),
        }
    }

    /// Whether the error says something about the input rather than the server's state.
    pub(crate) fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::InvalidUrl(_) | Error::InvalidOption(_) | Error::WindowMismatch(_)
        )
    }
}

/// A client for `url`, or why it is not a Redis URL.
pub(crate) fn client(url: &str) -> Result<redis::Client, Error> {
    redis::Client::open(url).map_err(|e| Error::InvalidUrl(format!("{url}: {e}")))
}
