//! The page's section on retry budgets in the outage scenario, written from the rows just
//! computed.

use crate::Strategy;
use crate::budgets::BudgetKind;
use crate::outage::Outcome;
use crate::report::OutageRow;
use std::fmt::Write;

/// The highest amplification a budgeted row may have: 20 % of the requests plus 10 retries a
/// second, at the scenario's 1000 requests a second.
pub const MAX_AMPLIFICATION: f64 = 1.21;

/// `value` as the CSV file writes it (three decimals), so that the page and the CSV agree.
fn as_in_csv(value: f64) -> f64 {
    (value * 1e3).round() / 1e3
}

/// The row without a budget that `row` is compared with: same strategy and `max_tries`.
fn baseline<'a>(rows: &'a [OutageRow], row: &OutageRow) -> Option<&'a OutageRow> {
    rows.iter().find(|r| {
        r.budget == BudgetKind::None && r.strategy == row.strategy && r.max_tries == row.max_tries
    })
}

fn label(r: &OutageRow) -> String {
    format!("{}, {}, max_tries {}", r.budget, r.strategy, r.max_tries)
}

/// The two checks on every budgeted row: (check, measured, holds).
pub fn checks(rows: &[OutageRow]) -> Vec<(String, String, bool)> {
    let budgeted: Vec<&OutageRow> = rows
        .iter()
        .filter(|r| r.budget != BudgetKind::None)
        .collect();
    let by = |f: fn(&Outcome) -> f64| {
        budgeted
            .iter()
            .copied()
            .max_by(|a, b| f(&a.outcome).total_cmp(&f(&b.outcome)))
    };
    let (Some(most), Some(slowest)) = (by(|o| o.amplification), by(|o| o.drain_ms)) else {
        return Vec::new();
    };
    let fastest_none = rows
        .iter()
        .filter(|r| r.budget == BudgetKind::None)
        .map(|r| r.outcome.drain_ms)
        .fold(f64::INFINITY, f64::min);
    let drains_faster = budgeted
        .iter()
        .all(|r| baseline(rows, r).is_some_and(|none| r.outcome.drain_ms < none.outcome.drain_ms));
    vec![
        (
            format!("every budgeted row has amplification at most {MAX_AMPLIFICATION}"),
            format!(
                "highest {:.3} ({})",
                most.outcome.amplification,
                label(most)
            ),
            budgeted
                .iter()
                .all(|r| as_in_csv(r.outcome.amplification) <= MAX_AMPLIFICATION),
        ),
        (
            "every budgeted row drains faster than the same strategy and max_tries without one"
                .into(),
            format!(
                "slowest {:.1} ms ({}); without a budget {:.0} ms at the fastest",
                slowest.outcome.drain_ms,
                label(slowest),
                fastest_none
            ),
            drains_faster,
        ),
    ]
}

/// The section: the budgets, the checks, the plots, a table and what it shows; `outage_runs`
/// runs per row.
pub fn section(rows: &[OutageRow], outage_runs: u32) -> String {
    let mut md = String::from(include_str!("markdown_budgets.md"));
    md.push_str("### The checks, on every row of `docs/simulation/outage.csv`\n\n");
    md.push_str("| check | measured | holds |\n|---|---|---|\n");
    for (check, measured, holds) in checks(rows) {
        let holds = if holds { "yes" } else { "**no**" };
        let _ = writeln!(md, "| {check} | {measured} | {holds} |");
    }
    let _ = writeln!(
        md,
        "\n### The server during the outage\n\n\
         Full jitter, `max_tries` 5 (the largest amplification without a budget), mean of {} \
         runs in bins of 250 ms:\n\n\
         ![attempts reaching the server](simulation/outage_load.svg)\n\n\
         ![the longest wait in the server's queue](simulation/outage_queue.svg)\n",
        outage_runs
    );
    let _ = writeln!(
        md,
        "With full jitter (every strategy's rows are in the CSV file; they differ by no more than \
         the noise, as above), means of {} runs:\n\n\
         | budget | max_tries | amplification | peak load / normal | drain after recovery (ms) \
         | requests that gave up | retries refused |\n|---|---:|---:|---:|---:|---:|---:|",
        outage_runs
    );
    for max_tries in [3, 5] {
        for r in rows
            .iter()
            .filter(|r| r.strategy == Strategy::FullJitter && r.max_tries == max_tries)
        {
            let o = r.outcome;
            let _ = writeln!(
                md,
                "| {} | {} | {:.3} | {:.2} | {:.1} | {:.0} | {:.0} |",
                r.budget,
                r.max_tries,
                o.amplification,
                o.peak_load,
                o.drain_ms,
                o.gave_up,
                o.refused
            );
        }
    }
    md.push('\n');
    md.push_str(&explanation(rows));
    md
}

