//! The command line: clap types only. Value parsers are in `values.rs`; validation beyond
//! single values is in `config.rs`. `-h` shows one line per option, `--help` the full text (the
//! man page is rendered from the same definitions, `--generate man`).

use crate::budget::{StoreUrl, parse_name, parse_percent, parse_store};
use crate::budget_store::Unreachable;
use crate::codes::ExitCodes;
use crate::duration::parse_duration;
use crate::values::{
    IntervalList, JitterArg, parse_base, parse_decay_factor, parse_intervals, parse_jitter,
    parse_max_tries, parse_regex, parse_seed, parse_signal, parse_size,
};
use clap::builder::{BoolishValueParser, PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, ValueEnum};
use persevere::wait::catalogue::{self, defaults};
use regex::bytes::Regex;
use std::ffi::OsString;
use std::time::Duration;

const AFTER_HELP: &str = "\
Every option can also be set with PERSEVERE_<OPTION> (shown above) or in a --policy file; the
command line wins, then the variables. Exit status: the last attempt's (124 for a timeout);
2 usage, 125 persevere's own failure, 75 open --breaker. See --help for the full text.";

const AFTER_LONG_HELP: &str = "\
Environment: every option can also be set with an environment variable PERSEVERE_<OPTION>
(shown above; flags take 1/0, true/false, yes/no, on/off); the command line wins. persevere
removes these variables from the command's environment and gives it PERSEVERE_ATTEMPT (1-based)
and PERSEVERE_ATTEMPTS (the maximum; empty with --forever).

