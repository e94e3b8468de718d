//! The metastable scenario's outputs: its CSV files and the goodput plots' series.

use crate::metastable::{self, Setup, Trigger};
use crate::metastable_measure::{Outcome, combine, goodput_series, measure};
use crate::metastable_policy::Policy;
use crate::svg::Series;
use persevere::Rng;
use std::fmt::Write;

/// The loads of the sweep (`docs/simulation/metastable_load.csv`).
pub const LOADS: [f64; 7] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// The policies the goodput plots show.
pub const PLOTTED: [&str; 7] = [
    "no_retries",
    "naive_3",
    "ratio",
    "aws_standard",
    "throttle",
    "breaker",
    "ratio+throttle",
];

/// One row of the metastable table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// The client policy.
    pub policy: Policy,
    /// The trigger.
    pub trigger: Trigger,
    /// What happened.
    pub outcome: Outcome,
}

/// Runs per row of the published table (the load sweep has one per point).
pub const RUNS: u32 = 5;

/// The seeds of `runs` runs, drawn from `seed` (the first is also the sweep's and the plots').
pub fn run_seeds(seed: u64, runs: u32) -> Vec<u64> {
    let mut seeds = Rng::seeded(seed);
    (0..runs).map(|_| seeds.next_u64()).collect()
}

/// `policy` in `setup` over `runs` seeded runs, combined by [`combine`].
pub fn outcome(setup: &Setup, policy: Policy, seed: u64, runs: u32) -> Outcome {
    let outcomes: Vec<Outcome> = run_seeds(seed, runs)
        .into_iter()
        .map(|s| measure(setup, &metastable::run(setup, policy, s)))
        .collect();
    combine(&outcomes)
}

/// The table: every trigger, every policy in [`Setup::issue`], `runs` seeded runs each.
pub fn rows(seed: u64, runs: u32) -> Vec<Row> {
    let mut rows = Vec::new();
    for trigger in Trigger::ALL {
        let setup = Setup::issue(trigger);
        for policy in Policy::ALL {
            rows.push(Row {
                policy,
                trigger,
                outcome: outcome(&setup, policy, seed, runs),
            });
        }
    }
    rows
}

fn recovery(row: &Row) -> String {
    row.outcome
        .recovery_s
        .map_or_else(String::new, |s| format!("{s:.0}"))
}

/// `policy,trigger,recovered,recovery_s,amplification,amplification_after,goodput_during,
/// goodput_after,goodput_before,refused`, one line per row; `recovery_s` is empty for a run
/// whose goodput did not come back.
///
/// ```
/// use persevere_sim::metastable::Trigger;
/// use persevere_sim::metastable_measure::Outcome;
/// use persevere_sim::metastable_policy::Policy;
/// use persevere_sim::report_metastable::{metastable_csv, Row};
///
/// let outcome = Outcome { goodput_before: 700.0, recovered: false, recovery_s: None,
///     amplification: 2.5, amplification_after: 3.0, goodput_during: 0.25,
///     goodput_after: 0.0, refused: 0 };
/// let row = Row { policy: Policy::ALL[1], trigger: Trigger::CapacityHalved, outcome };
/// assert_eq!(metastable_csv(&[row]).lines().nth(1),
///            Some("naive_3,capacity_halved,false,,2.500,3.000,0.250,0.000,700.0,0"));
/// ```
pub fn metastable_csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "policy,trigger,recovered,recovery_s,amplification,amplification_after,\
         goodput_during,goodput_after,goodput_before,refused\n",
    );
    for r in rows {
        let o = r.outcome;
        let _ = writeln!(
            out,
            "{},{},{},{},{:.3},{:.3},{:.3},{:.3},{:.1},{}",
            r.policy.name,
            r.trigger,
            o.recovered,
            recovery(r),
            o.amplification,
            o.amplification_after,
            o.goodput_during,
            o.goodput_after,
            o.goodput_before,
            o.refused
        );
    }
    out
}

/// Attempts the throttle refuses in a run of [`Setup::issue`] without a trigger: those it
/// refuses at the start, while its window holds requests and no answer has come back yet.
pub fn throttle_cold_start_refusals(seed: u64) -> u64 {
    let setup = Setup {
        trigger_len_ms: 0.0,
        ..Setup::issue(Trigger::CapacityHalved)
    };
    let policy = Policy::named("throttle").expect("a published policy");
    metastable::run(&setup, policy, run_seeds(seed, 1)[0]).refused
}

/// One row of the load sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadRow {
    /// The offered load over the server's capacity.
    pub load: f64,
    /// The row at that load.
    pub row: Row,
}

/// `policies` with every trigger at each of `loads`, one seeded run each, the first of
/// [`run_seeds`] (the published sweep: [`Policy::ALL`] at [`LOADS`]).
pub fn load_sweep(seed: u64, loads: &[f64], policies: &[Policy]) -> Vec<LoadRow> {
    let mut rows = Vec::new();
    for trigger in Trigger::ALL {
        for &policy in policies {
            for &load in loads {
                let setup = Setup {
                    load,
                    ..Setup::issue(trigger)
                };
                let outcome = outcome(&setup, policy, seed, 1);
                let row = Row {
                    policy,
                    trigger,
                    outcome,
                };
                rows.push(LoadRow { load, row });
            }
        }
    }
    rows
}

/// `policy,trigger,load,recovered,recovery_s,amplification_after`, one line per row.
pub fn load_csv(rows: &[LoadRow]) -> String {
    let mut out = String::from("policy,trigger,load,recovered,recovery_s,amplification_after\n");
    for LoadRow { load, row } in rows {
        let _ = writeln!(
            out,
            "{},{},{load:.1},{},{},{:.3}",
            row.policy.name,
            row.trigger,
            row.outcome.recovered,
            recovery(row),
            row.outcome.amplification_after
        );
    }
    out
}

/// Goodput over the goodput before the trigger, second by second, for each of [`PLOTTED`]
/// with `trigger`, in the first run of [`rows`].
pub fn goodput_plot(trigger: Trigger, seed: u64) -> Vec<Series> {
    let setup = Setup::issue(trigger);
    PLOTTED
        .iter()
        .filter_map(|name| Policy::named(name))
        .map(|policy| Series {
            name: policy.name.replace('_', " "),
            color: policy.color(),
            points: goodput_series(
                &setup,
                &metastable::run(&setup, policy, run_seeds(seed, 1)[0]),
            ),
        })
        .collect()
}
