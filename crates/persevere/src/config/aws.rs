//! The AWS SDKs' retry settings into a [`PolicySpec`]: `AWS_RETRY_MODE` / `retry_mode` and
//! `AWS_MAX_ATTEMPTS` / `max_attempts`, mapped onto persevere's presets.

use super::PolicySpec;
use super::budget::{BudgetKind, SharedBudget};
use super::error::ConfigError;
use super::strategy::{StrategyKeys, WaitName};
use crate::Jitter;
use crate::wait::params;
use std::num::NonZeroU32;
use std::time::Duration;

/// The retry modes of the AWS SDKs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Legacy,
    Standard,
    Adaptive,
}

/// `max_attempts` in `standard` and `adaptive` mode when none is set (botocore
/// `DEFAULT_MAX_ATTEMPTS`, the AWS SDKs' documented default).
const STANDARD_MAX_ATTEMPTS: u32 = 3;

/// `max_attempts` in `legacy` mode when none is set: legacy defaults differ by SDK (Java 4,
/// C++ 11); 5 is botocore's and the AWS CLI's (4 retries).
const LEGACY_MAX_ATTEMPTS: u32 = 5;

/// Retries 2.1's base for failures other than throttling (50 ms; throttling keeps 1 s, a
/// difference by cause that one strategy cannot make: the transient base is the common case).
const REVISED_BASE: Duration = Duration::from_millis(50);

/// The standard mode's `MAX_BACKOFF`.
const MAX_BACKOFF: Duration = Duration::from_secs(20);

fn mode(text: &str, path: &str) -> Result<Mode, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "legacy" => Ok(Mode::Legacy),
        "standard" => Ok(Mode::Standard),
        "adaptive" => Ok(Mode::Adaptive),
        _ => Err(ConfigError::new(
            path,
            format!("unknown retry mode \"{text}\" (expected legacy, standard or adaptive)"),
        )),
    }
}

fn attempts(text: &str, path: &str) -> Result<NonZeroU32, ConfigError> {
    let n: i128 = text.trim().parse().map_err(|_| {
        ConfigError::new(
            path,
            format!("must be a whole number of at least 1, got \"{text}\""),
        )
    })?;
    params::max_tries(n).map_err(|e| ConfigError::param(path, e))
}

/// The `key = value` settings of `[default]` (or `[profile NAME]`) in an AWS config file,
/// with the section's name for error paths.
fn profile_settings<'t>(file: &'t str, profile: &str) -> (String, Vec<(&'t str, &'t str)>) {
    let wanted = if profile == "default" {
        vec!["default".to_string(), "profile default".to_string()]
    } else {
        vec![format!("profile {profile}")]
    };
    let mut inside = false;
    let mut settings = Vec::new();
    for line in file.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(section) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
            inside = wanted.contains(&section);
            continue;
        }
        // An indented line belongs to a nested setting (`s3 =` and its lines).
        if inside && !line.starts_with([' ', '\t']) {
            if let Some((key, value)) = trimmed.split_once('=') {
                settings.push((key.trim(), value.trim()));
            }
        }
    }
    (format!("[{}]", wanted[wanted.len() - 1]), settings)
}

impl PolicySpec {
    /// The AWS SDKs' retry settings as a spec: `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS` from
    /// `env` (a lookup such as `|k| std::env::var(k).ok()`), else `retry_mode` and
    /// `max_attempts` in the profile (`AWS_PROFILE`, else `default`) of `config_file` (the
    /// text of `~/.aws/config`), as the SDKs resolve them (the environment wins).
    ///
    /// | mode | max tries (unless set) | waits | budget |
    /// |---|---|---|---|
    /// | `standard` (also when no mode is set, the SDKs' 2026 default) | 3 | `expo`, 1 s base 2, capped at 20 s, full jitter | `aws-standard` |
    /// | `adaptive` | 3 | as standard | `aws-standard` |
    /// | `legacy` | 5 (botocore and the AWS CLI; other SDKs differ) | as standard | none |
    ///
    /// With `AWS_NEW_RETRIES_2026=true` (the SDKs' "retries 2.1", opt-in in 2026), `standard`
    /// and `adaptive` use the revised quota (`aws-2026`: 14 tokens a retry, 5 after
    /// throttling) and a 50 ms first wait; an explicit `legacy` is unchanged.
    ///
    /// `adaptive` is `standard` plus a client-side rate limiter (CUBIC) that slows every
    /// request, first attempts included, after the service throttles. persevere has no such
    /// limiter yet, so `adaptive` maps to `standard`: the same attempts, waits and retry quota,
    /// without the slowing of first attempts. `max_attempts` counts every attempt, as
    /// `max-tries` does (1 means no retry).
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let env = |key: &str| (key == "AWS_MAX_ATTEMPTS").then(|| "4".to_string());
    /// let file = "[default]\nretry_mode = legacy\nmax_attempts = 2\n";
    /// let spec = PolicySpec::from_aws(env, Some(file))?;
    /// assert_eq!(spec.max_tries(), Some(4)); // the environment wins
    ///
    /// let bad = PolicySpec::from_aws(|k: &str| (k == "AWS_RETRY_MODE").then(|| "fast".into()), None);
    /// assert_eq!(bad.unwrap_err().to_string(),
    ///     "AWS_RETRY_MODE: unknown retry mode \"fast\" (expected legacy, standard or adaptive)");
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn from_aws(
        env: impl Fn(&str) -> Option<String>,
        config_file: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".to_string());
        let (section, settings) = config_file.map_or((String::new(), Vec::new()), |f| {
            profile_settings(f, &profile)
        });
        let from_file = |key: &str| {
            settings
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (v.to_string(), format!("{section}.{key}")))
        };
        let setting = |var: &str, key: &str| {
            env(var)
                .map(|v| (v, var.to_string()))
                .or_else(|| from_file(key))
        };
        let mode = match setting("AWS_RETRY_MODE", "retry_mode") {
            Some((text, path)) => mode(&text, &path)?,
            None => Mode::Standard,
        };
        let max_tries = match setting("AWS_MAX_ATTEMPTS", "max_attempts") {
            Some((text, path)) => attempts(&text, &path)?,
            None if mode == Mode::Legacy => {
                NonZeroU32::new(LEGACY_MAX_ATTEMPTS).unwrap_or(NonZeroU32::MIN)
            }
            None => NonZeroU32::new(STANDARD_MAX_ATTEMPTS).unwrap_or(NonZeroU32::MIN),
        };
        // Retries 2.1 changes standard mode only; an explicit legacy mode keeps its rules.
        let revised = mode != Mode::Legacy
            && env("AWS_NEW_RETRIES_2026").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        // Standard mode's backoff: rand(0, 1) * min(base * 2^(attempt - 1), 20) seconds.
        let strategy = StrategyKeys {
            wait: Some(WaitName::Expo),
            base: Some(2.0),
            factor: Some(if revised {
                REVISED_BASE
            } else {
                Duration::from_secs(1)
            }),
            max_value: Some(MAX_BACKOFF),
            ..StrategyKeys::default()
        };
        let budget = match (mode, revised) {
            (Mode::Legacy, _) => None,
            (_, false) => Some(SharedBudget::new(BudgetKind::AwsStandard, "budget")?),
            (_, true) => Some(SharedBudget::new(BudgetKind::Aws2026, "budget")?),
        };
        Ok(PolicySpec {
            wait: strategy.strategy("")?,
            strategy,
            jitter: Some(Jitter::Full),
            max_tries: Some(max_tries),
            budget,
            ..PolicySpec::default()
        })
    }
}
