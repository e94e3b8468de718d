//! Reading one value of a file: durations in the command's grammar or as numbers of seconds,
//! numbers, whole numbers, strings, tables and lists, each refused with its path.

use super::error::ConfigError;
use persevere_wait::parse::{self, parse_duration};
use serde_json::{Map, Value};
use std::time::Duration;

/// What a value is, for "expected X, got a list" messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

fn expected(path: &str, what: &str, value: &Value) -> ConfigError {
    ConfigError::new(path, format!("must be {what}, got {}", kind(value)))
}

/// A duration: a string in the command's grammar (`"250ms"`, `"1m30s"`, `"1.5"`) or a number
/// of seconds (`0.25`), never negative.
pub(crate) fn duration(value: &Value, path: &str) -> Result<Duration, ConfigError> {
    let text = match value {
        Value::String(s) => s.clone(),
        // The number's own decimal text, so that 0.1 is exactly 100 ms.
        Value::Number(n) => n.to_string(),
        other => return Err(expected(path, parse::ACCEPTS, other)),
    };
    parse_duration(&text).map_err(|e| {
        ConfigError::new(
            path,
            format!("{} (expected {})", e.describe(&text), parse::ACCEPTS),
        )
    })
}

/// A finite number (an integer or a float).
pub(crate) fn number(value: &Value, path: &str) -> Result<f64, ConfigError> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| ConfigError::new(path, "must be a finite number")),
        other => Err(expected(path, "a number", other)),
    }
}

/// A whole number, as `i128` so that any out-of-range value reaches the range check.
pub(crate) fn whole(value: &Value, path: &str) -> Result<i128, ConfigError> {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(i128::from(u))
            } else {
                Err(ConfigError::new(
                    path,
                    format!("must be a whole number, got {n}"),
                ))
            }
        }
        other => Err(expected(path, "a whole number", other)),
    }
}

/// A whole number in `0..=max`, described as `allowed` in the error.
pub(crate) fn whole_in(
    value: &Value,
    path: &str,
    max: u64,
    allowed: &str,
) -> Result<u64, ConfigError> {
    let n = whole(value, path)?;
    u64::try_from(n)
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| ConfigError::new(path, format!("must be {allowed}, got {n}")))
}

pub(crate) fn string<'v>(value: &'v Value, path: &str) -> Result<&'v str, ConfigError> {
    value
        .as_str()
        .ok_or_else(|| expected(path, "a string", value))
}

pub(crate) fn table<'v>(
    value: &'v Value,
    path: &str,
) -> Result<&'v Map<String, Value>, ConfigError> {
    value
        .as_object()
        .ok_or_else(|| expected(path, "a table", value))
}

pub(crate) fn list<'v>(value: &'v Value, path: &str) -> Result<&'v [Value], ConfigError> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(expected(path, "a list", other)),
    }
}

/// A key the table does not know, with the keys it does.
pub(crate) fn unknown(path: &str, known: &[&str]) -> ConfigError {
    ConfigError::new(
        path,
        format!("unknown key (expected one of: {})", known.join(", ")),
    )
}
