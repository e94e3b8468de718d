//! `Kind`: which budget the fleet shares (a ratio budget or a token bucket) and its parameters,
//! checked by the core's own constructors, so that the shared budget and its local fallback
//! have the same rules.

use persevere::budget::{
    Budget, BudgetError, RatioBudget, RetryCause, TokenBucket, TokenBucketBuilder, Withdrawal,
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
/// use persevere_redis::{BucketRules, Kind};
/// use std::time::Duration;
///
/// let ratio = Kind::ratio(0.2, 10, Duration::from_secs(10)).unwrap(); // tower's default
/// let aws = Kind::aws_standard();
/// let grpc = Kind::grpc(100.0, 0.1).unwrap();
/// let own = Kind::bucket(BucketRules::new(50.0).retry_cost(2.0).success_reward(0.5)).unwrap();
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
    Bucket(Rules),
}

/// A bucket's rules in thousandths of a token, as the core's `Rules`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Rules {
    pub(crate) capacity: u64,
    pub(crate) initial: u64,
    pub(crate) retry: u64,
    pub(crate) timeout: u64,
    pub(crate) throttling: u64,
    pub(crate) hedge: u64,
    pub(crate) failure: u64,
    pub(crate) success_reward: u64,
    pub(crate) refund_retry_cost: bool,
    pub(crate) refuse_at_or_below: Option<u64>,
}

impl Rules {
    pub(crate) fn cost(&self, cause: RetryCause) -> u64 {
        match cause {
            RetryCause::Timeout => self.timeout,
            RetryCause::Throttled => self.throttling,
            RetryCause::Hedge => self.hedge,
            _ => self.retry,
        }
    }

    /// The smallest lease worth holding: the cheapest non-zero thing the lease pays for.
    pub(crate) fn step(&self) -> u64 {
        [
            self.retry,
            self.timeout,
            self.throttling,
            self.hedge,
            self.failure,
        ]
        .into_iter()
        .filter(|&c| c > 0)
        .min()
        .unwrap_or(1)
    }

