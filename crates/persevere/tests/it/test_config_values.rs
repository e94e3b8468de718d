//! Values that come from configuration (a file, the environment, a flag) never panic: every
//! parameter has a path that returns an error naming it and its accepted range (issue "The crate
//! face for 1.0", point 3). The panicking builders remain for literals.

use persevere::budget::{RatioBudget, TokenBucket};
use persevere::testing::VirtualClock;
use persevere::wait::{try_decay, try_decorrelated};
use persevere::{Jitter, constant, expo, on_error};
use std::time::Duration;

/// Asserts that `result` is an error naming `parameter` whose message states `allowed`.
#[track_caller]
fn names<T, E: std::fmt::Display>(
    result: Result<T, E>,
    parameter: impl Fn(&E) -> &'static str,
    expected: &str,
    allowed: &str,
) {
    let Err(err) = result else {
        panic!("expected an error naming `{expected}`");
    };
    assert_eq!(parameter(&err), expected, "{err}");
    let message = err.to_string();
    assert!(message.contains(expected), "{message}");
    assert!(message.contains(allowed), "{message}");
}

#[test]
fn max_tries_out_of_range_is_an_error_naming_it() {
    for bad in [0_i64, -1, i64::from(u32::MAX) + 1] {
        names(
            on_error(expo()).try_max_tries(bad),
            |e| e.parameter(),
            "max_tries",
            "1",
        );
    }
    names(
        on_error(expo()).try_max_tries(u128::MAX),
        |e| e.parameter(),
        "max_tries",
        "4294967295",
    );
    let policy = on_error(constant(Duration::ZERO))
        .try_max_tries(2_usize)
        .unwrap()
        .clock(VirtualClock::new());
    let mut calls = 0;
    let _: Result<(), ()> = policy.retry(|| {
        calls += 1;
        Err(())
    });
    assert_eq!(calls, 2, "a valid value from configuration is the limit");
}

#[test]
fn a_per_call_max_tries_of_zero_is_an_error_naming_it() {
    let policy = on_error(expo());
    names(
        policy.call().try_max_tries(0),
        |e| e.parameter(),
        "max_tries",
        "at least 1",
    );
}

#[test]
fn jitter_fractions_outside_zero_to_one_are_errors_naming_them() {
    for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
        names(
            on_error(expo()).try_jitter(Jitter::Proportional(bad)),
            |e| e.parameter(),
            "f",
            "[0, 1]",
        );
    }
    assert!(
        on_error(expo())
            .try_jitter(Jitter::Proportional(0.2))
            .is_ok()
    );
}

#[test]
fn strategy_parameters_out_of_range_are_errors_naming_them() {
    for bad in [0.5, 0.0, -2.0, f64::NAN, f64::INFINITY] {
        names(expo().try_base(bad), |e| e.parameter(), "base", ">= 1");
    }
    for bad in [-1.0, f64::NAN, f64::NEG_INFINITY] {
        names(
            try_decay(Duration::from_secs(10), bad),
            |e| e.parameter(),
            "rate",
            ">= 0",
        );
    }
    names(
        try_decorrelated(Duration::ZERO, Duration::from_secs(1)),
        |e| e.parameter(),
        "base",
        "greater than zero",
    );
    let err = try_decorrelated(Duration::from_secs(2), Duration::from_secs(1)).unwrap_err();
    assert!(err.to_string().contains("cap"), "{err}");
}

#[test]
fn attempt_timeouts_and_hedges_out_of_range_are_errors_naming_them() {
    names(
        on_error(expo()).try_attempt_timeout(Duration::ZERO),
        |e| e.parameter(),
        "attempt_timeout",
        "greater than zero",
    );
    names(
        on_error(expo()).try_hedge(Duration::from_millis(50), 0),
        |e| e.parameter(),
        "max_in_flight",
        "at least 1",
    );
    names(
        on_error(expo()).call().try_hedge(Duration::ZERO, 0),
        |e| e.parameter(),
        "max_in_flight",
        "at least 1",
    );
}

#[test]
fn budget_parameters_out_of_range_are_errors_naming_them() {
    for bad in [-1.0, 10.5, f64::NAN] {
        let err = RatioBudget::try_new(bad, 10, Duration::from_secs(10)).unwrap_err();
        assert_eq!(err.parameter(), "percent", "{err}");
        assert!(err.to_string().contains("percent"), "{err}");
    }
    for bad in [Duration::ZERO, Duration::from_secs(61)] {
        let err = RatioBudget::try_new(0.2, 10, bad).unwrap_err();
        assert_eq!(err.parameter(), "ttl", "{err}");
    }
    let err = TokenBucket::try_grpc(0.0, 0.1).unwrap_err();
    assert_eq!(err.parameter(), "max_tokens", "{err}");
    let err = TokenBucket::builder(100.0)
        .initial(500.0)
        .try_build()
        .unwrap_err();
    assert_eq!(err.parameter(), "initial", "{err}");
    let err = TokenBucket::builder(100.0)
        .retry_cost(f64::NAN)
        .try_build()
        .unwrap_err();
    assert_eq!(err.parameter(), "retry_cost", "{err}");
}
