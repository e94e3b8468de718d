//! The command line: clap types only. Validation beyond single values is in `config.rs`.

use crate::codes::ExitCodes;
use crate::duration::parse_duration;
use clap::builder::BoolishValueParser;
use clap::{Parser, ValueEnum};
use regex::bytes::Regex;
use std::ffi::OsString;
use std::time::Duration;

const AFTER_HELP: &str = "\
Every option can also be set with an environment variable PERSEVERE_<OPTION> (shown above;
flags take 1/0, true/false, yes/no, on/off); the command line wins. persevere removes these
variables from the command's environment and gives it PERSEVERE_ATTEMPT (1-based) and
PERSEVERE_ATTEMPTS (the maximum; empty with --forever).

Durations: bare seconds (fractions allowed) or units ms, s, m, h, d, as in 250ms or 1m30s
(largest first, each unit once); at most 365d.

Signals: SIGINT, SIGTERM and SIGHUP sent to persevere go to the attempt's process group and
end the run; SIGKILL follows after --kill-after, or at once when the same signal comes again.

Exit status: 0 on success; otherwise the last attempt's: its exit code, 128+N if it died by
signal N, 124 if it was stopped by --timeout or --max-time, 127 if the command was not found,
126 if it could not be executed, 1 if an output rule failed an attempt that exited 0; 2 for a
usage error, 125 if persevere itself failed. When a signal sent to persevere ends the run
(during a wait, or after the command died of it), persevere ends by that same signal, as
shells and timeout do: its caller sees a death by signal N (a shell's $? is 128+N, and a
script stops on Ctrl-C). A command that handles the signal and exits gives its own status.
Do not parse the messages: use --report.";

