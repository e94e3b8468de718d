//! From the arguments to a validated configuration: clap, the checks beyond single values, and
//! the messages of what is refused. Nothing here prints or exits, so that tests and the fuzz
//! target (`fuzz/fuzz_targets/cli_arguments.rs`) drive it with any arguments.

use crate::cli::{Cli, Generate};
use crate::config::Config;
use crate::policy_file::PolicyFile;
use crate::print_policy::{self, RawValues};
use crate::sources::Sources;
use crate::usage_error::UsageError;
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;

/// What a valid command line asks for.
#[derive(Debug)]
pub enum Request {
    /// Run the command under the policy.
    Run(Box<Config>),
    /// `--generate`: print the man page or a completion script.
    Generate(Generate),
    /// `--print-policy`: print this policy file (TOML), exit status 0.
    PrintPolicy(String),
}

/// What an invalid (or informational) command line gets instead.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `--help` or `--version`: this text on stdout, exit status 0.
    Info(String),
    /// A usage error: `persevere: ` and this text (the message, then the usage) on stderr,
    /// exit status 2.
    Usage(String),
}

/// Parses and validates `args` (the program name first, as `std::env::args_os`). The process
/// environment supplies the `PERSEVERE_*` defaults, as clap reads them.
pub fn parse(args: &[OsString]) -> Result<Request, Refusal> {
    let command = Cli::command();
    let option_env: Vec<OsString> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(ToOwned::to_owned)
        .collect();
    let mut matches = command
        .try_get_matches_from(args)
        .map_err(|err| refusal(&err, args))?;
    check_command_start(&matches, args).map_err(|message| usage(&message))?;
    let file = match matches.get_one::<OsString>("policy") {
        Some(path) => {
            let command = Cli::command();
            let file = PolicyFile::read(path, &command).map_err(|UsageError(m)| usage(&m))?;
            // Again, with the file's values as the defaults of the options not given.
            matches = file
                .as_defaults(command, &matches)
                .try_get_matches_from(args)
                .map_err(|err| refusal(&err, args))?;
            Some(file)
        }
        None => None,
    };
    let sources = Sources::of(&matches, file.as_ref());
    let raw = matches
        .get_flag("print_policy")
        .then(|| RawValues::of(&matches));
    // `_mut` takes the values out; `from_arg_matches` would copy all the matches first.
    let cli = Cli::from_arg_matches_mut(&mut matches).map_err(|err| usage(&err.to_string()))?;
    if let Some(what) = cli.generate {
        return Ok(Request::Generate(what));
    }
    let config = Config::new(cli, &sources, option_env).map_err(|UsageError(m)| usage(&m))?;
    match raw {
        Some(raw) => {
            let json = file.is_some_and(|f| f.json);
            let text = print_policy::render(&config, &sources, &raw, json);
            Ok(Request::PrintPolicy(text))
        }
        None => Ok(Request::Run(Box::new(config))),
    }
}

/// A usage error found after parsing, shown as clap shows its own.
pub fn usage(message: &str) -> Refusal {
    let err = Cli::command().error(ErrorKind::ValueValidation, message);
    refusal(&err, &[])
}

/// clap's error or information as persevere shows it.
fn refusal(err: &clap::Error, args: &[OsString]) -> Refusal {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            Refusal::Info(err.render().to_string())
        }
        ErrorKind::InvalidUtf8 => Refusal::Usage(format!(
            "{} is not valid UTF-8\n\nFor more information, try '--help'.\n",
            non_utf8_value(args)
        )),
        _ => {
            let text = name_the_variable(err, err.render().to_string(), args);
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            Refusal::Usage(text.to_string())
        }
    }
}

/// clap's trailing COMMAND swallows a mistyped option (`--max-trys 3 cmd`): a COMMAND that
/// starts with `-` must come after `--`.
fn check_command_start(matches: &clap::ArgMatches, args: &[OsString]) -> Result<(), String> {
    // COMMAND takes every argument from its first one on: it is the arguments' tail.
    let Some(count) = matches.get_raw("command").map(|values| values.len()) else {
        return Ok(());
    };
    let index = args.len().saturating_sub(count);
    let first = args.get(index).map(|a| a.to_string_lossy().into_owned());
    let after_separator = index > 0 && args.get(index - 1).is_some_and(|a| a == "--");
    match first {
        Some(first) if first.starts_with('-') && !after_separator => {
            Err(match did_you_mean(&first) {
                Some(option) => format!("unexpected option '{first}': did you mean '{option}'?"),
                None => format!(
                    "unexpected option '{first}' (a COMMAND that starts with '-' goes after '--')"
                ),
            })
        }
        _ => Ok(()),
    }
}