Policy file (--policy FILE, or PERSEVERE_POLICY): TOML, or JSON (a name ending in .json or a
text starting with {), whose keys are the long option names; the file that the library's
persevere::config reads: max-tries = 3, wait = \"constant\", interval = \"2s\",
retry-on-exit = [1, 75], quiet = true. Options on the command line and PERSEVERE_* variables
win over it. --print-policy prints the policy in force as such a file.

Durations: bare seconds (fractions allowed) or units ms, s, m, h, d, as in 250ms or 1m30s
(largest first, each unit once); at most 365d.

Messages go to stderr, in Python backoff's words: 'backing off COMMAND (exit 1) for 1.3s (try 2
of 5)', 'giving up COMMAND after 5 tries (exit 1)'. While persevere waits, and stderr is a
terminal, a countdown line shows the time left before the next try ('persevere: retrying
COMMAND in 3.2s (try 2 of 5)'), redrawn every tenth of a second and erased before the next
attempt; not with --quiet, never in a pipe or a file.

Signals: SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to persevere go to the attempt's process
group and end the run (SIGALRM times the running attempt out, as GNU timeout's own timer); SIGKILL follows after --kill-after, or at once when the same signal comes again.
If persevere itself is killed (even by SIGKILL), a guardian process ('persevere-guard')
stops the running attempt's process group and the descendants of its members.

Exit status: 0 on success; otherwise the last attempt's: its exit code, 128+N if it died by
signal N, 124 if it was stopped by --timeout or --max-time (its own status with
--preserve-status; 137 if it had to be killed by SIGKILL, as GNU timeout), 127 if the command was not found, 126 if it could not be executed, 1 if an
output rule failed an attempt that exited 0; 2 for a usage error, 125 if persevere itself
failed, 75 if an open --breaker refused the run before its first attempt (nothing ran). When a signal sent to persevere ends the run (during a wait, or after the command died
of it), persevere ends by that same signal, as shells and timeout do: its caller sees a death
by signal N (a shell's $? is 128+N, and a script stops on Ctrl-C). A command that handles the
signal and exits gives its own status. Do not parse the messages: use --report.";

/// Retry a command with exponential backoff and jitter (Python backoff's rules).
///
/// Runs COMMAND directly (no shell) until it succeeds, waiting between attempts as the policy
/// says. Use `--` before COMMAND when it starts with `-`.
#[derive(Debug, Parser)]
#[command(
    name = "persevere",
    version,
    override_usage = "persevere [OPTIONS] [--] <COMMAND>...",
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP
)]
pub struct Cli {
    /// Total number of attempts, the first included (0 is not allowed)
    #[arg(long, value_name = "N", default_value_t = 5, env = "PERSEVERE_MAX_TRIES",
          value_parser = parse_max_tries, help_heading = "Limits")]
    pub max_tries: u32,

    /// No limit on the number of attempts (not with --max-tries) [default: off]
    #[arg(long, env = "PERSEVERE_FOREVER", value_parser = BoolishValueParser::new(),
          help_heading = "Limits")]
    pub forever: bool,

    /// Time limit for the whole run [default: none; 0 = none]
    ///
    /// No attempt starts at or after it: persevere gives up instead of a wait that would reach
    /// it. A running attempt is stopped at it as by --timeout.
    #[arg(long, value_name = "DUR", env = "PERSEVERE_MAX_TIME", value_parser = parse_duration,
          help_heading = "Limits")]
    pub max_time: Option<Duration>,

    /// Time limit for each attempt [default: none; 0 = none]
    ///
    /// All its processes get --signal (SIGTERM), then SIGKILL after --kill-after; the attempt
    /// fails with status 124 and is retried. Also --attempt-timeout, its name in a policy file.
    #[arg(long, value_name = "DUR", env = "PERSEVERE_TIMEOUT", value_parser = parse_duration,
          alias = "attempt-timeout", help_heading = "Limits")]
    pub timeout: Option<Duration>,

    /// Wait strategy between attempts (the library's catalogue)
    #[arg(long, value_name = "STRATEGY", default_value = "expo", env = "PERSEVERE_WAIT",
          value_parser = wait_kinds(), help_heading = "Waits")]
    pub wait: WaitKind,

    /// Growth per attempt of --wait expo (factor * base^n)
    #[arg(long, value_name = "NUMBER", default_value_t = defaults::EXPO_BASE, env = "PERSEVERE_BASE",
          value_parser = parse_base, help_heading = "Waits")]
    pub base: f64,

    /// First wait of expo and fibo; smallest wait of decorrelated
    #[arg(long, value_name = "DUR", default_value = "1s", env = "PERSEVERE_FACTOR",
          value_parser = parse_duration, help_heading = "Waits")]
    pub factor: Duration,

    /// Cap on each wait (before jitter) of expo, fibo, linear; decorrelated's cap
    /// [default: none]
    #[arg(long, value_name = "DUR", env = "PERSEVERE_MAX_VALUE", value_parser = parse_duration,
          help_heading = "Waits")]
    pub max_value: Option<Duration>,

    /// The wait of --wait constant; the first wait of --wait linear and decay
    #[arg(long, value_name = "DUR", default_value = "1s", env = "PERSEVERE_INTERVAL",
          value_parser = parse_duration, help_heading = "Waits")]
    pub interval: Duration,

    /// How fast the waits of --wait decay shrink: interval * e^(-F * n)
    #[arg(long, value_name = "F", default_value_t = defaults::DECAY_FACTOR,
          env = "PERSEVERE_DECAY_FACTOR", value_parser = parse_decay_factor,
          help_heading = "Waits")]
    pub decay_factor: f64,

    /// Floor of each wait of --wait decay [default: none]
    #[arg(long, value_name = "DUR", env = "PERSEVERE_MIN_VALUE", value_parser = parse_duration,
          help_heading = "Waits")]
    pub min_value: Option<Duration>,

    /// How much each wait of --wait linear adds
    #[arg(long, value_name = "DUR", default_value = "1s", env = "PERSEVERE_STEP",
          value_parser = parse_duration, help_heading = "Waits")]
    pub step: Duration,

    /// These waits in order, exactly (no jitter unless --jitter), then give up (replaces --wait)
    /// [default: none]
    #[arg(long, value_name = "LIST", env = "PERSEVERE_INTERVALS", value_parser = parse_intervals,
          help_heading = "Waits")]
    pub intervals: Option<IntervalList>,

    /// Randomises each wait: full, none, equal, random, proportional=F (F in 0..=1)
    /// [default: full; none for --wait decorrelated]
    ///
    /// Full jitter (uniform in [0, wait]) is the default for every strategy but decorrelated,
    /// --wait constant too, as in the library and Python backoff: hosts retrying a service on
    /// one fixed beat are what jitter prevents. Give none for exact waits.
    #[arg(long, value_name = "JITTER", env = "PERSEVERE_JITTER", value_parser = parse_jitter,
          hide_default_value = true, default_value = "full", help_heading = "Waits")]
    pub jitter: JitterArg,

    /// Seed for the jitter's random numbers, for reproducible waits [default: random]
    #[arg(long, value_name = "N", env = "PERSEVERE_SEED", value_parser = parse_seed,
          help_heading = "Waits")]
    pub seed: Option<u64>,

    /// Retry only these exit codes, e.g. 1,2,10-20 [default: any non-zero but 126 and 127]
    ///
    /// Other codes give up at once. 126 and 127 (the command cannot run) are retried only when
    /// listed, also when the command could not be started.
    #[arg(
        long,
        value_name = "CODES",
        env = "PERSEVERE_RETRY_ON_EXIT",
        help_heading = "What is retried"
    )]
    pub retry_on_exit: Option<ExitCodes>,

    /// Give up at once on these exit codes, e.g. 3,64-78 (wins over --retry-on-exit)
    /// [default: none]
    #[arg(
        long,
        value_name = "CODES",
        env = "PERSEVERE_STOP_ON_EXIT",
        help_heading = "What is retried"
    )]
    pub stop_on_exit: Option<ExitCodes>,

    /// Retry an attempt that died by SIGPIPE [default: off]
    ///
    /// By default a broken pipe ends the run: whoever read the command's output is gone.
    #[arg(long, env = "PERSEVERE_RETRY_ON_SIGPIPE", value_parser = BoolishValueParser::new(),
          help_heading = "What is retried")]
    pub retry_on_sigpipe: bool,

    /// An output line matching REGEX fails the attempt, even with exit 0 [default: none]
    ///
    /// Output rules pipe the command's stdout and stderr: every chunk is forwarded at once and
    /// each line is matched, whatever its length, in bounded memory.
    #[arg(long, value_name = "REGEX", env = "PERSEVERE_RETRY_IF_OUTPUT",
          value_parser = parse_regex, help_heading = "What is retried")]
    pub retry_if_output: Option<Regex>,

    /// The attempt succeeds only if an output line matched REGEX [default: none]
    #[arg(long, value_name = "REGEX", env = "PERSEVERE_UNTIL_OUTPUT", value_parser = parse_regex,
          help_heading = "What is retried")]
    pub until_output: Option<Regex>,

    /// The signal that stops an attempt at --timeout or --max-time, and what it leaves behind
    #[arg(short, long, value_name = "SIGNAL", default_value = "TERM", env = "PERSEVERE_SIGNAL",
          value_parser = parse_signal, help_heading = "Processes")]
    pub signal: i32,

    /// Grace between --signal and SIGKILL when an attempt is stopped or interrupted
    #[arg(long, value_name = "DUR", default_value = "10s", env = "PERSEVERE_KILL_AFTER",
          value_parser = parse_duration, help_heading = "Processes")]
    pub kill_after: Duration,

    /// Exit with the command's own status also when it was stopped [default: off]
    ///
    /// As timeout --preserve-status: an attempt stopped by --timeout or --max-time gives its
    /// status (128+N if the signal killed it), not 124.
    #[arg(long, env = "PERSEVERE_PRESERVE_STATUS", value_parser = BoolishValueParser::new(),
          help_heading = "Processes")]
    pub preserve_status: bool,

    /// Also stop what a successful attempt left running [default: off]
    ///
    /// What a failed, timed-out or interrupted attempt leaves behind is always stopped (--signal,
    /// then SIGKILL after --kill-after). What a successful attempt started on purpose (a daemon:
    /// pg_ctl start, setsid, a double fork) keeps running unless this is given. With output
    /// rules, such a process's stdout and stderr are pipes to persevere, closed when it ends:
    /// redirect a daemon's output. --verbose names what was stopped or left running.
    #[arg(long, env = "PERSEVERE_CLEANUP_ON_SUCCESS", value_parser = BoolishValueParser::new(),
          hide_short_help = true, help_heading = "Processes")]
    pub cleanup_on_success: bool,

    /// Hold each attempt's stdout until it ends: a success's goes to stdout, a failure's to
    /// stderr [default: off]
    ///
    /// The output is held in an unlinked temporary file, not in memory, so that a pipeline
    /// reads the command's output once.
    #[arg(long, env = "PERSEVERE_HOLD_STDOUT", value_parser = BoolishValueParser::new(),
          help_heading = "Processes")]
    pub hold_stdout: bool,

    /// How much of an attempt's stdout --hold-stdout holds: bytes, or k, M, G (1024s)
    /// [default: 64M]
    ///
    /// Past it, persevere says so, copies what it held to stdout and streams the rest as it
    /// comes (as without --hold-stdout: the output of an attempt that then fails is not taken
    /// back).
    #[arg(long, value_name = "SIZE", env = "PERSEVERE_HOLD_LIMIT", value_parser = parse_size,
          default_value = "64M", hide_default_value = true, hide_short_help = true,
          help_heading = "Processes")]
    pub hold_limit: u64,

    /// Read stdin to its end first, then give the same bytes to every attempt [default: off]
    #[arg(long, env = "PERSEVERE_REPLAY_STDIN", value_parser = BoolishValueParser::new(),
          help_heading = "Processes")]
    pub replay_stdin: bool,

    /// No messages of persevere's own (the command's output is untouched) [default: off]
    #[arg(short, long, env = "PERSEVERE_QUIET", value_parser = BoolishValueParser::new(),
          help_heading = "Messages")]
    pub quiet: bool,

    /// Also say when each attempt starts and when the command succeeded [default: off]
    #[arg(short, long, env = "PERSEVERE_VERBOSE", value_parser = BoolishValueParser::new(),
          help_heading = "Messages")]
    pub verbose: bool,

    /// Append one JSON object per event to PATH (`-` for stderr) [default: none]
    ///
    /// Events: backoff, then one final event: success, giveup (with its reason) or error. A
    /// file that cannot be opened is exit 125 before anything runs.
    #[arg(
        long,
        value_name = "PATH",
        env = "PERSEVERE_REPORT",
        help_heading = "Messages"
    )]
    pub report: Option<OsString>,

    /// Print a man page or a shell's completions, then exit
    #[arg(
        long,
        value_enum,
        value_name = "WHAT",
        exclusive = true,
        hide_short_help = true,
        help_heading = "Messages"
    )]
    pub generate: Option<Generate>,

    /// Share a retry budget: retries stay within PERCENT of the runs (e.g. 20%) [default: none]
    ///
    /// Every persevere of the same --budget-store and --budget-name shares it: each run earns
    /// PERCENT of a retry, each retry withdraws one, and --budget-min-rate retries a second are
    /// allowed whatever the runs. A refused retry ends the run with the last attempt's status,
    /// says so, and reports "reason":"budget".
    #[arg(long, value_name = "PERCENT", env = "PERSEVERE_BUDGET", value_parser = parse_percent,
          help_heading = "Fleet budget")]
    pub budget: Option<f64>,

    /// Retries per second the budget allows whatever the runs
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10,
        env = "PERSEVERE_BUDGET_MIN_RATE",
        help_heading = "Fleet budget"
    )]
    pub budget_min_rate: u32,

    /// How long the budget counts runs and retries (1s to 60s)
    #[arg(long, value_name = "DUR", default_value = "10s", env = "PERSEVERE_BUDGET_WINDOW",
          value_parser = parse_duration, help_heading = "Fleet budget")]
    pub budget_window: Duration,

    /// Where the budget is kept: file:PATH or redis://HOST[:PORT][/DB] [default: a file]
    ///
    /// The default file is $XDG_RUNTIME_DIR/persevere/budget-NAME, else
    /// $TMPDIR/persevere-UID/budget-NAME: one budget for the user on the machine. persevere
    /// makes that directory with mode 0700 and refuses it (saying why) if it is a symbolic link,
    /// another user's, or writable by others; it accepts only a regular file of its own user in
    /// it, never through a link. A file of another --budget-window, a damaged or a deleted file
    /// starts afresh, said once. A store that cannot be reached or is refused is said once;
    /// --budget-unreachable says what decides then. A URL's password is never printed.
    #[arg(long, value_name = "URL", env = "PERSEVERE_BUDGET_STORE", value_parser = parse_store,
          help_heading = "Fleet budget")]
    pub budget_store: Option<StoreUrl>,

    /// The budget's name in its store (the key persevere:budget:NAME in Redis)
    #[arg(long, value_name = "NAME", default_value = "default", env = "PERSEVERE_BUDGET_NAME",
          value_parser = parse_name, help_heading = "Fleet budget")]
    pub budget_name: String,

    /// What decides when the store cannot be reached: local or refuse [default: local]
    ///
    /// local: a budget of this process alone, with the same parameters (its own retries stay
    /// limited; the fleet's limit is lifted while the store is down). refuse: no retry at all
    /// for the rest of the run (fail closed: an outage cannot multiply a fleet's retries).
    #[arg(
        long,
        value_name = "WHAT",
        value_enum,
        default_value = "local",
        env = "PERSEVERE_BUDGET_UNREACHABLE",
        hide_default_value = true,
        hide_short_help = true,
        help_heading = "Fleet budget"
    )]
    pub budget_unreachable: Unreachable,

    /// Read options from a policy file (TOML or JSON): keys are the long option names [default: none]
    ///
    /// The command line and the PERSEVERE_* variables win over the file; a bad value is a usage
    /// error that names the file and the key. `attempt-timeout` is --timeout; the library's keys
    /// that a command has no use for (hedge, max-server-wait, name, retryable-status-codes,
    /// services) are ignored.
    #[arg(
        long,
        value_name = "FILE",
        env = "PERSEVERE_POLICY",
        help_heading = "Policy file"
    )]
    pub policy: Option<OsString>,

    /// Print the resolved policy as a policy file (TOML; JSON for a JSON --policy) and exit
    ///
    /// The command line, the PERSEVERE_* variables and --policy merged, with the defaults
    /// that the library would not assume (max-tries, the strategy's parameters): the printed
    /// file, given to --policy, runs the same policy. No COMMAND is needed.
    #[arg(long, hide_short_help = true, help_heading = "Policy file")]
    pub print_policy: bool,

    #[command(flatten)]
    pub breaker: crate::breaker::BreakerOptions,

    /// The command to run, and its arguments
    #[arg(
        required_unless_present_any = ["generate", "print_policy"],
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<OsString>,
}

