//! `--policy FILE`: a policy file (the library's format, `persevere::config`, in TOML or JSON)
//! as the lowest layer of the options. The library's reader checks the file first (its messages name the
//! key); then each key becomes the text its option would take on the command line, checked by
//! that option's own parser, and the option's default: the command line and the `PERSEVERE_*`
//! variables still win.

use crate::usage_error::UsageError;
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command};
use persevere::config::PolicySpec;
use std::collections::BTreeMap;
use std::ffi::OsStr;

/// The library's keys that a command has no use for: ignored.
const LIBRARY_ONLY: &[&str] = &[
    "hedge",
    "max-server-wait",
    "name",
    "retryable-status-codes",
    "services",
];

/// A policy file's values, as option texts by clap id.
#[derive(Debug, Default)]
pub struct PolicyFile {
    /// The file's name as the user gave it, for messages (`p.toml: max-tries: ...`).
    pub label: String,
    /// Option id (`max_tries`) -> the text the command line would give.
    pub values: BTreeMap<String, String>,
    /// The file is JSON (`--print-policy` then answers in JSON).
    pub json: bool,
}

impl PolicyFile {
    /// Reads and checks `path`.
    pub fn read(path: &OsStr, command: &Command) -> Result<PolicyFile, UsageError> {
        let label = path.to_string_lossy().into_owned();
        let bad = |message: String| UsageError(format!("{label}: {message}"));
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let json = is_json(path, &text);
        // The library's checks and messages first: one set of rules, one wording.
        let table: toml::Table = if json {
            PolicySpec::from_json(&text).map_err(|e| bad(e.to_string()))?;
            // The same values in TOML's types (a JSON number with a fraction is a float).
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?
        } else {
            PolicySpec::from_toml(&text).map_err(|e| bad(e.to_string()))?;
            toml::from_str(&text).map_err(|e| bad(e.to_string()))?
        };
        let mut values = BTreeMap::new();
        let mut budget = None;
        for (key, value) in &table {
            match key.as_str() {
                k if LIBRARY_ONLY.contains(&k) => {}
                "budget" => budget = Some(value),
                _ => {
                    let id = if key == "attempt-timeout" {
                        "timeout".to_string()
                    } else {
                        key.replace('-', "_")
                    };
                    let text = argument(value).ok_or_else(|| {
                        bad(format!("{key}: must be a value or a list, got a table"))
                    })?;
                    values.insert(id, text);
                }
            }
        }
        if let Some(value) = budget {
            // The file's `budget-min-rate` and `budget-window` win over the table's, as in
            // the library.
            for (id, text) in ratio_budget(value).map_err(|m| bad(format!("budget: {m}")))? {
                values.entry(id.to_string()).or_insert(text);
            }
        }
        for (id, text) in &values {
            check(command, id, text).map_err(|m| bad(format!("{}: {m}", id.replace('_', "-"))))?;
        }
        Ok(PolicyFile {
            label,
            values,
            json,
        })
    }

    /// `command` with the file's values as defaults of the options that neither the command
    /// line nor the environment gave (`matches`).
    pub fn as_defaults(&self, mut command: Command, matches: &ArgMatches) -> Command {
        for (id, text) in &self.values {
            let given = matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            );
            if !given {
                // clap (without its `string` feature) keeps defaults as `&'static str`: a
                // file's few values, leaked once in a process that runs one command.
                let text: &'static str = Box::leak(text.clone().into_boxed_str());
                command = command.mut_arg(id, |arg| arg.default_value(text));
            }
        }
        command
    }
}

/// Whether the file is JSON: by its name (`.json`), else by its first character (a TOML
/// document cannot start with `{`).
fn is_json(path: &OsStr, text: &str) -> bool {
    let named = std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    named || text.trim_start().starts_with('{')
}

/// A value as the command line spells it: strings as they are, numbers in decimals, booleans
/// as `true`/`false`, a list's items joined by commas (`--intervals 1s,2s`, `--retry-on-exit
/// 1,2`). `None` for a table.
fn argument(value: &toml::Value) -> Option<String> {
    use toml::Value;
    Some(match value {
        Value::String(s) => s.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(items) => items
            .iter()
            .map(argument)
            .collect::<Option<Vec<_>>>()?
            .join(","),
        Value::Table(_) => return None,
    })
}

/// `budget` as the command's options: the command keeps a ratio budget (`--budget 20%`,
/// `--budget-min-rate`, `--budget-window`).
fn ratio_budget(value: &toml::Value) -> Result<Vec<(&'static str, String)>, String> {
    use toml::Value;
    let refused = |what: &str| {
        format!(
            "the command keeps a ratio budget only (\"20%\", \"ratio\" or a table of type \"ratio\"), got {what}"
        )
    };
    match value {
        Value::String(s) if s == "ratio" => Ok(vec![("budget", "20%".into())]),
        Value::String(s) if s.ends_with('%') => Ok(vec![("budget", s.clone())]),
        Value::String(s) => Err(refused(&format!("\"{s}\""))),
        Value::Table(t) => {
            let kind = t.get("type").and_then(Value::as_str).unwrap_or_default();
            if kind != "ratio" {
                return Err(refused(&format!("a table of type \"{kind}\"")));
            }
            let mut options = vec![("budget", "20%".to_string())];
            for (key, v) in t {
                let text = argument(v).unwrap_or_default();
                match key.as_str() {
                    // A fraction (0.2) or a percentage ("20%"), as the library reads it.
                    "percent" => {
                        options[0].1 = match v {
                            // Rounded to 1e-9 %: 0.07 is "7%", not "7.000000000000001%".
                            Value::Float(f) => format!("{}%", (f * 1e11).round() / 1e9),
                            Value::Integer(n) => format!("{}%", n * 100),
                            _ => text,
                        }
                    }
                    "min-rate" => options.push(("budget_min_rate", text)),
                    "window" => options.push(("budget_window", text)),
                    _ => {}
                }
            }
            Ok(options)
        }
        _ => Err(refused("another value")),
    }
}

/// `text` through the parser of option `id`: the flag's own rules and message. The option
/// alone, taking one value, in a command of its own (clap's parsers are reached through a
/// command only), with no variable and no default.
fn check(command: &Command, id: &str, text: &str) -> Result<(), String> {
    let Some(arg) = command.get_arguments().find(|a| a.get_id() == id) else {
        return Err("is not an option of the command".into());
    };
    let probe = arg
        .clone()
        .action(ArgAction::Set)
        .num_args(1)
        .env(None)
        .default_value(None)
        .required(false);
    let long = arg.get_long().unwrap_or(id);
    let parsed = Command::new("persevere")
        .no_binary_name(true)
        .arg(probe)
        .try_get_matches_from([format!("--{long}={text}")]);
    parsed.map(drop).map_err(|e| {
        use std::error::Error;
        match e.source() {
            Some(message) => message.to_string(),
            None => {
                let text = e.render().to_string();
                let text = text.strip_prefix("error: ").unwrap_or(&text);
                let lines = text.lines().take_while(|l| !l.is_empty());
                lines.map(str::trim).collect::<Vec<_>>().join(" ")
            }
        }
    })
}
