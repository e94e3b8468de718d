//! The policy options: the waits in the report follow the core's strategies exactly with
//! `--jitter none`, the limits count as documented, and jitter stays in its bounds.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{field, run, waits};

/// Runs `false` with `--report -` and the given policy options.
fn failing(args: &[&str]) -> common::Run {
    let mut all = vec!["--report", "-"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "false"]);
    run(&all)
}

#[test]
fn expo_waits_follow_the_policy_exactly() {
    let r = failing(&["--factor", "10ms", "--jitter", "none", "--max-tries", "4"]);
    assert_eq!(waits(&r), [0.01, 0.02, 0.04]);
    let events = r.events();
    let tries: Vec<_> = events.iter().map(|l| field(l, "try").unwrap()).collect();
    assert_eq!(tries, ["1", "2", "3", "4"]);
    assert_eq!(field(&events[3], "event"), Some("giveup"));
    assert_eq!(r.code, Some(1));
}

#[test]
fn base_and_max_value_shape_expo() {
    let r = failing(&[
        "--factor",
        "10ms",
        "--base",
        "3",
        "--jitter",
        "none",
        "--max-tries",
        "4",
    ]);
    assert_eq!(waits(&r), [0.01, 0.03, 0.09]);
    let r = failing(&[
        "--factor",
        "10ms",
        "--max-value",
        "25ms",
        "--jitter",
        "none",
        "--max-tries",
        "5",
    ]);
    assert_eq!(waits(&r), [0.01, 0.02, 0.025, 0.025]);
}

#[test]
fn fibo_constant_and_linear() {
    let r = failing(&[
        "--wait",
        "fibo",
        "--factor",
        "10ms",
        "--jitter",
        "none",
        "--max-tries",
        "6",
    ]);
    assert_eq!(waits(&r), [0.01, 0.01, 0.02, 0.03, 0.05]);
    let r = failing(&[
        "--wait",
        "constant",
        "--interval",
        "7ms",
        "--jitter",
        "none",
        "--max-tries",
        "3",
    ]);
    assert_eq!(waits(&r), [0.007, 0.007]);
    let r = failing(&[
        "--wait",
        "linear",
        "--interval",
        "10ms",
        "--step",
        "5ms",
        "--max-value",
        "22ms",
        "--jitter",
        "none",
        "--max-tries",
        "5",
    ]);
    assert_eq!(waits(&r), [0.01, 0.015, 0.02, 0.022]);
}

#[test]
fn decay_shrinks_the_interval_down_to_min_value() {
    // interval * e^(-F * n) with F = ln 2 halves each wait: 40, 20, 10 ms, then the 8 ms floor.
    let r = failing(&[
        "--wait",
        "decay",
        "--interval",
        "40ms",
        "--decay-factor",
        "0.6931471805599453",
        "--min-value",
        "8ms",
        "--jitter",
        "none",
        "--max-tries",
        "6",
    ]);
    let got = waits(&r);
    let expected = [0.04, 0.02, 0.01, 0.008, 0.008];
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (got, expected) in got.iter().zip(expected) {
        assert!((got - expected).abs() < 1e-6, "{got} != {expected}");
    }
    assert_eq!(r.code, Some(1));
}

#[test]
fn intervals_are_used_in_order_then_the_run_gives_up() {
    let r = failing(&[
        "--intervals",
        "10ms,3ms",
        "--jitter",
        "none",
        "--max-tries",
        "9",
    ]);
    assert_eq!(waits(&r), [0.01, 0.003]);
    assert_eq!(r.events().len(), 3);
}

#[test]
fn decorrelated_stays_between_factor_and_cap_without_jitter_by_default() {
    let r = failing(&[
        "--wait",
        "decorrelated",
        "--factor",
        "2ms",
        "--max-value",
        "9ms",
        "--max-tries",
        "8",
    ]);
    let w = waits(&r);
    assert_eq!(w.len(), 7);
    assert!(w.iter().all(|&w| (0.002..=0.009).contains(&w)), "{w:?}");
}

