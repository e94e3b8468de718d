//! `--wait` chosen at run time: the library's catalogue enum, which keeps each strategy's own
//! state and hands every call to the core's `Wait` implementations; and the choice from the
//! options (`--wait` and its parameters, or `--intervals`).

use crate::cli::{Cli, WaitKind};
use crate::duration::MAX as MAX_DURATION;
use crate::sources::GIVEN;
use crate::usage_error::UsageError;

/// One of the core's wait strategies, picked by `--wait` or `--intervals`.
pub use persevere::wait::AnyWait as Strategy;

/// Each strategy option (by clap id) and the strategies that use it.
pub const PARAMS: [(&str, &[WaitKind]); 7] = {
    use WaitKind::*;
    [
        ("base", &[Expo]),
        ("factor", &[Expo, Fibo, Decorrelated]),
        ("max_value", &[Expo, Fibo, Linear, Decorrelated]),
        ("interval", &[Constant, Linear, Decay]),
        ("step", &[Linear]),
        ("decay_factor", &[Decay]),
        ("min_value", &[Decay]),
    ]
};

/// The strategy from `--wait` and its parameters. `rank(id)` says where an option's value came
/// from (`Sources::rank`: the command line, its variable, the `--policy` file, its default): an
/// option given on the command line that the chosen strategy does not use is a usage error; of
/// `--intervals` and `--wait`, the stronger source wins.
pub fn from_options(
    cli: &Cli,
    rank: impl Fn(&str) -> u8,
    name: impl Fn(&str) -> String,
) -> Result<Strategy, UsageError> {
    use WaitKind::*;
    let given = |id: &str| rank(id) == GIVEN;
    let intervals = match &cli.intervals {
        Some(list) => match rank("intervals").cmp(&rank("wait")) {
            std::cmp::Ordering::Greater => Some(list),
            std::cmp::Ordering::Less => None,
            std::cmp::Ordering::Equal => {
                return Err(UsageError(format!(
                    "{} replaces {}: give one of them",
                    name("intervals"),
                    name("wait")
                )));
            }
        },
        None => None,
    };
    let uses = |id: &str, kinds: &[WaitKind]| -> Result<(), UsageError> {
        if given(id) && (intervals.is_some() || !kinds.contains(&cli.wait)) {
            let used_by: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            // Say where the strategy in force came from when it was not the command line.
            let chosen = match (intervals.is_some(), rank("wait")) {
                (true, _) => format!(" ({} is given)", name("intervals")),
                (false, r) if r > 0 && r < GIVEN => {
                    format!(" ({} is {})", name("wait"), cli.wait.name())
                }
                _ => String::new(),
            };
            return Err(UsageError(format!(
                "--{} applies only to --wait {}{chosen}",
                id.replace('_', "-"),
                used_by.join(", ")
            )));
        }
        Ok(())
    };
    for (id, kinds) in PARAMS {
        uses(id, kinds)?;
    }
    if let Some(list) = intervals {
        return Ok(Strategy::Intervals(persevere::intervals(list.0.clone())));
    }
    if cli.max_value.is_some_and(|max| max.is_zero()) {
        return Err(UsageError(format!(
            "{} must be greater than 0 (leave it out for no cap but the longest wait, 365d)",
            name("max_value")
        )));
    }
    // Every wait is capped at the longest duration persevere accepts (a year): without it,
    // `--base 1e308` or `--forever` would grow waits past any clock.
    let cap = cli.max_value.unwrap_or(MAX_DURATION);
    Ok(match cli.wait {
        Expo => {
            let s = persevere::expo().base(cli.base).factor(cli.factor);
            Strategy::Expo(s.max_value(cap))
        }
        Fibo => {
            let s = persevere::fibo().factor(cli.factor);
            Strategy::Fibo(s.max_value(cap))
        }
        Constant => Strategy::Constant(persevere::constant(cli.interval)),
        Linear => {
            let s = persevere::linear(cli.interval, cli.step);
            Strategy::Linear(s.max_value(cap))
        }
        Decay => {
            let s = persevere::decay(cli.interval, cli.decay_factor);
            Strategy::Decay(cli.min_value.map_or(s, |min| s.min_value(min)))
        }
        Decorrelated => {
            // Without --max-value the waits may grow up to three times per attempt, to a year.
            let max = cap;
            // The library's rule (base > 0, base <= cap), with the options' names.
            if persevere::wait::params::decorrelated(cli.factor, max).is_err() {
                let wait = match name("wait").as_str() {
                    "--wait" => "--wait decorrelated".to_string(),
                    variable => format!("{variable}=decorrelated"),
                };
                return Err(UsageError(format!(
                    "{wait} needs {} greater than 0 and at most {}",
                    name("factor"),
                    name("max_value")
                )));
            }
            Strategy::Decorrelated(persevere::decorrelated(cli.factor, max))
        }
    })
}
