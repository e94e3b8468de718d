//! The outage scenario's bookkeeping, on small setups whose answers are known.

use persevere_sim::Strategy;
use persevere_sim::budgets::BudgetKind;
use persevere_sim::outage::{self, Setup};

fn small(max_tries: u32, capacity: f64, outage_ms: f64) -> Setup {
    Setup {
        clients: 20,
        interval_ms: 100.0,
        capacity,
        outage_start_ms: 1_000.0,
        outage_ms,
        horizon_ms: 5_000.0,
        max_tries,
        budget: BudgetKind::None,
    }
}

#[test]
fn without_an_outage_load_is_normal_and_nothing_is_retried() {
    let o = outage::run(&small(3, 2.0, 0.0), Strategy::FullJitter, 1);
    assert_eq!(o.gave_up, 0.0);
    assert_eq!(o.drain_ms, 0.0);
    assert!((o.peak_load - 1.0).abs() <= 0.02, "{o:?}");
}

#[test]
fn one_try_means_no_amplification_and_every_outage_request_gives_up() {
    let o = outage::run(&small(1, 2.0, 2_000.0), Strategy::Exponential, 2);
    assert!((o.amplification - 1.0).abs() <= 0.01, "{o:?}");
    // 20 clients x 20 requests in 2 s, give or take the requests at the edges.
    assert!((o.gave_up - 400.0).abs() <= 5.0, "{o:?}");
    assert_eq!(o.drain_ms, 0.0);
}

#[test]
fn with_ample_capacity_each_request_makes_max_tries_attempts() {
    for max_tries in [3, 5] {
        let setup = Setup {
            horizon_ms: 8_000.0,
            ..small(max_tries, 100.0, 5_000.0)
        };
        let o = outage::run(&setup, Strategy::FullJitter, 3);
        let expected = f64::from(max_tries);
        // Requests that start in the outage's last ~150 ms see their later attempts succeed.
        assert!(o.amplification <= expected, "{max_tries}: {o:?}");
        assert!(o.amplification > expected - 0.15, "{max_tries}: {o:?}");
        assert!(o.peak_load > expected - 0.5, "{max_tries}: {o:?}");
    }
}

#[test]
fn a_saturated_server_leaves_a_backlog_that_drains_after_recovery() {
    // 3 tries at 2x capacity: attempts arrive faster than they are served during the outage.
    let o = outage::run(&small(3, 2.0, 2_000.0), Strategy::NoBackoff, 4);
    assert!(o.amplification > 2.0, "{o:?}");
    assert!(o.drain_ms > 0.0, "{o:?}");
}

#[test]
fn runs_are_deterministic() {
    let setup = small(5, 2.0, 2_000.0);
    for strategy in Strategy::ALL {
        assert_eq!(
            outage::run(&setup, strategy, 9),
            outage::run(&setup, strategy, 9)
        );
    }
}
