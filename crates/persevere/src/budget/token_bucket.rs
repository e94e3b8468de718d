//! `TokenBucket`: a bucket of tokens that retries spend and successes refill, with the AWS
//! SDKs' and gRPC's rules as presets.

use super::bucket_builder::{Rules, TokenBucketBuilder, TokenBucketRules, milli};
use super::error::{BudgetError, or_panic};
use super::sync::{Arc, AtomicU64, Ordering};
use super::{Budget, RetryCause, Withdrawal};
use std::fmt;
use std::time::Instant;

/// A retry budget holding tokens: retries cost tokens, successes (and, for some rules, nothing
/// else) put tokens back, and a retry is refused when the bucket cannot pay for it.
///
/// Tokens never go above the capacity nor below zero. Amounts are counted in thousandths of a
/// token (three decimal places are honoured, as gRPC requires): a [`Withdrawal::amount`] of
/// 5000 is 5 tokens.
///
/// The presets follow published rules:
///
/// | | [`aws_standard`](TokenBucket::aws_standard) | [`aws_2026`](TokenBucket::aws_2026) | [`grpc(max, ratio)`](TokenBucket::grpc) |
/// |---|---|---|---|
/// | capacity (starts full) | 500 | 500 | `max` |
/// | retry (transient / timeout / throttled / hedge) | 5 / 10 / 5 / 5 | 14 / 14 / 5 / 14 | 0 |
/// | each failed attempt | 0 | 0 | 1 |
/// | success on the first attempt | +1 | +1 | +`ratio` |
/// | success after a retry | returns that retry's cost | returns that retry's cost | +`ratio` |
/// | a retry is refused when | tokens < its cost | tokens < its cost | tokens ≤ `max` / 2 |
///
/// Any other rules: [`TokenBucket::builder`].
///
/// Cloning gives another handle to the same bucket; it is lock-free (atomics only).
///
/// ```
/// use persevere::budget::{Budget, RetryCause, TokenBucket};
/// use std::time::Instant;
///
/// let bucket = TokenBucket::aws_standard();
/// let now = Instant::now();
/// let shared = bucket.clone(); // the same bucket, e.g. for another policy or thread
/// let paid = shared.withdraw(RetryCause::Transient, now);
/// assert_eq!(bucket.tokens(), 495.0);
/// shared.on_success(paid, now); // the retry succeeded: its cost comes back
/// assert_eq!(bucket.tokens(), 500.0);
/// ```
#[derive(Clone)]
pub struct TokenBucket {
    shared: Arc<Shared>,
}

struct Shared {
    rules: Rules,
    /// Thousandths of a token, in `0..=rules.capacity`.
    tokens: AtomicU64,
}

impl TokenBucket {
    /// A builder for a bucket of `capacity` tokens with rules of one's own; see
    /// [`TokenBucketBuilder`] for the defaults.
    ///
    /// ```
    /// use persevere::budget::{Budget, RetryCause, TokenBucket};
    /// use std::time::Instant;
    ///
    /// // Brooker's adaptive bucket: a retry costs 1 token, a success earns 0.1.
    /// let bucket = TokenBucket::builder(10.0).retry_cost(1.0).success_reward(0.1).build();
    /// let now = Instant::now();
    /// let granted = (0..20)
    ///     .filter(|_| bucket.withdraw(RetryCause::Transient, now).is_some())
    ///     .count();
    /// assert_eq!(granted, 10);
    /// ```
    pub fn builder(capacity: f64) -> TokenBucketBuilder {
        TokenBucketBuilder::new(capacity)
    }

    /// The AWS SDKs' retry quota, "standard" mode (retries 2.0): 500 tokens, starting full;
    /// a retry costs 5, or 10 after a timeout; a success on the first attempt refunds 1; a
    /// success after a retry returns that retry's cost; a retry is refused when the bucket
    /// holds less than its cost.
    ///
    /// ```
    /// use persevere::budget::{Budget, RetryCause, TokenBucket};
    /// use std::time::Instant;
    ///
    /// let bucket = TokenBucket::aws_standard();
    /// let now = Instant::now();
    /// let granted = (0..200)
    ///     .filter(|_| bucket.withdraw(RetryCause::Transient, now).is_some())
    ///     .count();
    /// assert_eq!(granted, 100); // 500 / 5
    /// ```
    pub fn aws_standard() -> Self {
        TokenBucket::builder(500.0)
            .retry_cost(5.0)
            .timeout_cost(10.0)
            .success_reward(1.0)
            .refund_retry_cost(true)
            .build()
    }

