//! A [`PolicySpec`] back into the file's tree of values: what the file gave, durations in the
//! command's grammar, so that reading the output gives the same spec.

use super::PolicySpec;
use super::budget::{BUCKET_RULES, BudgetKind};
use super::status_codes::code_name;
use crate::Jitter;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The whole document: the top level, then its services; keys in alphabetical order in every
/// table, whatever order `serde_json`'s maps keep (its `preserve_order` feature may be on).
pub(crate) fn document(spec: &PolicySpec) -> Value {
    let mut t = policy(spec);
    for (key, value) in &spec.command {
        t.insert(key.clone(), value.clone());
    }
    let mut t = sorted(t);
    if !spec.services.is_empty() {
        let services = spec
            .services
            .iter()
            .map(|(name, s)| (name.clone(), Value::Object(sorted(policy(s)))))
            .collect();
        t.insert("services".into(), Value::Object(services));
    }
    Value::Object(t)
}

fn sorted(table: Map<String, Value>) -> Map<String, Value> {
    let ordered: BTreeMap<String, Value> = table.into_iter().collect();
    ordered.into_iter().collect()
}

fn policy(spec: &PolicySpec) -> Map<String, Value> {
    let mut t = Map::new();
    let mut put = |key: &str, value: Value| {
        t.insert(key.to_string(), value);
    };
    let s = &spec.strategy;
    if let Some(w) = s.wait {
        put("wait", w.name().into());
    }
    if let Some(list) = &s.intervals {
        put("intervals", list.iter().map(|d| text(*d)).collect());
    }
    if let Some(b) = s.base {
        put("base", b.into());
    }
    let durations = [
        ("factor", s.factor),
        ("max-value", s.max_value),
        ("interval", s.interval),
        ("step", s.step),
        ("min-value", s.min_value),
        ("max-time", spec.max_time),
        ("attempt-timeout", spec.attempt_timeout),
        ("max-server-wait", spec.max_server_wait),
    ];
    for (key, d) in durations {
        if let Some(d) = d {
            put(key, text(d));
        }
    }
    if let Some(f) = s.decay_factor {
        put("decay-factor", f.into());
    }
    if let Some(j) = spec.jitter {
        put("jitter", jitter(j).into());
    }
    if let Some(n) = spec.max_tries {
        put("max-tries", n.get().into());
    }
    if let (Some(b), false) = (&spec.budget, spec.budget_inherited) {
        put("budget", budget(b.kind));
    }
    if let Some((delay, n)) = spec.hedge {
        let mut h = Map::new();
        h.insert("delay".into(), text(delay));
        h.insert("max-in-flight".into(), n.get().into());
        put("hedge", Value::Object(h));
    }
    if let Some(name) = &spec.name {
        put("name", name.clone().into());
    }
    if let Some(seed) = spec.seed {
        put("seed", seed.into());
    }
    if let Some(codes) = &spec.status_codes {
        put(
            "retryable-status-codes",
            codes.iter().map(|c| Value::from(code_name(*c))).collect(),
        );
    }
    t
}

fn budget(kind: BudgetKind) -> Value {
    let mut t = Map::new();
    match kind {
        BudgetKind::AwsStandard => return "aws-standard".into(),
        BudgetKind::Aws2026 => return "aws-2026".into(),
        BudgetKind::Ratio {
            percent,
            min_rate,
            window,
        } => {
            t.insert("type".into(), "ratio".into());
            t.insert("percent".into(), percent.into());
            t.insert("min-rate".into(), min_rate.into());
            t.insert("window".into(), text(window));
        }
        BudgetKind::Bucket(rules) => {
            t.insert("type".into(), "bucket".into());
            t.insert("capacity".into(), rules.capacity.into());
            for (rule, amount) in BUCKET_RULES.iter().zip(rules.amounts) {
                if let Some(x) = amount {
                    t.insert((*rule).into(), x.into());
                }
            }
            if let Some(refund) = rules.refund_retry_cost {
                t.insert("refund-retry-cost".into(), refund.into());
            }
        }
        BudgetKind::Grpc {
            max_tokens,
            token_ratio,
        } => {
            t.insert("type".into(), "grpc".into());
            t.insert("max-tokens".into(), max_tokens.into());
            t.insert("token-ratio".into(), token_ratio.into());
        }
    }
    Value::Object(t)
}

pub(crate) fn jitter(j: Jitter) -> String {
    match j {
        Jitter::Full => "full".into(),
        Jitter::None => "none".into(),
        Jitter::Equal => "equal".into(),
        Jitter::Random => "random".into(),
        Jitter::Proportional(f) => format!("proportional={f}"),
        // `Jitter` is non-exhaustive; a file cannot name a newer kind yet.
        other => format!("{other:?}"),
    }
}

/// A duration in the largest unit that keeps it exact: `"1s"`, `"100ms"`, `"1500us"`.
pub(crate) fn text(d: Duration) -> Value {
    let n = d.as_nanos();
    let s = if n == 0 {
        "0s".to_string()
    } else if n % 1_000_000_000 == 0 {
        format!("{}s", n / 1_000_000_000)
    } else if n % 1_000_000 == 0 {
        format!("{}ms", n / 1_000_000)
    } else if n % 1_000 == 0 {
        format!("{}us", n / 1_000)
    } else {
        format!("{n}ns")
    };
    Value::String(s)
}
