//! The page's section on the metastable scenario, written from the rows just computed (so the
//! page cannot drift from `docs/simulation/metastable*.csv`).

use crate::metastable::{Row, Setup, Trigger};
use crate::metastable_measure::{BASELINE_S, Outcome, RECOVERED_SHARE, SUSTAINED_S};
use crate::metastable_policy::Policy;
use crate::report_metastable::{LOADS, LoadRow};
use std::fmt::Write;

fn find(rows: &[Row], trigger: Trigger, name: &str) -> Option<Outcome> {
    rows.iter()
        .find(|r| r.trigger == trigger && r.policy.name == name)
        .map(|r| r.outcome)
}

fn recovery(o: &Outcome) -> String {
    o.recovery_s
        .map_or_else(|| "**stays down**".to_string(), |s| format!("{s:.0} s"))
}

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

/// The lowest load of the sweep at which `name` stays down with `trigger`.
pub fn lowest_down_load(sweep: &[LoadRow], trigger: Trigger, name: &str) -> Option<f64> {
    sweep
        .iter()
        .filter(|l| l.row.trigger == trigger && l.row.policy.name == name)
        .filter(|l| !l.row.outcome.recovered)
        .map(|l| l.load)
        .reduce(f64::min)
}

fn anchors_md(rows: &[Row], sweep: &[LoadRow]) -> String {
    let c = Trigger::CapacityHalved;
    let l = Trigger::LatencyTenfold;
    let after_s = || {
        let s = Setup::issue(c);
        (s.horizon_ms - s.trigger_end_ms()) / 1e3
    };
    let get = |t, name| find(rows, t, name);
    let (
        Some(none),
        Some(n3),
        Some(n5),
        Some(ratio),
        Some(aws),
        Some(aws26),
        Some(grpc),
        Some(th),
        Some(br),
        Some(br5),
        Some(rt),
        Some(at),
    ) = (
        get(c, "no_retries"),
        get(c, "naive_3"),
        get(c, "naive_5"),
        get(c, "ratio"),
        get(c, "aws_standard"),
        get(c, "aws_2026"),
        get(c, "grpc"),
        get(c, "throttle"),
        get(c, "breaker"),
        get(c, "breaker_open_5s"),
        get(c, "ratio+throttle"),
        get(c, "aws_standard+throttle"),
    )
    else {
        return String::new();
    };
    let down = |t, name| {
        lowest_down_load(sweep, t, name)
            .map_or_else(|| "none of the sweep's".into(), |x| format!("{x:.1}"))
    };
    let ratio_09 = sweep
        .iter()
        .find(|x| x.load == 0.9 && x.row.trigger == c && x.row.policy.name == "ratio")
        .map(|x| x.row.outcome);
    let rt_09 = sweep
        .iter()
        .find(|x| x.load == 0.9 && x.row.trigger == c && x.row.policy.name == "ratio+throttle")
        .map(|x| x.row.outcome);
    let mut md = String::from(
        "\n### The anchors' claims, side by side\n\nMeasured with capacity halved at load 0.7 \
         unless said otherwise.\n\n| anchor | what it says | here |\n|---|---|---|\n",
    );
    let mut row = |a: &str, says: &str, here: String| {
        let _ = writeln!(md, "| {a} | {says} | {here} |");
    };
    row(
        "Bronson et al., HotOS 2021; Huang et al., OSDI 2022",
        "a trigger pushes the system into a state its own work (here retries) sustains after the \
         trigger is gone; Huang et al.: at least 4 of 15 major AWS outages in a decade were \
         metastable failures",
        format!(
            "naive_3 and naive_5 stay down for the {:.0} s after the trigger (goodput {:.2} and \
             {:.2}, amplification {:.2} and {:.2}); without retries goodput is back {}",
            after_s(),
            n3.goodput_after,
            n5.goodput_after,
            n3.amplification_after,
            n5.amplification_after,
            recovery(&none)
        ),
    );
    row(
        "Isaev (Yandex), \"Good Retry, Bad Retry\", 2024",
        "exponential backoff does not stop retry storms under open-loop load; a retry budget does",
        format!(
            "the naive rows back off exponentially with full jitter and stay down; lowest load \
             of the sweep at which naive_3 stays down: {} (capacity halved), {} (latency x10); \
             naive_5: {}, {}",
            down(c, "naive_3"),
            down(l, "naive_3"),
            down(c, "naive_5"),
            down(l, "naive_5")
        ),
    );
    row(
        "Google SRE book, ch. 21",
        "3 attempts grow load to \"just below 3X\"; a 10 % per-client retry budget to \"just \
         1.1x\"; adaptive throttling with K = 2 over about 2 minutes",
        format!(
            "naive_3 {:.2}x after the trigger; ratio (20 %) {:.2}x; the throttle alone recovers \
             in {} (its 2-minute window remembers the failures), with a budget in {}",
            n3.amplification_after,
            ratio.amplification_after,
            recovery(&th),
            recovery(&rt)
        ),
    );
    row(
        "Finagle `RetryBudget` (on by default in its clients), tower, Linkerd",
        "20 % of the requests plus 10 retries a second over 10 s: load about 1.2x",
        format!(
            "amplification {:.2} during the trigger, recovery {}; but at load 0.9 1.2x is more \
             than the capacity: {} alone, {} with the throttle",
            ratio.amplification,
            recovery(&ratio),
            ratio_09.map_or_else(String::new, |o| recovery(&o)),
            rt_09.map_or_else(String::new, |o| recovery(&o)),
        ),
    );
    row(
        "AWS SDKs' retry quota (standard mode; 2026 revision: 14 a retry)",
        "500 tokens, refilled only by successes; the 2026 cost is meant to reduce \"retry \
         amplification during service outages\"",
        format!(
            "aws_standard {:.2}, aws_2026 {:.2} during the trigger: the bucket empties and the \
             clients behave as without retries (recovery {} and {})",
            aws.amplification,
            aws26.amplification,
            recovery(&aws),
            recovery(&aws26)
        ),
    );
    row(
        "gRPC A6 `retryThrottling`",
        "no retry while the tokens are at half or less; failures take 1, successes give 0.1",
        format!(
            "grpc {:.2} during the trigger, recovery {}",
            grpc.amplification,
            recovery(&grpc)
        ),
    );
    row(
        "resilience4j (50 %, 100 calls, 60 s open, 10 half-open probes); recloser (0.5, 100, \
         30 s open)",
        "fail fast while the dependency is down; probe, then close",
        format!(
            "breaker (30 s open) recovers {} after the trigger: it opened during the trigger \
             and refuses everything for 30 s (goodput after {:.2}), the modal behaviour \
             Brooker warns of",
            recovery(&br),
            br.goodput_after
        ),
    );
    row(
        "Polly v8 (ratio 0.1, 100 calls, 30 s sampling, 5 s break)",
        "a short break",
        format!(
            "breaker_open_5s: recovery {}, goodput during {:.2} (without retries {:.2}): its \
             open periods let the queue drain",
            recovery(&br5),
            br5.goodput_during,
            none.goodput_during
        ),
    );
    row(
        "recommended here",
        "a budget and the throttle together",
        format!(
            "ratio+throttle {}, aws_standard+throttle {}",
            recovery(&rt),
            recovery(&at)
        ),
    );
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
        "Produced by `cargo run --release -p persevere-sim` (one run per row, seed {}; the \
         table and the load sweep took {seconds:.1} s of wall time on the machine that wrote \
         this page). The rows are in `docs/simulation/metastable.csv`, the sweep in \
         `docs/simulation/metastable_load.csv`.\n",
        crate::SEED
    );
    md.push_str(&results_md(rows));
    md.push_str(
        "\n![goodput, capacity halved](simulation/metastable_capacity_halved.svg)\n\n\
         ![goodput, latency x10](simulation/metastable_latency_x10.svg)\n",
    );
    md.push_str(
        "\n### At which load do they stay down?\n\nThe same runs at each load (requests a \
         second over capacity); a number is the time to recover after the trigger, `down` a \
         run whose goodput did not come back.\n",
    );
    md.push_str(&sweep_md(sweep));
    md.push_str(&anchors_md(rows, sweep));
    md
}
