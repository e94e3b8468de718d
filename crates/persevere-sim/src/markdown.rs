//! `docs/simulation.md`: the simulation's results, written by the binary from the numbers it
//! has just computed (so the page cannot drift from the CSV files).

use crate::Strategy;
use crate::budgets::BudgetKind;
use crate::contention::Row;
use crate::markdown_budgets;
use crate::markdown_wave;
use crate::report::{OutageRow, find};
use std::fmt::Write;

/// How the results were produced, for the page's header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Runs per point of the contention experiment.
    pub runs: u32,
    /// Runs per row of the outage scenario.
    pub outage_runs: u32,
    /// The master seed.
    pub seed: u64,
    /// Wall time of the contention experiment, seconds.
    pub seconds: f64,
}

/// The blog's claims at 100 clients, checked on `rows`: (claim, measured, holds).
pub fn claims(rows: &[Row]) -> Vec<(String, String, bool)> {
    let at = |s| find(rows, s, 100).map(|r| r.outcome);
    let (Some(expo), Some(full), Some(equal), Some(decorr)) = (
        at(Strategy::Exponential),
        at(Strategy::FullJitter),
        at(Strategy::EqualJitter),
        at(Strategy::Decorrelated),
    ) else {
        return Vec::new();
    };
    let full_vs_expo = full.calls / expo.calls;
    let equal_vs_full = equal.calls / full.calls;
    vec![
        (
            "full jitter needs less than half the calls of exponential without jitter".into(),
            format!("{:.0} / {:.0} = {full_vs_expo:.2}", full.calls, expo.calls),
            full_vs_expo < 0.5,
        ),
        (
            "full and equal jitter need the same calls within 10%".into(),
            format!(
                "{:.0} / {:.0} = {equal_vs_full:.2}",
                equal.calls, full.calls
            ),
            (equal_vs_full - 1.0).abs() <= 0.10,
        ),
        (
            "equal jitter takes longer than full jitter".into(),
            format!("{:.0} ms vs {:.0} ms", equal.time_ms, full.time_ms),
            equal.time_ms > full.time_ms,
        ),
        (
            "decorrelated jitter needs more calls than full jitter".into(),
            format!("{:.0} vs {:.0}", decorr.calls, full.calls),
            decorr.calls > full.calls,
        ),
    ]
}

/// The whole page.
pub fn simulation_md(
    rows: &[Row],
    outage: &[OutageRow],
    wave: &[OutageRow],
    s: &Settings,
) -> String {
    let mut md = String::new();
    let _ = write!(md, "{}", include_str!("markdown_intro.md"));
    let _ = writeln!(
        md,
        "Produced by `cargo run --release -p persevere-sim` ({} runs per point, seed {}; the \
         contention experiment took {:.1} s of wall time on the machine that wrote this page). \
         Every number below comes from `docs/simulation/brooker.csv`, \
         `docs/simulation/outage.csv`, `docs/simulation/wave.csv` and \
         `docs/simulation/metastable*.csv`.\n",
        s.runs, s.seed, s.seconds
    );
    md.push_str(
        "### The blog's claims at 100 clients\n\n| claim | measured | holds |\n|---|---|---|\n",
    );
    for (claim, measured, holds) in claims(rows) {
        let _ = writeln!(
            md,
            "| {claim} | {measured} | {} |",
            if holds { "yes" } else { "**no**" }
        );
    }
    md.push_str("\n### Work and time\n\n![calls](simulation/calls.svg)\n\n");
    md.push_str("![time](simulation/time.svg)\n\n");
    md.push_str(
        "As in the blog, un-jittered exponential dwarfs the others on time; without it:\n\n\
         ![time without un-jittered exponential](simulation/time_jittered.svg)\n\n",
    );
    md.push_str("Mean write calls (time in ms in brackets):\n\n| clients |");
    for st in Strategy::ALL {
        let _ = write!(md, " {} |", st.name());
    }
    md.push_str("\n|---:|");
    md.push_str(&"---:|".repeat(Strategy::ALL.len()));
    md.push('\n');
    let mut clients: Vec<usize> = rows.iter().map(|r| r.clients).collect();
    clients.dedup();
    for n in clients {
        let _ = write!(md, "| {n} |");
        for st in Strategy::ALL {
            match find(rows, st, n) {
                Some(r) => {
                    let _ = write!(md, " {:.0} ({:.0}) |", r.outcome.calls, r.outcome.time_ms);
                }
                None => md.push_str(" |"),
            }
        }
        md.push('\n');
    }
    let _ = write!(md, "{}", include_str!("markdown_outage.md"));
    let _ = writeln!(
        md,
        "Means of {} runs per row.\n\n| strategy | max_tries | amplification (attempts / requests) \
         | peak load / normal | drain after recovery (s) | requests that gave up |\n\
         |---|---:|---:|---:|---:|---:|",
        s.outage_runs
    );
    for r in outage.iter().filter(|r| r.budget == BudgetKind::None) {
        let o = r.outcome;
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {:.2} | {:.1} | {:.0} |",
            r.strategy,
            r.max_tries,
            o.amplification,
            o.peak_load,
            o.drain_ms / 1e3,
            o.gave_up
        );
    }
    md.push_str(&markdown_budgets::section(outage, s.outage_runs));
    md.push_str(&markdown_wave::section(wave, s.outage_runs));
    md
}