    fn local(&self) -> TokenBucket {
        let tokens = |units: u64| units as f64 / 1_000.0;
        let mut builder = TokenBucket::builder(tokens(self.capacity))
            .initial(tokens(self.initial))
            .retry_cost(tokens(self.retry))
            .timeout_cost(tokens(self.timeout))
            .throttling_cost(tokens(self.throttling))
            .hedge_cost(tokens(self.hedge))
            .failure_cost(tokens(self.failure))
            .success_reward(tokens(self.success_reward))
            .refund_retry_cost(self.refund_retry_cost);
        if let Some(floor) = self.refuse_at_or_below {
            builder = builder.refuse_at_or_below(tokens(floor));
        }
        builder
            .try_build()
            .expect("rules checked by the core's builder when the kind was made")
    }
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
        Kind::bucket(
            BucketRules::new(500.0)
                .retry_cost(5.0)
                .timeout_cost(10.0)
                .success_reward(1.0)
                .refund_retry_cost(true),
        )
        .expect("the preset's rules are in range")
    }

    /// The AWS SDKs' retry quota, revision 2.1, shared: as [`TokenBucket::aws_2026`].
    pub fn aws_2026() -> Kind {
        Kind::bucket(
            BucketRules::new(500.0)
                .retry_cost(14.0)
                .throttling_cost(5.0)
                .success_reward(1.0)
                .refund_retry_cost(true),
        )
        .expect("the preset's rules are in range")
    }

    /// gRPC's retry throttling, shared: as [`TokenBucket::grpc`].
    ///
    /// # Errors
    ///
    /// As [`TokenBucket::try_grpc`].
    pub fn grpc(max_tokens: f64, token_ratio: f64) -> Result<Kind, BudgetError> {
        TokenBucket::try_grpc(max_tokens, token_ratio)?;
        let capacity = milli(max_tokens);
        Ok(Kind {
            inner: Inner::Bucket(Rules {
                capacity,
                initial: capacity,
                retry: 0,
                timeout: 0,
                throttling: 0,
                hedge: 0,
                failure: 1_000,
                success_reward: milli(token_ratio),
                refund_retry_cost: false,
                refuse_at_or_below: Some(capacity / 2),
            }),
        })
    }

    /// A token bucket of one's own rules, shared.
    ///
    /// # Errors
    ///
    /// As [`TokenBucketBuilder::try_build`].
    pub fn bucket(rules: BucketRules) -> Result<Kind, BudgetError> {
        rules.builder().try_build()?;
        let capacity = milli(rules.capacity);
        let retry = milli(rules.retry_cost);
        let level = |t: f64| milli(t).min(capacity);
        Ok(Kind {
            inner: Inner::Bucket(Rules {
                capacity,
                initial: rules.initial.map_or(capacity, level),
                retry,
                timeout: rules.timeout_cost.map_or(retry, milli),
                throttling: rules.throttling_cost.map_or(retry, milli),
                hedge: rules.hedge_cost.map_or(retry, milli),
                failure: milli(rules.failure_cost),
                success_reward: milli(rules.success_reward),
                refund_retry_cost: rules.refund_retry_cost,
                refuse_at_or_below: rules.refuse_at_or_below.map(level),
            }),
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
            Inner::Bucket(rules) => LocalBudget::Bucket(rules.local()),
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
            Inner::Bucket(rules) => f.debug_tuple("Bucket").field(rules).finish(),
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

/// A token bucket's rules, as the core's [`TokenBucketBuilder`] takes them (in tokens, three
/// decimal places honoured), for [`Kind::bucket`]. The defaults are the builder's.
///
/// ```
/// use persevere_redis::{BucketRules, Kind};
///
/// let rules = BucketRules::new(100.0).initial(50.0).retry_cost(2.0).refuse_at_or_below(10.0);
/// assert!(Kind::bucket(rules).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct BucketRules {
    capacity: f64,
    initial: Option<f64>,
    retry_cost: f64,
    timeout_cost: Option<f64>,
    throttling_cost: Option<f64>,
    hedge_cost: Option<f64>,
    failure_cost: f64,
    success_reward: f64,
    refund_retry_cost: bool,
    refuse_at_or_below: Option<f64>,
}

impl BucketRules {
    /// A bucket of `capacity` tokens with the builder's defaults (see [`TokenBucketBuilder`]).
    pub fn new(capacity: f64) -> BucketRules {
        BucketRules {
            capacity,
            initial: None,
            retry_cost: 1.0,
            timeout_cost: None,
            throttling_cost: None,
            hedge_cost: None,
            failure_cost: 0.0,
            success_reward: 0.1,
            refund_retry_cost: false,
            refuse_at_or_below: None,
        }
    }

    /// As [`TokenBucketBuilder::initial`]: the tokens a new bucket starts with.
    pub fn initial(mut self, tokens: f64) -> Self {
        self.initial = Some(tokens);
        self
    }

    /// As [`TokenBucketBuilder::retry_cost`].
    pub fn retry_cost(mut self, tokens: f64) -> Self {
        self.retry_cost = tokens;
        self
    }

    /// As [`TokenBucketBuilder::timeout_cost`].
    pub fn timeout_cost(mut self, tokens: f64) -> Self {
        self.timeout_cost = Some(tokens);
        self
    }

    /// As [`TokenBucketBuilder::throttling_cost`].
    pub fn throttling_cost(mut self, tokens: f64) -> Self {
        self.throttling_cost = Some(tokens);
        self
    }

    /// As [`TokenBucketBuilder::hedge_cost`].
    pub fn hedge_cost(mut self, tokens: f64) -> Self {
        self.hedge_cost = Some(tokens);
        self
    }

    /// As [`TokenBucketBuilder::failure_cost`].
    pub fn failure_cost(mut self, tokens: f64) -> Self {
        self.failure_cost = tokens;
        self
    }

    /// As [`TokenBucketBuilder::success_reward`].
    pub fn success_reward(mut self, tokens: f64) -> Self {
        self.success_reward = tokens;
        self
    }

    /// As [`TokenBucketBuilder::refund_retry_cost`].
    pub fn refund_retry_cost(mut self, refund: bool) -> Self {
        self.refund_retry_cost = refund;
        self
    }

    /// As [`TokenBucketBuilder::refuse_at_or_below`].
    pub fn refuse_at_or_below(mut self, tokens: f64) -> Self {
        self.refuse_at_or_below = Some(tokens);
        self
    }

    fn builder(&self) -> TokenBucketBuilder {
        let mut b = TokenBucket::builder(self.capacity)
            .retry_cost(self.retry_cost)
            .failure_cost(self.failure_cost)
            .success_reward(self.success_reward)
            .refund_retry_cost(self.refund_retry_cost);
        let optional = [
            (self.initial, TokenBucketBuilder::initial as fn(_, _) -> _),
            (self.timeout_cost, TokenBucketBuilder::timeout_cost),
            (self.throttling_cost, TokenBucketBuilder::throttling_cost),
            (self.hedge_cost, TokenBucketBuilder::hedge_cost),
            (
                self.refuse_at_or_below,
                TokenBucketBuilder::refuse_at_or_below,
            ),
        ];
        for (value, set) in optional {
            if let Some(value) = value {
                b = set(b, value);
            }
        }
        b
    }
}
