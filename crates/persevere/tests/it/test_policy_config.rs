//! `persevere::config`: policy files (TOML, JSON) and the gRPC service config and AWS
//! importers, checked by the behaviour of the policies they build on a virtual clock.
#![cfg(feature = "config")]

use persevere::config::PolicySpec;
use persevere::testing::VirtualClock;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Runs one call that always fails through `spec`'s policy: attempts made, sleeps taken.
fn always_failing(spec: &PolicySpec, seed: u64) -> (u32, Vec<Duration>) {
    let clock = VirtualClock::new();
    let mut attempts = 0;
    let r: Result<(), &str> = spec.build().seed(seed).clock(clock.clone()).retry(|| {
        attempts += 1;
        Err("down")
    });
    assert_eq!(r, Err("down"));
    (attempts, clock.sleeps())
}

#[test]
fn the_issues_file_makes_exactly_two_attempts() {
    let spec = PolicySpec::from_toml(
        "max-tries = 2\nwait = \"constant\"\ninterval = \"0s\"\njitter = \"none\"\n",
    )
    .unwrap();
    assert_eq!(always_failing(&spec, 1), (2, vec![Duration::ZERO]));
}

#[test]
fn durations_read_as_the_commands_grammar_or_as_seconds() {
    let text =
        PolicySpec::from_toml("factor = \"250ms\"\nmax-tries = 4\njitter = \"none\"").unwrap();
    let seconds =
        PolicySpec::from_json(r#"{"factor": 0.25, "max-tries": 4, "jitter": "none"}"#).unwrap();
    assert_eq!(text, seconds);
    assert_eq!(
        always_failing(&text, 1),
        (4, vec![ms(250), ms(500), ms(1000)])
    );
}

#[test]
fn max_time_and_the_strategy_keys_shape_the_waits() {
    // The contract's example: expo, no jitter, 10 s: sleeps 1, 2, 4, 3 over 5 attempts.
    let spec = PolicySpec::from_toml("max-time = \"10s\"\njitter = \"none\"").unwrap();
    let (attempts, sleeps) = always_failing(&spec, 1);
    assert_eq!(
        (attempts, sleeps),
        (5, [1, 2, 4, 3].map(Duration::from_secs).to_vec())
    );
    let linear = PolicySpec::from_toml(
        "wait = \"linear\"\ninterval = \"1s\"\nstep = \"2s\"\nmax-value = \"4s\"\nmax-tries = 4\njitter = \"none\"",
    )
    .unwrap();
    assert_eq!(
        always_failing(&linear, 1).1,
        [1, 3, 4].map(Duration::from_secs)
    );
    let list = PolicySpec::from_toml("intervals = [\"1s\", 0.5]\njitter = \"none\"").unwrap();
    assert_eq!(always_failing(&list, 1), (3, vec![ms(1000), ms(500)]));
}

/// Each bad value names its field's path and what is allowed.
#[test]
fn bad_values_name_the_field_path_and_the_range() {
    let cases = [
        (
            "[services.inventory]\nmax-tries = 0",
            "services.inventory.max-tries: must be at least 1 (it counts every attempt, the first included), got 0",
        ),
        (
            "max-tries = -3",
            "max-tries: must be a whole number from 1 to 4294967295, got -3",
        ),
        (
            "max-tries = \"3\"",
            "max-tries: must be a whole number, got a string",
        ),
        ("base = 0.5", "base: must be a finite number >= 1, got 0.5"),
        (
            "jitter = \"proportional=1.5\"",
            "jitter: must be a number in [0, 1], got 1.5",
        ),
        (
            "attempt-timeout = 0",
            "attempt-timeout: must be greater than zero (a zero timeout would cut every attempt at once), got 0ns",
        ),
        (
            "max-time = \"0s\"",
            "max-time: must be greater than zero (leave the key out for no limit)",
        ),
        (
            "budget = { type = \"grpc\", max-tokens = 2000, token-ratio = 0.1 }",
            "budget.max-tokens: must be from 0.001 to 1000, got 2000.0",
        ),
        (
            "[services.a]\nbudget = { type = \"ratio\", window = \"2m\" }",
            "services.a.budget.window: must be from 1 s to 60 s, got 120s",
        ),
        (
            "hedge = { delay = \"1s\", max-in-flight = 0 }",
            "hedge.max-in-flight: must be at least 1 (the attempts running at once, the first included), got 0",
        ),
        ("hedge = { max-in-flight = 2 }", "hedge.delay: is required"),
        (
            "wait = \"decay\"\ndecay-factor = -1",
            "decay-factor: must be a finite number >= 0, got -1",
        ),
        (
            "wait = \"constant\"\nstep = \"1s\"",
            "step: does not apply to wait = \"constant\" (it applies to wait = linear)",
        ),
        (
            "wait = \"decorrelated\"\nfactor = \"5s\"\nmax-value = \"1s\"",
            "factor: must not be greater than max-value for wait = \"decorrelated\", got 5s > 1s",
        ),
        ("intervals = []", "intervals: must list at least one wait"),
        (
            "wait = \"constant\"\nintervals = [1]",
            "intervals: replaces `wait`: give one of them",
        ),
        (
            "budget-window = \"5s\"",
            "budget-window: needs a ratio `budget` (such as \"20%\")",
        ),
        (
            "budget = \"aws-standard\"\nbudget-min-rate = 5",
            "budget-min-rate: applies to a ratio budget only",
        ),
        (
            "[services.a.services.b]",
            "services.a.services: services are named at the top level only",
        ),
        (
            "budget = { type = \"bucket\", capacity = 10, initial = 11 }",
            "budget.initial: must be from 0 to the capacity, got 11.0",
        ),
        (
            "budget = { type = \"bucket\", retry-cost = 1 }",
            "budget.capacity: is required",
        ),
        (
            "budget = { type = \"bucket\", capacity = 10, retry-costs = 1 }",
            "budget.retry-costs: unknown key (expected one of: type, capacity, refund-retry-cost, initial, retry-cost, timeout-cost, throttling-cost, hedge-cost, failure-cost, success-reward, refuse-at-or-below)",
        ),
        (
            "retryable-status-codes = [\"OK\"]",
            "retryable-status-codes[0]: must not be OK (a success is never retried)",
        ),
    ];
    for (text, message) in cases {
        let err = PolicySpec::from_toml(text).expect_err(text);
        assert_eq!(err.to_string(), message, "{text}");
        assert!(message.starts_with(&format!("{}: ", err.path())), "{text}");
    }
    let typo = PolicySpec::from_toml("max-try = 3").unwrap_err();
    assert_eq!(typo.path(), "max-try");
    assert!(
        typo.message()
            .starts_with("unknown key (expected one of: wait, "),
        "{typo}"
    );
    let unit = PolicySpec::from_toml("max-time = \"5 parsecs\"").unwrap_err();
    assert_eq!(unit.path(), "max-time");
    assert!(
        unit.message().starts_with("unknown unit `parsecs`"),
        "{unit}"
    );
    let wait = PolicySpec::from_toml("wait = \"exponential\"").unwrap_err();
    assert_eq!(
        wait.to_string(),
        "wait: unknown strategy \"exponential\" (expected one of: expo, fibo, constant, linear, decay, decorrelated)"
    );
    let syntax = PolicySpec::from_toml("max-tries = = 3").unwrap_err();
    assert_eq!(syntax.path(), "");
    assert!(syntax.message().starts_with("not TOML"), "{syntax}");
}

#[test]
fn json_files_get_the_same_checks_and_paths() {
    let err =
        PolicySpec::from_json(r#"{"services": {"inventory": {"max-tries": 0}}}"#).unwrap_err();
    assert_eq!(err.path(), "services.inventory.max-tries");
    let err = PolicySpec::from_json(r#"{"intervals": ["1s", "-2s"]}"#).unwrap_err();
    assert_eq!(err.path(), "intervals[1]");
    assert!(
        PolicySpec::from_json("[1]")
            .unwrap_err()
            .to_string()
            .starts_with("must be a table")
    );
}

const FULL: &str = r#"
name = "fetch"
wait = "expo"
base = 3.0
factor = "100ms"
max-value = "1m30s"
jitter = "proportional=0.25"
max-tries = 6
max-time = 120
attempt-timeout = "1.5s"
max-server-wait = "30s"
seed = 42
budget = "25%"
budget-min-rate = 5
hedge = { delay = "50ms", max-in-flight = 3 }
retryable-status-codes = ["UNAVAILABLE", 8]

[services.inventory]
wait = "decay"
interval = "2s"
decay-factor = 0.5
min-value = "250us"

[services.billing]
intervals = ["1s", "2s"]
budget = "aws-2026"

[services.search]
budget = { type = "bucket", capacity = 10, retry-cost = 2.5, refund-retry-cost = true }
"#;

#[test]
fn a_spec_prints_back_to_an_equal_spec_in_both_formats() {
    let spec = PolicySpec::from_toml(FULL).unwrap();
    let toml = spec.to_toml();
    assert_eq!(PolicySpec::from_toml(&toml).unwrap(), spec, "{toml}");
    assert_eq!(PolicySpec::from_toml(&toml).unwrap().to_toml(), toml);
    let json = spec.to_json();
    assert_eq!(PolicySpec::from_json(&json).unwrap(), spec, "{json}");
    // What the file gave, not every default: the inventory service names no budget.
    let inventory = PolicySpec::from_toml(&toml).unwrap();
    assert!(
        !inventory
            .service("inventory")
            .unwrap()
            .to_toml()
            .contains("budget")
    );
    assert!(toml.contains("max-time = \"120s\""), "{toml}");
    assert_eq!(spec.attempt_timeout(), Some(ms(1500)));
    assert_eq!(spec.hedge(), Some((ms(50), 3)));
    assert_eq!(spec.retryable_status_codes(), [14, 8]);
    assert_eq!(
        spec.services().collect::<Vec<_>>(),
        ["billing", "inventory", "search"]
    );
}

#[test]
fn services_share_the_top_levels_budget() {
    // gRPC's bucket of 10 tokens: each failed attempt takes one; no retry at or below 5.
    let spec = PolicySpec::from_toml(
        "budget = \"grpc\"\nmax-tries = 4\nwait = \"constant\"\ninterval = 0\n[services.a]\nmax-tries = 4\nwait = \"constant\"\ninterval = 0",
    )
    .unwrap();
    let a = spec.service("a").unwrap();
    assert_eq!(always_failing(&spec, 1).0, 4); // 10 -> 6
    assert_eq!(always_failing(a, 1).0, 1); // 5: refused
    assert_eq!(always_failing(&spec, 1).0, 1);
    // A spec read again has a budget of its own.
    let again = PolicySpec::from_toml(&spec.to_toml()).unwrap();
    assert_eq!(always_failing(again.service("a").unwrap(), 1).0, 4);
}

#[test]
fn a_seed_beyond_tomls_integers_is_refused_so_that_every_spec_prints_back() {
    let err = PolicySpec::from_json(r#"{"seed": 18446744073709551615}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "seed: must be a whole number from 0 to 9223372036854775807, got 18446744073709551615"
    );
    let spec = PolicySpec::from_json(r#"{"seed": 9223372036854775807}"#).unwrap();
    assert_eq!(PolicySpec::from_toml(&spec.to_toml()).unwrap(), spec);
}

#[test]
fn a_bucket_of_ones_own_bounds_retries_by_its_rules() {
    // 10 tokens, 2.5 a retry, and the default 0.1 earned by a first-attempt success (none
    // here): two calls get their 2 retries each, then none.
    let spec = PolicySpec::from_toml(
        "budget = { type = \"bucket\", capacity = 10, retry-cost = 2.5 }\nmax-tries = 3\nwait = \"constant\"\ninterval = 0",
    )
    .unwrap();
    let attempts: Vec<u32> = (0..4).map(|seed| always_failing(&spec, seed).0).collect();
    assert_eq!(attempts, [3, 3, 1, 1]);
}

/// A library reading a file written for the command is not refused (the command's own keys
/// are kept and printed back); a typo, or the command's key inside a service, still is.
#[test]
fn the_commands_own_keys_are_accepted_kept_and_ignored() {
    let text = "max-tries = 2\nwait = \"constant\"\ninterval = \"0s\"\njitter = \"none\"\n\
                retry-on-exit = [1, 2]\nsignal = \"INT\"\nkill-after = \"2s\"\nquiet = true\n\
                report = \"/tmp/r.jsonl\"\nbudget = \"20%\"\nbudget-store = \"file:/tmp/b\"\n";
    let spec = PolicySpec::from_toml(text).unwrap();
    assert_eq!(always_failing(&spec, 1), (2, vec![Duration::ZERO]));
    let plain = PolicySpec::from_toml(
        "max-tries = 2\nwait = \"constant\"\ninterval = \"0s\"\njitter = \"none\"\nbudget = \"20%\"",
    )
    .unwrap();
    assert_ne!(spec, plain);
    assert_eq!(PolicySpec::from_toml(&spec.to_toml()).unwrap(), spec);
    assert_eq!(PolicySpec::from_json(&spec.to_json()).unwrap(), spec);
    assert!(spec.to_toml().contains("retry-on-exit = [1, 2]\n"));

    let typo = PolicySpec::from_toml("retry-on-exits = [1]").unwrap_err();
    assert_eq!(typo.path(), "retry-on-exits");
    assert!(
        typo.message()
            .contains("or one of the command's: forever, "),
        "{typo}"
    );
    let nested = PolicySpec::from_toml("[services.a]\nquiet = true").unwrap_err();
    assert_eq!(
        nested.to_string(),
        "services.a.quiet: is an option of the command: at the top level only"
    );
    let timeout = PolicySpec::from_toml("timeout = \"1s\"").unwrap_err();
    assert_eq!(
        timeout.to_string(),
        "timeout: unknown key: a file names the command's --timeout `attempt-timeout`"
    );
}
