//! Once persevere's stdout has no reader (`| head -1`), no further attempt starts, whatever
//! status the attempt ended with: death by SIGPIPE, exit 141 from a shell, or a plain failure
//! after the reader left.

mod common;
use common::{TempDir, output};
use std::process::Command;

/// Runs `persevere ARGS | head -1` in bash; returns the run (head's stdout, persevere's stderr)
/// and how many attempts appended a line to `count`.
fn piped_to_head(dir: &TempDir, args: &str) -> (common::Run, usize) {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", &format!("\"$0\" {args} | head -1")])
        .arg(env!("CARGO_BIN_EXE_persevere"))
        .stdin(std::process::Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PERSEVERE_") {
            cmd.env_remove(name);
        }
    }
    let run = output(cmd);
    let attempts = std::fs::read_to_string(dir.file("count"))
        .unwrap_or_default()
        .lines()
        .count();
    (run, attempts)
}

const SAID: &str = "not retried, stdout has no reader any more";

/// The case: a shell wrapper turns SIGPIPE into exit 141, and all 5 attempts ran.
#[test]
fn a_shell_exiting_141_after_the_reader_left_is_not_retried() {
    let dir = TempDir::new();
    let count = dir.file("count");
    let (run, attempts) = piped_to_head(
        &dir,
        &format!("--factor 0.01 -- sh -c 'echo x >> {count}; yes; exit 141'"),
    );
    assert_eq!(run.stdout, "y\n");
    assert_eq!(attempts, 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches(SAID).count(), 1, "{}", run.stderr);
}

/// Death by SIGPIPE is not retried even with --retry-on-sigpipe when the pipe is persevere's.
#[test]
fn death_by_sigpipe_is_not_retried_even_with_retry_on_sigpipe() {
    let dir = TempDir::new();
    let count = dir.file("count");
    let (run, attempts) = piped_to_head(
        &dir,
        &format!("--retry-on-sigpipe --factor 0.01 -- sh -c 'echo x >> {count}; exec yes'"),
    );
    assert_eq!(run.stdout, "y\n");
    assert_eq!(attempts, 1, "{}", run.stderr);
}

/// A failure that has nothing to do with the pipe, once the reader has left, is not retried.
#[test]
fn any_failure_after_the_reader_left_is_not_retried() {
    let dir = TempDir::new();
    let count = dir.file("count");
    let (run, attempts) = piped_to_head(
        &dir,
        &format!(
            "--report - --factor 0.01 -- sh -c 'echo x >> {count}; echo first; sleep 0.5; exit 3'"
        ),
    );
    assert_eq!(run.stdout, "first\n");
    assert_eq!(attempts, 1, "{}", run.stderr);
    let events = run.events();
    let last = events.last().unwrap();
    assert_eq!(common::field(last, "rule"), Some("stdout_closed"), "{last}");
}

/// With output rules persevere writes the output itself: its EPIPE says the same.
#[test]
fn with_output_rules_the_broken_pipe_is_seen_by_persevere() {
    let dir = TempDir::new();
    let count = dir.file("count");
    let (run, attempts) = piped_to_head(
        &dir,
        &format!("--retry-if-output zzz --factor 0.01 -- sh -c 'echo x >> {count}; yes'"),
    );
    assert_eq!(run.stdout, "y\n");
    assert_eq!(attempts, 1, "{}", run.stderr);
}

/// A reader that stays: the failures are retried as usual.
#[test]
fn with_a_reader_the_failures_are_retried() {
    let dir = TempDir::new();
    let count = dir.file("count");
    let (run, attempts) = piped_to_head(
        &dir,
        &format!("--max-tries 3 --factor 0.01 -- sh -c 'echo x >> {count}; exit 1'"),
    );
    assert_eq!(run.stdout, "");
    assert_eq!(attempts, 3, "{}", run.stderr);
}
