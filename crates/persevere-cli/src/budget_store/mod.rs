//! A ratio budget shared by persevere processes through a store: a locked file (`file.rs`)
//! for one machine, Redis (persevere-redis's `RatioStore`) for many.
//!
//! A persevere process is one call: it deposits once when it starts and asks for one retry
//! after each failed attempt. Each is one exact, atomic operation on the store, made between
//! attempts: a locked file update (tens of microseconds) or a Redis round trip (a fraction of
//! a millisecond on a LAN) costs little next to starting a process, and it keeps the books of
//! the whole fleet exact (no lease, no overshoot). When the store fails, what decides for the
//! rest of the run is the user's choice (`--budget-unreachable`): a local budget with the same
//! parameters (the default), or nothing (no retry: fail closed, so that an outage of the store
//! cannot lift a fleet's limit); persevere says so once.

pub mod file;
pub mod place;
#[cfg(feature = "redis")]
pub mod redis;

use crate::store_link::StoreLink;
use persevere::budget::{Budget, RatioBudget, RetryCause, Withdrawal};
use std::time::Instant;

/// One retry, in thousandths.
pub const RETRY: u64 = 1_000;

/// A ratio budget's window kept somewhere every process can reach.
pub trait WindowStore: Send {
    /// Adds what a call earns, in thousandths of a retry.
    fn deposit(&mut self, units: u64) -> Result<(), String>;
    /// Takes `units` if the balance (the floor's reserve included) holds them.
    fn take(&mut self, units: u64) -> Result<bool, String>;
}

/// What decides once the store cannot be reached (`--budget-unreachable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Unreachable {
    /// A local budget with the same parameters: this process's own retries are limited, the
    /// fleet's are not.
    #[default]
    Local,
    /// No retry at all (fail closed).
    Refuse,
}

/// The budget the CLI's policy holds: the store while it works, else the local budget (or
/// none, with `Unreachable::Refuse`).
pub struct StoreBudget {
    store: StoreLink<dyn WindowStore>,
    local: RatioBudget,
    /// What a call earns.
    deposit: u64,
    unreachable: Unreachable,
}

impl StoreBudget {
    /// A budget on `store`, or on `local` alone when the store could not be opened (`Err`
    /// says why, and is said once).
    pub fn new(
        store: Result<Box<dyn WindowStore>, String>,
        local: RatioBudget,
        label: String,
        unreachable: Unreachable,
        quiet: bool,
    ) -> StoreBudget {
        let deposit = (local.percent() * RETRY as f64).round() as u64;
        let then = match unreachable {
            Unreachable::Local => "a local budget decides for this run",
            Unreachable::Refuse => "no retry for this run (--budget-unreachable refuse)",
        };
        StoreBudget {
            store: StoreLink::new(store, format!("budget store {label}"), then, quiet),
            local,
            deposit,
            unreachable,
        }
    }
}

impl Budget for StoreBudget {
    fn on_call(&self, now: Instant) {
        // The local budget counts too, so that it is ready if the store fails mid-run.
        self.local.on_call(now);
        if self.deposit > 0 {
            let _ = self.store.with_store(|s| s.deposit(self.deposit));
        }
    }

    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        match self.store.with_store(|s| s.take(RETRY)) {
            Some(true) => Some(Withdrawal::new(RETRY)),
            Some(false) => None,
            None => match self.unreachable {
                Unreachable::Local => self.local.withdraw(cause, now),
                Unreachable::Refuse => None,
            },
        }
    }

    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    struct Broken;

    impl WindowStore for Broken {
        fn deposit(&mut self, _units: u64) -> Result<(), String> {
            Err("gone".into())
        }
        fn take(&mut self, _units: u64) -> Result<bool, String> {
            Err("gone".into())
        }
    }

    #[test]
    fn a_failing_store_hands_over_to_the_local_budget() {
        let local = RatioBudget::new(0.2, 1, Duration::from_secs(10));
        let budget = StoreBudget::new(
            Ok(Box::new(Broken)),
            local,
            "x".into(),
            Unreachable::Local,
            true,
        );
        let now = Instant::now();
        budget.on_call(now);
        assert!(!budget.store.is_open());
        let granted = (0..20)
            .filter(|_| budget.withdraw(RetryCause::Transient, now).is_some())
            .count();
        assert_eq!(granted, 10); // the local floor: 1 a second over 10 s
    }

    #[test]
    fn a_failing_store_refuses_every_retry_when_asked_to_fail_closed() {
        let local = RatioBudget::new(0.2, 1, Duration::from_secs(10));
        let budget = StoreBudget::new(
            Ok(Box::new(Broken)),
            local,
            "x".into(),
            Unreachable::Refuse,
            true,
        );
        let now = Instant::now();
        budget.on_call(now);
        assert!(budget.withdraw(RetryCause::Transient, now).is_none());
    }
}
