//! The retry budgets of the outage scenario: none, or one of persevere's, shared by every
//! client (as a fleet-wide budget would be).

use persevere::budget::{Budget, RatioBudget, TokenBucket};
use std::fmt;

/// A budget the clients of the outage scenario share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BudgetKind {
    /// No budget: every failure the policy allows is retried.
    None,
    /// `RatioBudget::default()`: 20 % of the calls, plus 10 retries a second, over 10 s.
    Ratio,
    /// `TokenBucket::aws_standard()`: 500 tokens, 5 per retry, 1 back per first-try success.
    AwsStandard,
    /// `TokenBucket::grpc(GRPC_MAX_TOKENS, GRPC_TOKEN_RATIO)`.
    Grpc,
}

/// gRFC A6's example gives each client channel `maxTokens` 10; the scenario's 100 clients
/// share one bucket, so it holds 100 × 10 = 1000 tokens (also A6's maximum).
pub const GRPC_MAX_TOKENS: f64 = 1_000.0;

/// A6's example ratio, kept: a success earns 0.1 token and a failed attempt costs 1, so the
/// bucket drains once more than about 1 attempt in 11 fails.
pub const GRPC_TOKEN_RATIO: f64 = 0.1;

impl BudgetKind {
    /// All four, in the order of the tables.
    pub const ALL: [BudgetKind; 4] = [
        BudgetKind::None,
        BudgetKind::Ratio,
        BudgetKind::AwsStandard,
        BudgetKind::Grpc,
    ];

    /// The name used in CSV files and plots.
    pub fn name(self) -> &'static str {
        match self {
            BudgetKind::None => "none",
            BudgetKind::Ratio => "ratio",
            BudgetKind::AwsStandard => "aws_standard",
            BudgetKind::Grpc => "grpc",
        }
    }

    /// The budget's colour in the plots.
    pub fn color(self) -> &'static str {
        match self {
            BudgetKind::None => "#7f7f7f",
            BudgetKind::Ratio => "#1f77b4",
            BudgetKind::AwsStandard => "#ff7f0e",
            BudgetKind::Grpc => "#2ca02c",
        }
    }

    /// How persevere builds it, for the page.
    pub fn code(self) -> &'static str {
        match self {
            BudgetKind::None => "(none)",
            BudgetKind::Ratio => "`RatioBudget::default()`",
            BudgetKind::AwsStandard => "`TokenBucket::aws_standard()`",
            BudgetKind::Grpc => "`TokenBucket::grpc(1000.0, 0.1)`",
        }
    }

    /// A fresh budget for one run, or `None` for no budget.
    ///
    /// ```
    /// use persevere_sim::budgets::BudgetKind;
    ///
    /// assert!(BudgetKind::None.budget().is_none());
    /// assert!(BudgetKind::ALL[1..].iter().all(|b| b.budget().is_some()));
    /// ```
    pub fn budget(self) -> Option<Box<dyn Budget>> {
        match self {
            BudgetKind::None => None,
            BudgetKind::Ratio => Some(Box::new(RatioBudget::default())),
            BudgetKind::AwsStandard => Some(Box::new(TokenBucket::aws_standard())),
            BudgetKind::Grpc => Some(Box::new(TokenBucket::grpc(
                GRPC_MAX_TOKENS,
                GRPC_TOKEN_RATIO,
            ))),
        }
    }
}

impl fmt::Display for BudgetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
