//! The hot path: what a client decides alone, in atomics, between two syncs with Redis.
//!
//! A retry is granted only from a lease: units that a sync has already taken out of the shared
//! budget in Redis, atomically, for this client. So the fleet never grants more than Redis
//! allowed, however many clients decide at once, and a decision is a compare-and-swap, not a
//! round trip. What calls earn and failures owe is counted here and sent with the next sync.
//! While Redis is unreachable, the local budget decides (or nothing is granted, fail-closed).

use crate::kind::{Inner, Kind, LocalBudget, RETRY, step};
use persevere::budget::TokenBucketRules;
use persevere::budget::{Budget, RetryCause, Withdrawal};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::Notify;

/// What a client knows and owes between syncs. Shared by the budget's handles and its task.
pub(crate) struct Ledger {
    pub(crate) rules: LedgerRules,
    /// Units of the current lease not spent yet. Only the sync task adds to it; the hot path
    /// only takes, and only what is there, so it is never negative but for the instant in
    /// which the task settles a lease overdrawn during its round trip.
    pub(crate) lease: AtomicI64,
    /// Units earned since the last sync: ratio deposits, bucket rewards and refunds.
    pub(crate) earned: AtomicU64,
    /// Units owed since the last sync: failure costs the lease could not pay, and what the
    /// local budget granted while Redis was unreachable.
    pub(crate) owed: AtomicU64,
    /// Units asked for since the last sync, granted or not: the next lease's size.
    pub(crate) demand: AtomicU64,
    /// Whether Redis answered the last sync (else the local budget decides).
    pub(crate) shared: AtomicBool,
    /// The shared budget's level at the last sync, in units (for metrics and tests).
    pub(crate) level: AtomicI64,
    /// A grant failed for want of lease: the task syncs early (once per sync).
    pub(crate) starved: AtomicBool,
    pub(crate) wake: Arc<Notify>,
    /// Syncs started, so that `RedisBudget::sync` waits for one that starts after it.
    pub(crate) syncs_started: AtomicU64,
    pub(crate) fail_closed: bool,
    pub(crate) local: LocalBudget,
}

/// The kind's rules, as the hot path needs them.
#[derive(Clone, Copy)]
pub(crate) enum LedgerRules {
    /// Units a call earns.
    Ratio {
        deposit: u64,
    },
    Bucket(TokenBucketRules),
}

impl LedgerRules {
    pub(crate) fn of(kind: &Kind) -> LedgerRules {
        match kind.inner {
            Inner::Ratio { percent, .. } => LedgerRules::Ratio {
                deposit: (percent * RETRY as f64).round() as u64,
            },
            Inner::Bucket { rules, .. } => LedgerRules::Bucket(rules),
        }
    }

    /// The smallest useful lease: one retry (ratio), or the cheapest thing a bucket's lease
    /// pays for.
    pub(crate) fn step(&self) -> u64 {
        match self {
            LedgerRules::Ratio { .. } => RETRY,
            LedgerRules::Bucket(rules) => step(rules),
        }
    }
}

impl Ledger {
    pub(crate) fn new(kind: &Kind, fail_closed: bool) -> Ledger {
        Ledger {
            rules: LedgerRules::of(kind),
            lease: AtomicI64::new(0),
            earned: AtomicU64::new(0),
            owed: AtomicU64::new(0),
            demand: AtomicU64::new(0),
            shared: AtomicBool::new(false),
            level: AtomicI64::new(0),
            starved: AtomicBool::new(false),
            wake: Arc::new(Notify::new()),
            syncs_started: AtomicU64::new(0),
            fail_closed,
            local: kind.local_budget(),
        }
    }

    /// Takes `cost` from the lease if it holds at least `needed` (`needed >= cost`).
    fn take(&self, needed: u64, cost: u64) -> bool {
        let needed = needed as i64;
        let taken = self
            .lease
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |l| {
                (l >= needed).then_some(l - cost as i64)
            })
            .is_ok();
        if !taken && !self.starved.swap(true, Ordering::AcqRel) {
            // Once per sync: a refusal for want of lease asks for the next sync now.
            self.wake.notify_one();
        }
        taken
    }

    /// Takes up to `cost` from the lease; returns what it could not pay.
    fn pay(&self, cost: u64) -> u64 {
        let mut short = cost;
        let _ = self
            .lease
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |l| {
                let paid = (l.max(0) as u64).min(cost);
                short = cost - paid;
                (paid > 0).then_some(l - paid as i64)
            });
        short
    }

    fn is_shared(&self) -> bool {
        self.shared.load(Ordering::Acquire)
    }
}

impl Budget for Ledger {
    #[inline]
    fn on_call(&self, now: Instant) {
        self.local.on_call(now);
        if let LedgerRules::Ratio { deposit } = self.rules {
            self.earned.fetch_add(deposit, Ordering::Relaxed);
        }
    }

