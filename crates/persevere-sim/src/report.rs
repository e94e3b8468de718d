//! The simulation's outputs: CSV tables and the plots' series.

use crate::Strategy;
use crate::budgets::BudgetKind;
use crate::contention::Row;
use crate::outage;
use crate::svg::Series;
use std::fmt::Write;

/// One row of the outage table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutageRow {
    /// The strategy.
    pub strategy: Strategy,
    /// Total attempts per request.
    pub max_tries: u32,
    /// The retry budget the clients shared.
    pub budget: BudgetKind,
    /// The mean over the runs.
    pub outcome: outage::Outcome,
}

/// `strategy,clients,calls,time_ms`, one line per row.
///
/// ```
/// use persevere_sim::{contention::{Outcome, Row}, report::brooker_csv, Strategy};
///
/// let row = Row { strategy: Strategy::FullJitter, clients: 10,
///                 outcome: Outcome { calls: 25.5, time_ms: 301.25 } };
/// assert_eq!(brooker_csv(&[row]), "strategy,clients,calls,time_ms\nfull_jitter,10,25.50,301.25\n");
/// ```
pub fn brooker_csv(rows: &[Row]) -> String {
    let mut out = String::from("strategy,clients,calls,time_ms\n");
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{:.2},{:.2}",
            r.strategy, r.clients, r.outcome.calls, r.outcome.time_ms
        );
    }
    out
}

/// `strategy,max_tries,budget,amplification,peak_load,drain_ms,gave_up,refused`, one line per
/// row.
///
/// ```
/// use persevere_sim::{budgets::BudgetKind, outage::Outcome, report::{outage_csv, OutageRow}};
/// use persevere_sim::Strategy;
///
/// let outcome = Outcome { amplification: 1.2, peak_load: 1.25, drain_ms: 12.5, gave_up: 9.0,
///                         refused: 8.0 };
/// let row = OutageRow { strategy: Strategy::FullJitter, max_tries: 3,
///                       budget: BudgetKind::Ratio, outcome };
/// assert_eq!(
///     outage_csv(&[row]),
///     "strategy,max_tries,budget,amplification,peak_load,drain_ms,gave_up,refused\n\
///      full_jitter,3,ratio,1.200,1.250,12.5,9.0,8.0\n"
/// );
/// ```
pub fn outage_csv(rows: &[OutageRow]) -> String {
    let mut out = String::from(
        "strategy,max_tries,budget,amplification,peak_load,drain_ms,gave_up,refused\n",
    );
    for r in rows {
        let o = r.outcome;
        let _ = writeln!(
            out,
            "{},{},{},{:.3},{:.3},{:.1},{:.1},{:.1}",
            r.strategy,
            r.max_tries,
            r.budget,
            o.amplification,
            o.peak_load,
            o.drain_ms,
            o.gave_up,
            o.refused
        );
    }
    out
}

/// One series per strategy of `value(row)` against the number of clients.
pub fn series(rows: &[Row], strategies: &[Strategy], value: fn(&Row) -> f64) -> Vec<Series> {
    strategies
        .iter()
        .map(|&s| Series {
            name: s.name().replace('_', " "),
            color: s.color(),
            points: rows
                .iter()
                .filter(|r| r.strategy == s)
                .map(|r| (r.clients as f64, value(r)))
                .collect(),
        })
        .collect()
}

/// The server over time in the outage scenario with `strategy` and `max_tries`, one
/// [`outage::timeline`] per budget up to `until_ms`: (load series, queue series).
pub fn budget_series(
    strategy: Strategy,
    max_tries: u32,
    runs: u32,
    seed: u64,
    until_ms: f64,
) -> (Vec<Series>, Vec<Series>) {
    BudgetKind::ALL
        .iter()
        .map(|&b| {
            let setup = outage::Setup::issue(max_tries).with_budget(b);
            let t = outage::timeline(&setup, strategy, runs, seed, until_ms);
            let series = |points| Series {
                name: b.name().replace('_', " "),
                color: b.color(),
                points,
            };
            (series(t.load), series(t.queued))
        })
        .unzip()
}

/// The row of `strategy` at `clients`, if it was run.
pub fn find(rows: &[Row], strategy: Strategy, clients: usize) -> Option<&Row> {
    rows.iter()
        .find(|r| r.strategy == strategy && r.clients == clients)
}
