//! The output rules: per-line matching on stdout and stderr, forwarding byte for byte as the
//! output comes, the 64 KiB line cap, and untouched output without rules.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{TempDir, persevere, run, wait_output};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[test]
fn retry_if_output_fails_an_attempt_that_exited_0() {
    let script =
        r#"if test "$PERSEVERE_ATTEMPT" = 1; then echo "Error: busy" >&2; else echo fine; fi"#;
    let r = run(&[
        "--retry-if-output",
        "^Error:",
        "--factor",
        "1ms",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "fine\n");
    let events = r.events();
    assert_eq!(events.len(), 2);
    assert_eq!(common::field(&events[0], "failure"), Some("output"));
    assert_eq!(common::field(&events[0], "exit"), Some("0"));
}

#[test]
fn until_output_needs_a_matching_line_on_either_stream() {
    let script = r#"echo "try $PERSEVERE_ATTEMPT"; test "$PERSEVERE_ATTEMPT" = 3 && echo "server READY" >&2; exit 0"#;
    let r = run(&[
        "--until-output",
        "READY$",
        "--factor",
        "1ms",
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "try 1\ntry 2\ntry 3\n");
    assert!(r.stderr.ends_with("server READY\n"), "{}", r.stderr);
    assert_eq!(r.messages().len(), 2);
}

#[test]
fn a_failing_exit_code_still_fails_when_the_output_matched() {
    let r = run(&[
        "--until-output",
        "ok",
        "--max-tries",
        "1",
        "--",
        "sh",
        "-c",
        "echo ok; exit 3",
    ]);
    assert_eq!(r.code, Some(3));
}

#[test]
fn output_is_forwarded_byte_for_byte_with_rules() {
    // Non-UTF-8 bytes, a CRLF line, and a last line without a newline.
    let script = r"printf 'caf\351\r\nno newline'; printf 'e\0rr' >&2";
    let mut cmd = persevere();
    cmd.args(["--retry-if-output", "never", "--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = wait_output(cmd.spawn().unwrap());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"caf\xe9\r\nno newline");
    assert_eq!(out.stderr, b"e\0rr");
}

#[test]
fn a_last_line_without_newline_and_crlf_lines_are_matched() {
    let r = run(&[
        "--until-output",
        "^done$",
        "--max-tries",
        "1",
        "--",
        "printf",
        "x\r\ndone",
    ]);
    assert_eq!(r.code, Some(0));
    let r = run(&[
        "--until-output",
        "^x$",
        "--max-tries",
        "1",
        "--",
        "printf",
        "x\r\ndone",
    ]);
    assert_eq!(r.code, Some(0));
}

#[test]
fn only_the_first_64_kib_of_a_line_are_matched() {
    let long = |pad: usize| format!("head -c {pad} /dev/zero | tr '\\0' a; echo MARK");
    let r = run(&[
        "--until-output",
        "MARK",
        "--max-tries",
        "1",
        "--",
        "sh",
        "-c",
        &long(65_532),
    ]);
    assert_eq!(r.code, Some(0), "MARK ends at byte 65536: inside the cap");
    assert_eq!(r.stdout.len(), 65_537, "the whole line is forwarded");
    let r = run(&[
        "--until-output",
        "MARK",
        "--max-tries",
        "1",
        "--",
        "sh",
        "-c",
        &long(65_533),
    ]);
    assert_eq!(r.code, Some(1), "MARK crosses the cap");
    assert_eq!(r.stdout.len(), 65_538, "the whole line is still forwarded");
    let next_line = format!("{}; echo MARK", long(100_000));
    let r = run(&[
        "--until-output",
        "^MARK$",
        "--max-tries",
        "1",
        "--",
        "sh",
        "-c",
        &next_line,
    ]);
    assert_eq!(r.code, Some(0), "the line after a long one is matched");
}

#[test]
fn lines_are_forwarded_as_they_come() {
    let mut cmd = persevere();
    cmd.args([
        "--until-output",
        "ready",
        "--",
        "sh",
        "-c",
        "echo ready; exec sleep 300",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n", "seen while the command still runs");
    // SAFETY: kill takes integers.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&wait_output(child).status),
        Some(libc::SIGTERM),
        "persevere ends by the signal it received"
    );
}

#[test]
fn without_rules_the_command_writes_to_persevere_stdout_itself() {
    let dir = TempDir::new();
    let out_path = dir.file("out");
    let script = "readlink /proc/$$/fd/1";
    let mut cmd = persevere();
    cmd.args(["--", "sh", "-c", script])
        .stdout(std::fs::File::create(&out_path).unwrap());
    assert_eq!(wait_output(cmd.spawn().unwrap()).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&out_path).unwrap().trim(), out_path);
    let mut cmd = persevere();
    cmd.args(["--until-output", ".", "--", "sh", "-c", script])
        .stdout(std::fs::File::create(&out_path).unwrap());
    assert_eq!(wait_output(cmd.spawn().unwrap()).status.code(), Some(0));
    let piped = std::fs::read_to_string(&out_path).unwrap();
    assert!(piped.starts_with("pipe:"), "{piped}");
}
