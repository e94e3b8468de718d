//! Retry budgets: bounds on retries across every call that shares them.
//!
//! Backoff spreads one call's retries out in time; it does not reduce them. When a dependency
//! fails every request, each caller still sends `max_tries` attempts, and the load on the
//! failing server is multiplied. A budget is shared by many calls (and policies, and threads)
//! and refuses retries once too many of them fail, so that an outage costs the server about
//! the normal load instead of a multiple of it.
//!
//! - [`RatioBudget`]: Finagle's and tower's budget. Over any `ttl` window, retries stay at or
//!   below `percent` of the calls plus `min_per_sec` per second.
//!   [`RatioBudget::default()`](RatioBudget::default) is 20 % plus 10 per second over 10 s.
//! - [`TokenBucket`]: a bucket of tokens that retries spend and successes refill:
//!   [`TokenBucket::aws_standard`] (the AWS SDKs' retry quota),
//!   [`TokenBucket::aws_2026`] (its 2.1 revision), [`TokenBucket::grpc`] (gRPC's retry
//!   throttling), or any other through [`TokenBucket::builder`].
//! - [`Budget`]: the trait they implement, so that other stores (a shared cache, a database)
//!   can hold a budget too.
//!
//! Both implementations are lock-free (their state is in atomics, updated with
//! compare-and-swap loops) and are cheap [`Clone`] handles to shared state: clone one into
//! every policy and thread that should share it.
//!
//! ```
//! use persevere::budget::{Budget, RatioBudget, RetryCause};
//! use std::time::{Duration, Instant};
//!
//! // 20 % of the calls may be retried, no floor, credits kept for 10 s.
//! let budget = RatioBudget::new(0.2, 0, Duration::from_secs(10));
//! let now = Instant::now();
//! for _ in 0..10 {
//!     budget.on_call(now); // each call earns a fifth of a retry
//! }
//! // Every call failed and wants a retry: two of them get one.
//! let granted = (0..10)
//!     .filter(|_| {
//!         budget.on_failure(RetryCause::Transient, now);
//!         budget.withdraw(RetryCause::Transient, now).is_some()
//!     })
//!     .count();
//! assert_eq!(granted, 2);
//! ```
//!
//! # How a call reports to its budget
//!
//! A retrying call makes these calls, in this order, with the policy's clock:
//!
//! 1. [`on_call`](Budget::on_call) when it starts;
//! 2. after each failed attempt that the policy classifies as retryable:
//!    [`on_failure`](Budget::on_failure); then, if the policy's own limits (`max_tries`,
//!    `max_time`, the strategy) allow another attempt, [`withdraw`](Budget::withdraw); a
//!    refusal ends the call with the failure it has;
//! 3. [`withdraw`](Budget::withdraw) with [`RetryCause::Hedge`] before a hedged attempt
//!    starts;
//! 4. [`on_success`](Budget::on_success) when an attempt succeeds, with the withdrawal that
//!    paid for that attempt.
//!
//! A failure the policy does not retry by its kind (a fatal error) is not reported: budgets
//! count the failures that call for retries, as gRPC counts only retryable status codes. A
//! retryable failure at the policy's limits is reported with `on_failure` (gRPC counts it),
//! and no withdrawal follows.

mod bucket_builder;
mod combine;
pub(crate) mod default;
pub(crate) mod error;
mod ratio;
pub(crate) mod sync;
mod throttle;
pub(crate) mod ticks;
mod token_bucket;
mod window;

pub use bucket_builder::TokenBucketBuilder;
pub(crate) use combine::RetriesOnly;
pub use default::set_default;
// The resolved rules, for stores that keep a bucket elsewhere (persevere-redis).
#[doc(hidden)]
pub use bucket_builder::TokenBucketRules;
pub use error::BudgetError;
pub use ratio::RatioBudget;
pub use throttle::AdaptiveThrottle;
pub use token_bucket::TokenBucket;

