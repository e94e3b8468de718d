//! The second stage of the arguments: a validated configuration, and the persevere policy built
//! from it. Every retry rule is the core's; this file only chooses its parameters.

use crate::announce::Announcer;
use crate::breaker::{BreakerArgs, CliBreaker};
use crate::budget::{BudgetArgs, CliBudget};
use crate::cli::Cli;
use crate::ending;
use crate::outcome::{AttemptFailure, Failure, Success};
use crate::output_rules::OutputRules;
use crate::rules::RetryRules;
use crate::sources::{GIVEN, Sources};
use crate::strategy::{self, Strategy};
use crate::usage_error::UsageError;
use crate::values::JitterArg;
use persevere::policy::{Blocking, ErrorFilter, Fixed, Handlers, ServerWaits, TimeoutFor};
use persevere::{Jitter, OnError, SystemClock};
use std::ffi::OsString;
use std::sync::Arc;
use std::time::Duration;

/// The policy type the CLI runs: the chosen strategy, the give-up rule and the announcer's
/// handlers (and the budget), for attempts that succeed with `Success` or fail with
/// `AttemptFailure`.
pub type CliPolicy<F, H> =
    OnError<Strategy, F, H, SystemClock, Fixed<Success>, Fixed<AttemptFailure>>;

/// A validated run configuration.
#[derive(Debug)]
pub struct Config {
    /// The command and its arguments.
    pub command: Vec<OsString>,
    /// Total attempts; `None` with `--forever`.
    pub max_tries: Option<u32>,
    /// The most attempts the run can make: `max_tries`, or fewer with `--intervals` (its
    /// waits plus one). For messages and `PERSEVERE_ATTEMPTS`.
    pub attempts_at_most: Option<u32>,
    /// Time limit of the whole run.
    pub max_time: Option<Duration>,
    /// The wait strategy.
    pub strategy: Strategy,
    /// `--jitter`, or `None` for the core's default.
    pub jitter: Option<Jitter>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// Time limit of each attempt.
    pub timeout: Option<Duration>,
    /// Grace between `signal` and SIGKILL.
    pub kill_after: Duration,
    /// `--signal`: what stops an attempt at its deadline, and its leftovers.
    pub signal: i32,
    /// `--preserve-status`.
    pub preserve_status: bool,
    /// `--cleanup-on-success`: a successful attempt's leftovers are stopped too.
    pub cleanup_on_success: bool,
    /// `--retry-on-exit`, `--stop-on-exit`, `--retry-on-sigpipe`.
    pub rules: RetryRules,
    /// The output rules.
    pub output: OutputRules,
    /// `--replay-stdin`.
    pub replay_stdin: bool,
    /// `--hold-stdout`.
    pub hold_stdout: bool,
    /// `--hold-limit`: bytes of an attempt's stdout held at most.
    pub hold_limit: u64,
    /// `--quiet`.
    pub quiet: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// `--report`.
    pub report: Option<OsString>,
    /// The `PERSEVERE_<OPTION>` variables, removed from the command's environment.
    pub option_env: Vec<OsString>,
    /// `--budget` and its options; the store is opened by `open_budget`.
    pub budget: Option<BudgetArgs>,
    /// `--breaker` and its options; the store is opened by `open_breaker`.
    pub breaker: Option<BreakerArgs>,
}

impl Config {
    /// Validates the parsed arguments. `sources` tells where each value came from: options
    /// given on the command line win over `PERSEVERE_*` variables.
    pub fn new(cli: Cli, sources: &Sources, option_env: Vec<OsString>) -> Result<Self, UsageError> {
        let rank = |id: &str| sources.rank(id);
        let name = |id: &str| sources.name(id);
        let max_tries = if cli.forever {
            match rank("forever").cmp(&rank("max_tries")) {
                std::cmp::Ordering::Greater => None,
                std::cmp::Ordering::Less => Some(cli.max_tries),
                std::cmp::Ordering::Equal => {
                    return Err(UsageError(format!(
                        "{} and {} cannot be used together",
                        name("forever"),
                        name("max_tries")
                    )));
                }
            }
        } else {
            Some(cli.max_tries)
        };
        let strategy = strategy::from_options(&cli, rank, name)?;
        let budget = budget_args(&cli, |id| rank(id) == GIVEN, name)?;
        let breaker = BreakerArgs::new(&cli.breaker, |id| rank(id) == GIVEN, name)?;
        // `--intervals` are "these waits": exact unless --jitter says otherwise.
        let exact = matches!(strategy, Strategy::Intervals(_)) && rank("jitter") == 0;
        let attempts_at_most = match (&strategy, &cli.intervals, max_tries) {
            (Strategy::Intervals(_), Some(list), max) => {
                let by_list = u32::try_from(list.0.len() + 1).unwrap_or(u32::MAX);
                Some(max.map_or(by_list, |m| m.min(by_list)))
            }
            (_, _, max) => max,
        };
        let jitter = (rank("jitter") > 0).then_some(match cli.jitter {
            JitterArg::Full => Jitter::Full,
            JitterArg::None => Jitter::None,
            JitterArg::Equal => Jitter::Equal,
            JitterArg::Random => Jitter::Random,
            JitterArg::Proportional(f) => Jitter::Proportional(f),
        });
        let jitter = if exact { Some(Jitter::None) } else { jitter };
        Ok(Config {
            command: cli.command,
            max_tries,
            attempts_at_most,
            max_time: cli.max_time.filter(|d| !d.is_zero()),
            strategy,
            jitter,
            seed: cli.seed,
            timeout: cli.timeout.filter(|d| !d.is_zero()),
            kill_after: cli.kill_after,
            signal: cli.signal,
            preserve_status: cli.preserve_status,
            cleanup_on_success: cli.cleanup_on_success,
            rules: RetryRules {
                retry_on_exit: cli.retry_on_exit,
                stop_on_exit: cli.stop_on_exit,
                retry_on_sigpipe: cli.retry_on_sigpipe,
            },
            output: OutputRules::new(cli.retry_if_output, cli.until_output, !cli.quiet),
            replay_stdin: cli.replay_stdin,
            hold_stdout: cli.hold_stdout,
            hold_limit: cli.hold_limit,
            quiet: cli.quiet,
            verbose: cli.verbose,
            report: cli.report,
            option_env,
            budget,
            breaker,
        })
    }

