//! The simulation's outputs: CSV tables and the plots' series.

use crate::Strategy;
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

/// `strategy,max_tries,amplification,peak_load,drain_ms,gave_up`, one line per row.
pub fn outage_csv(rows: &[OutageRow]) -> String {
    let mut out = String::from("strategy,max_tries,amplification,peak_load,drain_ms,gave_up\n");
    for r in rows {
        let o = r.outcome;
        let _ = writeln!(
            out,
            "{},{},{:.3},{:.3},{:.1},{:.1}",
            r.strategy, r.max_tries, o.amplification, o.peak_load, o.drain_ms, o.gave_up
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

/// The row of `strategy` at `clients`, if it was run.
pub fn find(rows: &[Row], strategy: Strategy, clients: usize) -> Option<&Row> {
    rows.iter()
        .find(|r| r.strategy == strategy && r.clients == clients)
}
