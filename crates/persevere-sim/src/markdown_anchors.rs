//! The metastable section's table of the anchors' claims beside what the scenario measured.

use crate::markdown_rows::{back, find, recovery};
use crate::metastable::{Setup, Trigger};
use crate::report_metastable::{LoadRow, Row};
use std::fmt::Write;

/// The lowest load of the sweep at which `name` stays down with `trigger`.
pub fn lowest_down_load(sweep: &[LoadRow], trigger: Trigger, name: &str) -> Option<f64> {
    sweep
        .iter()
        .filter(|l| l.row.trigger == trigger && l.row.policy.name == name)
        .filter(|l| !l.row.outcome.recovered)
        .map(|l| l.load)
        .reduce(f64::min)
}

/// The table, with the capacity-halved rows at the published load.
pub fn anchors_md(rows: &[Row], sweep: &[LoadRow]) -> String {
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
        Some(th10l),
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
        get(l, "throttle_10s"),
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
             {:.2}, amplification {:.2} and {:.2}); without retries goodput is {}",
            after_s(),
            n3.goodput_after,
            n5.goodput_after,
            n3.amplification_after,
            n5.amplification_after,
            back(&none)
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
             in {} (its 2-minute window keeps the accepts from before the trigger, so it \
             engages late); over a 10 s window, with latency x10, {}; with a budget {}",
            n3.amplification_after,
            ratio.amplification_after,
            recovery(&th),
            back(&th10l),
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
