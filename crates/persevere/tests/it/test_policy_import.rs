//! The importers of `persevere::config`: gRFC A6's service-config examples and the AWS SDKs'
//! retry settings, checked by the behaviour of the policies they build on a virtual clock.
#![cfg(feature = "config")]

use persevere::config::PolicySpec;
use persevere::testing::VirtualClock;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn always_failing(spec: &PolicySpec, seed: u64) -> (u32, Vec<Duration>) {
    let clock = VirtualClock::new();
    let mut attempts = 0;
    let _: Result<(), &str> = spec.build().seed(seed).clock(clock.clone()).retry(|| {
        attempts += 1;
        Err("UNAVAILABLE")
    });
    (attempts, clock.sleeps())
}

/// A6's retry policy example, in a service config for one service.
fn a6_retry(max_attempts: u32) -> String {
    format!(
        r#"{{
          "methodConfig": [{{
            "name": [{{"service": "helloworld.Greeter"}}],
            "retryPolicy": {{
              "maxAttempts": {max_attempts},
              "initialBackoff": ".1s",
              "maxBackoff": "1s",
              "backoffMultiplier": 2,
              "retryableStatusCodes": ["UNAVAILABLE"]
            }}
          }}]
        }}"#
    )
}

#[test]
fn a6_retry_policy_waits_with_grpcs_jitter_within_its_bounds() {
    let spec = PolicySpec::from_grpc_service_config(&a6_retry(4)).unwrap();
    let greeter = spec.for_grpc_method("helloworld.Greeter", "SayHello");
    assert_eq!(greeter.retryable_status_codes(), [14]);
    assert!(greeter.retries_status_code(14) && !greeter.retries_status_code(3));
    let mut distinct = std::collections::BTreeSet::new();
    for seed in 0..200 {
        let (attempts, sleeps) = always_failing(greeter, seed);
        assert_eq!(attempts, 4);
        // min(0.1 s * 2^(n-1), 1 s) * U[0.8, 1.2]
        for (sleep, backoff) in sleeps.iter().zip([100, 200, 400]) {
            assert!(
                *sleep >= ms(backoff * 8 / 10) && *sleep <= ms(backoff * 12 / 10),
                "{sleeps:?}"
            );
        }
        distinct.insert(sleeps[0]);
    }
    assert!(distinct.len() > 100, "the waits are jittered");
    // Waits reach maxBackoff (1 s) and stay within 20 % of it.
    let five = PolicySpec::from_grpc_service_config(&a6_retry(5)).unwrap();
    let sleeps = always_failing(five.for_grpc_method("helloworld.Greeter", "X"), 3).1;
    assert!(sleeps[3] >= ms(640) && sleeps[3] <= ms(960), "{sleeps:?}");
}

#[test]
fn max_attempts_above_five_is_treated_as_five() {
    for n in [5, 6, 100] {
        let spec = PolicySpec::from_grpc_service_config(&a6_retry(n)).unwrap();
        let greeter = spec.for_grpc_method("helloworld.Greeter", "SayHello");
        assert_eq!(greeter.max_tries(), Some(5));
        assert_eq!(always_failing(greeter, 1).0, 5);
    }
}

#[test]
fn methods_match_by_name_then_service_then_the_default() {
    let spec = PolicySpec::from_grpc_service_config(
        r#"{
          "loadBalancingConfig": [{"round_robin": {}}],
          "methodConfig": [
            {"name": [{}], "retryPolicy": {"maxAttempts": 2, "initialBackoff": "1s",
              "maxBackoff": "1s", "backoffMultiplier": 1, "retryableStatusCodes": ["UNAVAILABLE"]}},
            {"name": [{"service": "shop.Inventory"}], "timeout": "2.5s",
             "retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.5s", "maxBackoff": "2s",
              "backoffMultiplier": 1.5, "retryableStatusCodes": [14, "resource_exhausted"]}},
            {"name": [{"service": "shop.Inventory", "method": "Count"},
                      {"service": "shop.Billing", "method": ""}], "waitForReady": true}
          ]
        }"#,
    )
    .unwrap();
    let count = spec.for_grpc_method("shop.Inventory", "Count");
    assert_eq!(
        always_failing(count, 1).0,
        1,
        "a method config without a policy: no retry"
    );
    let list = spec.for_grpc_method("shop.Inventory", "List");
    assert_eq!(list.retryable_status_codes(), [14, 8]);
    assert_eq!(always_failing(list, 1).0, 3);
    assert_eq!(
        always_failing(spec.for_grpc_method("shop.Billing", "Pay"), 1).0,
        1
    );
    let other = spec.for_grpc_method("shop.Shipping", "Send");
    assert_eq!(always_failing(other, 1).0, 2, "the default");
    // `timeout` (2.5 s) is the call's deadline across attempts: a first attempt of 3 s ends
    // the call, where maxAttempts alone would allow 3.
    let clock = VirtualClock::new();
    let mut attempts = 0;
    let _: Result<(), ()> = list.build().clock(clock.clone()).retry(|| {
        attempts += 1;
        clock.advance(Duration::from_secs(3));
        Err(())
    });
    assert_eq!(attempts, 1, "{:?}", clock.sleeps());
    // The import prints back as a policy file that reads back to the same spec.
    assert_eq!(PolicySpec::from_toml(&spec.to_toml()).unwrap(), spec);
}

