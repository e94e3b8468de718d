//! `Kind`: which budget the fleet shares (a ratio budget or a token bucket) and its parameters,
//! checked by the core's own constructors, so that the shared budget and its local fallback
//! have the same rules.

use persevere::budget::{
    Budget, BudgetError, RatioBudget, RetryCause, TokenBucket, TokenBucketBuilder,
    TokenBucketRules, Withdrawal,
};
use std::fmt;
use std::time::{Duration, Instant};

/// One retry in a ratio budget, in its units (thousandths), as in `RatioBudget`.
pub(crate) const RETRY: u64 = 1_000;

/// `tokens` in thousandths, rounded to the nearest, as the core counts them.
fn milli(tokens: f64) -> u64 {
    (tokens * 1_000.0).round() as u64
}

/// Which budget a [`RedisBudget`](crate::RedisBudget) shares, with the same parameters and
/// rules as the core's [`RatioBudget`] and [`TokenBucket`].
///
/// ```
/// use persevere::budget::TokenBucket;
/// use persevere_redis::Kind;
/// use std::time::Duration;
///
/// let ratio = Kind::ratio(0.2, 10, Duration::from_secs(10)).unwrap(); // tower's default
/// let aws = Kind::aws_standard();
/// let grpc = Kind::grpc(100.0, 0.1).unwrap();
/// let own = Kind::bucket(TokenBucket::builder(50.0).retry_cost(2.0).success_reward(0.5)).unwrap();
/// assert!(Kind::ratio(2e3, 10, Duration::from_secs(10)).is_err());
/// # let _ = (ratio, aws, grpc, own);
/// ```
#[derive(Clone, PartialEq)]
pub struct Kind {
    pub(crate) inner: Inner,
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Inner {
    Ratio {
        percent: f64,
        min_per_sec: u32,
        ttl: Duration,
    },
    Bucket {
        /// The core's rules, in thousandths of a token.
        rules: TokenBucketRules,
        /// The tokens a new shared bucket starts with, in thousandths.
        initial: u64,
    },
}

impl Inner {
    /// The shared form of a bucket: its rules and its tokens now.
    fn bucket(bucket: &TokenBucket) -> Inner {
        Inner::Bucket {
            rules: bucket.rules(),
            initial: milli(bucket.tokens()),
        }
    }
}

/// The smallest lease worth holding: the cheapest non-zero thing the lease pays for.
pub(crate) fn step(rules: &TokenBucketRules) -> u64 {
    [
        rules.retry,
        rules.timeout,
        rules.throttling,
        rules.hedge,
        rules.failure,
    ]
    .into_iter()
    .filter(|&c| c > 0)
    .min()
    .unwrap_or(1)
}

impl Kind {
    /// A ratio budget shared by the fleet: as [`RatioBudget::new`]`(percent, min_per_sec,
    /// ttl)`, with one floor of `min_per_sec` for the whole fleet (not per client).
    ///
    /// # Errors
    ///
    /// The core's [`BudgetError`] for a parameter out of [`RatioBudget::try_new`]'s ranges.
    /// The window's slots (`ttl / 10`) are counted in whole milliseconds.
    ///
    /// ```
    /// use persevere_redis::Kind;
    /// use std::time::Duration;
    ///
    /// let err = Kind::ratio(0.2, 10, Duration::from_secs(61)).unwrap_err();
    /// assert_eq!(err.to_string(), "`ttl` must be from 1 s to 60 s, got 61s");
    /// ```
    pub fn ratio(percent: f64, min_per_sec: u32, ttl: Duration) -> Result<Kind, BudgetError> {
        RatioBudget::try_new(percent, min_per_sec, ttl)?;
        Ok(Kind {
            inner: Inner::Ratio {
                percent,
                min_per_sec,
                ttl,
            },
        })
    }

    /// The AWS SDKs' retry quota, "standard" mode, shared: as [`TokenBucket::aws_standard`].
    pub fn aws_standard() -> Kind {
        Kind {
            inner: Inner::bucket(&TokenBucket::aws_standard()),
        }
    }

