//! The metastable section's "what it shows", written from the rows just computed: each
//! statement quotes the numbers it rests on.

use crate::markdown_anchors::lowest_down_load;
use crate::markdown_rows::{back, find};
use crate::metastable::Trigger;
use crate::metastable_measure::Outcome;
use crate::report_metastable::{LoadRow, Row};
use std::fmt::Write;

/// The slowest recovery of `name` over the sweep (both triggers, every load), if it recovered
/// in every run of it.
fn worst_recovery(sweep: &[LoadRow], name: &str) -> Option<f64> {
    let runs: Vec<&Outcome> = sweep
        .iter()
        .filter(|l| l.row.policy.name == name)
        .map(|l| &l.row.outcome)
        .collect();
    runs.iter()
        .map(|o| o.recovery_s)
        .try_fold(0.0f64, |worst, r| r.map(|s| worst.max(s)))
        .filter(|_| !runs.is_empty())
}

/// How much later than `no_retries` `name` recovers, at worst over the sweep (both triggers,
/// every load); `None` if it stays down in a run where `no_retries` does not.
fn lag_behind_no_retries(sweep: &[LoadRow], name: &str) -> Option<f64> {
    let no_retries = |l: &LoadRow| {
        sweep
            .iter()
            .find(|x| {
                x.load == l.load
                    && x.row.trigger == l.row.trigger
                    && x.row.policy.name == "no_retries"
            })
            .and_then(|x| x.row.outcome.recovery_s)
    };
    sweep
        .iter()
        .filter(|l| l.row.policy.name == name)
        .try_fold(0.0f64, |worst, l| {
            match (l.row.outcome.recovery_s, no_retries(l)) {
                (Some(s), Some(base)) => Some(worst.max(s - base)),
                (_, None) => Some(worst),
                (None, Some(_)) => None,
            }
        })
}

fn load(x: Option<f64>) -> String {
    x.map_or_else(|| "no load of the sweep".into(), |x| format!("{x:.1}"))
}