/// A6's hedging example: a new attempt every 500 ms, up to 4 in flight.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a6_hedging_policy_starts_an_attempt_every_hedging_delay() {
    let spec = PolicySpec::from_grpc_service_config(
        r#"{"methodConfig": [{"name": [{"service": "a.B"}], "hedgingPolicy": {
            "maxAttempts": 4, "hedgingDelay": ".5s",
            "nonFatalStatusCodes": ["UNAVAILABLE", "INTERNAL", "ABORTED"]}}]}"#,
    )
    .unwrap();
    let b = spec.for_grpc_method("a.B", "C");
    assert_eq!(b.hedge(), Some((ms(500), 4)));
    assert_eq!(b.retryable_status_codes(), [14, 13, 10]);
    let (delay, in_flight) = b.hedge().unwrap();
    let start = tokio::time::Instant::now();
    let starts = std::sync::Mutex::new(Vec::new());
    let r: Result<(), &str> = b
        .build()
        .hedge(delay, in_flight)
        .retry_async(|| {
            starts.lock().unwrap().push(start.elapsed());
            async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                Err("UNAVAILABLE")
            }
        })
        .await;
    assert_eq!(r, Err("UNAVAILABLE"));
    assert_eq!(*starts.lock().unwrap(), [0, 500, 1000, 1500].map(ms));

    // A6's second example, `"hedgingDelay": "0s"`: four attempts at once.
    // Regression: a zero hedge delay with every attempt started spun the driver forever.
    let at_once = PolicySpec::from_grpc_service_config(
        r#"{"methodConfig": [{"name": [{"service": "a.B"}], "hedgingPolicy": {
            "maxAttempts": 4, "hedgingDelay": "0s",
            "nonFatalStatusCodes": ["UNAVAILABLE", "INTERNAL", "ABORTED"]}}]}"#,
    )
    .unwrap();
    let b = at_once.for_grpc_method("a.B", "C");
    let (delay, in_flight) = b.hedge().unwrap();
    let start = tokio::time::Instant::now();
    let starts = std::sync::Mutex::new(Vec::new());
    let _: Result<(), &str> = b
        .build()
        .hedge(delay, in_flight)
        .retry_async(|| {
            starts.lock().unwrap().push(start.elapsed());
            async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Err("UNAVAILABLE")
            }
        })
        .await;
    assert_eq!(*starts.lock().unwrap(), [Duration::ZERO; 4]);
}

/// gRPC's throttling: one bucket of 10 tokens for every method; each failed attempt takes one,
/// and no retry is made at or below 5.
#[test]
fn retry_throttling_refuses_retries_across_methods() {
    let mut config = a6_retry(4);
    config.insert_str(
        config.rfind('}').unwrap(),
        r#", "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}"#,
    );
    let spec = PolicySpec::from_grpc_service_config(&config).unwrap();
    let greeter = spec.for_grpc_method("helloworld.Greeter", "SayHello");
    assert_eq!(always_failing(greeter, 1).0, 4); // tokens 10 -> 6
    assert_eq!(always_failing(greeter, 1).0, 1); // 5: refused
    assert_eq!(
        always_failing(spec.for_grpc_method("helloworld.Greeter", "Other"), 1).0,
        1
    );
    // Successes earn 0.1 each: 4 + 2.1 = 6.1, so one failure leaves 5.1 and one retry runs.
    let policy = greeter.build().clock(VirtualClock::new());
    for _ in 0..21 {
        let _: Result<(), ()> = policy.retry(|| Ok(()));
    }
    assert_eq!(always_failing(greeter, 1).0, 2);
}