use crate::GiveUpReason;
use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why another attempt is wanted. Budgets may charge causes differently: the AWS SDKs charge a
/// retry after a timeout more than other retries (and, since their 2026 revision, a retry after
/// throttling less); gRPC counts hedges against the same budget as retries.
///
/// ```
/// use persevere::budget::{Budget, RetryCause, TokenBucket};
/// use std::time::Instant;
///
/// let aws = TokenBucket::aws_standard();
/// let now = Instant::now();
/// assert_eq!(aws.withdraw(RetryCause::Transient, now).unwrap().amount(), 5_000);
/// assert_eq!(aws.withdraw(RetryCause::Timeout, now).unwrap().amount(), 10_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryCause {
    /// A transient failure (the common case).
    Transient,
    /// The attempt timed out (persevere's attempt timeout, or an error the user classifies so).
    Timeout,
    /// The server said to slow down (a server-directed wait such as `Retry-After` was given).
    Throttled,
    /// A hedged attempt starts while earlier ones are still running (no failure yet).
    Hedge,
}

/// What a granted retry cost, in the budget's own units, so that a success after it can return
/// it (the AWS SDKs return the last retry's cost when the call then succeeds).
///
/// [`RatioBudget`] and [`TokenBucket`] count in thousandths (of a retry, of a token).
///
/// ```
/// use persevere::budget::Withdrawal;
///
/// let w = Withdrawal::new(5_000);
/// assert_eq!(w.amount(), 5_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withdrawal {
    /// The amount plus one: the niche lets every retrying call hold an `Option<Withdrawal>`
    /// in one word.
    amount_plus_one: NonZeroU64,
}

impl Withdrawal {
    /// A withdrawal of `amount` units of the budget that grants it (saturating at
    /// `u64::MAX - 1`, far beyond any budget's capacity).
    #[inline]
    pub const fn new(amount: u64) -> Self {
        let stored = if amount >= u64::MAX - 1 {
            u64::MAX
        } else {
            amount + 1
        };
        Withdrawal {
            amount_plus_one: match NonZeroU64::new(stored) {
                Some(n) => n,
                None => unreachable!(),
            },
        }
    }

    /// Its cost, in the units of the budget that granted it.
    #[inline]
    pub const fn amount(self) -> u64 {
        self.amount_plus_one.get() - 1
    }
}

/// A retry budget: bounds retries across all the calls that share it. Calls report to it; it
/// answers whether a retry may go ahead.
///
/// Implementations are cheap handles ([`Clone`]) to shared state, and must be `Send + Sync`
/// to be shared by threads. `now` comes from the policy's clock (so that virtual time works in
/// tests); implementations that don't need the time ignore it. All the calls sharing a budget
/// should use the same clock. No method may block or do I/O: they run on every call's path.
///
/// The order of the calls a retrying call makes is in the [module's documentation](self).
///
/// ```
/// use persevere::budget::{Budget, RetryCause, Withdrawal};
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::time::Instant;
///
/// /// At most `limit` retries, ever (a budget for a batch job).
/// struct Lifetime { left: AtomicU64 }
///
/// impl Budget for Lifetime {
///     fn on_call(&self, _now: Instant) {}
///     fn on_failure(&self, _cause: RetryCause, _now: Instant) {}
///     fn withdraw(&self, _cause: RetryCause, _now: Instant) -> Option<Withdrawal> {
///         self.left
///             .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
///             .ok()
///             .map(|_| Withdrawal::new(1))
///     }
///     fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}
/// }
///
/// let budget = Lifetime { left: AtomicU64::new(1) };
/// let now = Instant::now();
/// assert!(budget.withdraw(RetryCause::Transient, now).is_some());
/// assert!(budget.withdraw(RetryCause::Transient, now).is_none());
/// ```
pub trait Budget {
    /// A call starts (its first attempt). Ratio budgets earn credit here.
    fn on_call(&self, now: Instant);

    /// An attempt ended in a failure that the policy classifies as retryable, with this cause
    /// (gRPC's throttling spends a token per failed attempt here). Called before
    /// [`withdraw`](Budget::withdraw).
    fn on_failure(&self, cause: RetryCause, now: Instant);

