//! The issue's harmful meanings, each made an error or made right: tiny timeouts are not "no
//! limit", waits stay under a year, `--budget 0.2` is not 0.2 %, `--max-value 0` is not a zero
//! cap, an empty pattern does not match every line, the command line beats the environment,
//! and exit codes above 128 match deaths by signal. Also GNU timeout's 137, exact
//! `--intervals`, "try N of M" with them, and did-you-mean.

#![deny(clippy::undocumented_unsafe_blocks)]

mod common;
use common::{Lines, field, output, persevere, run, waits};
use std::process::Stdio;

/// `--timeout 1e-12` and `--max-time 1e-12` became 0, which means no limit: `sleep 30` ran.
#[test]
fn a_timeout_below_a_nanosecond_is_a_timeout_not_no_limit() {
    for option in ["--timeout", "--max-time"] {
        for tiny in ["1e-12", "1e-10000"] {
            let r = run(&[option, tiny, "--max-tries", "1", "--", "sleep", "30"]);
            assert_eq!(r.code, Some(124), "{option} {tiny}: {r:?}");
        }
    }
}

/// `--base 1e308` printed "backing off for 18446744073709551616.0s": waits escaped the
/// 365-day cap.
#[test]
fn waits_are_capped_at_a_year() {
    let mut cmd = persevere();
    cmd.args(["--base", "1e308", "--factor", "1ms", "--jitter", "none"])
        .args(["--max-tries", "3", "--", "false"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let _stop = Terminate(child.id() as libc::pid_t);
    let mut lines = Lines::new(child.stderr.take().unwrap());
    let second = lines.wait_for("(try 2 of 3)");
    assert!(second.ends_with("for 31536000.0s (try 2 of 3)"), "{second}");
    drop(_stop);
    common::wait_status(child);
}

/// SIGTERM to a process the test started, however the test ends.
struct Terminate(libc::pid_t);

impl Drop for Terminate {
    fn drop(&mut self) {
        // SAFETY: kill takes integers; at worst the process is gone.
        unsafe { libc::kill(self.0, libc::SIGTERM) };
    }
}

/// `--budget 0.2` meant 0.2 %.
#[test]
fn a_budget_without_a_percent_sign_is_refused() {
    let r = run(&["--budget", "0.2", "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("'0.2' needs a % sign"), "{}", r.stderr);
    let r = run(&[
        "--budget",
        "0.2%",
        "--budget-store",
        "redis://127.0.0.1:1",
        "true",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
}

/// `--max-value 0` was a zero cap, while 0 means "none" elsewhere.
#[test]
fn max_value_zero_is_refused() {
    let r = run(&["--max-value", "0", "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("--max-value must be greater than 0"),
        "{}",
        r.stderr
    );
}

/// An empty `--retry-if-output` (or `PERSEVERE_RETRY_IF_OUTPUT=`) matched every line.
#[test]
fn a_pattern_that_matches_every_line_is_refused() {
    for pattern in ["", "x*", "(?:)"] {
        let r = run(&["--retry-if-output", pattern, "--", "true"]);
        assert_eq!(r.code, Some(2), "{pattern:?}: {r:?}");
        assert!(r.stderr.contains("matches every line"), "{}", r.stderr);
    }
    let mut cmd = persevere();
    cmd.env("PERSEVERE_RETRY_IF_OUTPUT", "").arg("true");
    let r = output(cmd);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("PERSEVERE_RETRY_IF_OUTPUT"),
        "{}",
        r.stderr
    );
    // An empty line is something to find.
    let r = run(&["--max-tries", "1", "--retry-if-output", "^$", "--", "echo"]);
    assert_eq!(r.code, Some(1), "{r:?}");
}

/// `PERSEVERE_INTERVALS` plus `--wait` on the command line was a usage error.
#[test]
fn the_command_line_beats_the_environment_for_intervals_and_wait() {
    let mut cmd = persevere();
    cmd.env("PERSEVERE_INTERVALS", "30s,30s")
        .args([
            "--wait",
            "constant",
            "--interval",
            "10ms",
            "--jitter",
            "none",
        ])
        .args(["--max-tries", "3", "--report", "-", "--", "false"]);
    let r = output(cmd);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(waits(&r), [0.01, 0.01]);
    // The other way round: --intervals on the command line, PERSEVERE_WAIT in the
    // environment.
    let mut cmd = persevere();
    cmd.env("PERSEVERE_WAIT", "fibo").args([
        "--intervals",
        "10ms,20ms",
        "--report",
        "-",
        "--",
        "false",
    ]);
    let r = output(cmd);
    assert_eq!(waits(&r), [0.01, 0.02], "{r:?}");
}

/// `PERSEVERE_WAIT=constant persevere --factor 1s` blamed `--wait` without naming the
/// variable.
#[test]
fn a_message_names_the_variable_the_strategy_came_from() {
    let mut cmd = persevere();
    cmd.env("PERSEVERE_WAIT", "constant")
        .args(["--factor", "1s", "true"]);
    let r = output(cmd);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains(
            "--factor applies only to --wait expo, fibo, decorrelated (PERSEVERE_WAIT is constant)"
        ),
        "{}",
        r.stderr
    );
}

/// `--stop-on-exit 137` did not match a death by SIGKILL, although persevere exits 137 for it.
#[test]
fn codes_above_128_match_deaths_by_signal() {
    let kill = ["--", "sh", "-c", "kill -KILL $$"];
    let fast = ["--factor", "1ms", "--report", "-"];
    let r = run(&[&["--stop-on-exit", "137"][..], &fast, &kill].concat());
    assert_eq!(r.code, Some(137));
    assert_eq!(r.events().len(), 1, "{r:?}");
    assert_eq!(field(&r.events()[0], "rule"), Some("stop_on_exit"));
    let r = run(&[
        &["--retry-on-exit", "1", "--max-tries", "3"][..],
        &fast,
        &kill,
    ]
    .concat());
    assert_eq!(r.events().len(), 1, "not in --retry-on-exit: {r:?}");
    let r = run(&[
        &["--retry-on-exit", "137", "--max-tries", "3"][..],
        &fast,
        &kill,
    ]
    .concat());
    assert_eq!(r.events().len(), 3, "in --retry-on-exit: {r:?}");
}

/// GNU timeout exits 137 when it had to escalate to SIGKILL; persevere said 124.
#[test]
fn a_timeout_that_needed_sigkill_exits_137() {
    let r = run(&[
        "--max-tries",
        "1",
        "--timeout",
        "200ms",
        "--kill-after",
        "200ms",
        "--",
        "sh",
        "-c",
        "trap '' TERM; sleep 30",
    ]);
    assert_eq!(r.code, Some(137), "{r:?}");
    let r = run(&[
        "--max-tries",
        "1",
        "--timeout",
        "200ms",
        "--",
        "sleep",
        "30",
    ]);
    assert_eq!(r.code, Some(124), "{r:?}");
}

/// `--intervals` were jittered although `--help` says "these waits in order", and the
/// messages said "try 1 of 5" when the list allows 3 tries.
#[test]
fn intervals_are_exact_and_counted_in_the_messages() {
    let r = run(&[
        "--intervals",
        "10ms,30ms",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        "echo \"$PERSEVERE_ATTEMPT/$PERSEVERE_ATTEMPTS\"; exit 1",
    ]);
    assert_eq!(r.code, Some(1));
    assert_eq!(waits(&r), [0.01, 0.03]);
    assert_eq!(r.stdout, "1/3\n2/3\n3/3\n");
    assert!(r.stderr.contains("for 0.01s (try 1 of 3)"), "{}", r.stderr);
    // --jitter still applies when asked.
    let r = run(&[
        "--intervals",
        "1s",
        "--jitter",
        "full",
        "--seed",
        "1",
        "--max-tries",
        "2",
        "--report",
        "-",
        "--",
        "false",
    ]);
    assert!(waits(&r)[0] < 1.0, "{r:?}");
}

/// No "did you mean" for `--timout`: clap's trailing COMMAND took the word.
#[test]
fn a_mistyped_option_gets_a_suggestion() {
    for (typed, meant) in [
        ("--timout", "--timeout"),
        ("--max-trys=3", "--max-tries"),
        ("--hold-stdot", "--hold-stdout"),
    ] {
        let r = run(&[typed, "--", "true"]);
        assert_eq!(r.code, Some(2));
        assert!(
            r.stderr.contains(&format!(
                "unexpected option '{typed}': did you mean '{meant}'?"
            )),
            "{}",
            r.stderr
        );
    }
    let r = run(&["--zzzzzzzz", "true"]);
    assert!(r.stderr.contains("goes after '--'"), "{}", r.stderr);
}

/// The man page had no EXIT STATUS or ENVIRONMENT section.
#[test]
fn the_man_page_has_exit_status_and_environment() {
    let r = run(&["--generate", "man"]);
    assert_eq!(r.code, Some(0));
    let options = r.stdout.find(".SH OPTIONS").expect("OPTIONS");
    let exit = r.stdout.find(".SH \"EXIT STATUS\"").expect("EXIT STATUS");
    let env = r.stdout.find(".SH ENVIRONMENT").expect("ENVIRONMENT");
    assert!(options < exit && exit < env);
    assert!(r.stdout[exit..env].contains("\\fB137\\fR"));
    assert!(r.stdout[env..].contains("PERSEVERE_ATTEMPTS"));
}

/// A non-UTF-8 value did not name its option ("invalid UTF-8 was detected in one or more
/// arguments").
#[test]
fn a_value_that_is_not_utf8_names_its_option_or_variable() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let bad = OsStr::from_bytes(b"\xff1s");
    let mut cmd = persevere();
    cmd.arg("--timeout").arg(bad).arg("true");
    let r = output(cmd);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with("persevere: the value of --timeout is not valid UTF-8"),
        "{}",
        r.stderr
    );
    let mut cmd = persevere();
    cmd.env("PERSEVERE_FACTOR", bad).arg("true");
    let r = output(cmd);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with("persevere: the variable PERSEVERE_FACTOR is not valid UTF-8"),
        "{}",
        r.stderr
    );
}
