//! The `budget` key: a ratio budget or a token bucket, by preset name or as a table, built
//! once when the file is read so that every policy made from the spec shares it.

use super::error::{ConfigError, join};
use crate::budget::{BudgetError, RatioBudget, TokenBucket};
use std::fmt;
use std::time::Duration;

/// A budget's parameters as the file gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BudgetKind {
    /// [`RatioBudget`]: `percent` of the calls plus `min_rate` per second over `window`.
    Ratio {
        percent: f64,
        min_rate: u32,
        window: Duration,
    },
    /// [`TokenBucket::aws_standard`].
    AwsStandard,
    /// [`TokenBucket::aws_2026`].
    Aws2026,
    /// [`TokenBucket::grpc`] (gRPC's `retryThrottling`).
    Grpc { max_tokens: f64, token_ratio: f64 },
    /// [`TokenBucket::builder`] with rules of one's own.
    Bucket(BucketRules),
}

/// A bucket's rules as the file gives them: `capacity`, and each rule of
/// [`TokenBucketBuilder`](crate::budget::TokenBucketBuilder) left at its default unless given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BucketRules {
    pub(crate) capacity: f64,
    /// The numeric rules, in [`BUCKET_RULES`] order.
    pub(crate) amounts: [Option<f64>; 8],
    pub(crate) refund_retry_cost: Option<bool>,
}

/// The numeric rules of a bucket table, named as the file names them (the builder's method
/// names, in kebab case).
pub(crate) const BUCKET_RULES: [&str; 8] = [
    "initial",
    "retry-cost",
    "timeout-cost",
    "throttling-cost",
    "hedge-cost",
    "failure-cost",
    "success-reward",
    "refuse-at-or-below",
];

impl BucketRules {
    fn try_build(&self) -> Result<TokenBucket, BudgetError> {
        let mut b = TokenBucket::builder(self.capacity);
        for (rule, amount) in BUCKET_RULES.iter().zip(self.amounts) {
            let Some(x) = amount else { continue };
            b = match *rule {
                "initial" => b.initial(x),
                "retry-cost" => b.retry_cost(x),
                "timeout-cost" => b.timeout_cost(x),
                "throttling-cost" => b.throttling_cost(x),
                "hedge-cost" => b.hedge_cost(x),
                "failure-cost" => b.failure_cost(x),
                "success-reward" => b.success_reward(x),
                _ => b.refuse_at_or_below(x),
            };
        }
        if let Some(refund) = self.refund_retry_cost {
            b = b.refund_retry_cost(refund);
        }
        b.try_build()
    }
}

/// The preset names `budget` accepts as a string (or as a table's `type`).
pub(crate) const PRESETS: &str =
    "\"ratio\", \"aws-standard\", \"aws-2026\", \"grpc\", or a percentage such as \"20%\"";

/// `"ratio"`: [`RatioBudget::default`], the command's `--budget` defaults too.
pub(crate) const RATIO_DEFAULT: BudgetKind = BudgetKind::Ratio {
    percent: 0.2,
    min_rate: 10,
    window: Duration::from_secs(10),
};

/// `"grpc"`: A6's own example, `{"maxTokens": 10, "tokenRatio": 0.1}` (gRPC has no default:
/// throttling is off unless the service config sets it).
pub(crate) const GRPC_DEFAULT: BudgetKind = BudgetKind::Grpc {
    max_tokens: 10.0,
    token_ratio: 0.1,
};

/// A budget and the live instance built from it: clones of a spec share the instance.
#[derive(Clone)]
pub(crate) struct SharedBudget {
    pub(crate) kind: BudgetKind,
    pub(crate) instance: Instance,
}

#[derive(Clone)]
pub(crate) enum Instance {
    Ratio(RatioBudget),
    Bucket(TokenBucket),
}

impl fmt::Debug for SharedBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl SharedBudget {
    /// The budget, checked by its own fallible constructor; an error is reported at `path`
    /// (the `budget` key) with the file's name of the parameter.
    pub(crate) fn new(kind: BudgetKind, path: &str) -> Result<Self, ConfigError> {
        let instance = match kind {
            BudgetKind::Ratio {
                percent,
                min_rate,
                window,
            } => Instance::Ratio(
                RatioBudget::try_new(percent, min_rate, window).map_err(|e| at(path, e))?,
            ),
            BudgetKind::AwsStandard => Instance::Bucket(TokenBucket::aws_standard()),
            BudgetKind::Aws2026 => Instance::Bucket(TokenBucket::aws_2026()),
            BudgetKind::Grpc {
                max_tokens,
                token_ratio,
            } => Instance::Bucket(
                TokenBucket::try_grpc(max_tokens, token_ratio).map_err(|e| at(path, e))?,
            ),
            BudgetKind::Bucket(rules) => {
                Instance::Bucket(rules.try_build().map_err(|e| at(path, e))?)
            }
        };
        Ok(SharedBudget { kind, instance })
    }
}

/// A budget constructor's error at the file's key for its parameter.
fn at(path: &str, error: BudgetError) -> ConfigError {
    let key = match error.parameter() {
        "ttl" => "window".to_string(),
        "min_per_sec" => "min-rate".to_string(),
        // The builders' `snake_case` names are the file's `kebab-case` keys.
        other => other.replace('_', "-"),
    };
    let text = error.to_string();
    // The constructor's message starts with its own name of the parameter; the path says it.
    let prefix = format!("`{}` ", error.parameter());
    let message = text.strip_prefix(&prefix).unwrap_or(&text).to_string();
    ConfigError::new(join(path, &key), message)
}
