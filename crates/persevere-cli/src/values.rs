//! Parsers of single option values, for clap: each error says what the option accepts.

use crate::duration::parse_duration;
use crate::signame;
use persevere::wait::params::{self, ParamError};
use regex::bytes::Regex;
use std::time::Duration;

/// What a parameter allows, in the library's words (its rule is checked there, once).
fn allowed(error: ParamError) -> String {
    match error {
        ParamError::OutOfRange { allowed, .. } => allowed.to_string(),
        other => other.to_string(),
    }
}

/// `--max-tries`: a whole number from 1 to `u32::MAX` (the library's `params::max_tries`).
pub fn parse_max_tries(text: &str) -> Result<u32, String> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let checked = match text.parse::<i128>() {
        Ok(n) if digits => params::max_tries(n),
        // Digits beyond an i128 are too many tries as well.
        Err(_) if digits => params::max_tries(i128::MAX),
        _ => {
            return Err(format!(
                "'{text}' is not a number of tries: expected a whole number >= 1 \
                 (use --forever for no limit)"
            ));
        }
    };
    match checked {
        Ok(n) => Ok(n.get()),
        Err(e) if text.trim_start_matches('0').is_empty() => Err(format!(
            "'{text}' is not a number of tries: expected {}; use --forever for no limit",
            allowed(e)
        )),
        Err(_) => Err(format!(
            "'{text}' is too many tries: at most {} (use --forever for no limit)",
            u32::MAX
        )),
    }
}

/// `--hold-limit`: bytes, or a number with k, M or G (powers of 1024); at least 1.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let shift = match unit {
        "" => 0,
        "k" | "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => {
            return Err(format!(
                "'{text}' is not a size: expected bytes, or k, M, G: 64M"
            ));
        }
    };
    match number.parse::<u64>() {
        Ok(n) if n > 0 && n <= u64::MAX >> shift => Ok(n << shift),
        Ok(0) => Err(format!(
            "'{text}' is not a size: it must be at least 1 byte"
        )),
        _ => Err(format!(
            "'{text}' is not a size: expected bytes, or k, M, G: 64M"
        )),
    }
}

/// `--seed`: any `u64`.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    text.parse().map_err(|_| {
        format!(
            "'{text}' is not a seed: expected a whole number from 0 to {}",
            u64::MAX
        )
    })
}

/// `--base` of `--wait expo`: the library's `params::expo_base`.
pub fn parse_base(text: &str) -> Result<f64, String> {
    checked_number(text, "a base", params::expo_base, "e.g. 2 or 1.5")
}

/// `--decay-factor` of `--wait decay`: the library's `params::decay_rate`.
pub fn parse_decay_factor(text: &str) -> Result<f64, String> {
    checked_number(text, "a decay factor", params::decay_rate, "e.g. 1 or 0.5")
}

/// A number that the library's `check` accepts; the message says what it allows.
fn checked_number(
    text: &str,
    what: &str,
    check: fn(f64) -> Result<f64, ParamError>,
    example: &str,
) -> Result<f64, String> {
    // NaN fails every check, so a text that is not a number gets the same message.
    let number = text.parse::<f64>().unwrap_or(f64::NAN);
    check(number).map_err(|e| format!("'{text}' is not {what}: expected {}, {example}", allowed(e)))
}

/// `--intervals`: durations separated by commas.
pub fn parse_intervals(text: &str) -> Result<IntervalList, String> {
    text.split(',')
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()
        .map(IntervalList)
        .map_err(|e| format!("{e} (in a comma-separated list like 1s,2s,5s)"))
}

/// `--jitter`: `full`, `none`, `equal`, `random` or `proportional=F` with F in [0, 1].
pub fn parse_jitter(text: &str) -> Result<JitterArg, String> {
    let accepts = "full, none, equal, random or proportional=F with F in 0..=1";
    let bad = || format!("'{text}' is not a jitter: expected {accepts}");
    Ok(match text {
        "full" => JitterArg::Full,
        "none" => JitterArg::None,
        "equal" => JitterArg::Equal,
        "random" => JitterArg::Random,
        _ => {
            let f = text.strip_prefix("proportional=").ok_or_else(bad)?;
            let f = f.parse::<f64>().map_err(|_| bad())?;
            JitterArg::Proportional(params::proportional_jitter(f).map_err(|_| bad())?)
        }
    })
}

/// `--retry-if-output` and `--until-output`: a regular expression over bytes.
/// An empty pattern (or one like `x*` that matches anywhere) would match every line: refused.
/// `^$` (an empty line) is accepted.
pub fn parse_regex(text: &str) -> Result<Regex, String> {
    let re = Regex::new(text).map_err(|e| format!("not a regular expression: {e}"))?;
    if re.is_match(b"") && re.is_match(b"\x01 any line \xff") {
        return Err(format!(
            "'{text}' matches every line: give a pattern that says what to find"
        ));
    }
    Ok(re)
}

/// `--signal`: a signal name (`TERM`, `SIGTERM`, `term`) or its number, in digits.
pub fn parse_signal(text: &str) -> Result<i32, String> {
    signame::parse(text).ok_or_else(|| {
        format!(
            "'{text}' is not a signal: expected a name like TERM, SIGINT or KILL, or its number"
        )
    })
}

/// `--intervals`: a finite list of waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalList(pub Vec<Duration>);

/// `--jitter`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JitterArg {
    /// Uniform in [0, d].
    Full,
    /// The wait as it is.
    None,
    /// d/2 + U[0, d/2].
    Equal,
    /// d + U[0, 1s).
    Random,
    /// d * U[1-f, 1+f].
    Proportional(f64),
}
