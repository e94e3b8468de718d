//! The metastable scenario (issue 21, point 1): the issue's checks on the published CSV file,
//! that the file is what the code computes, and the model on cases whose answers are known.

use persevere_sim::SEED;
use persevere_sim::metastable::{self, Setup, Trigger};
use persevere_sim::metastable_measure::measure;
use persevere_sim::metastable_policy::Policy;
use persevere_sim::report_metastable::{
    LOADS, RUNS, Row, load_csv, load_sweep, metastable_csv, outcome,
};

fn published(name: &str) -> String {
    let path = format!(
        "{}/../../docs/simulation/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The file's rows as (policy, trigger, recovered, recovery_s).
fn recoveries(csv: &str) -> Vec<(String, String, bool, Option<f64>)> {
    let mut lines = csv.lines();
    let header = lines.next().expect("a header");
    assert!(header.starts_with("policy,trigger,recovered,recovery_s,amplification,"));
    for column in ["amplification_after", "goodput_during", "goodput_after"] {
        assert!(header.split(',').any(|h| h == column), "{column}");
    }
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let recovered: bool = f[2].parse().unwrap();
            let recovery = (!f[3].is_empty()).then(|| f[3].parse().unwrap());
            assert_eq!(recovered, recovery.is_some(), "{line}");
            (f[0].to_string(), f[1].to_string(), recovered, recovery)
        })
        .collect()
}

#[test]
fn the_published_file_has_every_policy_and_trigger() {
    let rows = recoveries(&published("metastable.csv"));
    assert_eq!(rows.len(), Policy::ALL.len() * Trigger::ALL.len());
}

/// The issue's "done when": the naive rows stay down, the recommended rows recover.
#[test]
fn in_the_published_file_naive_retries_stay_down_and_the_recommended_policies_recover() {
    let rows = recoveries(&published("metastable.csv"));
    for (policy, trigger, recovered, _) in &rows {
        if policy == "naive_3" || policy == "naive_5" {
            assert!(!recovered, "{policy} recovered from {trigger}");
        }
        if Policy::named(policy).expect("a known policy").recommended {
            assert!(recovered, "{policy} stayed down after {trigger}");
        }
        if policy == "no_retries" {
            assert!(
                recovered,
                "without retries the server must come back ({trigger})"
            );
        }
    }
    let recommended = rows
        .iter()
        .filter(|r| Policy::named(&r.0).unwrap().recommended)
        .count();
    assert_eq!(recommended, 2 * Trigger::ALL.len());
}

#[test]
fn the_published_rows_are_what_the_code_computes() {
    // Four rows, recomputed as `cargo run --release -p persevere-sim` does (the whole table
    // takes too long for a debug build).
    let published = published("metastable.csv");
    for trigger in Trigger::ALL {
        for name in ["naive_3", "ratio+throttle"] {
            let policy = named(name);
            let row = Row {
                policy,
                trigger,
                outcome: outcome(&Setup::issue(trigger), policy, SEED, RUNS),
            };
            let line = metastable_csv(&[row]).lines().nth(1).unwrap().to_string();
            assert!(
                published.lines().any(|l| l == line),
                "{line} is not in the file"
            );
        }
    }
}

/// The recommended policies come back at every load of the published sweep, with either
/// trigger, and the ratio budget alone does not at the highest.
#[test]
fn in_the_published_sweep_the_recommended_policies_recover_at_every_load() {
    let csv = published("metastable_load.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("policy,trigger,load,recovered,recovery_s,amplification_after")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows.len(),
        LOADS.len() * Policy::ALL.len() * Trigger::ALL.len()
    );
    for f in &rows {
        if named(f[0]).recommended {
            assert_eq!(f[3], "true", "{f:?}");
        }
    }
    let ratio_at_09: Vec<_> = rows
        .iter()
        .filter(|f| f[0] == "ratio" && f[2] == "0.9")
        .collect();
    assert_eq!(ratio_at_09.len(), 2);
    assert!(
        ratio_at_09.iter().all(|f| f[3] == "false"),
        "{ratio_at_09:?}"
    );
}