/// The findings, as a list.
pub fn findings_md(rows: &[Row], sweep: &[LoadRow]) -> String {
    let c = Trigger::CapacityHalved;
    let l = Trigger::LatencyTenfold;
    let get = |t, name| find(rows, t, name);
    let (
        Some(none),
        Some(n3),
        Some(n5),
        Some(ratio),
        Some(th),
        Some(th10l),
        Some(br),
        Some(br5),
        Some(br5l),
    ) = (
        get(c, "no_retries"),
        get(c, "naive_3"),
        get(c, "naive_5"),
        get(c, "ratio"),
        get(c, "throttle"),
        get(l, "throttle_10s"),
        get(c, "breaker"),
        get(c, "breaker_open_5s"),
        get(l, "breaker_open_5s"),
    )
    else {
        return String::new();
    };
    let cold = crate::report_metastable::throttle_cold_start_refusals(crate::SEED);
    let mut md = String::from("\n### What it shows\n\n");
    let _ = writeln!(
        md,
        "- **Naive retries stay down.** Once the queue holds more work than the client waits, \
         the server spends all its capacity on attempts nobody waits for: after the trigger \
         naive_3 and naive_5 have a goodput of {:.2} and {:.2} while sending {:.2} and {:.2} \
         attempts per request, that is every try they have. Without retries the queue drains \
         and goodput is {} (from the trigger's end). In the sweep naive_3 stays down from load \
         {} with capacity halved (at 0.5 and below halving the capacity does not overload the \
         server) and from {} with latency x10; naive_5 from {} and {}.",
        n3.goodput_after,
        n5.goodput_after,
        n3.amplification_after,
        n5.amplification_after,
        back(&none),
        load(lowest_down_load(sweep, c, "naive_3")),
        load(lowest_down_load(sweep, l, "naive_3")),
        load(lowest_down_load(sweep, c, "naive_5")),
        load(lowest_down_load(sweep, l, "naive_5")),
    );
    let exact: Vec<&str> = ["aws_standard", "aws_2026", "grpc"]
        .into_iter()
        .filter(|n| lag_behind_no_retries(sweep, n) == Some(0.0))
        .collect();
    let others: Vec<String> = ["aws_standard", "aws_2026", "grpc"]
        .into_iter()
        .filter(|n| !exact.contains(n))
        .map(|n| match lag_behind_no_retries(sweep, n) {
            Some(lag) => format!("{n} at most {lag:.0} s later"),
            None => format!("{n} stays down where no_retries does not"),
        })
        .collect();
    let _ = writeln!(
        md,
        "- **Budgets refilled only by successes recover as if there were no retries.** {} \
         recover at every load of the sweep after exactly the time no_retries takes{}: \
         failures empty the bucket during the trigger, and no retry goes out until the server \
         answers again. The other side: no retry helps while the server fails.",
        if exact.is_empty() {
            "None of the token buckets".to_string()
        } else {
            exact.join(" and ")
        },
        if others.is_empty() {
            String::new()
        } else {
            format!(" ({})", others.join(", "))
        }
    );
    let _ = writeln!(
        md,
        "- **A ratio budget bounds the load; it does not bring the server back.** \
         `RatioBudget::default()` keeps granting 20 % of the requests whether they succeed or \
         not: at load 0.7 the bound (0.84 of capacity) is below the capacity and goodput is \
         {}; at load {} it is not (the sweep).",
        back(&ratio),
        load(lowest_down_load(sweep, c, "ratio")),
    );
    let _ = writeln!(
        md,
        "- **The throttle alone lets go slowly, whatever its window.** With the book's \
         2-minute window the accepts from before the trigger stay in the window, so the \
         throttle engages late (amplification {:.2} during the trigger) and goodput is {} \
         from its end. With a 10 s window it engages fast but, once the window holds only \
         failures, it lets through about one attempt in `requests + 1` and the rate it admits \
         grows roughly by a factor e every window / K: with latency x10 goodput after the \
         trigger is {:.2} ({}). A cold start too: with an empty window the formula refuses \
         attempts until the first answers come back (requests above 0, accepts 0): the first run's setup without \
         its trigger refuses {} attempts at its start; the throttle row refuses {} a run.",
        th.amplification,
        back(&th),
        th10l.goodput_after,
        back(&th10l),
        cold,
        th.refused,
    );
    let _ = writeln!(
        md,
        "- **A budget and the throttle together recover at every load of the sweep**, with \
         either trigger: ratio+throttle in {} at most, aws_standard+throttle in {} at most. \
         The budget bounds the retries; the throttle sheds first attempts when the \
         load itself is more than the server can take during its recovery (load 0.9 with the \
         ratio budget).",
        worst_recovery(sweep, "ratio+throttle").map_or_else(|| "-".into(), |s| format!("{s:.0} s")),
        worst_recovery(sweep, "aws_standard+throttle")
            .map_or_else(|| "-".into(), |s| format!("{s:.0} s")),
    );
    let _ = writeln!(
        md,
        "- **A breaker recovers when its open time says so.** It opens during the trigger \
         and refuses every call for its open duration: with 30 s open goodput is {} from the \
         trigger's end (goodput after {:.2}), whatever the server does meanwhile. Open 5 s \
         (Polly's break duration) it is {} (capacity halved) and {} (latency x10), and \
         even raises goodput during the trigger ({:.2} against {:.2} without retries), because \
         its open periods let the queue drain. That is the modal behaviour Brooker warns of: \
         all or nothing, on a timer.",
        back(&br),
        br.goodput_after,
        back(&br5),
        back(&br5l).replace("back ", ""),
        br5.goodput_during,
        none.goodput_during,
    );
    let spread = rows
        .iter()
        .filter(|r| r.trigger == c && r.policy.name != "breaker_open_5s")
        .map(|r| (r.outcome.goodput_during - none.goodput_during).abs())
        .fold(0.0f64, f64::max);
    let _ = writeln!(
        md,
        "- **Goodput during the trigger is the server's.** The queue holds more work than the \
         client waits, so with capacity halved every policy but breaker_open_5s has a goodput \
         during the trigger within {spread:.4} of the {:.2} of no_retries: what a client \
         library controls is whether the server comes back afterwards. (Bounding the queue to \
         the timeout, or dropping attempts whose client has gone, are server-side fixes \
         outside this scenario.)",
        none.goodput_during
    );
    md
}
