//! `--print-policy`: the resolved options (the command line, the `PERSEVERE_*` variables and
//! the `--policy` file, merged and checked) as a policy file, in TOML. Given to `--policy`, it
//! runs the same policy, and printed again it is the same text: values are printed as they
//! were given (durations in their own words), with the defaults that the library would not
//! assume (`max-tries`, the strategy and its parameters) written out. For a JSON `--policy`
//! file, the same keys and values in JSON.

use crate::cli::WaitKind;
use crate::config::Config;
use crate::sources::Sources;
use crate::strategy::{PARAMS, Strategy};
use clap::ArgMatches;
use std::fmt::Write;

/// Each option's values as text (the command line's, the variable's, the file's or the
/// default), taken before clap's matches are consumed.
#[derive(Debug, Default)]
pub struct RawValues(Vec<(String, String)>);

impl RawValues {
    /// The first text of every option in `matches`.
    pub fn of(matches: &ArgMatches) -> RawValues {
        let ids = matches.ids().map(|id| id.as_str().to_string());
        let texts = ids.filter_map(|id| {
            let text = matches.get_raw(&id)?.next()?.to_string_lossy().into_owned();
            Some((id, text))
        });
        RawValues(texts.collect())
    }

    fn get(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, t)| t.as_str())
    }
}

/// The options that only a command has, printed when given: strings, then flags.
const COMMAND_STRINGS: &[&str] = &[
    "retry_on_exit",
    "stop_on_exit",
    "retry_if_output",
    "until_output",
    "signal",
    "kill_after",
    "hold_limit",
    "report",
    "budget_store",
    "budget_name",
    "budget_unreachable",
];

/// The policy file of `config`, in TOML, or in JSON if `json`.
pub fn render(config: &Config, sources: &Sources, raw: &RawValues, json: bool) -> String {
    let mut lines: Vec<(&str, String)> = Vec::new();
    let text = |id: &'static str| raw.get(id).map(quote);
    match config.max_tries {
        Some(n) => lines.push(("max_tries", n.to_string())),
        None => lines.push(("forever", "true".into())),
    }
    if config.max_time.is_some() {
        lines.extend(text("max_time").map(|t| ("max_time", t)));
    }
    if config.timeout.is_some() {
        lines.extend(text("timeout").map(|t| ("attempt_timeout", t)));
    }
    if matches!(config.strategy, Strategy::Intervals(_)) {
        let list = raw.get("intervals").unwrap_or_default().split(',');
        let items: Vec<String> = list.map(|d| quote(d.trim())).collect();
        lines.push(("intervals", format!("[{}]", items.join(", "))));
    } else {
        let wait = raw.get("wait").unwrap_or("expo");
        lines.push(("wait", quote(wait)));
        let kind = WaitKind::from_name(wait).unwrap_or(WaitKind::Expo);
        for (id, _) in PARAMS.into_iter().filter(|(_, k)| k.contains(&kind)) {
            let Some(value) = raw.get(id) else { continue };
            let value = match id {
                // Numbers: `{:?}` keeps a float's TOML form (`2.0`, `1e300`).
                "base" | "decay_factor" => value
                    .parse::<f64>()
                    .map_or(quote(value), |f| format!("{f:?}")),
                _ => quote(value),
            };
            lines.push((id, value));
        }
    }
    if config.jitter.is_some() {
        // Without --jitter, --intervals are exact.
        let jitter = match sources.rank("jitter") {
            0 => "none",
            _ => raw.get("jitter").unwrap_or("none"),
        };
        lines.push(("jitter", quote(jitter)));
    }
    if let Some(seed) = config.seed {
        lines.push(("seed", seed.to_string()));
    }
    if let Some(budget) = &config.budget {
        lines.extend(text("budget").map(|t| ("budget", t)));
        lines.push(("budget_min_rate", budget.min_rate.to_string()));
        lines.extend(text("budget_window").map(|t| ("budget_window", t)));
    }
    for id in COMMAND_STRINGS {
        if sources.rank(id) > 0 {
            lines.extend(text(id).map(|t| (*id, t)));
        }
    }
    let flags = [
        ("retry_on_sigpipe", config.rules.retry_on_sigpipe),
        ("preserve_status", config.preserve_status),
        ("cleanup_on_success", config.cleanup_on_success),
        ("hold_stdout", config.hold_stdout),
        ("replay_stdin", config.replay_stdin),
        ("quiet", config.quiet),
        ("verbose", config.verbose),
    ];
    for (id, on) in flags {
        if sources.rank(id) > 0 {
            lines.push((id, on.to_string()));
        }
    }
    lines.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (id, value) in lines {
        let _ = writeln!(out, "{} = {value}", id.replace('_', "-"));
    }
    if json {
        // The TOML above, read back, in JSON: one rendering, two spellings.
        if let Ok(table) = toml::from_str::<toml::Table>(&out) {
            return serde_json::to_string_pretty(&table).map_or(out, |t| t + "\n");
        }
    }
    out
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
