//! `TokenBucketBuilder`: a token bucket's rules, written one by one, checked once.

use super::error::{BudgetError, or_panic};
use super::{RetryCause, TokenBucket};
use std::fmt;

const NAME: &str = "TokenBucket";

/// `tokens` in thousandths of a token, rounded to the nearest (saturating; NaN gives 0).
pub(super) fn milli(tokens: f64) -> u64 {
    (tokens * 1_000.0).round() as u64
}

/// A [`TokenBucket`]'s rules as it applies them: checked, with every default resolved, in
/// thousandths of a token. Read them with [`TokenBucket::rules`]; a bucket kept elsewhere (the
/// Redis budget of `persevere-redis`) applies the same rules from them, and
/// [`TokenBucket::from_rules`] makes another bucket with them.
///
/// ```
/// use persevere::budget::{RetryCause, TokenBucket};
///
/// let rules = TokenBucket::aws_standard().rules();
/// assert_eq!(rules.capacity, 500_000);
/// assert_eq!(rules.cost(RetryCause::Timeout), 10_000);
/// assert!(rules.refund_retry_cost);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenBucketRules {
    /// The most tokens the bucket holds.
    pub capacity: u64,
    /// What a retry after a transient failure costs.
    pub retry: u64,
    /// What a retry after a timeout costs.
    pub timeout: u64,
    /// What a retry after the server said to slow down costs.
    pub throttling: u64,
    /// What a hedged attempt costs.
    pub hedge: u64,
    /// Taken by every failed attempt reported to `on_failure`.
    pub failure: u64,
    /// Earned by a success that does not return a retry's cost.
    pub success_reward: u64,
    /// A success after a retry returns that retry's cost (instead of earning the reward).
    pub refund_retry_cost: bool,
    /// Retries are refused while the tokens are at or below this.
    pub refuse_at_or_below: Option<u64>,
}

/// The rules under their short name, inside the module.
pub(super) type Rules = TokenBucketRules;

impl TokenBucketRules {
    /// What a retry (or hedge) for `cause` costs.
    pub fn cost(&self, cause: RetryCause) -> u64 {
        match cause {
            RetryCause::Transient => self.retry,
            RetryCause::Timeout => self.timeout,
            RetryCause::Throttled => self.throttling,
            RetryCause::Hedge => self.hedge,
        }
    }
}

/// Thousandths of a token, shown as tokens.
struct Tokens(u64);

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0 as f64 / 1_000.0)
    }
}

impl fmt::Debug for TokenBucketRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("capacity", &Tokens(self.capacity))
            .field("retry_cost", &Tokens(self.retry))
            .field("timeout_cost", &Tokens(self.timeout))
            .field("throttling_cost", &Tokens(self.throttling))
            .field("hedge_cost", &Tokens(self.hedge))
            .field("failure_cost", &Tokens(self.failure))
            .field("success_reward", &Tokens(self.success_reward))
            .field("refund_retry_cost", &self.refund_retry_cost)
            .field("refuse_at_or_below", &self.refuse_at_or_below.map(Tokens))
            .finish()
    }
}

