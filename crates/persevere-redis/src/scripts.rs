//! The two Lua scripts and their arguments: every change to a budget in Redis is one script
//! call, so that it is atomic whatever the number of clients.
//!
//! Each script reads Redis's clock (`TIME`), applies what a client owes and earned, gives back
//! its unspent lease, grants a new one, and sets the key's expiry. Scripts are sent by SHA
//! (`EVALSHA`), their text only when the server does not have it yet.

use redis::Script;
use std::sync::LazyLock;

/// The ratio budget's window (see `ratio.lua`).
pub(crate) static RATIO: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("ratio.lua")));

/// The token bucket (see `bucket.lua`).
pub(crate) static BUCKET: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("bucket.lua")));

/// The error prefix of `ratio.lua` when a budget's window differs from the client's.
pub(crate) const WINDOW_MISMATCH: &str = "PERSEVERE_WINDOW";

/// What a client sends in one call: the same for both scripts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Exchange {
    /// Earned by calls (ratio) or successes (bucket), in units.
    pub(crate) earned: u64,
    /// Owed by failures or by grants made without Redis, in units.
    pub(crate) owed: u64,
    /// The lease being given back: its unspent units, its size and its period.
    pub(crate) returned: Option<Returned>,
    /// Units asked for.
    pub(crate) want: u64,
    /// Grant `want` or nothing (a single retry), instead of whole steps up to `want` (a lease).
    pub(crate) all_or_nothing: bool,
}

/// A lease given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Returned {
    pub(crate) unspent: u64,
    pub(crate) granted: u64,
    pub(crate) period: i64,
}

/// What a script answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reply {
    /// Units granted.
    pub(crate) granted: u64,
    /// The budget's level after the grant: the ratio budget's balance (reserve included; may
    /// be negative) or the bucket's tokens, in units.
    pub(crate) level: i64,
    /// The period the grant was recorded in (given back with the lease).
    pub(crate) period: i64,
}

impl Reply {
    pub(crate) fn from_values(values: (i64, i64, i64)) -> Reply {
        Reply {
            granted: values.0.max(0) as u64,
            level: values.1,
            period: values.2,
        }
    }
}

/// The parameters of the budget in Redis, fixed for a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Ratio {
        slot_ms: u64,
        reserve: u64,
        step: u64,
    },
    Bucket {
        capacity: u64,
        initial: u64,
        lease_ms: u64,
        idle_ms: u64,
        keep: u64,
        step: u64,
    },
}

impl Shape {
    /// The script and its arguments for `key`.
    pub(crate) fn invocation(&self, key: &str, x: &Exchange) -> redis::ScriptInvocation<'static> {
        let (unspent, granted, period) = match x.returned {
            Some(r) => (r.unspent, r.granted, r.period),
            None => (0, 0, -1),
        };
        let flag = u8::from(x.all_or_nothing);
        match *self {
            Shape::Ratio {
                slot_ms,
                reserve,
                step,
            } => {
                let mut call = RATIO.prepare_invoke();
                call.key(key)
                    .arg(slot_ms)
                    .arg(x.earned)
                    .arg(x.owed)
                    .arg(unspent)
                    .arg(period)
                    .arg(x.want)
                    .arg(reserve)
                    .arg(step)
                    .arg(flag);
                call
            }
            Shape::Bucket {
                capacity,
                initial,
                lease_ms,
                idle_ms,
                keep,
                step,
            } => {
                let mut call = BUCKET.prepare_invoke();
                call.key(key)
                    .arg(capacity)
                    .arg(initial)
                    .arg(lease_ms)
                    .arg(idle_ms)
                    .arg(x.earned)
                    .arg(x.owed)
                    .arg(unspent)
                    .arg(granted)
                    .arg(period)
                    .arg(x.want)
                    .arg(keep)
                    .arg(step)
                    .arg(flag);
                call
            }
        }
    }
}