#[test]
fn grpc_validation_names_the_field() {
    let with_policy = |policy: &str| {
        format!(
            r#"{{"methodConfig": [{{"name": [{{"service": "s"}}], "retryPolicy": {policy}}}]}}"#
        )
    };
    let good = r#""initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]"#;
    let cases = [
        (
            with_policy(&format!(r#"{{"maxAttempts": 1, {good}}}"#)),
            "methodConfig[0].retryPolicy.maxAttempts: must be at least 2 (the first attempt included), got 1",
        ),
        (
            with_policy(r#"{"maxAttempts": 2}"#),
            "methodConfig[0].retryPolicy.initialBackoff: is required",
        ),
        (
            with_policy(r#"{"maxAttempts": 2, "initialBackoff": "0s", "maxBackoff": "1s"}"#),
            "methodConfig[0].retryPolicy.initialBackoff: must be greater than zero",
        ),
        (
            with_policy(r#"{"maxAttempts": 2, "initialBackoff": "100ms", "maxBackoff": "1s"}"#),
            "methodConfig[0].retryPolicy.initialBackoff: must be a proto3 JSON duration such as \"0.1s\" (seconds with an `s`, not negative), got \"100ms\"",
        ),
        (
            with_policy(
                r#"{"maxAttempts": 2, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 0, "retryableStatusCodes": [14]}"#,
            ),
            "methodConfig[0].retryPolicy.backoffMultiplier: must be greater than zero, got 0",
        ),
        (
            with_policy(
                r#"{"maxAttempts": 2, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": []}"#,
            ),
            "methodConfig[0].retryPolicy.retryableStatusCodes: must not be empty",
        ),
        (
            with_policy(
                r#"{"maxAttempts": 2, "initialBackoff": "1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE", "SOON"]}"#,
            ),
            "methodConfig[0].retryPolicy.retryableStatusCodes[1]: unknown status code \"SOON\" (expected a name such as UNAVAILABLE, or a number from 1 to 16)",
        ),
        (
            format!(
                r#"{{"methodConfig": [{{"name": [{{"service": "s"}}], "retryPolicy": {{"maxAttempts": 2, {good}}}, "hedgingPolicy": {{"maxAttempts": 2}}}}]}}"#
            ),
            "methodConfig[0]: sets both retryPolicy and hedgingPolicy (gRPC allows one of them)",
        ),
        (
            r#"{"retryThrottling": {"maxTokens": 2000, "tokenRatio": 0.1}}"#.to_string(),
            "retryThrottling.maxTokens: must be from 0.001 to 1000, got 2000.0",
        ),
        (
            r#"{"retryThrottling": {"maxTokens": 10, "tokenRatio": 0}}"#.to_string(),
            "retryThrottling.tokenRatio: must be a finite number of at least 0.001, got 0.0",
        ),
        (
            r#"{"methodConfig": [{"name": [{"method": "M"}]}]}"#.to_string(),
            "methodConfig[0].name[0].method: needs a service (a method without its service matches nothing)",
        ),
        (
            r#"{"methodConfig": [{"name": [{"service": "s"}]}, {"name": [{"service": "s"}]}]}"#
                .to_string(),
            "methodConfig[1].name[0]: names a method (or the default) that an earlier name names too",
        ),
    ];
    for (config, message) in cases {
        let err = PolicySpec::from_grpc_service_config(&config).expect_err(&config);
        assert_eq!(err.to_string(), message, "{config}");
    }
}

fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |key| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    }
}

/// Standard mode: 3 attempts unless set, waits rand(0, 1) * min(2^(n-1), 20) s, and the retry
/// quota of 500 tokens at 5 a retry.
#[test]
fn aws_standard_mode_retries_within_the_quota() {
    let spec = PolicySpec::from_aws(env(&[("AWS_RETRY_MODE", "standard")]), None).unwrap();
    assert_eq!(spec.max_tries(), Some(3));
    let four = PolicySpec::from_aws(env(&[("AWS_MAX_ATTEMPTS", "7")]), None).unwrap();
    let (attempts, sleeps) = always_failing(&four, 5);
    assert_eq!(attempts, 7);
    for (sleep, cap) in sleeps.iter().zip([1, 2, 4, 8, 16, 20]) {
        assert!(*sleep <= Duration::from_secs(cap), "{sleeps:?}");
    }
    // Each failing call spends 2 retries, 10 tokens: 50 calls empty the bucket.
    let attempts: u32 = (0..52).map(|seed| always_failing(&spec, seed).0).sum();
    assert_eq!(attempts, 50 * 3 + 2);
    // Adaptive has no rate limiter here: it is standard.
    let adaptive = PolicySpec::from_aws(env(&[("AWS_RETRY_MODE", "adaptive")]), None).unwrap();
    assert_eq!(adaptive, spec);
}

#[test]
fn aws_legacy_mode_has_no_quota() {
    let spec = PolicySpec::from_aws(env(&[("AWS_RETRY_MODE", "legacy")]), None).unwrap();
    let attempts: u32 = (0..200).map(|seed| always_failing(&spec, seed).0).sum();
    assert_eq!(attempts, 200 * 5);
}

#[test]
fn aws_config_file_profiles_and_the_environment_win() {
    let file = "[default]\nmax_attempts = 2\n\n[profile batch]\nretry_mode = legacy\nmax_attempts = 6\ns3 =\n  max_attempts = 9\n";
    let default = PolicySpec::from_aws(env(&[]), Some(file)).unwrap();
    assert_eq!(always_failing(&default, 1).0, 2);
    let batch = PolicySpec::from_aws(env(&[("AWS_PROFILE", "batch")]), Some(file)).unwrap();
    assert_eq!(batch.max_tries(), Some(6));
    assert_eq!(
        batch,
        PolicySpec::from_aws(
            env(&[("AWS_RETRY_MODE", "legacy"), ("AWS_MAX_ATTEMPTS", "6")]),
            None
        )
        .unwrap()
    );
    let env_wins = PolicySpec::from_aws(
        env(&[("AWS_PROFILE", "batch"), ("AWS_MAX_ATTEMPTS", "1")]),
        Some(file),
    )
    .unwrap();
    assert_eq!(always_failing(&env_wins, 1).0, 1);
}

#[test]
fn aws_bad_settings_name_where_they_came_from() {
    let err = PolicySpec::from_aws(env(&[("AWS_MAX_ATTEMPTS", "0")]), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "AWS_MAX_ATTEMPTS: must be at least 1 (it counts every attempt, the first included), got 0"
    );
    let file = "[profile batch]\nmax_attempts = many\n";
    let err = PolicySpec::from_aws(env(&[("AWS_PROFILE", "batch")]), Some(file)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "[profile batch].max_attempts: must be a whole number of at least 1, got \"many\""
    );
}

/// Retries 2.1: 14 tokens a retry from 500, and a first wait of at most 50 ms.
#[test]
fn aws_new_retries_2026_uses_the_revised_quota_and_base() {
    let spec = PolicySpec::from_aws(env(&[("AWS_NEW_RETRIES_2026", "true")]), None).unwrap();
    let (attempts, sleeps) = always_failing(&spec, 9);
    assert_eq!(attempts, 3);
    assert!(sleeps[0] <= ms(50) && sleeps[1] <= ms(100), "{sleeps:?}");
    // 2 retries a call, 28 tokens: 17 calls (476, the one above included), then one retry (14
    // of the 24 left), then none.
    let attempts: Vec<u32> = (0..19).map(|seed| always_failing(&spec, seed).0).collect();
    assert_eq!(attempts[..16], [3; 16]);
    assert_eq!(attempts[16..], [2, 1, 1]);
    const LEGACY: &[(&str, &str)] = &[
        ("AWS_NEW_RETRIES_2026", "true"),
        ("AWS_RETRY_MODE", "legacy"),
    ];
    let legacy = PolicySpec::from_aws(env(LEGACY), None).unwrap();
    assert_eq!(
        legacy,
        PolicySpec::from_aws(env(&[("AWS_RETRY_MODE", "legacy")]), None).unwrap()
    );
}
