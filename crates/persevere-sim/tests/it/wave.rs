//! One wave of calls against a server that fails them all: what each budget lets through
//! when the load is a single burst rather than sustained (the issue's "one wave of 200 calls
//! gives 1.70 with the default RatioBudget").

use persevere_sim::budgets::BudgetKind;
use persevere_sim::outage;
use persevere_sim::report::outage_csv;
use persevere_sim::{SEED, Strategy, wave};

fn run(budget: BudgetKind, max_tries: u32) -> outage::Outcome {
    outage::run(
        &wave::setup(wave::CALLS, max_tries, budget),
        Strategy::FullJitter,
        SEED,
    )
}

#[test]
fn without_a_budget_every_call_makes_max_tries_attempts() {
    for max_tries in [1, 3, 5] {
        let o = run(BudgetKind::None, max_tries);
        assert_eq!(o.amplification, f64::from(max_tries));
        assert_eq!(o.gave_up, 200.0);
        assert_eq!(o.refused, 0.0);
    }
}

/// The ratio budget's floor (10 a second over 10 s) is 100 retries at once, and the wave's
/// 200 calls earn 0.2 each: 140 retries, (200 + 140) / 200 = 1.70, whatever `max_tries`.
#[test]
fn the_default_ratio_budget_lets_a_wave_of_200_retry_140_times() {
    for max_tries in [3, 5] {
        let o = run(BudgetKind::Ratio, max_tries);
        assert_eq!(o.amplification, 1.70, "max_tries {max_tries}");
        assert_eq!(o.gave_up, 200.0);
    }
}

/// 500 tokens at 5 a retry: 100 retries, then every retry is refused (failures refill
/// nothing): the 100 first failures that find the bucket empty, then the 100 retried calls'
/// second failures.
#[test]
fn the_aws_bucket_lets_a_wave_retry_100_times() {
    let o = run(BudgetKind::AwsStandard, 3);
    assert_eq!(o.amplification, 1.50);
    assert_eq!(o.refused, 200.0);
    assert_eq!(o.gave_up, 200.0);
}

#[test]
fn a_wave_is_deterministic_for_a_seed() {
    let setup = wave::setup(50, 3, BudgetKind::Grpc);
    let a = outage::run(&setup, Strategy::FullJitter, 7);
    assert_eq!(a, outage::run(&setup, Strategy::FullJitter, 7));
}

/// `docs/simulation/wave.csv` is what `cargo run --release -p persevere-sim` computes now
/// (5 runs per row, the published seed), so the figures the README and docs/benchmarks.md
/// quote from it are current.
#[test]
fn the_published_wave_rows_are_what_the_code_computes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/simulation/wave.csv"
    );
    let published = std::fs::read_to_string(path).expect("docs/simulation/wave.csv");
    assert_eq!(published, outage_csv(&wave::rows(5, SEED)));
}
