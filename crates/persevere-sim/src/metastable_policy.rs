//! The client policies of the metastable scenario: how many tries, which of persevere's retry
//! budgets, and whether persevere's adaptive throttle or circuit breaker gates the attempts
//! (all of them the library's own types).

use crate::guards::Guard;
use persevere::breaker::CircuitBreaker;
use persevere::budget::{AdaptiveThrottle, Budget, RatioBudget, TokenBucket};
use persevere::{Jitter, expo};
use std::time::Duration;

use crate::Backoff;
use crate::budgets::{GRPC_MAX_TOKENS, GRPC_TOKEN_RATIO};

/// One of persevere's budget presets, shared by all the calls of the client process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// No budget.
    None,
    /// `RatioBudget::default()`.
    Ratio,
    /// `TokenBucket::aws_standard()`.
    AwsStandard,
    /// `TokenBucket::aws_2026()`.
    Aws2026,
    /// `TokenBucket::grpc(1000.0, 0.1)` (see [`crate::budgets::GRPC_MAX_TOKENS`]).
    Grpc,
}

impl Preset {
    /// A fresh budget for one run.
    pub fn budget(self) -> Option<Box<dyn Budget>> {
        match self {
            Preset::None => None,
            Preset::Ratio => Some(Box::new(RatioBudget::default())),
            Preset::AwsStandard => Some(Box::new(TokenBucket::aws_standard())),
            Preset::Aws2026 => Some(Box::new(TokenBucket::aws_2026())),
            Preset::Grpc => Some(Box::new(TokenBucket::grpc(
                GRPC_MAX_TOKENS,
                GRPC_TOKEN_RATIO,
            ))),
        }
    }
}

/// A client policy: every call of the client process uses it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// The name in the CSV file and the page.
    pub name: &'static str,
    /// Total attempts per request, the first included.
    pub max_tries: u32,
    /// The retry budget the calls share.
    pub budget: Preset,
    /// The window (s) of the SRE adaptive throttle (`AdaptiveThrottle`) gating every
    /// attempt, if any.
    pub throttle: Option<u64>,
    /// The circuit breaker (`CircuitBreaker`) gating every attempt, if any.
    pub breaker: Option<BreakerSettings>,
    /// Recommended: the page and the tests expect it to recover.
    pub recommended: bool,
}

const fn policy(name: &'static str, max_tries: u32, budget: Preset) -> Policy {
    Policy {
        name,
        max_tries,
        budget,
        throttle: None,
        breaker: None,
        recommended: false,
    }
}

impl Policy {
    /// Every policy of the published table, in its order.
    pub const ALL: [Policy; 15] = [
        policy("no_retries", 1, Preset::None),
        policy("naive_3", 3, Preset::None),
        policy("naive_5", 5, Preset::None),
        policy("ratio", 3, Preset::Ratio),
        policy("aws_standard", 3, Preset::AwsStandard),
        policy("aws_2026", 3, Preset::Aws2026),
        policy("grpc", 3, Preset::Grpc),
        Policy {
            throttle: Some(THROTTLE_WINDOW_S),
            ..policy("throttle", 3, Preset::None)
        },
        Policy {
            throttle: Some(THROTTLE_SHORT_WINDOW_S),
            ..policy("throttle_10s", 3, Preset::None)
        },
        Policy {
            breaker: Some(BREAKER),
            ..policy("breaker", 3, Preset::None)
        },
        Policy {
            breaker: Some(BREAKER_5S),
            ..policy("breaker_open_5s", 3, Preset::None)
        },
        Policy {
            throttle: Some(THROTTLE_WINDOW_S),
            recommended: true,
            ..policy("ratio+throttle", 3, Preset::Ratio)
        },
        Policy {
            throttle: Some(THROTTLE_WINDOW_S),
            recommended: true,
            ..policy("aws_standard+throttle", 3, Preset::AwsStandard)
        },
        Policy {
            breaker: Some(BREAKER),
            ..policy("ratio+breaker", 3, Preset::Ratio)
        },
        Policy {
            throttle: Some(THROTTLE_WINDOW_S),
            ..policy("naive_5+throttle", 5, Preset::None)
        },
    ];

