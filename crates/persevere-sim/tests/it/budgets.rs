//! The outage scenario with retry budgets: the issue's checks on the published CSV file, that
//! the file is what the code computes, and the budgets' effect on small setups.

use persevere_sim::budgets::BudgetKind;
use persevere_sim::outage::{self, Setup};
use persevere_sim::report::{OutageRow, outage_csv};
use persevere_sim::{SEED, Strategy};
use std::collections::HashMap;

/// The issue's bound: 20 % of the requests plus 10 retries a second, at 1000 requests a second.
const MAX_AMPLIFICATION: f64 = 1.21;

/// The runs per row of the published file (`persevere-sim`'s default `--outage-runs`).
const PUBLISHED_RUNS: u32 = 5;

fn published_csv() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/simulation/outage.csv"
    );
    std::fs::read_to_string(path).expect("docs/simulation/outage.csv")
}

/// The file's rows as (strategy, max_tries, budget) -> column -> value.
fn parse(csv: &str) -> HashMap<(String, u32, String), HashMap<String, f64>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(
        header,
        [
            "strategy",
            "max_tries",
            "budget",
            "amplification",
            "peak_load",
            "drain_ms",
            "gave_up",
            "refused"
        ]
    );
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let key = (
                fields[0].to_string(),
                fields[1].parse().unwrap(),
                fields[2].to_string(),
            );
            let values = header[3..]
                .iter()
                .zip(&fields[3..])
                .map(|(h, v)| (h.to_string(), v.parse().unwrap()))
                .collect();
            (key, values)
        })
        .collect()
}

#[test]
fn every_budgeted_row_of_the_published_csv_bounds_amplification_and_drains_faster() {
    let rows = parse(&published_csv());
    assert_eq!(rows.len(), Strategy::ALL.len() * 2 * BudgetKind::ALL.len());
    for ((strategy, max_tries, budget), values) in &rows {
        if budget == "none" {
            continue;
        }
        let row = format!("{strategy},{max_tries},{budget}");
        let amplification = values["amplification"];
        assert!(amplification <= MAX_AMPLIFICATION, "{row}: {amplification}");
        let none = &rows[&(strategy.clone(), *max_tries, "none".to_string())];
        let (drain, none_drain) = (values["drain_ms"], none["drain_ms"]);
        assert!(
            drain < none_drain,
            "{row}: drains in {drain} ms, {none_drain} ms without"
        );
    }
}

#[test]
fn the_published_rows_are_what_the_code_computes() {
    // Two rows, recomputed as `cargo run --release -p persevere-sim` does: the file is up to
    // date with the scenario and the budgets.
    let published = published_csv();
    for (strategy, max_tries, budget) in [
        (Strategy::FullJitter, 5, BudgetKind::Ratio),
        (Strategy::Decorrelated, 3, BudgetKind::Grpc),
    ] {
        let setup = Setup::issue(max_tries).with_budget(budget);
        let row = OutageRow {
            strategy,
            max_tries,
            budget,
            outcome: outage::mean(&setup, strategy, PUBLISHED_RUNS, SEED),
        };
        let line = outage_csv(&[row]).lines().nth(1).unwrap().to_string();
        assert!(
            published.lines().any(|l| l == line),
            "{line} is not in the file"
        );
    }
}

fn small(budget: BudgetKind, max_tries: u32, outage_ms: f64) -> Setup {
    Setup {
        clients: 20,
        interval_ms: 100.0,
        capacity: 2.0,
        outage_start_ms: 1_000.0,
        outage_ms,
        horizon_ms: 5_000.0,
        max_tries,
        budget,
    }
}

#[test]
fn a_budget_changes_nothing_while_nothing_fails() {
    let none = outage::run(&small(BudgetKind::None, 3, 0.0), Strategy::FullJitter, 1);
    for budget in BudgetKind::ALL {
        let with = outage::run(&small(budget, 3, 0.0), Strategy::FullJitter, 1);
        assert_eq!(with, none, "{budget}");
        assert_eq!(with.refused, 0.0);
    }
}

#[test]
fn the_aws_bucket_pays_for_100_retries_in_an_outage_then_refuses() {
    // 20 clients at 10 requests a second each fail for 3 s: about 600 requests, and the full
    // bucket's 500 tokens pay for 100 retries of 5 each.
    let o = outage::run(
        &small(BudgetKind::AwsStandard, 2, 3_000.0),
        Strategy::FullJitter,
        2,
    );
    assert!((o.amplification - 700.0 / 600.0).abs() < 0.02, "{o:?}");
    assert_eq!(o.gave_up, o.refused + 100.0, "{o:?}");
}

#[test]
fn a_refused_retry_gives_up_at_once_and_every_budget_cuts_the_load() {
    let none = outage::run(&small(BudgetKind::None, 5, 2_000.0), Strategy::NoBackoff, 3);
    for budget in [BudgetKind::Ratio, BudgetKind::AwsStandard, BudgetKind::Grpc] {
        let o = outage::run(&small(budget, 5, 2_000.0), Strategy::NoBackoff, 3);
        assert!(o.refused > 0.0, "{budget}: {o:?}");
        assert!(o.refused <= o.gave_up, "{budget}: {o:?}");
        assert!(o.gave_up >= none.gave_up, "{budget}: {o:?} {none:?}");
        assert!(
            o.amplification < none.amplification,
            "{budget}: {o:?} {none:?}"
        );
    }
}