    /// The AWS SDKs' retry quota, revision 2.1, shared: as [`TokenBucket::aws_2026`].
    pub fn aws_2026() -> Kind {
        Kind {
            inner: Inner::bucket(&TokenBucket::aws_2026()),
        }
    }

    /// gRPC's retry throttling, shared: as [`TokenBucket::grpc`].
    ///
    /// # Errors
    ///
    /// As [`TokenBucket::try_grpc`].
    pub fn grpc(max_tokens: f64, token_ratio: f64) -> Result<Kind, BudgetError> {
        Ok(Kind {
            inner: Inner::bucket(&TokenBucket::try_grpc(max_tokens, token_ratio)?),
        })
    }

    /// A token bucket of one's own rules, shared: the core's builder, checked by it.
    ///
    /// ```
    /// use persevere::budget::TokenBucket;
    /// use persevere_redis::Kind;
    ///
    /// let rules = TokenBucket::builder(100.0).initial(50.0).retry_cost(2.0).refuse_at_or_below(10.0);
    /// assert!(Kind::bucket(rules).is_ok());
    /// assert!(Kind::bucket(TokenBucket::builder(10.0).initial(11.0)).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// As [`TokenBucketBuilder::try_build`].
    pub fn bucket(rules: TokenBucketBuilder) -> Result<Kind, BudgetError> {
        Ok(Kind {
            inner: Inner::bucket(&rules.try_build()?),
        })
    }

    /// A local budget with the same parameters: what a client uses while Redis is unreachable.
    ///
    /// ```
    /// use persevere::budget::{Budget, RetryCause};
    /// use persevere_redis::Kind;
    /// use std::time::Instant;
    ///
    /// let local = Kind::aws_standard().local_budget();
    /// let granted = local.withdraw(RetryCause::Transient, Instant::now());
    /// assert_eq!(granted.unwrap().amount(), 5_000);
    /// ```
    pub fn local_budget(&self) -> LocalBudget {
        match self.inner {
            Inner::Ratio {
                percent,
                min_per_sec,
                ttl,
            } => LocalBudget::Ratio(RatioBudget::new(percent, min_per_sec, ttl)),
            Inner::Bucket { rules, initial } => {
                LocalBudget::Bucket(TokenBucket::from_rules(rules, initial))
            }
        }
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Ratio {
                percent,
                min_per_sec,
                ttl,
            } => f
                .debug_struct("Ratio")
                .field("percent", percent)
                .field("min_per_sec", min_per_sec)
                .field("ttl", ttl)
                .finish(),
            Inner::Bucket { rules, initial } => f
                .debug_struct("Bucket")
                .field("rules", rules)
                .field("initial", &(*initial as f64 / 1_000.0))
                .finish(),
        }
    }
}

/// The local budget of a [`Kind`]: a [`RatioBudget`] or a [`TokenBucket`].
#[derive(Debug, Clone)]
pub enum LocalBudget {
    /// A ratio budget.
    Ratio(RatioBudget),
    /// A token bucket.
    Bucket(TokenBucket),
}

impl Budget for LocalBudget {
    fn on_call(&self, now: Instant) {
        match self {
            LocalBudget::Ratio(b) => b.on_call(now),
            LocalBudget::Bucket(b) => b.on_call(now),
        }
    }

    fn on_failure(&self, cause: RetryCause, now: Instant) {
        match self {
            LocalBudget::Ratio(b) => b.on_failure(cause, now),
            LocalBudget::Bucket(b) => b.on_failure(cause, now),
        }
    }

    fn withdraw(&self, cause: RetryCause, now: Instant) -> Option<Withdrawal> {
        match self {
            LocalBudget::Ratio(b) => b.withdraw(cause, now),
            LocalBudget::Bucket(b) => b.withdraw(cause, now),
        }
    }

    fn on_success(&self, last: Option<Withdrawal>, now: Instant) {
        match self {
            LocalBudget::Ratio(b) => b.on_success(last, now),
            LocalBudget::Bucket(b) => b.on_success(last, now),
        }
    }
}
