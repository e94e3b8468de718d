//! The page's section on the metastable scenario, written from the rows just computed (so the
//! page cannot drift from `docs/simulation/metastable*.csv`).

use crate::markdown_rows::recovery;
use crate::metastable::{Setup, Trigger};
use crate::metastable_measure::{BASELINE_S, RECOVERED_SHARE, SUSTAINED_S};
use crate::metastable_policy::Policy;
use crate::report_metastable::{LOADS, LoadRow, Row};
use crate::{markdown_anchors, markdown_findings};
use std::fmt::Write;

fn setup_md(s: &Setup) -> String {
    format!(
        "The scenario (`persevere_sim::metastable::Setup::issue`):\n\n\
         - The server: {} workers, each serving one attempt at a time in {:.0} ms, so {:.0} \
         attempts a second; a first-come-first-served queue of at most {} attempts ({:.1} s of \
         work); an attempt that finds the queue full is rejected at once.\n\
         - The clients: one process whose {} callers each start a request at a fixed interval \
         (open loop, random phases), {:.0} requests a second in all: load {:.1} of capacity. \
         Each attempt times out at the client after {:.0} ms; messages take `|N(10 ms, 2 ms)|`. \
         Retries wait `expo()` from 50 ms (the AWS SDKs' 2026 transient base), doubling, at \
         most 20 s, with full jitter.\n\
         - The trigger, from {:.0} s to {:.0} s: **capacity halved** (half the workers gone) or \
         **latency x10** (each attempt holds its worker ten times as long, a tenth of the \
         capacity). Then the run goes on to {:.0} s.\n\n\
         Measured, from the successful requests in each second (goodput):\n\n\
         - **recovered**: goodput is back to at least {:.0} % of its level before the trigger \
         (the mean of the {} s before it) in every second from some point to the end of the \
         run, and that point is at least {} s before the end; **recovery_s** is the time from \
         the trigger's end to that point;\n\
         - **amplification**: attempts reaching the server during the trigger / requests \
         started during it; **amplification_after** the same from the trigger's end to the end;\n\
         - **goodput_during**, **goodput_after**: mean goodput during the trigger and after it, \
         over the goodput before.\n\n",
        s.workers,
        s.service_ms,
        s.capacity(),
        s.queue,
        s.queue as f64 / s.capacity(),
        s.clients,
        s.load * s.capacity(),
        s.load,
        s.timeout_ms,
        s.trigger_ms / 1e3,
        s.trigger_end_ms() / 1e3,
        s.horizon_ms / 1e3,
        RECOVERED_SHARE * 100.0,
        BASELINE_S,
        SUSTAINED_S,
    )
}

fn results_md(rows: &[Row]) -> String {
    let mut md = String::from(
        "| trigger | policy | recovered | recovery | amplification | amplification after | \
         goodput during | goodput after | refused locally |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let o = r.outcome;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            r.trigger.label(),
            r.policy.name,
            if o.recovered { "yes" } else { "**no**" },
            recovery(&o),
            o.amplification,
            o.amplification_after,
            o.goodput_during,
            o.goodput_after,
            o.refused
        );
    }
    md
}

fn sweep_md(sweep: &[LoadRow]) -> String {
    let mut md = String::new();
    for trigger in Trigger::ALL {
        let _ = write!(
            md,
            "\n**{}**, time to recover (s) or down:\n\n| policy |",
            trigger.label()
        );
        for load in LOADS {
            let _ = write!(md, " {load:.1} |");
        }
        md.push_str("\n|---|");
        md.push_str(&"---:|".repeat(LOADS.len()));
        md.push('\n');
        for policy in Policy::ALL {
            let _ = write!(md, "| {} |", policy.name);
            for load in LOADS {
                let cell = sweep
                    .iter()
                    .find(|l| l.load == load && l.row.trigger == trigger && l.row.policy == policy)
                    .map(|l| match l.row.outcome.recovery_s {
                        Some(s) => format!("{s:.0}"),
                        None => "down".to_string(),
                    });
                let _ = write!(md, " {} |", cell.unwrap_or_default());
            }
            md.push('\n');
        }
    }
    md
}

/// The section: the setup, the results, the load sweep, the plots and the anchors; `seconds`
/// is the wall time the scenario took.
pub fn section(rows: &[Row], sweep: &[LoadRow], seconds: f64) -> String {
    let mut md = String::from(include_str!("markdown_metastable.md"));
    md.push('\n');
    md.push_str(&setup_md(&Setup::issue(Trigger::CapacityHalved)));
    let _ = writeln!(
        md,
        "Produced by `cargo run --release -p persevere-sim` ({} seeded runs per row, seed {}: \
         a row recovered if every run did, its recovery is the slowest run's, the other \
         columns are means; the table and the load sweep took {seconds:.1} s of wall time on \
         the machine that wrote this page). The rows are in \
         `docs/simulation/metastable.csv`, the sweep in `docs/simulation/metastable_load.csv`; \
         the plots show the first run of each row.\n",
        crate::report_metastable::RUNS,
        crate::SEED
    );
    md.push_str(&results_md(rows));
    md.push_str(
        "\n![goodput, capacity halved](simulation/metastable_capacity_halved.svg)\n\n\
         ![goodput, latency x10](simulation/metastable_latency_x10.svg)\n",
    );
    md.push_str(
        "\n### At which load do they stay down?\n\nThe same scenario at each load (requests a \
         second over capacity), one run per point (the first seed of the table's); a number is \
         the time to recover after the trigger, `down` a run whose goodput did not come back.\n",
    );
    md.push_str(&sweep_md(sweep));
    md.push_str(&markdown_findings::findings_md(rows, sweep));
    md.push_str(&markdown_anchors::anchors_md(rows, sweep));
    md
}