/// Retry a command with exponential backoff and jitter (Python backoff's rules).
///
/// Runs COMMAND directly (no shell) until it succeeds, waiting between attempts as the policy
/// says. Use `--` before COMMAND when it starts with `-`.
#[derive(Debug, Parser)]
#[command(name = "persevere", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Total number of attempts, the first included (0 is not allowed)
    #[arg(long, value_name = "N", default_value_t = 5, env = "PERSEVERE_MAX_TRIES",
          value_parser = parse_max_tries)]
    pub max_tries: u32,

    /// No limit on the number of attempts (overrides --max-tries) [default: off]
    #[arg(long, env = "PERSEVERE_FOREVER",
          value_parser = BoolishValueParser::new())]
    pub forever: bool,

    /// Time limit for the whole run: no attempt starts after it, a running one is stopped at it
    /// as by --timeout [default: none; 0 = none]
    #[arg(long, value_name = "DUR", env = "PERSEVERE_MAX_TIME", value_parser = parse_duration)]
    pub max_time: Option<Duration>,

    /// Wait strategy between attempts
    #[arg(long, value_enum, value_name = "STRATEGY", default_value_t = WaitKind::Expo,
          env = "PERSEVERE_WAIT")]
    pub wait: WaitKind,

    /// Growth per attempt of --wait expo (factor * base^n)
    #[arg(long, value_name = "NUMBER", default_value_t = 2.0, env = "PERSEVERE_BASE",
          value_parser = parse_base)]
    pub base: f64,

    /// First wait of expo and fibo; smallest wait of decorrelated
    #[arg(long, value_name = "DUR", default_value = "1s", env = "PERSEVERE_FACTOR",
          value_parser = parse_duration)]
    pub factor: Duration,

    /// Cap on each wait (before jitter) of expo, fibo, linear; decorrelated's cap
    /// [default: none]
    #[arg(long, value_name = "DUR", env = "PERSEVERE_MAX_VALUE", value_parser = parse_duration)]
    pub max_value: Option<Duration>,

    /// The wait of --wait constant; the first wait of --wait linear
    #[arg(long, value_name = "DUR", default_value = "1s", env = "PERSEVERE_INTERVAL",
          value_parser = parse_duration)]
    pub interval: Duration,

    /// How much each wait of --wait linear adds
    #[arg(long, value_name = "DUR", default_value = "1s", env = "PERSEVERE_STEP",
          value_parser = parse_duration)]
    pub step: Duration,

    /// These waits in order, then give up (replaces --wait) [default: none]
    #[arg(long, value_name = "LIST", env = "PERSEVERE_INTERVALS", value_parser = parse_intervals)]
    pub intervals: Option<IntervalList>,

    /// Randomises each wait: full, none, equal, random, proportional=F (F in 0..=1). Full
    /// jitter is the default for every strategy but decorrelated, --wait constant too, as in
    /// the library and Python backoff (hosts retrying in step are what jitter prevents): give
    /// none for exact waits [default: full; none for --wait decorrelated]
    #[arg(long, value_name = "JITTER", env = "PERSEVERE_JITTER", value_parser = parse_jitter,
          hide_default_value = true, default_value = "full")]
    pub jitter: JitterArg,

    /// Time limit for each attempt: all its processes get SIGTERM, then SIGKILL after
    /// --kill-after [default: none; 0 = none]
    #[arg(long, value_name = "DUR", env = "PERSEVERE_TIMEOUT", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Grace between SIGTERM and SIGKILL when an attempt is stopped
    #[arg(long, value_name = "DUR", default_value = "10s", env = "PERSEVERE_KILL_AFTER",
          value_parser = parse_duration)]
    pub kill_after: Duration,

    /// Retry only these exit codes, e.g. 1,2,10-20 (others give up); 126 and 127 (the command
    /// cannot run) only when listed, also when the command could not be started
    /// [default: any non-zero but 126 and 127]
    #[arg(long, value_name = "CODES", env = "PERSEVERE_RETRY_ON_EXIT")]
    pub retry_on_exit: Option<ExitCodes>,

    /// Give up at once on these exit codes, e.g. 3,64-78 (wins over --retry-on-exit)
    /// [default: none]
    #[arg(long, value_name = "CODES", env = "PERSEVERE_STOP_ON_EXIT")]
    pub stop_on_exit: Option<ExitCodes>,

    /// Retry an attempt that died by SIGPIPE; by default a broken pipe ends the run, since
    /// whoever read the command's output is gone [default: off]
    #[arg(long, env = "PERSEVERE_RETRY_ON_SIGPIPE",
          value_parser = BoolishValueParser::new())]
    pub retry_on_sigpipe: bool,

    /// An output line matching REGEX makes the attempt a failure, even with exit 0
    /// [default: none]
    #[arg(long, value_name = "REGEX", env = "PERSEVERE_RETRY_IF_OUTPUT", value_parser = parse_regex)]
    pub retry_if_output: Option<Regex>,

    /// The attempt succeeds only if an output line matched REGEX [default: none]
    #[arg(long, value_name = "REGEX", env = "PERSEVERE_UNTIL_OUTPUT", value_parser = parse_regex)]
    pub until_output: Option<Regex>,

    /// Hold each attempt's stdout (in a temporary file, not in memory) until it ends: a
    /// success's goes to stdout, a failure's to stderr, so that a pipeline reads it once
    /// [default: off]
    #[arg(long, env = "PERSEVERE_HOLD_STDOUT",
          value_parser = BoolishValueParser::new())]
    pub hold_stdout: bool,

    /// Read stdin to its end first, then give the same bytes to every attempt [default: off]
    #[arg(long, env = "PERSEVERE_REPLAY_STDIN",
          value_parser = BoolishValueParser::new())]
    pub replay_stdin: bool,

    /// No messages of persevere's own (the command's output is untouched) [default: off]
    #[arg(short, long, env = "PERSEVERE_QUIET",
          value_parser = BoolishValueParser::new())]
    pub quiet: bool,

    /// Also say when each attempt starts and when the command succeeded [default: off]
    #[arg(short, long, env = "PERSEVERE_VERBOSE",
          value_parser = BoolishValueParser::new())]
    pub verbose: bool,

    /// Append one JSON object per event to PATH (`-` for stderr) [default: none]
    #[arg(long, value_name = "PATH", env = "PERSEVERE_REPORT")]
    pub report: Option<OsString>,

    /// Seed for the jitter's random numbers, for reproducible waits [default: random]
    #[arg(long, value_name = "N", env = "PERSEVERE_SEED", value_parser = parse_seed)]
    pub seed: Option<u64>,

    /// The command to run, and its arguments
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<OsString>,
}

/// `--wait`: the strategies of the core library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaitKind {
    /// factor * base^n: 1s, 2s, 4s, ...
    Expo,
    /// Fibonacci multiples of factor: 1s, 1s, 2s, 3s, 5s, ...
    Fibo,
    /// Always --interval
    Constant,
    /// --interval, then + --step each time
    Linear,
    /// AWS decorrelated jitter: min(cap, U(factor, 3 * previous))
    Decorrelated,
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

fn parse_max_tries(text: &str) -> Result<u32, String> {
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

fn parse_seed(text: &str) -> Result<u64, String> {
    text.parse().map_err(|_| {
        format!(
            "'{text}' is not a seed: expected a whole number from 0 to {}",
            u64::MAX
        )
    })
}

fn parse_base(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(base) if base.is_finite() && base >= 1.0 => Ok(base),
        _ => Err(format!(
            "'{text}' is not a base: expected a number >= 1, e.g. 2 or 1.5"
        )),
    }
}

fn parse_intervals(text: &str) -> Result<IntervalList, String> {
    text.split(',')
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()
        .map(IntervalList)
        .map_err(|e| format!("{e} (in a comma-separated list like 1s,2s,5s)"))
}

fn parse_jitter(text: &str) -> Result<JitterArg, String> {
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

fn parse_regex(text: &str) -> Result<Regex, String> {
    Regex::new(text).map_err(|e| format!("not a regular expression: {e}"))
}
