//! `Options`: how often a client reconciles with Redis, how much it may hold, and what it does
//! when Redis is unreachable.

use crate::error::Error;
use std::time::Duration;

/// How a [`RedisBudget`](crate::RedisBudget) works with Redis. The defaults suit a service
/// making up to a few thousand calls a second per client.
///
/// | option | default | what it bounds |
/// |---|---|---|
/// | [`sync_interval`](Options::sync_interval) | 20 ms | how stale the client's lease and the fleet's counts are |
/// | [`sync_timeout`](Options::sync_timeout) | 250 ms | how long a silent Redis is waited for before the fallback |
/// | [`max_lease`](Options::max_lease) | 16 retries | the credit one client may hold unused (see the crate's consistency notes) |
/// | [`fail_closed`](Options::fail_closed) | no | while Redis is unreachable: a local budget (no) or no retries (yes) |
/// | [`bucket_idle_expiry`](Options::bucket_idle_expiry) | 10 min | how long a token bucket nobody uses stays in Redis |
/// | [`bucket_lease_period`](Options::bucket_lease_period) | 2 s | how long Redis counts a bucket lease its client did not give back |
///
/// ```
/// use persevere_redis::Options;
/// use std::time::Duration;
///
/// let options = Options::default()
///     .sync_interval(Duration::from_millis(50))
///     .max_lease(4)
///     .fail_closed(true);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Options {
    pub(crate) sync_interval: Duration,
    pub(crate) sync_timeout: Duration,
    pub(crate) max_lease: u32,
    pub(crate) fail_closed: bool,
    pub(crate) bucket_idle_expiry: Duration,
    pub(crate) bucket_lease_period: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sync_interval: Duration::from_millis(20),
            sync_timeout: Duration::from_millis(250),
            max_lease: 16,
            fail_closed: false,
            bucket_idle_expiry: Duration::from_secs(600),
            bucket_lease_period: Duration::from_secs(2),
        }
    }
}

impl Options {
    /// How often the client reconciles with Redis (from 1 ms to 10 s).
    pub fn sync_interval(mut self, every: Duration) -> Self {
        self.sync_interval = every;
        self
    }

    /// How long one exchange with Redis (connecting included) may take before Redis counts as
    /// unreachable (from 1 ms to 10 s).
    pub fn sync_timeout(mut self, timeout: Duration) -> Self {
        self.sync_timeout = timeout;
        self
    }

    /// The most a client leases at once, in retries (or, for a bucket, in its cheapest
    /// retry), from 1 up; a client leases twice what it asked for in the last interval, at
    /// least one.
    pub fn max_lease(mut self, retries: u32) -> Self {
        self.max_lease = retries;
        self
    }

    /// Whether no retry is granted while Redis is unreachable, instead of a local budget's.
    pub fn fail_closed(mut self, closed: bool) -> Self {
        self.fail_closed = closed;
        self
    }

    /// How long a token bucket stays in Redis without any client (from 1 s): then it vanishes,
    /// and the next client starts a new one at its `initial` tokens. A ratio budget's key
    /// vanishes two windows after its last client, when all it counted has expired.
    pub fn bucket_idle_expiry(mut self, idle: Duration) -> Self {
        self.bucket_idle_expiry = idle;
        self
    }

    /// How long Redis counts a bucket lease against the capacity if its client never gives it
    /// back (from one to two periods; at least `sync_interval + sync_timeout`, at most 1 h).
    pub fn bucket_lease_period(mut self, period: Duration) -> Self {
        self.bucket_lease_period = period;
        self
    }

    /// Checks the options for a ratio budget with slots of `window_slot`, or a bucket (`None`).
    pub(crate) fn check(&self, window_slot: Option<Duration>) -> Result<(), Error> {
        let bad = |name: &str, allowed: &str, got: &dyn std::fmt::Debug| {
            Err(Error::InvalidOption(format!(
                "`{name}` must be {allowed}, got {got:?}"
            )))
        };
        let range = Duration::from_millis(1)..=Duration::from_secs(10);
        if !range.contains(&self.sync_interval) {
            return bad("sync_interval", "from 1 ms to 10 s", &self.sync_interval);
        }
        if !range.contains(&self.sync_timeout) {
            return bad("sync_timeout", "from 1 ms to 10 s", &self.sync_timeout);
        }
        if self.max_lease == 0 {
            return bad("max_lease", "at least 1", &self.max_lease);
        }
        if self.bucket_idle_expiry < Duration::from_secs(1) {
            return bad(
                "bucket_idle_expiry",
                "at least 1 s",
                &self.bucket_idle_expiry,
            );
        }
        let round = self.sync_interval + self.sync_timeout;
        let lease = self.bucket_lease_period;
        if window_slot.is_none() && (lease < round || lease > Duration::from_secs(3600)) {
            let allowed = "from sync_interval + sync_timeout to 1 h";
            return bad("bucket_lease_period", allowed, &lease);
        }
        // A lease is taken in a slot of the window and spent before the next sync gives it
        // back: the slot must not leave the window in the meantime.
        if let Some(slot) = window_slot
            && round >= slot * 9
        {
            let allowed = "shorter than 0.9 of the ratio budget's ttl";
            return bad("sync_interval + sync_timeout", allowed, &round);
        }
        Ok(())
    }
}
