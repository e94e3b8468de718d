//! `--report`: every run's report ends with one final event that says how it ended, and a
//! report that cannot be written is said, not ignored.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{Lines, TempDir, field, persevere, run};
use std::process::Stdio;

fn kill(pid: u32, signal: i32) {
    // SAFETY: kill takes integers.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

fn report_lines(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(str::to_string).collect()
}

#[test]
fn a_report_that_cannot_be_opened_is_125_and_nothing_runs() {
    let dir = TempDir::new();
    let ran = dir.file("ran");
    let r = run(&["--report", "/nonexistent/dir/report", "--", "touch", &ran]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.stderr,
        "persevere: --report: cannot open '/nonexistent/dir/report': \
         No such file or directory (os error 2)\n"
    );
    assert!(
        !std::path::Path::new(&ran).exists(),
        "the command did not run"
    );
}

#[test]
fn a_report_that_cannot_be_written_is_said_once_and_the_run_goes_on() {
    let r = run(&[
        "--report",
        "/dev/full",
        "--max-tries",
        "3",
        "--factor",
        "1ms",
        "--quiet",
        "--",
        "sh",
        "-c",
        "test $PERSEVERE_ATTEMPT = 3",
    ]);
    assert_eq!(r.code, Some(0), "the command's outcome decides");
    assert_eq!(
        r.stderr,
        "persevere: --report: cannot write to '/dev/full': \
         No space left on device (os error 28)\n"
    );
}

#[test]
fn a_signal_during_a_wait_ends_the_report_with_a_giveup_that_says_so() {
    let dir = TempDir::new();
    let report = dir.file("report");
    let mut cmd = persevere();
    cmd.args([
        "--report",
        &report,
        "--wait",
        "constant",
        "--interval",
        "1h",
        "--",
        "sh",
        "-c",
        "exit 3",
    ])
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut lines = Lines::new(child.stderr.take().unwrap());
    lines.wait_for("persevere: backing off");
    kill(child.id(), libc::SIGHUP);
    common::wait_status(child);
    let stderr = lines.rest();
    assert!(
        stderr.ends_with("persevere: giving up sh -c 'exit 3' after 1 try (exit 3): got SIGHUP\n"),
        "{stderr}"
    );
    let events = report_lines(&report);
    assert_eq!(events.len(), 2, "{events:?}");
    let last = &events[1];
    assert_eq!(field(last, "event"), Some("giveup"), "{last}");
    assert_eq!(field(last, "try"), Some("1"));
    assert_eq!(field(last, "exit"), Some("3"));
    assert_eq!(field(last, "reason"), Some("signal"));
    assert_eq!(field(last, "received_signal"), Some("1"));
}

#[test]
fn a_signal_during_an_attempt_ends_the_report_with_a_giveup_that_says_so() {
    let dir = TempDir::new();
    let report = dir.file("report");
    let pid_file = dir.file("pid");
    let mut cmd = persevere();
    cmd.args(["--report", &report, "--", "sh", "-c"])
        .arg(format!("echo $$ > {pid_file}; exec sleep 300"))
        .stderr(Stdio::null());
    let child = cmd.spawn().unwrap();
    common::read_pid(&pid_file);
    kill(child.id(), libc::SIGTERM);
    common::wait_status(child);
    let events = report_lines(&report);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(field(&events[0], "event"), Some("giveup"));
    assert_eq!(field(&events[0], "signal"), Some("15"));
    assert_eq!(field(&events[0], "reason"), Some("signal"));
    assert_eq!(field(&events[0], "received_signal"), Some("15"));
}

#[test]
fn persevere_failing_itself_ends_the_report_with_an_error() {
    let dir = TempDir::new();
    let report = dir.file("report");
    let mut cmd = persevere();
    cmd.env("TMPDIR", "/nonexistent/persevere-test").args([
        "--report",
        &report,
        "--replay-stdin",
        "--",
        "true",
    ]);
    let r = common::output(cmd);
    assert_eq!(r.code, Some(125));
    let events = report_lines(&report);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(field(&events[0], "event"), Some("error"));
    assert_eq!(field(&events[0], "try"), Some("0"));
    assert!(
        events[0].contains(r#""message":"--replay-stdin: cannot"#),
        "{}",
        events[0]
    );
}

#[test]
fn success_and_giving_up_are_final_events() {
    for (script, last) in [("exit 0", "success"), ("exit 1", "giveup")] {
        let r = run(&[
            "--report",
            "-",
            "--max-tries",
            "2",
            "--factor",
            "1ms",
            "--",
            "sh",
            "-c",
            script,
        ]);
        let events = r.events();
        assert_eq!(
            field(events.last().unwrap(), "event"),
            Some(last),
            "{events:?}"
        );
    }
}