    #[inline]
    fn on_failure(&self, cause: RetryCause, now: Instant) {
        self.local.on_failure(cause, now);
        if let LedgerRules::Bucket(rules) = self.rules
            && rules.failure > 0
        {
            self.demand.fetch_add(rules.failure, Ordering::Relaxed);
            let short = if self.is_shared() {
                self.pay(rules.failure)
            } else {
                rules.failure
            };
            if short > 0 {
                self.owed.fetch_add(short, Ordering::Relaxed);
            }
        }
    }

    #[inline]
    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        let (cost, needed) = match self.rules {
            LedgerRules::Ratio { .. } => (RETRY, RETRY),
            // Below a floor, the lease is the headroom above it: a retry needs some left.
            LedgerRules::Bucket(rules) => {
                let cost = rules.cost(cause);
                let needed = match rules.refuse_at_or_below {
                    Some(_) => cost.max(1),
                    None => cost,
                };
                (cost, needed)
            }
        };
        self.demand
            .fetch_add(needed.max(self.rules.step()), Ordering::Relaxed);
        if !self.is_shared() {
            if self.fail_closed {
                return None;
            }
            let granted = self.local.withdraw(cause, now)?;
            // Charged to the shared budget when Redis is back, so that its books are right.
            self.owed.fetch_add(granted.amount(), Ordering::Relaxed);
            return Some(granted);
        }
        if needed > 0 && !self.take(needed, cost) {
            return None;
        }
        // The local budget hears of the retry too, so that it is warm if it must take over.
        let _ = self.local.withdraw(cause, now);
        Some(Withdrawal::new(cost))
    }

    #[inline]
    fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
        self.local.on_success(last, now);
        if let LedgerRules::Bucket(rules) = self.rules {
            let earned = match last {
                Some(paid) if rules.refund_retry_cost => paid.amount(),
                _ => rules.success_reward,
            };
            if earned > 0 {
                self.earned.fetch_add(earned, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ratio() -> Ledger {
        let l = Ledger::new(
            &Kind::ratio(0.2, 0, Duration::from_secs(10)).unwrap(),
            false,
        );
        l.shared.store(true, Ordering::Release);
        l
    }

    #[test]
    fn grants_only_what_the_lease_holds() {
        let l = ratio();
        let now = Instant::now();
        l.lease.store(2_500, Ordering::Release);
        let t = RetryCause::Transient;
        assert!(l.withdraw(t, now).is_some());
        assert!(l.withdraw(t, now).is_some());
        assert!(l.withdraw(t, now).is_none());
        assert_eq!(l.lease.load(Ordering::Acquire), 500);
        assert!(l.starved.load(Ordering::Acquire));
        assert_eq!(l.demand.load(Ordering::Acquire), 3_000);
    }

    #[test]
    fn calls_earn_their_percent_for_the_next_sync() {
        let l = ratio();
        for _ in 0..5 {
            l.on_call(Instant::now());
        }
        assert_eq!(l.earned.load(Ordering::Acquire), 1_000);
    }

    #[test]
    fn without_redis_the_local_budget_decides_and_its_grants_are_owed() {
        let l = Ledger::new(&Kind::aws_standard(), false);
        let now = Instant::now();
        let w = l.withdraw(RetryCause::Timeout, now).unwrap();
        assert_eq!(w.amount(), 10_000);
        assert_eq!(l.owed.load(Ordering::Acquire), 10_000);
        let closed = Ledger::new(&Kind::aws_standard(), true);
        assert!(closed.withdraw(RetryCause::Timeout, now).is_none());
    }

    #[test]
    fn grpc_failures_pay_from_the_headroom_and_retries_need_some_left() {
        // A6's example: 10 tokens, ratio 0.1: the bucket keeps 5.001, the lease is 4.999.
        let l = Ledger::new(&Kind::grpc(10.0, 0.1).unwrap(), false);
        l.shared.store(true, Ordering::Release);
        l.lease.store(4_999, Ordering::Release);
        let now = Instant::now();
        let mut retries = 0;
        loop {
            l.on_failure(RetryCause::Transient, now);
            if l.withdraw(RetryCause::Transient, now).is_none() {
                break;
            }
            retries += 1;
        }
        assert_eq!(retries, 4); // as the local bucket: 9, 8, 7, 6 are above 5
        assert_eq!(l.owed.load(Ordering::Acquire), 1);
    }

    #[test]
    fn aws_successes_earn_refunds_and_rewards() {
        let l = Ledger::new(&Kind::aws_standard(), false);
        l.on_success(Some(Withdrawal::new(5_000)), Instant::now());
        l.on_success(None, Instant::now());
        assert_eq!(l.earned.load(Ordering::Acquire), 6_000);
    }
}
