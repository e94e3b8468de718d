//! Exact operations on a shared ratio budget, one blocking round trip each, for processes that
//! make one call and decide a retry at most every few milliseconds (a retrying CLI), where a
//! round trip per decision costs little next to starting a process and keeps the fleet's books
//! exact. In-process budgets use [`RedisBudget`](crate::RedisBudget), which makes none.
//!
//! [`BreakerStore`] does the same for a circuit breaker: one breaker for every run of a fleet.

use crate::error::{self, Error};
use crate::kind::RETRY;
use crate::scripts::{Exchange, Reply, Shape};
use std::time::Duration;

pub use crate::breaker_store::{Admission, BreakerRules, BreakerStore};

/// A connection to one ratio budget in Redis, the same one a [`RedisBudget`] of
/// [`Kind::ratio`] with the same key and `ttl` shares: deposits and withdrawals are applied by
/// the same script, each in one round trip.
///
/// [`RedisBudget`]: crate::RedisBudget
/// [`Kind::ratio`]: crate::Kind::ratio
///
/// ```no_run
/// use persevere_redis::blocking::RatioStore;
/// use std::time::Duration;
///
/// let ttl = Duration::from_secs(10);
/// let timeout = Duration::from_secs(1);
/// let mut store = RatioStore::open("redis://127.0.0.1:6379/", "ci", ttl, 0, timeout)?;
/// store.deposit(200)?; // a call earns a fifth of a retry (20 %)
/// let granted = store.take_retry()?;
/// # let _ = granted;
/// # Ok::<(), persevere_redis::Error>(())
/// ```
pub struct RatioStore {
    connection: redis::Connection,
    key: String,
    shape: Shape,
}

impl RatioStore {
    /// Connects to the budget at `key` on `url`, with a window of `ttl` and a floor of
    /// `min_per_sec` retries per second; `timeout` bounds the connection and each round trip.
    /// Checks that the key's window, if it exists, is `ttl`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`]; [`Error::InvalidOption`] for a `ttl` out of 1 s to 60 s or a zero
    /// `timeout`; [`Error::WindowMismatch`]; [`Error::Redis`] if Redis is unreachable.
    pub fn open(
        url: &str,
        key: &str,
        ttl: Duration,
        min_per_sec: u32,
        timeout: Duration,
    ) -> Result<RatioStore, Error> {
        let client = error::client(url)?;
        if !(Duration::from_secs(1)..=Duration::from_secs(60)).contains(&ttl) {
            return Err(Error::InvalidOption(format!(
                "`ttl` must be from 1 s to 60 s, got {ttl:?}"
            )));
        }
        if timeout.is_zero() {
            return Err(Error::InvalidOption("`timeout` must not be zero".into()));
        }
        let redis = |e: redis::RedisError| Error::from_redis(&e);
        let connection = client.get_connection_with_timeout(timeout).map_err(redis)?;
        connection.set_read_timeout(Some(timeout)).map_err(redis)?;
        connection.set_write_timeout(Some(timeout)).map_err(redis)?;
        let ttl_ms = ttl.as_millis() as u64;
        let mut store = RatioStore {
            connection,
            key: key.to_string(),
            shape: Shape::Ratio {
                slot_ms: ttl_ms / 10,
                reserve: u64::from(min_per_sec) * ttl_ms,
                step: RETRY,
            },
        };
        store.exchange(Exchange::default())?;
        Ok(store)
    }

    /// Adds `units` (thousandths of a retry) to the current slot: what a call earns.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] if the round trip failed.
    pub fn deposit(&mut self, units: u64) -> Result<(), Error> {
        self.exchange(Exchange {
            earned: units,
            ..Exchange::default()
        })
        .map(|_| ())
    }

    /// Withdraws one retry if the budget's balance (the floor's reserve included) holds one,
    /// and says whether it did: `RatioBudget::withdraw`, fleet-wide and exact.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] if the round trip failed (then nothing was withdrawn, or the answer
    /// was lost).
    pub fn take_retry(&mut self) -> Result<bool, Error> {
        let reply = self.exchange(Exchange {
            want: RETRY,
            all_or_nothing: true,
            ..Exchange::default()
        })?;
        Ok(reply.granted == RETRY)
    }

    /// The balance in retries (the floor's reserve included), read with a round trip.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] if the round trip failed.
    pub fn balance(&mut self) -> Result<f64, Error> {
        let reply = self.exchange(Exchange::default())?;
        Ok(reply.level as f64 / RETRY as f64)
    }

    fn exchange(&mut self, exchange: Exchange) -> Result<Reply, Error> {
        let values: (i64, i64, i64) = self
            .shape
            .invocation(&self.key, &exchange)
            .invoke(&mut self.connection)
            .map_err(|e| Error::from_redis(&e))?;
        Ok(Reply::from_values(values))
    }
}
