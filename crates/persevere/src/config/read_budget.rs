//! Reading the `budget` key of a policy table: a preset's name, a percentage, or a table with
//! a `type` and its parameters; and the command's `budget-min-rate` and `budget-window`.

use super::budget::{
    BUCKET_RULES, BucketRules, BudgetKind, GRPC_DEFAULT, PRESETS, RATIO_DEFAULT, SharedBudget,
};
use super::error::{ConfigError, join};
use super::values::{duration, kind, number, string, unknown, whole_in};
use serde_json::{Map, Value};
use std::time::Duration;

/// `budget`, with the command's `budget-min-rate` and `budget-window` for a ratio budget.
pub(crate) fn budget_of(
    value: Option<&Value>,
    min_rate: Option<u32>,
    window: Option<Duration>,
    path: &str,
) -> Result<Option<SharedBudget>, ConfigError> {
    let p = join(path, "budget");
    let Some(value) = value else {
        if min_rate.is_some() || window.is_some() {
            let key = if min_rate.is_some() {
                "budget-min-rate"
            } else {
                "budget-window"
            };
            return Err(ConfigError::new(
                join(path, key),
                "needs a ratio `budget` (such as \"20%\")",
            ));
        }
        return Ok(None);
    };
    let mut kind = match value {
        Value::String(name) => preset(name, &p)?,
        Value::Object(t) => budget_table(t, &p)?,
        other => {
            return Err(ConfigError::new(
                &p,
                format!(
                    "must be {PRESETS}, or a table with a `type`, got {}",
                    kind(other)
                ),
            ));
        }
    };
    if let BudgetKind::Ratio {
        min_rate: m,
        window: w,
        ..
    } = &mut kind
    {
        *m = min_rate.unwrap_or(*m);
        *w = window.unwrap_or(*w);
    } else if min_rate.is_some() || window.is_some() {
        let key = if min_rate.is_some() {
            "budget-min-rate"
        } else {
            "budget-window"
        };
        return Err(ConfigError::new(
            join(path, key),
            "applies to a ratio budget only",
        ));
    }
    SharedBudget::new(kind, &p).map(Some)
}

fn preset(name: &str, path: &str) -> Result<BudgetKind, ConfigError> {
    Ok(match name {
        "ratio" => RATIO_DEFAULT,
        "aws-standard" => BudgetKind::AwsStandard,
        "aws-2026" => BudgetKind::Aws2026,
        "grpc" => GRPC_DEFAULT,
        "bucket" => {
            return Err(ConfigError::new(
                path,
                "a bucket needs its rules: budget = { type = \"bucket\", capacity = 100, retry-cost = 1 }",
            ));
        }
        _ => match name.strip_suffix('%').map(|n| n.trim().parse::<f64>()) {
            Some(Ok(percent)) => match RATIO_DEFAULT {
                BudgetKind::Ratio {
                    min_rate, window, ..
                } => BudgetKind::Ratio {
                    percent: percent / 100.0,
                    min_rate,
                    window,
                },
                other => other,
            },
            _ => {
                return Err(ConfigError::new(
                    path,
                    format!("unknown budget \"{name}\" (expected {PRESETS})"),
                ));
            }
        },
    })
}

/// `budget = { type = "ratio", percent = 0.2, min-rate = 10, window = "10s" }` or
/// `{ type = "grpc", max-tokens = 10, token-ratio = 0.1 }` (or a preset's name as `type`).
fn budget_table(t: &Map<String, Value>, path: &str) -> Result<BudgetKind, ConfigError> {
    let type_path = join(path, "type");
    let name = match t.get("type") {
        Some(v) => string(v, &type_path)?,
        None => {
            return Err(ConfigError::new(
                type_path,
                format!("is required ({PRESETS})"),
            ));
        }
    };
    let mut kind = if name == "bucket" {
        let capacity = match t.get("capacity") {
            Some(v) => number(v, &join(path, "capacity"))?,
            None => return Err(ConfigError::new(join(path, "capacity"), "is required")),
        };
        BudgetKind::Bucket(BucketRules {
            capacity,
            amounts: [None; 8],
            refund_retry_cost: None,
        })
    } else {
        preset(name, &type_path)?
    };
    for (key, v) in t {
        let p = join(path, key);
        match (&mut kind, key.as_str()) {
            (_, "type") => {}
            (BudgetKind::Ratio { percent, .. }, "percent") => {
                *percent = match v {
                    Value::String(s) => {
                        match s.strip_suffix('%').map(|n| n.trim().parse::<f64>()) {
                            Some(Ok(n)) => n / 100.0,
                            _ => {
                                return Err(ConfigError::new(
                                    &p,
                                    format!(
                                        "must be a fraction (0.2) or a percentage (\"20%\"), got \"{s}\""
                                    ),
                                ));
                            }
                        }
                    }
                    _ => number(v, &p)?,
                };
            }
            (BudgetKind::Ratio { min_rate, .. }, "min-rate") => {
                *min_rate = whole_in(
                    v,
                    &p,
                    u64::from(u32::MAX),
                    "a whole number from 0 to 4294967295",
                )? as u32;
            }
            (BudgetKind::Ratio { window, .. }, "window") => *window = duration(v, &p)?,
            (BudgetKind::Grpc { max_tokens, .. }, "max-tokens") => *max_tokens = number(v, &p)?,
            (BudgetKind::Grpc { token_ratio, .. }, "token-ratio") => *token_ratio = number(v, &p)?,
            (BudgetKind::Bucket(_), "capacity") => {}
            (BudgetKind::Bucket(rules), "refund-retry-cost") => {
                rules.refund_retry_cost = Some(v.as_bool().ok_or_else(|| {
                    ConfigError::new(
                        &p,
                        format!("must be true or false, got {}", super::values::kind(v)),
                    )
                })?);
            }
            (BudgetKind::Bucket(rules), rule) if BUCKET_RULES.contains(&rule) => {
                let i = BUCKET_RULES.iter().position(|r| *r == rule).unwrap_or(0);
                rules.amounts[i] = Some(number(v, &p)?);
            }
            (BudgetKind::Bucket(_), _) => {
                let mut keys = vec!["type", "capacity", "refund-retry-cost"];
                keys.extend(BUCKET_RULES);
                return Err(unknown(&p, &keys));
            }
            (BudgetKind::Ratio { .. }, _) => {
                return Err(unknown(&p, &["type", "percent", "min-rate", "window"]));
            }
            (BudgetKind::Grpc { .. }, _) => {
                return Err(unknown(&p, &["type", "max-tokens", "token-ratio"]));
            }
            (_, _) => return Err(unknown(&p, &["type"])),
        }
    }
    Ok(kind)
}