/// The rules of a [`TokenBucket`] of one's own, from [`TokenBucket::builder`]. Amounts are in
/// tokens, honoured to three decimal places.
///
/// | rule | default |
/// |---|---|
/// | [`initial`](Self::initial) tokens | the capacity (the bucket starts full) |
/// | [`retry_cost`](Self::retry_cost): a retry after a transient failure | 1 |
/// | [`timeout_cost`](Self::timeout_cost), [`throttling_cost`](Self::throttling_cost), [`hedge_cost`](Self::hedge_cost) | the retry cost |
/// | [`failure_cost`](Self::failure_cost): each failed attempt | 0 |
/// | [`success_reward`](Self::success_reward): each success | 0.1 |
/// | [`refund_retry_cost`](Self::refund_retry_cost): a success after a retry returns its cost instead | no |
/// | [`refuse_at_or_below`](Self::refuse_at_or_below): a threshold for retries | none: a retry is refused only when the bucket cannot pay for it |
///
/// The defaults make Brooker's adaptive bucket ("Fixing retries with token buckets and circuit
/// breakers", 2022): about every failure retried while fewer than one call in ten fails, and
/// about 0.1 retries per call above that.
///
/// ```
/// use persevere::budget::{Budget, RetryCause, TokenBucket};
/// use std::time::Instant;
///
/// let bucket = TokenBucket::builder(100.0)
///     .initial(50.0)
///     .retry_cost(2.0)
///     .timeout_cost(4.0)
///     .success_reward(0.5)
///     .refund_retry_cost(true)
///     .refuse_at_or_below(10.0)
///     .build();
/// let now = Instant::now();
/// let paid = bucket.withdraw(RetryCause::Timeout, now);
/// assert_eq!(bucket.tokens(), 46.0);
/// bucket.on_success(paid, now); // a success after that retry returns its 4 tokens
/// bucket.on_success(None, now); // a first-attempt success earns 0.5
/// assert_eq!(bucket.tokens(), 50.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use = "a builder makes no bucket until `build` is called"]
pub struct TokenBucketBuilder {
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

impl TokenBucketBuilder {
    pub(super) fn new(capacity: f64) -> Self {
        TokenBucketBuilder {
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

    /// The tokens the bucket starts with (default: the capacity).
    pub fn initial(mut self, tokens: f64) -> Self {
        self.initial = Some(tokens);
        self
    }

    /// What a retry after a transient failure costs ([`RetryCause::Transient`]), and the
    /// other causes' cost unless they are set (default 1).
    pub fn retry_cost(mut self, tokens: f64) -> Self {
        self.retry_cost = tokens;
        self
    }

    /// What a retry after a timeout costs ([`RetryCause::Timeout`]; default: the retry cost).
    pub fn timeout_cost(mut self, tokens: f64) -> Self {
        self.timeout_cost = Some(tokens);
        self
    }

    /// What a retry after the server said to slow down costs ([`RetryCause::Throttled`];
    /// default: the retry cost).
    pub fn throttling_cost(mut self, tokens: f64) -> Self {
        self.throttling_cost = Some(tokens);
        self
    }

    /// What a hedged attempt costs ([`RetryCause::Hedge`]; default: the retry cost).
    pub fn hedge_cost(mut self, tokens: f64) -> Self {
        self.hedge_cost = Some(tokens);
        self
    }

    /// What each failed attempt takes, whether or not it is retried (default 0; gRPC: 1).
    /// The bucket stops at zero.
    pub fn failure_cost(mut self, tokens: f64) -> Self {
        self.failure_cost = tokens;
        self
    }

    /// What a success earns (default 0.1; AWS: 1 for a first-attempt success; gRPC:
    /// `token_ratio` for every success). The bucket stops at its capacity.
    pub fn success_reward(mut self, tokens: f64) -> Self {
        self.success_reward = tokens;
        self
    }

    /// Whether a success after a retry returns that retry's cost instead of earning the
    /// reward (default no; AWS: yes, so that a retry that worked ends up costing nothing).
    pub fn refund_retry_cost(mut self, refund: bool) -> Self {
        self.refund_retry_cost = refund;
        self
    }

    /// Retries (and hedges) are refused while the tokens are at or below `tokens`, whatever
    /// they cost (default: none; gRPC: half the capacity). A retry is always refused when
    /// the bucket holds less than its cost.
    pub fn refuse_at_or_below(mut self, tokens: f64) -> Self {
        self.refuse_at_or_below = Some(tokens);
        self
    }

    /// The bucket.
    ///
    /// # Panics
    ///
    /// If a rule is out of range (see [`try_build`](Self::try_build)), with the message of the
    /// [`BudgetError`] after `persevere: TokenBucket: `.
    ///
    /// ```should_panic
    /// // panics: persevere: TokenBucket: `retry_cost` must be a finite number of at least 0, got -1.0
    /// persevere::budget::TokenBucket::builder(10.0).retry_cost(-1.0).build();
    /// ```
    #[track_caller]
    pub fn build(self) -> TokenBucket {
        or_panic(self.try_build())
    }

    /// The bucket, or an error naming the first rule out of range: `capacity` must be finite
    /// and at least 0.001; the costs and the reward finite and at least 0; `initial` and
    /// `refuse_at_or_below` from 0 to the capacity.
    ///
    /// ```
    /// use persevere::budget::TokenBucket;
    ///
    /// let err = TokenBucket::builder(10.0).initial(11.0).try_build().unwrap_err();
    /// assert_eq!(err.to_string(), "`initial` must be from 0 to the capacity, got 11.0");
    /// assert_eq!(err.parameter(), "initial");
    /// ```
    pub fn try_build(self) -> Result<TokenBucket, BudgetError> {
        if !(self.capacity.is_finite() && milli(self.capacity) >= 1) {
            return Err(BudgetError::new(
                NAME,
                "capacity",
                "a finite number of at least 0.001",
                self.capacity,
            ));
        }
        let amount = |parameter: &'static str, tokens: f64| {
            if tokens.is_finite() && tokens >= 0.0 {
                Ok(milli(tokens))
            } else {
                Err(BudgetError::new(
                    NAME,
                    parameter,
                    "a finite number of at least 0",
                    tokens,
                ))
            }
        };
        let capacity = milli(self.capacity);
        let level = |parameter: &'static str, tokens: f64| {
            if (0.0..=self.capacity).contains(&tokens) {
                Ok(milli(tokens).min(capacity))
            } else {
                Err(BudgetError::new(
                    NAME,
                    parameter,
                    "from 0 to the capacity",
                    tokens,
                ))
            }
        };
        let retry = amount("retry_cost", self.retry_cost)?;
        let rules = Rules {
            capacity,
            retry,
            timeout: self
                .timeout_cost
                .map_or(Ok(retry), |c| amount("timeout_cost", c))?,
            throttling: self
                .throttling_cost
                .map_or(Ok(retry), |c| amount("throttling_cost", c))?,
            hedge: self
                .hedge_cost
                .map_or(Ok(retry), |c| amount("hedge_cost", c))?,
            failure: amount("failure_cost", self.failure_cost)?,
            success_reward: amount("success_reward", self.success_reward)?,
            refund_retry_cost: self.refund_retry_cost,
            refuse_at_or_below: self
                .refuse_at_or_below
                .map(|t| level("refuse_at_or_below", t))
                .transpose()?,
        };
        let initial = self.initial.map_or(Ok(capacity), |t| level("initial", t))?;
        Ok(TokenBucket::from_rules(rules, initial))
    }
}
