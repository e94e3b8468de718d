//! The wait strategy of a policy file: the command's keys (`wait`, `intervals`, `base`,
//! `factor`, `max-value`, `interval`, `step`, `decay-factor`, `min-value`), what each applies
//! to, and the strategy they make, with the command's defaults (`persevere --help`).

use super::error::{ConfigError, join};
use crate::wait::{AnyWait, params, try_decay};
use persevere_wait::catalogue::defaults;
use std::time::Duration;

/// The strategies a file can name with `wait` (those whose parameters are all values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitName {
    Expo,
    Fibo,
    Constant,
    Linear,
    Decay,
    Decorrelated,
}

impl WaitName {
    pub(crate) const ALL: [WaitName; 6] = [
        WaitName::Expo,
        WaitName::Fibo,
        WaitName::Constant,
        WaitName::Linear,
        WaitName::Decay,
        WaitName::Decorrelated,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            WaitName::Expo => "expo",
            WaitName::Fibo => "fibo",
            WaitName::Constant => "constant",
            WaitName::Linear => "linear",
            WaitName::Decay => "decay",
            WaitName::Decorrelated => "decorrelated",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        WaitName::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// The strategy keys as the file gives them (kept as given, so that a spec prints back what
/// it read rather than every default).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StrategyKeys {
    pub(crate) wait: Option<WaitName>,
    pub(crate) intervals: Option<Vec<Duration>>,
    pub(crate) base: Option<f64>,
    pub(crate) factor: Option<Duration>,
    pub(crate) max_value: Option<Duration>,
    pub(crate) interval: Option<Duration>,
    pub(crate) step: Option<Duration>,
    pub(crate) decay_factor: Option<f64>,
    pub(crate) min_value: Option<Duration>,
}

use WaitName::{Constant, Decay, Decorrelated, Expo, Fibo, Linear};

impl StrategyKeys {
    /// The strategy, after the command's checks: a key must apply to the chosen strategy, and
    /// its value must pass the strategy's own check. `path` is the table's.
    pub(crate) fn strategy(&self, path: &str) -> Result<AnyWait, ConfigError> {
        let kind = self.wait.unwrap_or(Expo);
        let chosen = match (&self.intervals, self.wait) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    join(path, "intervals"),
                    "replaces `wait`: give one of them",
                ));
            }
            (Some(_), None) => "intervals".to_string(),
            (None, _) => format!("wait = \"{}\"", kind.name()),
        };
        let uses = |key: &str, given: bool, applies: &[WaitName]| {
            if given && (self.intervals.is_some() || !applies.contains(&kind)) {
                let names: Vec<&str> = applies.iter().map(|w| w.name()).collect();
                return Err(ConfigError::new(
                    join(path, key),
                    format!(
                        "does not apply to {chosen} (it applies to wait = {})",
                        names.join(", ")
                    ),
                ));
            }
            Ok(())
        };
        uses("base", self.base.is_some(), &[Expo])?;
        uses("factor", self.factor.is_some(), &[Expo, Fibo, Decorrelated])?;
        let capped = &[Expo, Fibo, Linear, Decorrelated];
        uses("max-value", self.max_value.is_some(), capped)?;
        uses(
            "interval",
            self.interval.is_some(),
            &[Constant, Linear, Decay],
        )?;
        uses("step", self.step.is_some(), &[Linear])?;
        uses("decay-factor", self.decay_factor.is_some(), &[Decay])?;
        uses("min-value", self.min_value.is_some(), &[Decay])?;

        if let Some(list) = &self.intervals {
            if list.is_empty() {
                return Err(ConfigError::new(
                    join(path, "intervals"),
                    "must list at least one wait",
                ));
            }
            return Ok(crate::intervals(list.clone()).into());
        }
        let factor = self.factor.unwrap_or(defaults::EXPO_FACTOR);
        let interval = self.interval.unwrap_or(defaults::CONSTANT_INTERVAL);
        Ok(match kind {
            Expo => {
                let base = self.base.unwrap_or(defaults::EXPO_BASE);
                let base = params::expo_base(base)
                    .map_err(|e| ConfigError::param(join(path, "base"), e))?;
                let s = crate::expo().base(base).factor(factor);
                self.max_value.map_or(s, |max| s.max_value(max)).into()
            }
            Fibo => {
                let s = crate::fibo().factor(self.factor.unwrap_or(defaults::FIBO_FACTOR));
                self.max_value.map_or(s, |max| s.max_value(max)).into()
            }
            Constant => crate::constant(interval).into(),
            Linear => {
                // The command's default step (1 s): the catalogue has none, the command does.
                let step = self.step.unwrap_or(Duration::from_secs(1));
                let s = crate::linear(interval, step);
                self.max_value.map_or(s, |max| s.max_value(max)).into()
            }
            Decay => {
                let rate = self.decay_factor.unwrap_or(defaults::DECAY_FACTOR);
                let s = try_decay(self.interval.unwrap_or(defaults::DECAY_INITIAL_VALUE), rate)
                    .map_err(|e| ConfigError::param(join(path, "decay-factor"), e))?;
                self.min_value.map_or(s, |min| s.min_value(min)).into()
            }
            Decorrelated => {
                // Without `max-value` the waits may grow up to three times per attempt.
                let cap = self.max_value.unwrap_or(Duration::MAX);
                match params::decorrelated(factor, cap) {
                    Ok(_) => crate::decorrelated(factor, cap).into(),
                    Err(params::ParamError::Order { .. }) => {
                        return Err(ConfigError::new(
                            join(path, "factor"),
                            format!(
                                "must not be greater than max-value for wait = \"decorrelated\", got {factor:?} > {cap:?}"
                            ),
                        ));
                    }
                    Err(e) => return Err(ConfigError::param(join(path, "factor"), e)),
                }
            }
        })
    }
}
