//! Reading a policy file (already parsed into a tree of values) into a [`PolicySpec`], with
//! every check of the builders and an error that names the field's path.

use super::PolicySpec;
use super::budget::{
    BUCKET_RULES, BucketRules, BudgetKind, GRPC_DEFAULT, PRESETS, RATIO_DEFAULT, SharedBudget,
};
use super::error::{ConfigError, join};
use super::status_codes::status_code;
use super::strategy::WaitName;
use super::values::{duration, kind, list, number, string, table, unknown, whole, whole_in};
use crate::wait::params;
use serde_json::{Map, Value};
use std::time::Duration;

/// The keys of a policy table, as the command spells its long options.
pub(crate) const KEYS: &[&str] = &[
    "wait",
    "intervals",
    "base",
    "factor",
    "max-value",
    "interval",
    "step",
    "decay-factor",
    "min-value",
    "jitter",
    "max-tries",
    "max-time",
    "attempt-timeout",
    "max-server-wait",
    "budget",
    "budget-min-rate",
    "budget-window",
    "hedge",
    "name",
    "seed",
    "retryable-status-codes",
    "services",
];

/// A whole file: the top-level policy and its `services`.
pub(crate) fn document(root: &Value) -> Result<PolicySpec, ConfigError> {
    let top_table = table(root, "")?;
    let mut top = policy(top_table, "")?;
    if let Some(services) = top_table.get("services") {
        for (name, value) in table(services, "services")? {
            let path = join("services", name);
            let mut service = policy(table(value, &path)?, &path)?;
            // A service without a budget of its own shares the top level's (gRPC throttles
            // per server, across its services and methods).
            if service.budget.is_none() && top.budget.is_some() {
                service.budget = top.budget.clone();
                service.budget_inherited = true;
            }
            top.services.insert(name.clone(), service);
        }
    }
    Ok(top)
}