/// What the rows show, with their numbers.
fn explanation(rows: &[OutageRow]) -> String {
    let at = |budget, max_tries| {
        rows.iter()
            .find(|r| {
                r.budget == budget && r.max_tries == max_tries && r.strategy == Strategy::FullJitter
            })
            .map(|r| r.outcome)
    };
    let (Some(none3), Some(none5), Some(ratio), Some(aws), Some(grpc)) = (
        at(BudgetKind::None, 3),
        at(BudgetKind::None, 5),
        at(BudgetKind::Ratio, 5),
        at(BudgetKind::AwsStandard, 5),
        at(BudgetKind::Grpc, 5),
    ) else {
        return String::new();
    };
    let budgeted = rows.iter().filter(|r| r.budget != BudgetKind::None);
    let worst_amplification = budgeted
        .clone()
        .map(|r| r.outcome.amplification)
        .fold(0.0, f64::max);
    let worst_drain = budgeted.map(|r| r.outcome.drain_ms).fold(0.0, f64::max);
    format!(
        "What it shows: every budget takes the load during the outage from {:.2}x (`max_tries` 3) \
         and {:.2}x (`max_tries` 5) down to {worst_amplification:.2}x at most, whatever the \
         strategy and `max_tries`: a shared budget bounds the retries of all the requests \
         together, so once it is spent `max_tries` no longer matters. The load stays below the \
         server's capacity, so no backlog builds up, and the last retry is served \
         {worst_drain:.0} ms after recovery at the latest, instead of {:.1} s (and the queue \
         left behind, which new requests wait in, lasts for seconds more without a budget).\n\n\
         - **ratio** lands on its bound, {:.3}: the outage lasts exactly the budget's 10 s \
         `ttl`, and every 10 s window may hold 2,100 retries. They come early: the 5 s of normal \
         load before the outage saved 1,000 retries of credit (plus the floor's 100), which the \
         outage's first second spends at the full retry rate ({:.2}x normal load in the busiest \
         second). After that the outage's own requests pay for about one retry in five, until \
         the credit saved before the outage leaves the window (10 s after it was earned) while \
         the retries it paid for are still in it: from then on every retry is refused.\n\
         - **aws_standard**, {:.3}: its 500 tokens pay for 100 retries (5 each) in the outage's \
         first tenth of a second, and only successes refill the bucket, so nothing more is \
         retried. After recovery each first-attempt success returns a token.\n\
         - **grpc**, {:.3}: retries are allowed while the bucket holds more than 500 of its 1000 \
         tokens, and each failed attempt takes one, so the first 500 or so failed attempts of \
         the outage (its first few tenths of a second) may be retried; then the failures drain the bucket \
         to zero. A success earns 0.1, so after recovery the bucket needs 5,000 successes \
         (5 s here) to allow retries again: a failure in that window is not retried.\n\n\
         The price is on the other side of the same numbers: with a budget nearly every request \
         of the outage fails ({:.0} of about 10,000 with ratio), where without one {:.0} \
         (`max_tries` 3) or {:.0} (`max_tries` 5) did. Those retries did not succeed because \
         the server could take them: they succeeded because its queue held them until after \
         recovery, while every request behind them waited seconds. A budget keeps that queue \
         from forming; requests that must outlast an outage need a longer backoff, not more \
         load on the server.\n",
        none3.amplification,
        none5.amplification,
        none5.drain_ms / 1e3,
        ratio.amplification,
        ratio.peak_load,
        aws.amplification,
        grpc.amplification,
        ratio.gave_up,
        none3.gave_up,
        none5.gave_up,
    )
}