    /// The AWS SDKs' retry quota, revision 2.1 (`AWS_NEW_RETRIES_2026`): as
    /// [`aws_standard`](TokenBucket::aws_standard), but a retry costs 14, timeouts are no
    /// longer special (14), and a retry after throttling costs 5 ("the service explicitly
    /// signals try again later").
    ///
    /// ```
    /// use persevere::budget::{Budget, RetryCause, TokenBucket};
    /// use std::time::Instant;
    ///
    /// let bucket = TokenBucket::aws_2026();
    /// let now = Instant::now();
    /// assert_eq!(bucket.withdraw(RetryCause::Transient, now).unwrap().amount(), 14_000);
    /// assert_eq!(bucket.withdraw(RetryCause::Throttled, now).unwrap().amount(), 5_000);
    /// assert_eq!(bucket.tokens(), 481.0);
    /// ```
    pub fn aws_2026() -> Self {
        TokenBucket::builder(500.0)
            .retry_cost(14.0)
            .throttling_cost(5.0)
            .success_reward(1.0)
            .refund_retry_cost(true)
            .build()
    }

    /// gRPC's retry throttling (gRFC A6, `retryThrottling`): the bucket starts at
    /// `max_tokens`; every failed attempt takes 1 token ([`on_failure`](Budget::on_failure)),
    /// every success adds `token_ratio`; retries and hedges cost nothing more, and are refused
    /// while the tokens are at or below `max_tokens / 2` (computed in thousandths and rounded
    /// down, as grpc-java does).
    ///
    /// # Panics
    ///
    /// If a parameter is out of range (see [`try_grpc`](TokenBucket::try_grpc)).
    ///
    /// ```
    /// use persevere::budget::{Budget, RetryCause, TokenBucket};
    /// use std::time::Instant;
    ///
    /// let bucket = TokenBucket::grpc(10.0, 0.1); // A6's example
    /// let now = Instant::now();
    /// let mut retries = 0;
    /// loop {
    ///     bucket.on_failure(RetryCause::Transient, now);
    ///     if bucket.withdraw(RetryCause::Transient, now).is_none() {
    ///         break;
    ///     }
    ///     retries += 1;
    /// }
    /// assert_eq!(retries, 4); // 9, 8, 7, 6 are above 5; 5 is not
    /// assert_eq!(bucket.tokens(), 5.0);
    /// ```
    #[track_caller]
    pub fn grpc(max_tokens: f64, token_ratio: f64) -> Self {
        or_panic(Self::try_grpc(max_tokens, token_ratio))
    }

    /// [`grpc`](TokenBucket::grpc), returning an error for a parameter out of range instead of
    /// panicking: `max_tokens` from 0.001 to 1000 (A6: greater than 0, at most 1000),
    /// `token_ratio` at least 0.001 (A6: greater than 0, three decimal places honoured), both
    /// rounded to three decimal places.
    ///
    /// ```
    /// use persevere::budget::TokenBucket;
    ///
    /// let err = TokenBucket::try_grpc(2000.0, 0.1).unwrap_err();
    /// assert_eq!(err.to_string(), "`max_tokens` must be from 0.001 to 1000, got 2000.0");
    /// let err = TokenBucket::try_grpc(10.0, 0.0001).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "`token_ratio` must be a finite number of at least 0.001, got 0.0001"
    /// );
    /// ```
    pub fn try_grpc(max_tokens: f64, token_ratio: f64) -> Result<Self, BudgetError> {
        const NAME: &str = "TokenBucket::grpc";
        if !(max_tokens.is_finite() && (1..=1_000_000).contains(&milli(max_tokens))) {
            return Err(BudgetError::new(
                NAME,
                "max_tokens",
                "from 0.001 to 1000",
                max_tokens,
            ));
        }
        if !(token_ratio.is_finite() && milli(token_ratio) >= 1) {
            return Err(BudgetError::new(
                NAME,
                "token_ratio",
                "a finite number of at least 0.001",
                token_ratio,
            ));
        }
        let capacity = milli(max_tokens);
        let rules = Rules {
            capacity,
            retry: 0,
            timeout: 0,
            throttling: 0,
            hedge: 0,
            failure: 1_000,
            success_reward: milli(token_ratio),
            refund_retry_cost: false,
            refuse_at_or_below: Some(capacity / 2),
        };
        Ok(TokenBucket::from_rules(rules, capacity))
    }

