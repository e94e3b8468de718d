//! `persevere`: retry any command with the persevere library's policies.
//!
//! `cli.rs` (clap types) -> `config.rs` (validated configuration, the policy) -> `run.rs` and
//! `attempt.rs` (child processes, signals) -> here (exit codes). Errors print once as
//! `persevere: message`; usage errors exit 2.

// Its own entry point (see `main` below); the unit-test harness brings its own, and does not
// reach the code behind it.
#![cfg_attr(not(test), no_main)]
#![cfg_attr(test, allow(dead_code))]

mod announce;
mod attempt;
mod budget;
mod budget_store;
mod cli;
mod codes;
mod config;
mod duration;
mod ending;
mod environment;
mod generate;
mod guardian;
mod held;
mod lines;
mod messages;
mod outcome;
mod output;
mod reaper;
mod replay;
mod report;
mod rules;
mod run;
mod signals;
mod signame;
mod spawn;
mod strategy;
mod stream_match;
mod sys;
mod values;

use crate::announce::Announcer;
use crate::cli::Cli;
use crate::config::{Config, Sources, UsageError};
use crate::report::Report;
use crate::run::Ending;
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::io::Write;
use std::sync::Arc;

/// The exit status for a usage error.
const USAGE: u8 = 2;
/// The exit status when persevere itself fails (as GNU timeout and env).
const INTERNAL: u8 = 125;

/// The process's entry point, in place of std's (`no_main`), which costs about a tenth of a
/// millisecond that `persevere -- true` does not need: it reads /proc/self/maps to place a
/// guard page under the main thread's stack, and installs a handler that reports a stack
/// overflow (which still ends the process, by SIGSEGV, without the message). What persevere
/// does need of it is done here: SIGPIPE ignored, so that writing to a closed pipe is an error
/// that persevere handles (children get the default back from std's spawn), and descriptors
/// 0-2 open, so that a file persevere opens never becomes an attempt's stdin, stdout or stderr.
#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    sys::start_like_std();
    let status = persevere();
    // std's runtime would flush stdout at exit; here nobody else does.
    let _ = std::io::stdout().flush();
    libc::c_int::from(status)
}

/// persevere's exit status.
fn persevere() -> u8 {
    let command = Cli::command();
    let option_env: Vec<OsString> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(ToOwned::to_owned)
        .collect();
    let mut matches = match command.try_get_matches() {
        Ok(matches) => matches,
        Err(err) => return clap_exit(err),
    };
    if let Err(message) = check_command_start(&matches) {
        return usage_error(&message);
    }
    let sources = Sources::of(&matches);
    // `_mut` takes the values out; `from_arg_matches` would copy all the matches first.
    let cli = match Cli::from_arg_matches_mut(&mut matches) {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err.to_string()),
    };
    if let Some(what) = cli.generate {
        return generate::print(what);
    }
    let config = Config::new(cli, &sources, option_env);
    let config = match config {
        Ok(config) => config,
        Err(UsageError(message)) => return usage_error(&message),
    };
    let mut announcer = Announcer::new(
        messages::quote_command(&config.command),
        config.max_tries,
        config.quiet,
        config.verbose,
    );
    if let Some(path) = &config.report {
        match Report::open(path) {
            Ok(report) => announcer.report = Some(report),
            Err(err) => {
                // Not a usage error: the option is right, the file system says no.
                let path = path.to_string_lossy();
                return internal_error(&format!("--report: cannot open '{path}': {err}"));
            }
        }
    }
    // After --report opens, so that a run refused at once is still reported.
    let budget = match config.open_budget() {
        Ok(budget) => budget,
        Err(UsageError(message)) => return usage_error(&message),
    };
    let announcer = Arc::new(announcer);
    let started = std::time::Instant::now();
    match run::run(&config, announcer.clone(), budget) {
        Ok(Ending::Exit(status)) => status,
        Ok(Ending::Signal(signal)) => sys::die_by_signal(signal),
        Err(err) => {
            announcer.error(&err.to_string(), started.elapsed());
            internal_error(&err.to_string())
        }
    }
}

/// clap's trailing COMMAND swallows a mistyped option (`--max-trys 3 cmd`): a COMMAND that
/// starts with `-` must come after `--`.
fn check_command_start(matches: &clap::ArgMatches) -> Result<(), String> {
    let args: Vec<OsString> = std::env::args_os().collect();
    // COMMAND takes every argument from its first one on: it is argv's tail.
    let Some(count) = matches.get_raw("command").map(|values| values.len()) else {
        return Ok(());
    };
    let index = args.len() - count;
    let first = args.get(index).map(|a| a.to_string_lossy().into_owned());
    let after_separator = index > 0 && args.get(index - 1).is_some_and(|a| a == "--");
    match first {
        Some(first) if first.starts_with('-') && !after_separator => Err(format!(
            "unexpected option '{first}' (a COMMAND that starts with '-' goes after '--')"
        )),
        _ => Ok(()),
    }
}

/// persevere itself failed: one message, status 125.
fn internal_error(message: &str) -> u8 {
    let _ = writeln!(std::io::stderr(), "persevere: {message}");
    INTERNAL
}

/// clap names the option of a bad value also when the value came from its `PERSEVERE_*`
/// variable: then the message names the variable, which is what the user has to fix.
fn name_the_variable(err: &clap::Error, text: String) -> String {
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
    let given = std::env::args()
        .skip(1)
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

/// A usage error found after parsing, shown as clap shows its own.
fn usage_error(message: &str) -> u8 {
    clap_exit(Cli::command().error(ErrorKind::ValueValidation, message))
}

/// `--help` and `--version` go to stdout with status 0; errors go to stderr once, as
/// `persevere: message` and the usage, with status 2.
fn clap_exit(err: clap::Error) -> u8 {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(std::io::stdout(), "{}", err.render());
            0
        }
        _ => {
            let text = name_the_variable(&err, err.render().to_string());
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let _ = write!(std::io::stderr(), "persevere: {text}");
            USAGE
        }
    }
}