/// `--generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Generate {
    /// The man page (roff), from the same definitions as --help
    Man,
    /// Completions for bash
    Bash,
    /// Completions for zsh
    Zsh,
    /// Completions for fish
    Fish,
    /// Completions for elvish
    Elvish,
    /// Completions for PowerShell
    Powershell,
}

/// `--wait`: the strategies of the core library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitKind {
    /// factor * base^n: 1s, 2s, 4s, ...
    Expo,
    /// Fibonacci multiples of factor: 1s, 1s, 2s, 3s, 5s, ...
    Fibo,
    /// Always --interval
    Constant,
    /// --interval, then + --step each time
    Linear,
    /// --interval * e^(-decay_factor * n): waits that shrink
    Decay,
    /// AWS decorrelated jitter: min(cap, U(factor, 3 * previous))
    Decorrelated,
}

impl WaitKind {
    /// The strategy of the library's catalogue that `name` (one `wait_kinds` offers) is.
    pub fn from_name(name: &str) -> Option<WaitKind> {
        Some(match name {
            "expo" => WaitKind::Expo,
            "fibo" => WaitKind::Fibo,
            "constant" => WaitKind::Constant,
            "linear" => WaitKind::Linear,
            "decay" => WaitKind::Decay,
            "decorrelated" => WaitKind::Decorrelated,
            _ => return None,
        })
    }

