//! Messages, --quiet, --verbose, --report, the environment defaults and the attempt's
//! environment.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{TempDir, field, output, persevere, run};

#[test]
fn messages_are_pythons_words() {
    let r = run(&[
        "--factor",
        "100ms",
        "--jitter",
        "none",
        "--max-tries",
        "3",
        "--",
        "sh",
        "-c",
        "exit 1",
    ]);
    assert_eq!(
        r.messages(),
        [
            "persevere: backing off sh -c 'exit 1' (exit 1) for 0.1s (try 1 of 3)",
            "persevere: backing off sh -c 'exit 1' (exit 1) for 0.2s (try 2 of 3)",
            "persevere: giving up sh -c 'exit 1' after 3 tries (exit 1)",
        ]
    );
    assert_eq!(r.code, Some(1));
}

#[test]
fn short_waits_keep_their_digits_and_one_try_is_singular() {
    let r = run(&[
        "--wait",
        "constant",
        "--interval",
        "0.0004",
        "--jitter",
        "none",
        "--max-tries",
        "2",
        "--",
        "false",
    ]);
    assert_eq!(
        r.messages(),
        [
            "persevere: backing off false (exit 1) for 0.0004s (try 1 of 2)",
            "persevere: giving up false after 2 tries (exit 1)",
        ]
    );
    let r = run(&["--max-tries", "1", "--", "false"]);
    assert_eq!(
        r.messages(),
        ["persevere: giving up false after 1 try (exit 1)"]
    );
}

#[test]
fn quiet_drops_persevere_messages_but_not_the_commands_output() {
    let r = run(&[
        "--quiet",
        "--factor",
        "1ms",
        "--max-tries",
        "2",
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 5",
    ]);
    assert_eq!(r.code, Some(5));
    assert_eq!(r.stdout, "out\nout\n");
    assert_eq!(r.stderr, "err\nerr\n");
}

#[test]
fn verbose_says_when_attempts_start_and_succeed() {
    let r = run(&[
        "-v",
        "--factor",
        "1ms",
        "--jitter",
        "none",
        "--",
        "sh",
        "-c",
        r#"test "$PERSEVERE_ATTEMPT" = 2"#,
    ]);
    assert_eq!(r.code, Some(0));
    assert_eq!(
        r.messages(),
        [
            r#"persevere: running sh -c 'test "$PERSEVERE_ATTEMPT" = 2' (try 1 of 5)"#,
            r#"persevere: backing off sh -c 'test "$PERSEVERE_ATTEMPT" = 2' (exit 1) for 0.001s (try 1 of 5)"#,
            r#"persevere: running sh -c 'test "$PERSEVERE_ATTEMPT" = 2' (try 2 of 5)"#,
            r#"persevere: sh -c 'test "$PERSEVERE_ATTEMPT" = 2' succeeded (try 2 of 5)"#,
        ]
    );
}

#[test]
fn report_appends_json_lines_to_a_file() {
    let dir = TempDir::new();
    let report = dir.file("report.jsonl");
    for _ in 0..2 {
        let r = run(&[
            "--report",
            &report,
            "--factor",
            "1ms",
            "--max-tries",
            "2",
            "--",
            "false",
        ]);
        assert_eq!(r.code, Some(1));
    }
    let text = std::fs::read_to_string(&report).unwrap();
    let events: Vec<_> = text.lines().map(|l| field(l, "event").unwrap()).collect();
    assert_eq!(events, ["backoff", "giveup", "backoff", "giveup"]);
    for line in text.lines() {
        assert!(
            line.starts_with(r#"{"event":""#) && line.ends_with('}'),
            "{line}"
        );
        assert!(
            field(line, "elapsed_s").unwrap().parse::<f64>().is_ok(),
            "{line}"
        );
        assert_eq!(field(line, "exit"), Some("1"));
    }
    assert!(field(text.lines().next().unwrap(), "wait_s").is_some());
    assert_eq!(field(text.lines().nth(1).unwrap(), "wait_s"), None);
}

#[test]
fn a_success_is_reported() {
    let r = run(&["--report", "-", "--", "true"]);
    assert_eq!(r.events().len(), 1);
    assert!(r.events()[0].starts_with(r#"{"event":"success","try":1,"exit":0,"elapsed_s":"#));
}

#[test]
fn the_command_gets_its_attempt_number_and_not_persevere_settings() {
    let dir = TempDir::new();
    let log = dir.file("env.log");
    let mut cmd = persevere();
    cmd.env("PERSEVERE_MAX_TRIES", "3")
        .env("PERSEVERE_FACTOR", "1ms")
        .env("PERSEVERE_QUIET", "1")
        .env("OTHER_VARIABLE", "kept")
        .args(["--", "sh", "-c"])
        .arg(format!(
            "echo \"$PERSEVERE_ATTEMPT/$PERSEVERE_ATTEMPTS ${{PERSEVERE_MAX_TRIES-unset}} \
             ${{PERSEVERE_FACTOR-unset}} $OTHER_VARIABLE\" >> {log}; exit 1"
        ));
    let r = output(cmd);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stderr, "", "PERSEVERE_QUIET applies");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "1/3 unset unset kept\n2/3 unset unset kept\n3/3 unset unset kept\n"
    );
}

#[test]
fn the_command_line_wins_over_the_environment() {
    let mut cmd = persevere();
    cmd.env("PERSEVERE_MAX_TRIES", "4")
        .env("PERSEVERE_FOREVER", "true")
        .args([
            "--max-tries",
            "2",
            "--factor",
            "1ms",
            "--report",
            "-",
            "false",
        ]);
    let r = output(cmd);
    assert_eq!(r.events().len(), 2, "--max-tries beats PERSEVERE_FOREVER");
    let mut cmd = persevere();
    cmd.env("PERSEVERE_MAX_TRIES", "4")
        .env("PERSEVERE_FACTOR", "1ms")
        .args(["--max-tries", "2", "--report", "-", "false"]);
    assert_eq!(output(cmd).events().len(), 2);
    let mut cmd = persevere();
    cmd.env("PERSEVERE_MAX_TRIES", "2")
        .env("PERSEVERE_FACTOR", "1ms")
        .args([
            "--forever",
            "--report",
            "-",
            "sh",
            "-c",
            r#"test "$PERSEVERE_ATTEMPT" = 3"#,
        ]);
    let r = output(cmd);
    assert_eq!(
        (r.code, r.events().len()),
        (Some(0), 3),
        "--forever beats PERSEVERE_MAX_TRIES"
    );
}

#[test]
fn stdin_is_inherited_without_replay() {
    let mut cmd = persevere();
    cmd.args(["--factor", "1ms", "--max-tries", "3", "--", "sh", "-c"])
        .arg("read -r line; echo \"got $line\"; test \"$line\" = two")
        .stdin(std::process::Stdio::piped());
    cmd.stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"one\ntwo\n")
        .unwrap();
    let out = common::wait_output(child);
    // sh's `read` takes one line per attempt from the shared stdin.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got one\ngot two\n");
    assert_eq!(out.status.code(), Some(0));
}