/// One policy table; `services` is read by [`document`] (at the top level only).
fn policy(t: &Map<String, Value>, path: &str) -> Result<PolicySpec, ConfigError> {
    let mut spec = PolicySpec::default();
    let mut budget = None;
    let mut budget_min_rate = None;
    let mut budget_window = None;
    for (key, value) in t {
        let p = join(path, key);
        let s = &mut spec.strategy;
        match key.as_str() {
            "wait" => {
                let name = string(value, &p)?;
                let names: Vec<&str> = WaitName::ALL.iter().map(|w| w.name()).collect();
                s.wait = Some(WaitName::from_name(name).ok_or_else(|| {
                    ConfigError::new(
                        &p,
                        format!(
                            "unknown strategy \"{name}\" (expected one of: {})",
                            names.join(", ")
                        ),
                    )
                })?);
            }
            "intervals" => {
                let items = list(value, &p)?;
                let waits = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| duration(v, &format!("{p}[{i}]")))
                    .collect::<Result<_, _>>()?;
                s.intervals = Some(waits);
            }
            "base" => s.base = Some(number(value, &p)?),
            "factor" => s.factor = Some(duration(value, &p)?),
            "max-value" => s.max_value = Some(duration(value, &p)?),
            "interval" => s.interval = Some(duration(value, &p)?),
            "step" => s.step = Some(duration(value, &p)?),
            "decay-factor" => s.decay_factor = Some(number(value, &p)?),
            "min-value" => s.min_value = Some(duration(value, &p)?),
            "jitter" => spec.jitter = Some(jitter(value, &p)?),
            "max-tries" => {
                let n = whole(value, &p)?;
                spec.max_tries = Some(params::max_tries(n).map_err(|e| ConfigError::param(&p, e))?);
            }
            "max-time" => {
                let d = duration(value, &p)?;
                if d.is_zero() {
                    // The command reads 0 as "no limit", the builder as "one attempt": a file
                    // that serves both must not mean either silently.
                    return Err(ConfigError::new(
                        &p,
                        "must be greater than zero (leave the key out for no limit)",
                    ));
                }
                spec.max_time = Some(d);
            }
            "attempt-timeout" => {
                let d = duration(value, &p)?;
                spec.attempt_timeout =
                    Some(params::attempt_timeout(d).map_err(|e| ConfigError::param(&p, e))?);
            }
            "max-server-wait" => spec.max_server_wait = Some(duration(value, &p)?),
            "budget" => budget = Some(value),
            "budget-min-rate" => {
                budget_min_rate = Some(whole_in(
                    value,
                    &p,
                    u64::from(u32::MAX),
                    "a whole number from 0 to 4294967295",
                )? as u32);
            }
            "budget-window" => budget_window = Some(duration(value, &p)?),
            "hedge" => spec.hedge = Some(hedge(value, &p)?),
            "name" => spec.name = Some(string(value, &p)?.to_string()),
            // TOML's integers are signed 64-bit: a larger seed could not be printed back.
            "seed" => {
                let max = i64::MAX as u64;
                let allowed = "a whole number from 0 to 9223372036854775807";
                spec.seed = Some(whole_in(value, &p, max, allowed)?);
            }
            "retryable-status-codes" => {
                let codes = list(value, &p)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| status_code(v, &format!("{p}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                spec.status_codes = Some(codes);
            }
            "services" if path.is_empty() => {}
            "services" => {
                return Err(ConfigError::new(
                    &p,
                    "services are named at the top level only",
                ));
            }
            _ => return Err(unknown(&p, KEYS)),
        }
    }
    spec.wait = spec.strategy.strategy(path)?;
    spec.budget = budget_of(budget, budget_min_rate, budget_window, path)?;
    Ok(spec)
}

/// `jitter`: the command's words, `full`, `none`, `equal`, `random`, `proportional=F`.
pub(crate) fn jitter(value: &Value, path: &str) -> Result<crate::Jitter, ConfigError> {
    use crate::Jitter;
    let text = string(value, path)?;
    let bad = || {
        ConfigError::new(
            path,
            format!(
                "unknown jitter \"{text}\" (expected full, none, equal, random or proportional=F with F in [0, 1])"
            ),
        )
    };
    Ok(match text {
        "full" => Jitter::Full,
        "none" => Jitter::None,
        "equal" => Jitter::Equal,
        "random" => Jitter::Random,
        _ => {
            let f = text.strip_prefix("proportional=").ok_or_else(bad)?;
            let f: f64 = f.trim().parse().map_err(|_| bad())?;
            Jitter::Proportional(
                params::proportional_jitter(f).map_err(|e| ConfigError::param(path, e))?,
            )
        }
    })
}

/// `hedge = { delay = "100ms", max-in-flight = 3 }`.
fn hedge(value: &Value, path: &str) -> Result<(Duration, std::num::NonZeroU32), ConfigError> {
    let t = table(value, path)?;
    let mut delay = None;
    let mut in_flight = None;
    for (key, v) in t {
        let p = join(path, key);
        match key.as_str() {
            "delay" => delay = Some(duration(v, &p)?),
            "max-in-flight" => {
                let n = whole_in(
                    v,
                    &p,
                    u64::from(u32::MAX),
                    "a whole number from 1 to 4294967295",
                )?;
                in_flight =
                    Some(params::hedge_in_flight(n as u32).map_err(|e| ConfigError::param(&p, e))?);
            }
            _ => return Err(unknown(&p, &["delay", "max-in-flight"])),
        }
    }
    match (delay, in_flight) {
        (Some(d), Some(n)) => Ok((d, n)),
        (None, _) => Err(ConfigError::new(join(path, "delay"), "is required")),
        (_, None) => Err(ConfigError::new(join(path, "max-in-flight"), "is required")),
    }
}

/// `budget`, with the command's `budget-min-rate` and `budget-window` for a ratio budget.
fn budget_of(
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