    /// Its name in the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            WaitKind::Expo => "expo",
            WaitKind::Fibo => "fibo",
            WaitKind::Constant => "constant",
            WaitKind::Linear => "linear",
            WaitKind::Decay => "decay",
            WaitKind::Decorrelated => "decorrelated",
        }
    }
}

/// The strategies a command line can choose: the catalogue's, less those that need code
/// (`runtime` reads an error) and `intervals` (which is `--intervals`). Their help is the
/// catalogue's.
pub fn offered_strategies() -> impl Iterator<Item = &'static catalogue::StrategySpec> {
    catalogue::STRATEGIES
        .iter()
        .filter(|s| s.takes_only_values() && s.name != "intervals")
}

/// `--wait`'s parser: the offered strategies' names, each with the catalogue's summary.
fn wait_kinds() -> impl TypedValueParser<Value = WaitKind> {
    let values = offered_strategies().map(|s| PossibleValue::new(s.name).help(s.summary));
    PossibleValuesParser::new(values).map(|name| {
        WaitKind::from_name(&name).expect("every offered strategy has a kind (a unit test checks)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_strategy_is_a_kind_named_as_in_the_catalogue() {
        let offered: Vec<&str> = offered_strategies().map(|s| s.name).collect();
        assert_eq!(
            offered,
            [
                "expo",
                "fibo",
                "constant",
                "linear",
                "decay",
                "decorrelated"
            ]
        );
        for name in offered {
            let kind = WaitKind::from_name(name).expect(name);
            assert_eq!(kind.name(), name);
        }
    }

    #[test]
    fn the_defaults_are_the_catalogue_defaults() {
        let cli = Cli::try_parse_from(["persevere", "true"]).unwrap();
        assert_eq!(cli.wait, WaitKind::Expo);
        assert_eq!(cli.base, defaults::EXPO_BASE);
        assert_eq!(cli.factor, defaults::EXPO_FACTOR);
        assert_eq!(cli.factor, defaults::FIBO_FACTOR);
        assert_eq!(cli.interval, defaults::CONSTANT_INTERVAL);
        assert_eq!(cli.interval, defaults::DECAY_INITIAL_VALUE);
        assert_eq!(cli.decay_factor, defaults::DECAY_FACTOR);
    }
}
