//! The strategy catalogue: every built-in wait strategy, its parameters with Python's keyword
//! names, what each accepts and its default. The attribute macros check `expo(base = ..)` against
//! it, the `persevere` command offers its `--wait` choices from it, and the constructors use its
//! defaults, so that the three never drift apart.

use crate::params::{self, ParamError};
use core::time::Duration;

/// Python's defaults (and persevere's, where Python has none), used by the constructors, the
/// macros and the command.
pub mod defaults {
    use core::time::Duration;

    /// `expo`'s `base`: each wait is twice the one before.
    pub const EXPO_BASE: f64 = 2.0;
    /// `expo`'s `factor`: the first wait.
    pub const EXPO_FACTOR: Duration = Duration::from_secs(1);
    /// `fibo`'s `factor`: the unit of the Fibonacci numbers.
    pub const FIBO_FACTOR: Duration = Duration::from_secs(1);
    /// `constant`'s `interval`.
    pub const CONSTANT_INTERVAL: Duration = Duration::from_secs(1);
    /// `decay`'s `initial_value`.
    pub const DECAY_INITIAL_VALUE: Duration = Duration::from_secs(1);
    /// `decay`'s `decay_factor` (the rate of `e^(-rate * t)`).
    pub const DECAY_FACTOR: f64 = 1.0;
}

/// A built-in wait strategy as the catalogue describes it.
#[derive(Debug, Clone, Copy)]
pub struct StrategySpec {
    /// The name, as in Python (`expo`) and in `persevere::expo()`.
    pub name: &'static str,
    /// Its parameters, in Python's keyword order.
    pub params: &'static [ParamSpec],
    /// One line on what it does.
    pub summary: &'static str,
}

/// One parameter of a strategy.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Python's keyword name.
    pub name: &'static str,
    /// What it accepts.
    pub kind: ParamKind,
    /// Whether it must be given (else it has a default, or none is needed).
    pub required: bool,
}

/// What a parameter accepts.
#[derive(Debug, Clone, Copy)]
pub enum ParamKind {
    /// A duration, with this default if any.
    Duration(Option<Duration>),
    /// A plain number, checked by this function (the one source of its rule), with this
    /// default if any.
    Number(fn(f64) -> Result<f64, ParamError>, Option<f64>),
    /// A list of durations.
    Durations,
    /// A function of the last outcome (so only code, not a command line, can give it).
    Function,
}

const DURATION: ParamKind = ParamKind::Duration(None);

const fn param(name: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec {
        name,
        kind,
        required: false,
    }
}

const fn required(name: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec {
        name,
        kind,
        required: true,
    }
}

/// Every built-in strategy.
pub const STRATEGIES: &[StrategySpec] = &[
    StrategySpec {
        name: "expo",
        params: &[
            param(
                "base",
                ParamKind::Number(params::expo_base, Some(defaults::EXPO_BASE)),
            ),
            param("factor", ParamKind::Duration(Some(defaults::EXPO_FACTOR))),
            param("max_value", DURATION),
        ],
        summary: "factor * base^n: 1s, 2s, 4s, ...",
    },
    StrategySpec {
        name: "fibo",
        params: &[
            param("factor", ParamKind::Duration(Some(defaults::FIBO_FACTOR))),
            param("max_value", DURATION),
        ],
        summary: "factor * 1, 1, 2, 3, 5, 8, ...",
    },
    StrategySpec {
        name: "constant",
        params: &[param(
            "interval",
            ParamKind::Duration(Some(defaults::CONSTANT_INTERVAL)),
        )],
        summary: "the same wait every time",
    },
    StrategySpec {
        name: "intervals",
        params: &[required("intervals", ParamKind::Durations)],
        summary: "these waits, then give up",
    },
    StrategySpec {
        name: "linear",
        params: &[
            required("start", DURATION),
            required("step", DURATION),
            param("max_value", DURATION),
        ],
        summary: "start, start + step, start + 2 step, ...",
    },
    StrategySpec {
        name: "decay",
        params: &[
            param(
                "initial_value",
                ParamKind::Duration(Some(defaults::DECAY_INITIAL_VALUE)),
            ),
            param(
                "decay_factor",
                ParamKind::Number(params::decay_rate, Some(defaults::DECAY_FACTOR)),
            ),
            param("min_value", DURATION),
        ],
        summary: "initial_value * e^(-decay_factor * n): waits that shrink",
    },
    StrategySpec {
        name: "decorrelated",
        params: &[required("base", DURATION), required("cap", DURATION)],
        summary: "AWS's decorrelated jitter: min(cap, U(base, 3 * previous))",
    },
    StrategySpec {
        name: "runtime",
        params: &[required("value", ParamKind::Function)],
        summary: "the wait read from the last error or value (e.g. Retry-After)",
    },
];

/// The strategy named `name`.
///
/// ```
/// let expo = persevere_wait::catalogue::find("expo").unwrap();
/// assert_eq!(expo.params.iter().map(|p| p.name).collect::<Vec<_>>(), ["base", "factor", "max_value"]);
/// ```
pub fn find(name: &str) -> Option<&'static StrategySpec> {
    STRATEGIES.iter().find(|s| s.name == name)
}

impl StrategySpec {
    /// The parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        // The catalogue is `'static`, so a reference into it is too.
        find(self.name).and_then(|s| s.params.iter().find(|p| p.name == name))
    }

    /// Whether every parameter can be given as a value (not a function): the strategies a
    /// command line can choose.
    pub fn takes_only_values(&self) -> bool {
        !self
            .params
            .iter()
            .any(|p| matches!(p.kind, ParamKind::Function))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_has_a_unique_name_and_unique_parameters() {
        for (i, s) in STRATEGIES.iter().enumerate() {
            assert!(STRATEGIES[..i].iter().all(|o| o.name != s.name));
            for (j, p) in s.params.iter().enumerate() {
                assert!(s.params[..j].iter().all(|o| o.name != p.name), "{}", s.name);
            }
        }
    }

    #[test]
    fn number_parameters_carry_their_check() {
        let base = find("expo").unwrap().param("base").unwrap();
        let ParamKind::Number(check, default) = base.kind else {
            panic!("base is a number")
        };
        assert_eq!(default, Some(2.0));
        assert!(check(0.5).is_err());
        assert!(find("runtime").is_some_and(|s| !s.takes_only_values()));
    }
}