#[test]
fn full_jitter_is_the_default_and_never_exceeds_the_wait() {
    let r = failing(&[
        "--wait",
        "constant",
        "--interval",
        "20ms",
        "--max-tries",
        "6",
    ]);
    let w = waits(&r);
    assert_eq!(w.len(), 5);
    assert!(w.iter().all(|&w| (0.0..=0.02).contains(&w)), "{w:?}");
    assert!(
        w.iter().any(|&w| w != 0.02),
        "jitter changed nothing: {w:?}"
    );
}

#[test]
fn equal_random_and_proportional_jitter_stay_in_their_bounds() {
    let bounds: [(&str, f64, f64); 3] = [
        ("equal", 0.01, 0.02),
        ("random", 0.002, 1.002),
        ("proportional=0.5", 0.01, 0.03),
    ];
    for (jitter, low, high) in bounds {
        let interval = if jitter == "random" { "2ms" } else { "20ms" };
        let r = failing(&[
            "--wait",
            "constant",
            "--interval",
            interval,
            "--jitter",
            jitter,
            "--max-tries",
            "3",
        ]);
        let w = waits(&r);
        assert_eq!(w.len(), 2, "{jitter}");
        assert!(
            w.iter().all(|&w| (low..=high).contains(&w)),
            "{jitter}: {w:?}"
        );
    }
}

#[test]
fn a_seed_makes_the_waits_reproducible() {
    let args = ["--factor", "5ms", "--seed", "42", "--max-tries", "5"];
    let (a, b) = (waits(&failing(&args)), waits(&failing(&args)));
    assert_eq!(a.len(), 4);
    assert_eq!(a, b);
}

#[test]
fn max_tries_counts_every_attempt_and_forever_has_no_limit() {
    let r = failing(&["--factor", "1ms", "--max-tries", "1"]);
    assert_eq!(r.events().len(), 1);
    assert_eq!(field(&r.events()[0], "event"), Some("giveup"));
    // --forever: the command decides when to stop, at attempt 7 (past the default 5).
    let r = run(&[
        "--forever",
        "--factor",
        "1ms",
        "--max-value",
        "2ms",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        r#"test "$PERSEVERE_ATTEMPT" -ge 7 && test -z "$PERSEVERE_ATTEMPTS""#,
    ]);
    assert_eq!(r.code, Some(0));
    let events = r.events();
    assert_eq!(events.len(), 7);
    assert_eq!(field(&events[6], "event"), Some("success"));
}

#[test]
fn no_attempt_starts_at_max_time_so_the_run_gives_up_before_a_wait_that_reaches_it() {
    let r = failing(&[
        "--wait",
        "constant",
        "--interval",
        "500ms",
        "--jitter",
        "none",
        "--max-time",
        "1500ms",
    ]);
    let w = waits(&r);
    // How many attempts fit depends on the machine's load; the shape does not: every wait is
    // whole (none is cut to the deadline), and the run gives up after the attempt that
    // followed the last one.
    assert!(!w.is_empty() && w.iter().all(|&w| w == 0.5), "{w:?}");
    assert!(w.iter().sum::<f64>() < 1.5, "{w:?}");
    let events = r.events();
    let final_event = events.last().unwrap();
    assert_eq!(field(final_event, "event"), Some("giveup"));
    assert_eq!(
        field(final_event, "try"),
        Some((w.len() + 1).to_string().as_str())
    );
    assert_eq!(r.code, Some(1), "the last attempt's status, not a timeout");
}

#[test]
fn retry_on_exit_narrows_and_stop_on_exit_wins() {
    let script = r#"exit $((PERSEVERE_ATTEMPT == 1 ? 3 : 4))"#;
    let base = ["--factor", "1ms", "--report", "-", "--max-tries", "5"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "sh", "-c", script]);
        run(&args)
    };
    let r = with(&["--retry-on-exit", "1-3"]);
    assert_eq!((r.code, r.events().len()), (Some(4), 2), "3 retried, 4 not");
    let r = with(&["--retry-on-exit", "3,4", "--stop-on-exit", "3"]);
    assert_eq!((r.code, r.events().len()), (Some(3), 1), "stop wins");
    let r = with(&["--stop-on-exit", "4"]);
    assert_eq!((r.code, r.events().len()), (Some(4), 2));
    let r = with(&[]);
    assert_eq!((r.code, r.events().len()), (Some(4), 5));
}
