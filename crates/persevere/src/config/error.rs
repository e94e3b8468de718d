//! `ConfigError`: what is wrong in a policy file or an imported setting, and where.

use persevere_wait::params::ParamError;
use std::fmt;

/// A value in a policy file (or an imported gRPC service config or AWS setting) that persevere
/// refuses: the path of its field and what is allowed.
///
/// The message reads `path: what is wrong`, with the field's path as the file spells it
/// (`services.inventory.max-tries`, `methodConfig[0].retryPolicy.maxAttempts`,
/// `AWS_MAX_ATTEMPTS`); a file that is not TOML or JSON at all has an empty path.
///
/// ```
/// use persevere::config::PolicySpec;
///
/// let err = PolicySpec::from_toml("[services.inventory]\nmax-tries = 0").unwrap_err();
/// assert_eq!(err.path(), "services.inventory.max-tries");
/// assert_eq!(
///     err.to_string(),
///     "services.inventory.max-tries: must be at least 1 (it counts every attempt, the first included), got 0"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    path: String,
    message: String,
}

impl ConfigError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A parameter check's error, re-worded for the field at `path` (the check names the
    /// builder's parameter; the file names its own key).
    pub(crate) fn param(path: impl Into<String>, error: ParamError) -> Self {
        let message = match error {
            ParamError::OutOfRange { allowed, got, .. } => format!("must be {allowed}, got {got}"),
            ParamError::Order {
                lower_value,
                upper_value,
                ..
            } => format!("({lower_value:?}) must not be greater than the cap ({upper_value:?})"),
            other => other.to_string(),
        };
        ConfigError::new(path, message)
    }

    /// The path of the offending field; empty when the text is not TOML or JSON at all.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong and what is allowed, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// A child's path: `parent.key`, or `key` at the top.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}
