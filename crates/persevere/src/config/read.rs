//! Reading a policy file (already parsed into a tree of values) into a [`PolicySpec`], with
//! every check of the builders and an error that names the field's path.

use super::PolicySpec;
use super::error::{ConfigError, join};
use super::read_budget::budget_of;
use super::status_codes::status_code;
use super::strategy::WaitName;
use super::values::{duration, list, number, string, table, unknown, whole, whole_in};
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

/// The keys only the command has (its long option names that say how to run a process, not
/// how to retry a call): accepted at a file's top level so that one file serves the library
/// and the command, kept as given (printed back by `to_toml`), and otherwise ignored by the
/// library. `--timeout` is `attempt-timeout` in a file (the command takes both names).
pub(crate) const COMMAND_KEYS: &[&str] = &[
    "forever",
    "retry-on-exit",
    "stop-on-exit",
    "retry-on-sigpipe",
    "retry-if-output",
    "until-output",
    "signal",
    "kill-after",
    "preserve-status",
    "cleanup-on-success",
    "hold-stdout",
    "hold-limit",
    "replay-stdin",
    "quiet",
    "verbose",
    "report",
    "budget-store",
    "budget-name",
    "budget-unreachable",
    "breaker",
    "breaker-failures",
    "breaker-calls",
    "breaker-open",
    "breaker-probes",
    "breaker-store",
    "breaker-unreachable",
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
            command if COMMAND_KEYS.contains(&command) => {
                if !path.is_empty() {
                    return Err(ConfigError::new(
                        &p,
                        "is an option of the command: at the top level only",
                    ));
                }
                spec.command.insert(key.clone(), value.clone());
            }
            "timeout" => {
                return Err(ConfigError::new(
                    &p,
                    "unknown key: a file names the command's --timeout `attempt-timeout`",
                ));
            }
            _ => return Err(unknown_key(&p)),
        }
    }
    spec.wait = spec.strategy.strategy(path)?;
    spec.budget = budget_of(budget, budget_min_rate, budget_window, path)?;
    Ok(spec)
}

/// A key neither the library nor the command knows (a typo is never silently a default).
fn unknown_key(path: &str) -> ConfigError {
    ConfigError::new(
        path,
        format!(
            "unknown key (expected one of: {}; or one of the command's: {})",
            KEYS.join(", "),
            COMMAND_KEYS.join(", ")
        ),
    )
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
