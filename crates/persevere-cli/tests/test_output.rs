//! The output rules: per-line matching on stdout and stderr, forwarding byte for byte as the
//! output comes, lines of any length, and untouched output without rules.

#![deny(clippy::undocumented_unsafe_blocks)]
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

/// `sh -c` that writes a line of `pad` bytes of `a` followed by `tail`, then a newline.
fn long_line(pad: usize, tail: &str) -> String {
    format!("head -c {pad} /dev/zero | tr '\\0' a; echo '{tail}'")
}

/// Runs one attempt of `script` with `rule` (an output option) set to `regex`.
fn one_attempt(rule: &str, regex: &str, script: &str) -> common::Run {
    run(&[rule, regex, "--max-tries", "1", "--", "sh", "-c", script])
}

#[test]
fn a_match_anywhere_in_a_line_of_any_length_is_found() {
    // Beyond the 64 KiB held in memory, the line streams through the rule's DFA.
    for pad in [10, 65_532, 65_533, 200_000, 3 << 20] {
        let script = long_line(pad, "MARK");
        let r = one_attempt("--until-output", "MARK", &script);
        assert_eq!(r.code, Some(0), "MARK after {pad} bytes");
        assert_eq!(r.stdout.len(), pad + 5, "the whole line is forwarded");
    }
}

#[test]
fn anchors_and_spans_hold_across_a_long_line() {
    let long = 200_000;
    let cases = [
        ("^MARK$", long_line(long, "MARK"), Some(1)),
        ("MARK$", long_line(long, "MARK"), Some(0)),
        ("^a+MARK$", long_line(long, "MARK"), Some(0)),
        ("^a{200000}MARK", long_line(long, "MARK"), Some(0)),
        ("^b", long_line(long, "b"), Some(1)),
        (
            "^MARK$",
            format!("{}; echo MARK", long_line(long, "")),
            Some(0),
        ),
    ];
    for (regex, script, code) in cases {
        let r = one_attempt("--until-output", regex, &script);
        assert_eq!(r.code, code, "{regex}");
    }
    // A CRLF line end is not part of the line, on a long line too.
    let script = format!("head -c {long} /dev/zero | tr '\\0' a; printf 'MARK\\r\\n'");
    assert_eq!(
        one_attempt("--until-output", "MARK$", &script).code,
        Some(0)
    );
}

#[test]
fn a_failing_match_in_a_long_line_fails_the_attempt_once() {
    // The output is not sent again and again: the rule sees the match the first time.
    let script = format!("{}; exit 0", long_line(300_000, "ERROR"));
    let r = run(&[
        "--retry-if-output",
        "ERROR",
        "--factor",
        "1ms",
        "--max-tries",
        "2",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.events().len(), 2);
    assert_eq!(common::field(&r.events()[0], "failure"), Some("output"));
}

#[test]
fn a_unicode_word_boundary_in_a_long_non_ascii_line_falls_back_to_its_head_and_says_so() {
    let head = format!("printf '\\303\\251 MARK '; {}", long_line(100_000, " LATE"));
    let r = one_attempt("--until-output", r"\bMARK\b", &head);
    assert_eq!(r.code, Some(0), "MARK is in the first 64 KiB");
    assert!(
        r.stderr
            .contains("persevere: --until-output: a line longer than 64 KiB has non-ASCII bytes"),
        "{}",
        r.stderr
    );
    let r = one_attempt("--until-output", r"\bLATE\b", &head);
    assert_eq!(r.code, Some(1), "LATE is past the head");
    // An ASCII word boundary streams: no warning.
    let r = one_attempt("--until-output", r"(?-u:\b)LATE(?-u:\b)", &head);
    assert_eq!((r.code, r.messages().len()), (Some(0), 0), "{}", r.stderr);
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

/// Output rules search a chunk's lines at once (`block_search.rs`): a match deep among short
/// lines, anchored, at a CRLF line's end, or none at all, is judged as line by line.
#[test]
fn many_short_lines_are_judged_as_line_by_line() {
    let cases: [(&[&str], &str, Option<i32>); 5] = [
        (
            &["--retry-if-output", "^1999[0-9]$"],
            "seq 1 20000",
            Some(1),
        ),
        (&["--retry-if-output", "^20001$"], "seq 1 20000", Some(0)),
        (&["--until-output", "^12345$"], "seq 1 20000", Some(0)),
        (&["--until-output", "^2345$"], "seq 10000 20000", Some(1)),
        (
            &["--retry-if-output", "^7$"],
            "seq 1 9000 | sed 's/$/\\r/'",
            Some(1),
        ),
    ];
    for (rule, script, code) in cases {
        let mut args = vec!["--max-tries", "1", "--quiet"];
        args.extend_from_slice(rule);
        args.extend_from_slice(&["--", "sh", "-c", script]);
        let r = run(&args);
        assert_eq!(r.code, code, "{rule:?} {script}");
    }
}
