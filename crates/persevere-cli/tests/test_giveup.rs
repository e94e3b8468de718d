//! Every give-up says why, in the message and in the report's `reason`: max_tries, max_time,
//! exhausted, fatal (with its `rule`), signal.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{field, run};

/// Runs persevere with `--report -`, returns the final event and the last message.
fn gives_up(args: &[&str]) -> (String, String, Option<i32>) {
    let mut all = vec!["--report", "-"];
    all.extend_from_slice(args);
    let r = run(&all);
    let event = r.events().last().cloned().unwrap_or_default();
    let message = r.messages().last().cloned().unwrap_or_default();
    assert_eq!(field(&event, "event"), Some("giveup"), "{r:?}");
    (event, message, r.code)
}

#[test]
fn max_tries() {
    let (event, message, code) = gives_up(&["--factor", "1ms", "--max-tries", "2", "--", "false"]);
    assert_eq!(field(&event, "reason"), Some("max_tries"));
    assert_eq!(message, "persevere: giving up false after 2 tries (exit 1)");
    assert_eq!(code, Some(1));
}

#[test]
fn max_time_that_leaves_no_time_for_another_try() {
    // Waits of 400 ms: the third would end past 1 s (jitter off, so the waits are exact).
    let (event, message, code) = gives_up(&[
        "--wait",
        "constant",
        "--interval",
        "400ms",
        "--jitter",
        "none",
        "--max-time",
        "1s",
        "--forever",
        "--",
        "false",
    ]);
    assert_eq!(field(&event, "reason"), Some("max_time"), "{event}");
    assert_eq!(
        field(&event, "exit"),
        Some("1"),
        "the last attempt's status"
    );
    assert!(
        message.ends_with("(exit 1): --max-time leaves no time for another try"),
        "{message}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn max_time_that_stops_a_running_attempt() {
    let (event, message, code) = gives_up(&["--max-time", "300ms", "--", "sleep", "30"]);
    assert_eq!(field(&event, "reason"), Some("max_time"));
    assert_eq!(field(&event, "failure"), Some("max_time"));
    assert!(
        message.ends_with("--max-time leaves no time for another try"),
        "{message}"
    );
    assert_eq!(code, Some(124));
}

#[test]
fn exhausted_intervals() {
    let (event, message, _) = gives_up(&["--intervals", "1ms,1ms", "--", "false"]);
    assert_eq!(field(&event, "reason"), Some("exhausted"));
    assert_eq!(field(&event, "try"), Some("3"));
    assert!(
        message.ends_with(": --intervals has no wait left"),
        "{message}"
    );
}

#[test]
fn fatal_failures_name_their_rule() {
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["--stop-on-exit", "3", "--", "sh", "-c", "exit 3"][..],
            "stop_on_exit",
            "not retried, --stop-on-exit",
        ),
        (
            &["--retry-on-exit", "1", "--", "sh", "-c", "exit 2"],
            "retry_on_exit",
            "not retried, not in --retry-on-exit",
        ),
        (
            &["--", "sh", "-c", "exit 127"],
            "cannot_run",
            "not retried, the command cannot run",
        ),
        (
            &["--", "sh", "-c", "kill -INT $$"],
            "sigint",
            "not retried, SIGINT is the user's stop",
        ),
    ];
    for (args, rule, words) in cases {
        let (event, message, _) = gives_up(args);
        assert_eq!(field(&event, "reason"), Some("fatal"), "{args:?}");
        assert_eq!(field(&event, "rule"), Some(rule), "{args:?}");
        assert!(message.ends_with(words), "{args:?}: {message}");
        assert_eq!(field(&event, "try"), Some("1"));
    }
}