    /// The shared circuit breaker of `--breaker` (one that lets everything go without it).
    pub fn open_breaker(&self) -> Result<CliBreaker, UsageError> {
        CliBreaker::open(self.breaker.as_ref(), self.quiet)
    }

    /// The shared budget of `--budget` (one that grants everything without it).
    pub fn open_budget(&self) -> Result<CliBudget, UsageError> {
        match &self.budget {
            Some(args) => CliBudget::open(args, self.quiet),
            None => Ok(CliBudget::default()),
        }
    }

    /// The persevere policy for this run; its handlers speak through `announcer`, and its
    /// retries draw from the budget and ask the breaker, which hears every attempt.
    pub fn policy(
        &self,
        announcer: &Arc<Announcer>,
        guards: (CliBudget, CliBreaker),
    ) -> CliPolicy<
        // The route marker of a list of one `giveup` filter.
        impl ErrorFilter<AttemptFailure, ((), ())>,
        impl Handlers<Success, AttemptFailure>
        + ServerWaits<AttemptFailure>
        + Blocking
        + TimeoutFor<Result<Success, AttemptFailure>>,
    > {
        let mut policy = persevere::on_error(self.strategy.clone())
            .value_type::<Success>()
            .error_type::<AttemptFailure>()
            .no_log()
            .giveup(self.giveup_rule());
        if let Some(max) = self.max_tries {
            policy = policy.max_tries(max);
        }
        if let Some(max) = self.max_time {
            // No attempt starts at --max-time: it would be stopped there at once.
            policy = policy.max_time(max).no_attempt_at_deadline();
        }
        if let Some(jitter) = self.jitter {
            policy = policy.jitter(jitter);
        }
        if let Some(seed) = self.seed {
            policy = policy.seed(seed);
        }
        let (on_backoff, on_giveup, on_success) =
            (announcer.clone(), announcer.clone(), announcer.clone());
        let rules = self.rules.clone();
        let (budget, breaker) = guards;
        let breaker_name = breaker.name().unwrap_or_default();
        policy
            .on_backoff(move |d| {
                if let (Some(failure), Some(wait)) = (d.error(), d.wait()) {
                    on_backoff.backoff(d.tries(), failure, wait, d.elapsed());
                }
            })
            .on_giveup(move |d| {
                if let Some(AttemptFailure {
                    failure: Failure::CircuitOpen,
                    ..
                }) = d.error()
                {
                    // Refused before its first attempt: the command was not run.
                    on_giveup.circuit_open(&breaker_name);
                } else if let (Some(failure), Some(core)) = (d.error(), d.reason()) {
                    let why = ending::reason(core, &rules, failure);
                    on_giveup.giveup(d.tries(), failure, Some(why), d.elapsed());
                }
            })
            .on_success(move |d| on_success.success(d.tries(), d.elapsed()))
            // The breaker gates every attempt (an open one refuses the first: the run ends
            // with `Failure::CircuitOpen`); the budget, retries only.
            .budget(budget)
            .gate(breaker)
    }

    /// Failures that are never retried (`rules.rs`) give up at once, with the give-up message
    /// and report event, so that a run always says why it stopped.
    fn giveup_rule(&self) -> impl Fn(&AttemptFailure) -> bool + 'static {
        let rules = self.rules.clone();
        move |f: &AttemptFailure| rules.not_retried(f).is_some()
    }
}

/// `--budget` and its options; the others without `--budget` are usage errors.
fn budget_args(
    cli: &Cli,
    given: impl Fn(&str) -> bool,
    name: impl Fn(&str) -> String,
) -> Result<Option<BudgetArgs>, UsageError> {
    let Some(percent) = cli.budget else {
        for id in [
            "budget_min_rate",
            "budget_window",
            "budget_store",
            "budget_name",
            "budget_unreachable",
        ] {
            if given(id) {
                return Err(UsageError(format!(
                    "{} applies only with --budget",
                    name(id)
                )));
            }
        }
        return Ok(None);
    };
    let window = cli.budget_window;
    if !(Duration::from_secs(1)..=Duration::from_secs(60)).contains(&window) {
        return Err(UsageError(format!(
            "{} must be from 1s to 60s, got {}",
            name("budget_window"),
            crate::duration::format_seconds(window)
        )));
    }
    Ok(Some(BudgetArgs {
        percent,
        min_rate: cli.budget_min_rate,
        window,
        store: cli.budget_store.clone(),
        name: cli.budget_name.clone(),
        unreachable: cli.budget_unreachable,
    }))
}
