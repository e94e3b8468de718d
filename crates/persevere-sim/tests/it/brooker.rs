//! The blog's claims, reproduced at 100 clients with fewer runs than the full experiment.

use persevere_sim::contention::{self, Outcome};
use persevere_sim::{Strategy, markdown};

const RUNS: u32 = 20;

fn at_100(strategy: Strategy) -> Outcome {
    contention::mean(strategy, 100, RUNS, 7)
}

#[test]
fn the_blogs_claims_hold_at_100_clients() {
    let expo = at_100(Strategy::Exponential);
    let full = at_100(Strategy::FullJitter);
    let equal = at_100(Strategy::EqualJitter);
    let decorr = at_100(Strategy::Decorrelated);
    // "we've reduced our call count by more than half"
    assert!(full.calls < expo.calls / 2.0, "full {full:?} expo {expo:?}");
    // "the number of calls is approximately the same for Full and Equal"
    assert!(
        (equal.calls / full.calls - 1.0).abs() <= 0.10,
        "{equal:?} {full:?}"
    );
    // "Equal Jitter ... takes much longer"
    assert!(equal.time_ms > full.time_ms, "{equal:?} {full:?}");
    // "and higher for Decorrelated"
    assert!(decorr.calls > full.calls, "{decorr:?} {full:?}");
}

#[test]
fn contention_work_grows_faster_than_the_clients() {
    // With N clients one write succeeds per round: about N^2/2 writes without backoff.
    let ten = contention::mean(Strategy::NoBackoff, 10, RUNS, 3).calls;
    let forty = contention::mean(Strategy::NoBackoff, 40, RUNS, 3).calls;
    assert!(forty / ten > 8.0, "10 -> {ten}, 40 -> {forty}");
}

#[test]
fn every_client_writes_once_successfully_and_runs_repeat() {
    for strategy in Strategy::ALL {
        let a = contention::run(strategy, 30, 11);
        assert!(a.calls >= 30.0, "{strategy}: {a:?}");
        assert_eq!(
            a,
            contention::run(strategy, 30, 11),
            "{strategy} is not deterministic"
        );
    }
}

#[test]
fn the_claims_table_reports_what_it_checks() {
    let rows = contention::experiment(&[100], 10, 5);
    let claims = markdown::claims(&rows);
    assert_eq!(claims.len(), 4);
    assert!(claims.iter().all(|(_, _, holds)| *holds), "{claims:?}");
}