#[test]
fn the_published_load_sweep_is_what_the_code_computes() {
    // The sweep's highest load, recomputed as `cargo run --release -p persevere-sim` does
    // (the whole sweep takes too long for a debug build).
    let published = published("metastable_load.csv");
    let sweep = load_sweep(SEED, &[0.9], &[named("ratio"), named("ratio+throttle")]);
    assert_eq!(sweep.len(), 2 * Trigger::ALL.len());
    for line in load_csv(&sweep).lines().skip(1) {
        assert!(
            published.lines().any(|l| l == line),
            "{line} is not in the file"
        );
    }
}

fn named(name: &str) -> Policy {
    Policy::named(name).expect("a published policy")
}

#[test]
fn without_a_trigger_every_policy_keeps_its_goodput_and_retries_nothing() {
    let setup = Setup {
        trigger_len_ms: 0.0,
        horizon_ms: 30_000.0,
        ..Setup::issue(Trigger::CapacityHalved)
    };
    for policy in Policy::ALL {
        let trace = metastable::run(&setup, policy, 3);
        assert_eq!(trace.retries, 0, "{}", policy.name);
        let o = measure(&setup, &trace);
        assert!(o.recovered, "{}", policy.name);
        assert_eq!(o.recovery_s, Some(0.0), "{}", policy.name);
        assert_eq!(o.amplification_after, 1.0, "{}", policy.name);
        assert!(
            (o.goodput_before - 700.0).abs() <= 1.0,
            "{}: {o:?}",
            policy.name
        );
    }
}

#[test]
fn a_trigger_that_does_not_overload_changes_nothing() {
    // Load 0.4 and half the capacity: 400 requests a second for 500 attempts a second.
    let setup = Setup {
        load: 0.4,
        ..Setup::issue(Trigger::CapacityHalved)
    };
    let trace = metastable::run(&setup, named("naive_5"), 4);
    assert_eq!(trace.retries, 0);
    let o = measure(&setup, &trace);
    assert_eq!(o.recovery_s, Some(0.0), "{o:?}");
    assert!(o.goodput_during > 0.99, "{o:?}");
}

#[test]
fn stuck_naive_retries_send_every_try_and_nothing_succeeds() {
    let setup = Setup::issue(Trigger::CapacityHalved);
    for (name, tries) in [("naive_3", 3.0), ("naive_5", 5.0)] {
        let o = measure(&setup, &metastable::run(&setup, named(name), 5));
        assert!(!o.recovered);
        assert_eq!(o.goodput_after, 0.0, "{name}");
        // Every request spends its tries: the run's last requests have not all finished theirs.
        assert!(o.amplification_after > tries - 0.05, "{name}: {o:?}");
        assert!(o.amplification_after <= tries, "{name}: {o:?}");
    }
}

#[test]
fn a_guard_refuses_only_under_overload_and_a_refused_call_is_not_sent() {
    let setup = Setup::issue(Trigger::LatencyTenfold);
    let o = measure(&setup, &metastable::run(&setup, named("breaker"), 6));
    // 30 s open at 700 requests a second, and the 100 calls that open it first.
    assert!(o.refused >= 21_000, "{o:?}");
    assert!(o.amplification < 1.0, "{o:?}");
    let none = measure(&setup, &metastable::run(&setup, named("naive_3"), 6));
    assert_eq!(none.refused, 0);
}

#[test]
fn runs_are_deterministic() {
    let setup = Setup {
        horizon_ms: 25_000.0,
        ..Setup::issue(Trigger::CapacityHalved)
    };
    for policy in ["throttle", "breaker", "ratio+throttle"].map(named) {
        assert_eq!(
            metastable::run(&setup, policy, 9),
            metastable::run(&setup, policy, 9)
        );
    }
}
