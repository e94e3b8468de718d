//! The `persevere` command, as a library: `main.rs` is only the process's entry point, and
//! the fuzz targets (`fuzz/`) and tests reach the parsers through [`fuzzing`].
//!
//! `cli.rs` (clap types) -> `command_line.rs` and `config.rs` (validated configuration, the
//! policy) -> `run.rs` and `attempt.rs` (child processes, signals) -> here (exit codes).
//! Errors print once as `persevere: message`; usage errors exit 2.

#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod announce;
mod attempt;
mod block_search;
mod breaker;
mod breaker_file;
mod breaker_state;
mod budget;
mod budget_store;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod child_stack;
mod cli;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod clone_exec;
mod codes;
mod command_line;
mod config;
mod duration;
mod ending;
mod environment;
mod generate;
mod guardian;
mod guardian_pid;
mod held;
mod lines;
mod messages;
mod outcome;
mod output;
mod output_rules;
mod policy_file;
mod print_policy;
#[cfg(shared_memory_child)]
mod raw_syscall;
mod reader;
mod reaper;
mod replay;
mod report;
mod rules;
mod run;
mod signals;
mod signame;
mod sources;
mod spawn;
mod store_link;
mod strategy;
mod stream_match;
mod sys;
mod usage_error;
#[cfg(shared_memory_child)]
mod valgrind;
mod values;

use crate::announce::Announcer;
use crate::command_line::{Refusal, Request};
use crate::report::Report;
use crate::run::Ending;
use crate::usage_error::UsageError;
use std::ffi::OsString;
use std::io::Write;
use std::sync::Arc;

/// The parsers, scanners and argument handling that the fuzz targets and the corpus replay
/// drive. Not a stable API: it follows the command's internals.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::codes::ExitCodes;
    pub use crate::command_line::{Refusal, Request, parse as parse_arguments};
    pub use crate::duration::{MAX as MAX_DURATION, parse_duration};
    pub use crate::lines::MAX_LINE;
    pub use crate::output::OutputScan;
    pub use crate::output_rules::OutputRules;
    pub use crate::output_rules::Seen;
    pub use crate::signame::name as signal_name;
    pub use crate::stream_match::{StreamMatcher, Verdict};
    pub use crate::values::JitterArg;
    pub use crate::values::{
        parse_base, parse_decay_factor, parse_intervals, parse_jitter, parse_max_tries,
        parse_signal,
    };
}

/// Runs the command line of this process and returns its exit status. What std's runtime
/// would have done before `main` is done here first (see `sys::start_like_std`).
pub fn main() -> u8 {
    // persevere's guardian is persevere's own program, started with its own arguments.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some((socket, persevere)) = guardian::requested() {
        guardian::serve(socket, persevere);
    }
    sys::start_like_std();
    let status = persevere();
    // std's runtime would flush stdout at exit; here nobody else does.
    let _ = std::io::stdout().flush();
    status
}

/// The exit status for a usage error.
const USAGE: u8 = 2;
/// The exit status when persevere itself fails (as GNU timeout and env).
const INTERNAL: u8 = 125;

/// persevere's exit status.
fn persevere() -> u8 {
    let args: Vec<OsString> = std::env::args_os().collect();
    let config = match command_line::parse(&args) {
        Ok(Request::Run(config)) => config,
        Ok(Request::Generate(what)) => return generate::print(what),
        Ok(Request::PrintPolicy(text)) => {
            let _ = write!(std::io::stdout(), "{text}");
            return 0;
        }
        Err(refusal) => return refuse(refusal),
    };
    let mut announcer = Announcer::new(
        messages::quote_command(&config.command),
        config.attempts_at_most,
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
        Err(UsageError(message)) => return refuse(command_line::usage(&message)),
    };
    let breaker = match config.open_breaker() {
        Ok(breaker) => breaker,
        Err(UsageError(message)) => return refuse(command_line::usage(&message)),
    };
    let announcer = Arc::new(announcer);
    let started = std::time::Instant::now();
    match run::run(&config, announcer.clone(), (budget, breaker)) {
        Ok(Ending::Exit(status)) => status,
        Ok(Ending::Signal(signal)) => sys::die_by_signal(signal),
        Err(err) => {
            announcer.error(&err.to_string(), started.elapsed());
            internal_error(&err.to_string())
        }
    }
}

/// `--help` and `--version` go to stdout with status 0; errors go to stderr once, as
/// `persevere: message` and the usage, with status 2.
fn refuse(refusal: Refusal) -> u8 {
    match refusal {
        Refusal::Info(text) => {
            let _ = write!(std::io::stdout(), "{text}");
            0
        }
        Refusal::Usage(text) => {
            let _ = write!(std::io::stderr(), "persevere: {text}");
            USAGE
        }
    }
}

/// persevere itself failed: one message, status 125.
fn internal_error(message: &str) -> u8 {
    let _ = writeln!(std::io::stderr(), "persevere: {message}");
    INTERNAL
}