    /// A fresh gate for one run, as `.gate(..)` would take it: the throttle (its draws seeded
    /// with `seed`), the breaker, or both as a pair.
    pub fn gate(self, seed: u64) -> Option<Guard> {
        let throttle = self.throttle.map(|w| throttle(w).seed(seed));
        let breaker = self.breaker.map(BreakerSettings::breaker);
        match (throttle, breaker) {
            (Some(t), Some(b)) => Some(Box::new((b, t))),
            (Some(t), None) => Some(Box::new(t)),
            (None, Some(b)) => Some(Box::new(b)),
            (None, None) => None,
        }
    }

    /// The policy named `name` in [`Policy::ALL`].
    pub fn named(name: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name == name)
    }

    /// The plots' colour for the policy.
    pub fn color(self) -> &'static str {
        const COLORS: [&str; 15] = [
            "#7f7f7f", "#d62728", "#8c564b", "#1f77b4", "#ff7f0e", "#bcbd22", "#2ca02c", "#9467bd",
            "#c5b0d5", "#e377c2", "#ad494a", "#17becf", "#393b79", "#637939", "#843c39",
        ];
        let i = Policy::ALL.iter().position(|p| p.name == self.name);
        COLORS[i.unwrap_or(0) % COLORS.len()]
    }
}

/// The throttle's multiplier: the SRE book's K = 2.
pub const THROTTLE_K: f64 = 2.0;
/// The throttle's window: the SRE book's 2 minutes.
pub const THROTTLE_WINDOW_S: u64 = 120;

/// A shorter window for the throttle, to see what the window's length does.
pub const THROTTLE_SHORT_WINDOW_S: u64 = 10;

/// A fresh `AdaptiveThrottle` with the book's K over `window_s` seconds.
pub fn throttle(window_s: u64) -> AdaptiveThrottle {
    AdaptiveThrottle::new(THROTTLE_K, Duration::from_secs(window_s))
}

/// A circuit breaker's settings (see [`CircuitBreaker`]); the others are the library's
/// defaults (slow calls: all of them slower than 60 s, which no attempt here is).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerSettings {
    /// Outcomes the closed breaker keeps (a count window).
    pub window: u32,
    /// Outcomes needed before it may open.
    pub min_calls: u32,
    /// It opens when this share of the window failed.
    pub failure_ratio: f64,
    /// How long it stays open.
    pub open: Duration,
    /// Attempts let through half-open.
    pub probes: u32,
}

impl BreakerSettings {
    /// A fresh, closed `CircuitBreaker` with these settings.
    pub fn breaker(self) -> CircuitBreaker {
        CircuitBreaker::default()
            .count_window(self.window)
            .min_calls(self.min_calls)
            .failure_ratio(self.failure_ratio)
            .open_duration(self.open)
            .half_open_calls(self.probes)
    }
}

/// resilience4j's and recloser's window of 100 calls, at least 100 calls, 50 % failures;
/// recloser's 30 s open (resilience4j: 60 s); resilience4j's 10 half-open probes.
pub const BREAKER: BreakerSettings = BreakerSettings {
    window: 100,
    min_calls: 100,
    failure_ratio: 0.5,
    open: Duration::from_secs(30),
    probes: 10,
};

/// [`BREAKER`] open for 5 s only, Polly v8's default break duration.
pub const BREAKER_5S: BreakerSettings = BreakerSettings {
    open: Duration::from_secs(5),
    ..BREAKER
};

/// The retries' wait: `expo()` from 50 ms (the AWS SDKs' 2026 transient base), doubling, at
/// most 20 s, full jitter.
///
/// ```
/// let mut b = persevere_sim::metastable_policy::backoff(1);
/// assert!(b.next_wait_ms() <= 50.0);
/// assert!(b.next_wait_ms() <= 100.0);
/// ```
pub fn backoff(seed: u64) -> Backoff {
    let wait = expo()
        .factor(Duration::from_millis(50))
        .base(2.0)
        .max_value(Duration::from_secs(20));
    Backoff::new(wait, Jitter::Full, seed)
}