    /// A new bucket with the `rules` of another (from [`rules`](Self::rules)), holding
    /// `initial` thousandths of a token (at most the capacity).
    ///
    /// ```
    /// use persevere::budget::TokenBucket;
    ///
    /// let aws = TokenBucket::aws_standard();
    /// let half_full = TokenBucket::from_rules(aws.rules(), 250_000);
    /// assert_eq!(half_full.tokens(), 250.0);
    /// assert_eq!(half_full.rules(), aws.rules());
    /// ```
    pub fn from_rules(rules: TokenBucketRules, initial: u64) -> Self {
        TokenBucket {
            shared: Arc::new(Shared {
                rules,
                tokens: AtomicU64::new(initial.min(rules.capacity)),
            }),
        }
    }

    /// The rules the bucket applies, resolved, in thousandths of a token.
    pub fn rules(&self) -> TokenBucketRules {
        self.shared.rules
    }

    /// The tokens in the bucket now (to three decimal places), for tests and metrics.
    ///
    /// ```
    /// use persevere::budget::{Budget, RetryCause, TokenBucket};
    /// use std::time::Instant;
    ///
    /// let bucket = TokenBucket::grpc(10.0, 0.1);
    /// bucket.on_failure(RetryCause::Transient, Instant::now());
    /// bucket.on_success(None, Instant::now());
    /// assert_eq!(bucket.tokens(), 9.1);
    /// ```
    pub fn tokens(&self) -> f64 {
        self.shared.tokens.load(Ordering::Acquire) as f64 / 1_000.0
    }

    /// The most tokens the bucket holds.
    ///
    /// ```
    /// assert_eq!(persevere::budget::TokenBucket::aws_standard().capacity(), 500.0);
    /// ```
    pub fn capacity(&self) -> f64 {
        self.shared.rules.capacity as f64 / 1_000.0
    }

    /// Applies `change` to the tokens atomically; `None` from `change` leaves them as they are
    /// and is returned as `Err`.
    fn update(&self, change: impl Fn(u64) -> Option<u64>) -> Result<u64, u64> {
        let tokens = &self.shared.tokens;
        let mut current = tokens.load(Ordering::Acquire);
        loop {
            let new = change(current).ok_or(current)?;
            match tokens.compare_exchange_weak(current, new, Ordering::AcqRel, Ordering::Acquire) {
                Ok(old) => return Ok(old),
                Err(actual) => current = actual,
            }
        }
    }

    fn put(&self, amount: u64) {
        let capacity = self.shared.rules.capacity;
        if amount > 0 {
            let _ = self.update(|t| (t < capacity).then(|| t.saturating_add(amount).min(capacity)));
        }
    }
}

impl fmt::Debug for TokenBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBucket")
            .field("tokens", &self.tokens())
            .field("rules", &self.shared.rules)
            .finish()
    }
}

impl Budget for TokenBucket {
    fn on_call(&self, _now: Instant) {}

    fn on_failure(&self, _cause: RetryCause, _now: Instant) {
        let cost = self.shared.rules.failure;
        if cost > 0 {
            let _ = self.update(|t| (t > 0).then(|| t.saturating_sub(cost)));
        }
    }

    fn withdraw(&self, cause: RetryCause, _now: Instant) -> Option<Withdrawal> {
        let rules = &self.shared.rules;
        let cost = rules.cost(cause);
        let allowed = |t: u64| rules.refuse_at_or_below.is_none_or(|floor| t > floor);
        if cost == 0 {
            // gRPC's case: the failure already paid; one load answers.
            let t = self.shared.tokens.load(Ordering::Acquire);
            return allowed(t).then_some(Withdrawal::new(0));
        }
        self.update(|t| (allowed(t) && t >= cost).then(|| t - cost))
            .ok()
            .map(|_| Withdrawal::new(cost))
    }

    fn refund(&self, granted: Withdrawal, _now: Instant) {
        self.put(granted.amount());
    }

    fn on_success(&self, last: Option<Withdrawal>, _now: Instant) {
        let rules = &self.shared.rules;
        match last {
            Some(paid) if rules.refund_retry_cost => self.put(paid.amount()),
            _ => self.put(rules.success_reward),
        }
    }
}
