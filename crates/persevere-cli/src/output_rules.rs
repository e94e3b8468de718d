//! The output rules (`--retry-if-output`, `--until-output`): the patterns, what they saw in one
//! attempt, and each pattern's form for searching many lines at once (`block_search.rs`).

use crate::outcome::OutputRule;
use regex::bytes::{Regex, RegexBuilder};

/// The output rules: `--retry-if-output` and `--until-output`.
#[derive(Debug, Clone, Default)]
pub struct OutputRules {
    /// A matching line fails the attempt.
    pub retry_if: Option<Regex>,
    /// The attempt succeeds only if a line matched.
    pub until: Option<Regex>,
    /// Whether to say when a long line could be matched only in part (not with `--quiet`).
    pub warn: bool,
    /// `retry_if` for searching many lines at once (`block_search.rs`), when it can.
    pub retry_if_block: Option<Regex>,
    /// `until` for searching many lines at once, when it can.
    pub until_block: Option<Regex>,
}

impl OutputRules {
    /// The rules, with their patterns for searching many lines at once.
    pub fn new(retry_if: Option<Regex>, until: Option<Regex>, warn: bool) -> OutputRules {
        OutputRules {
            retry_if_block: retry_if.as_ref().and_then(block_pattern),
            until_block: until.as_ref().and_then(block_pattern),
            retry_if,
            until,
            warn,
        }
    }

    /// Whether any rule is given (then the output is piped and scanned).
    pub fn any(&self) -> bool {
        self.retry_if.is_some() || self.until.is_some()
    }
}

/// What the output rules saw during one attempt.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// A line matched `--retry-if-output`.
    pub retry_if: bool,
    /// A line matched `--until-output`.
    pub until: bool,
}

impl Seen {
    /// The rule that fails the attempt, if any.
    pub fn failed_rule(&self, rules: &OutputRules) -> Option<OutputRule> {
        if rules.retry_if.is_some() && self.retry_if {
            Some(OutputRule::RetryIf)
        } else if rules.until.is_some() && !self.until {
            Some(OutputRule::Until)
        } else {
            None
        }
    }

    /// Whether matching more lines could change the verdict.
    pub(crate) fn undecided(&self, rules: &OutputRules) -> bool {
        (rules.retry_if.is_some() && !self.retry_if) || (rules.until.is_some() && !self.until)
    }

    pub(crate) fn scan(&mut self, rules: &OutputRules, line: &[u8]) {
        if let Some(re) = &rules.retry_if {
            self.retry_if = self.retry_if || re.is_match(line);
        }
        if let Some(re) = &rules.until {
            self.until = self.until || re.is_match(line);
        }
    }
}

/// A rule's pattern for searching many lines at once; `None` when it cannot stand in for the
/// per-line pattern.
pub fn block_pattern(re: &Regex) -> Option<Regex> {
    let pattern = re.as_str();
    if pattern.contains("\\A") || pattern.contains("\\z") || sets_multi_line(pattern) {
        return None;
    }
    RegexBuilder::new(pattern)
        .multi_line(true)
        .crlf(true)
        .build()
        .ok()
}

/// Whether a flag group (`(?m)`, `(?-m:...)`) mentions `m`.
fn sets_multi_line(pattern: &str) -> bool {
    pattern.match_indices("(?").any(|(at, _)| {
        let flags = &pattern[at + 2..];
        let end = flags.find([':', ')']).unwrap_or(flags.len());
        flags[..end].contains('m')
    })
}
