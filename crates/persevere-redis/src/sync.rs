//! A budget client's side of the exchanges with Redis (run by the task of `task.rs`): every
//! `sync_interval` (or soon when a grant found the lease empty) one script call sends what the
//! client earned and owes, gives back its unspent lease and takes a new one sized to its
//! recent demand.
//!
//! A failed sync switches the client to its local budget (logged once) and voids its lease;
//! the task keeps trying, with doubling pauses, and switches back when Redis answers.

use crate::error::Error;
use crate::ledger::Ledger;
use crate::link::Link;
use crate::options::Options;
use crate::scripts::{Exchange, Reply, Returned, Shape};
use crate::task::{Exchanges, Signals};
use redis::Client;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::Notify;

/// The lease a client holds, as Redis recorded it.
#[derive(Debug, Clone, Copy)]
struct Lease {
    granted: u64,
    period: i64,
}

pub(crate) struct Syncer {
    pub(crate) ledger: Arc<Ledger>,
    link: Link,
    key: String,
    shape: Shape,
    options: Options,
    lease: Option<Lease>,
    /// Finished syncs, successful or not (the first one's outcome is logged either way).
    syncs: u64,
    /// Told of every finished exchange, for `RedisBudget::sync` and `close`.
    signals: Arc<Signals>,
}

impl Syncer {
    pub(crate) fn new(
        ledger: Arc<Ledger>,
        client: Client,
        key: String,
        shape: Shape,
        options: Options,
        signals: Arc<Signals>,
    ) -> Syncer {
        Syncer {
            ledger,
            link: Link::new(client, options.sync_timeout),
            key,
            shape,
            options,
            lease: None,
            syncs: 0,
            signals,
        }
    }

    /// The next lease's size: twice the demand of the last interval, at least one step, at
    /// most `max_lease` steps.
    fn want(&self, demand: u64) -> u64 {
        let step = self.ledger.rules.step();
        let max = step.saturating_mul(u64::from(self.options.max_lease));
        demand.saturating_mul(2).clamp(step, max.max(step))
    }

    /// One exchange with Redis. `closing`: give the lease back and ask for none.
    pub(crate) async fn sync(&mut self, closing: bool) -> Result<(), Error> {
        let result = self.exchange_once(closing).await;
        self.syncs += 1;
        self.signals.synced();
        result
    }

    async fn exchange_once(&mut self, closing: bool) -> Result<(), Error> {
        let ledger = self.ledger.clone();
        ledger.syncs_started.fetch_add(1, Ordering::AcqRel);
        let earned = ledger.earned.swap(0, Ordering::AcqRel);
        let owed = ledger.owed.swap(0, Ordering::AcqRel);
        let demand = ledger.demand.swap(0, Ordering::AcqRel);
        let held = ledger.lease.load(Ordering::Acquire);
        let exchange = Exchange {
            earned,
            owed,
            returned: self.lease.map(|l| Returned {
                unspent: held.max(0) as u64,
                granted: l.granted,
                period: l.period,
            }),
            want: if closing { 0 } else { self.want(demand) },
            all_or_nothing: false,
        };
        match self.call(&exchange).await {
            Ok(reply) => {
                self.settle(held, reply);
                Ok(())
            }
            Err(err) => {
                // Owed units are sent again (charging twice errs on the side of fewer
                // retries); earned ones are dropped, in case the call was applied.
                ledger.owed.fetch_add(owed, Ordering::AcqRel);
                self.fall_back(&err);
                Err(err)
            }
        }
    }

    async fn call(&mut self, exchange: &Exchange) -> Result<Reply, Error> {
        let invocation = self.shape.invocation(&self.key, exchange);
        let values: (i64, i64, i64) = self.link.invoke(&invocation).await?;
        Ok(Reply::from_values(values))
    }

    /// Takes the new lease in place of the old one, keeping what was spent of the old one
    /// during the round trip (charged to the new one, or owed if it is smaller).
    fn settle(&mut self, held: i64, reply: Reply) {
        let ledger = &self.ledger;
        let change = reply.granted as i64 - held.max(0);
        let now = ledger.lease.fetch_add(change, Ordering::AcqRel) + change;
        if now < 0 {
            ledger.lease.fetch_add(-now, Ordering::AcqRel);
            ledger.owed.fetch_add((-now) as u64, Ordering::AcqRel);
        }
        self.lease = Some(Lease {
            granted: reply.granted,
            period: reply.period,
        });
        ledger.level.store(reply.level, Ordering::Release);
        ledger.starved.store(false, Ordering::Release);
        if !ledger.shared.swap(true, Ordering::AcqRel) && self.syncs > 0 {
            tracing::info!(key = %self.key, "persevere-redis: Redis is back: the budget is shared again");
        }
    }

    /// Redis did not answer: the local budget decides from now on, the lease is void.
    fn fall_back(&mut self, err: &Error) {
        let ledger = &self.ledger;
        ledger.lease.store(0, Ordering::Release);
        self.lease = None;
        let was_shared = ledger.shared.swap(false, Ordering::AcqRel);
        if was_shared || self.syncs == 0 {
            let decides = if ledger.fail_closed {
                "no retry is granted"
            } else {
                "a local budget with the same parameters decides"
            };
            tracing::warn!(
                key = %self.key,
                error = %err,
                "persevere-redis: Redis is unreachable: {decides} until it is back"
            );
        }
    }
}

impl Exchanges for Syncer {
    async fn exchange(&mut self, closing: bool) {
        // Errors are the client's state (`fall_back`), not the task's.
        let _ = self.sync(closing).await;
    }

    fn is_shared(&self) -> bool {
        self.ledger.shared.load(Ordering::Acquire)
    }

    fn wake(&self) -> Option<Arc<Notify>> {
        Some(self.ledger.wake.clone())
    }
}