    /// Asks to start another attempt for `cause`: `Some` grants it and says what it cost,
    /// `None` refuses (the call then gives up with its last outcome).
    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal>;

    /// An attempt succeeded. `last` is the withdrawal that paid for that attempt, `None` when
    /// it was the call's first attempt.
    fn on_success(&self, last: Option<Withdrawal>, now: Instant);

    /// [`withdraw`](Budget::withdraw), saying why a refusal refuses: the call gives up with
    /// that reason. The default refuses with [`GiveUpReason::Budget`]; an
    /// [`AdaptiveThrottle`] refuses with [`GiveUpReason::Throttled`], a
    /// [`CircuitBreaker`](crate::breaker::CircuitBreaker) with
    /// [`GiveUpReason::CircuitOpen`]. The decision core calls this one.
    ///
    /// ```
    /// use persevere::budget::{Budget, RetryCause, TokenBucket};
    /// use persevere::GiveUpReason;
    /// use std::time::Instant;
    ///
    /// let empty = TokenBucket::builder(1.0).initial(0.0).build();
    /// let refused = empty.try_withdraw(RetryCause::Transient, Instant::now());
    /// assert_eq!(refused, Err(GiveUpReason::Budget));
    /// ```
    #[inline]
    fn try_withdraw(&self, cause: RetryCause, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.withdraw(cause, now).ok_or(GiveUpReason::Budget)
    }

    /// A call starts, and its first attempt is gated (the policy has a
    /// [`gate`](crate::Policy::gate)): `Ok` lets the attempt go, `Err` refuses it with a
    /// reason, and the call returns the refusal without calling the operation. The default
    /// is [`on_call`](Budget::on_call) and lets every first attempt go; a throttle and a
    /// breaker refuse here. What `Ok` carries is given back through
    /// [`refund`](Budget::refund) if another guard refuses the same attempt.
    #[inline]
    fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
        self.on_call(now);
        Ok(Withdrawal::new(0))
    }

    /// Gives back what [`try_withdraw`](Budget::try_withdraw) or
    /// [`admit_call`](Budget::admit_call) granted for an attempt that did not start after all
    /// (another guard of a combination refused it). The default keeps it.
    #[inline]
    fn refund(&self, _granted: Withdrawal, _now: Instant) {}

    /// An attempt ended after running `ran`: `failed` when it failed in a way the policy
    /// retries (a success, and a failure the policy does not retry, are not failures here).
    /// Called after [`on_success`](Budget::on_success) or [`on_failure`](Budget::on_failure),
    /// and also for failures the policy does not retry. A circuit breaker records its window
    /// here; the default does nothing.
    #[inline]
    fn attempt_ended(&self, _failed: bool, _ran: Duration, _now: Instant) {}
}

/// A reference, an `Arc` or a `Box` of a budget is that budget.
macro_rules! forward_budget {
    ($($pointer:ty),*) => {$(
        impl<B: Budget + ?Sized> Budget for $pointer {
            #[inline]
            fn on_call(&self, now: Instant) {
                (**self).on_call(now)
            }

            #[inline]
            fn on_failure(&self, cause: RetryCause, now: Instant) {
                (**self).on_failure(cause, now)
            }

            #[inline]
            fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
                (**self).withdraw(cause, now)
            }

            #[inline]
            fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
                (**self).on_success(last, now)
            }

            #[inline]
            fn try_withdraw(
                &self,
                cause: RetryCause,
                now: Instant,
            ) -> Result<Withdrawal, GiveUpReason> {
                (**self).try_withdraw(cause, now)
            }

            #[inline]
            fn admit_call(&self, now: Instant) -> Result<Withdrawal, GiveUpReason> {
                (**self).admit_call(now)
            }

            #[inline]
            fn refund(&self, granted: Withdrawal, now: Instant) {
                (**self).refund(granted, now)
            }

            #[inline]
            fn attempt_ended(&self, failed: bool, ran: Duration, now: Instant) {
                (**self).attempt_ended(failed, ran, now)
            }
        }
    )*};
}

forward_budget!(&B, Arc<B>, Box<B>);
