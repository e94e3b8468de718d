//! gRPC status codes in a file: by name (any case, as gRPC accepts) or by number, printed back
//! by name. Read by the gRPC importer and by the `retryable-status-codes` key.

use super::error::ConfigError;
use super::values::{kind, whole};
use serde_json::Value;

/// gRPC's status codes, by number.
const CODES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// The name of a status code known to be valid (one of `CODES`).
pub(crate) fn code_name(code: i32) -> &'static str {
    usize::try_from(code)
        .ok()
        .and_then(|i| CODES.get(i))
        .copied()
        .unwrap_or("UNKNOWN")
}

/// A status code by name (any case, as gRPC accepts) or number, `OK` excepted (a success is
/// never retried).
pub(crate) fn status_code(value: &Value, path: &str) -> Result<i32, ConfigError> {
    let code = match value {
        Value::String(name) => CODES
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
            .map(|i| i as i32)
            .ok_or_else(|| {
                ConfigError::new(
                    path,
                    format!("unknown status code \"{name}\" (expected a name such as UNAVAILABLE, or a number from 1 to 16)"),
                )
            })?,
        Value::Number(_) => {
            let n = whole(value, path)?;
            if !(0..=16).contains(&n) {
                return Err(ConfigError::new(path, format!("must be a status code from 1 to 16, got {n}")));
            }
            n as i32
        }
        other => {
            return Err(ConfigError::new(
                path,
                format!("must be a status code's name or number, got {}", kind(other)),
            ));
        }
    };
    if code == 0 {
        return Err(ConfigError::new(
            path,
            "must not be OK (a success is never retried)",
        ));
    }
    Ok(code)
}