/// Where clap found bytes that are not UTF-8 (it does not say): `the value of --timeout`, or
/// `PERSEVERE_TIMEOUT`. An option's value is the argument after it, or after its `=`.
fn non_utf8_value(args: &[OsString]) -> String {
    use std::os::unix::ffi::OsStrExt;
    let options = args.iter().skip(1).take_while(|a| *a != "--");
    let mut previous: Option<&OsString> = None;
    for arg in options {
        if arg.to_str().is_none() {
            let bytes = arg.as_bytes();
            if bytes.starts_with(b"--") {
                let name = bytes.split(|&b| b == b'=').next().unwrap_or(bytes);
                return format!("the value of {}", String::from_utf8_lossy(name));
            }
            return match previous.and_then(|p| p.to_str()) {
                Some(option) if option.starts_with('-') => format!("the value of {option}"),
                _ => "an argument".to_string(),
            };
        }
        previous = Some(arg);
    }
    let variable = std::env::vars_os().find(|(name, value)| {
        name.as_bytes().starts_with(b"PERSEVERE_") && value.to_str().is_none()
    });
    match variable {
        Some((name, _)) => format!("the variable {}", name.to_string_lossy()),
        None => "an argument".to_string(),
    }
}

/// The long option closest to a mistyped one (`--timout`: `--timeout`), if one is within two
/// edits. clap's own suggestions do not reach here: its trailing COMMAND takes the word.
fn did_you_mean(word: &str) -> Option<String> {
    let typed = word.strip_prefix("--")?.split('=').next()?;
    let command = Cli::command();
    command
        .get_arguments()
        .filter_map(|a| a.get_long())
        .map(|long| (edit_distance(typed, long), long))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, long)| format!("--{long}"))
}

/// Levenshtein distance between two short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// clap names the option of a bad value also when the value came from its `PERSEVERE_*`
/// variable: then the message names the variable, which is what the user has to fix.
fn name_the_variable(err: &clap::Error, text: String, args: &[OsString]) -> String {
    use clap::error::{ContextKind, ContextValue};
    let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg) else {
        return text;
    };
    let Some(long) = arg.split(' ').next().and_then(|a| a.strip_prefix("--")) else {
        return text;
    };
    let command = Cli::command();
    let Some(env) = command
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env())
    else {
        return text;
    };
    // The options end at `--` (or at COMMAND, which clap could not find here).
    let flag = format!("--{long}");
    let given = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .take_while(|a| a != "--")
        .any(|a| a == flag || a.starts_with(&format!("{flag}=")));
    if given {
        return text;
    }
    let env = env.to_string_lossy();
    text.replacen(
        &format!("'{arg}'"),
        &format!("{env} (the default of {flag})"),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("persevere")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn a_valid_line_is_a_run_with_its_command() {
        let Ok(Request::Run(config)) = parse(&args(&["--max-tries", "3", "--", "make", "-j"]))
        else {
            panic!("not a run");
        };
        assert_eq!(config.max_tries, Some(3));
        assert_eq!(config.command, ["make", "-j"]);
    }

    #[test]
    fn help_is_information_and_a_bad_value_a_usage_error() {
        assert!(
            matches!(parse(&args(&["--version"])), Err(Refusal::Info(v)) if v.starts_with("persevere "))
        );
        let Err(Refusal::Usage(text)) = parse(&args(&["--max-tries", "0", "true"])) else {
            panic!("not a usage error");
        };
        assert!(
            text.starts_with("invalid value '0' for '--max-tries <N>'"),
            "{text}"
        );
        assert!(
            text.ends_with("For more information, try '--help'.\n"),
            "{text}"
        );
    }

    #[test]
    fn a_command_that_looks_like_an_option_needs_the_separator() {
        let Err(Refusal::Usage(text)) = parse(&args(&["--max-trys", "3", "make"])) else {
            panic!("not a usage error");
        };
        assert!(text.contains("--max-trys"), "{text}");
        assert!(matches!(parse(&args(&["--", "-x"])), Ok(Request::Run(_))));
    }

    #[test]
    fn generate_asks_for_no_command() {
        assert!(matches!(
            parse(&args(&["--generate", "bash"])),
            Ok(Request::Generate(Generate::Bash))
        ));
    }
}
