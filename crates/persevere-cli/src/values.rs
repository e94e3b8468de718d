//! Parsers of single option values, for clap: each error says what the option accepts.

use crate::cli::{IntervalList, JitterArg};
use crate::duration::parse_duration;
use crate::signame;
use regex::bytes::Regex;

pub fn parse_max_tries(text: &str) -> Result<u32, String> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        Err(_) if digits => Err(format!(
            "'{text}' is too many tries: at most {} (use --forever for no limit)",
            u32::MAX
        )),
        _ => Err(format!(
            "'{text}' is not a number of tries: expected a whole number >= 1 \
             (use --forever for no limit)"
        )),
    }
}

pub fn parse_seed(text: &str) -> Result<u64, String> {
    text.parse().map_err(|_| {
        format!(
            "'{text}' is not a seed: expected a whole number from 0 to {}",
            u64::MAX
        )
    })
}

pub fn parse_base(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(base) if base.is_finite() && base >= 1.0 => Ok(base),
        _ => Err(format!(
            "'{text}' is not a base: expected a number >= 1, e.g. 2 or 1.5"
        )),
    }
}

pub fn parse_intervals(text: &str) -> Result<IntervalList, String> {
    text.split(',')
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()
        .map(IntervalList)
        .map_err(|e| format!("{e} (in a comma-separated list like 1s,2s,5s)"))
}

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
            match f.parse::<f64>() {
                Ok(f) if (0.0..=1.0).contains(&f) => JitterArg::Proportional(f),
                _ => return Err(bad()),
            }
        }
    })
}

pub fn parse_regex(text: &str) -> Result<Regex, String> {
    Regex::new(text).map_err(|e| format!("not a regular expression: {e}"))
}

pub fn parse_signal(text: &str) -> Result<i32, String> {
    signame::parse(text).ok_or_else(|| {
        format!(
            "'{text}' is not a signal: expected a name like TERM, SIGINT or KILL, or its number"
        )
    })
}
