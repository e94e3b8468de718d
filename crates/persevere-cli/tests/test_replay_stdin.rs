//! `--replay-stdin`: every attempt reads the same bytes, however large.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{TempDir, persevere, wait_output};
use std::io::Write;
use std::process::Stdio;

/// Runs persevere with `--replay-stdin` on `script`, feeding `input`.
fn replay(input: &[u8], script: &str) -> std::process::Output {
    let mut cmd = persevere();
    cmd.args([
        "--replay-stdin",
        "--factor",
        "1ms",
        "--max-tries",
        "3",
        "--",
        "sh",
        "-c",
        script,
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread: persevere reads all of stdin before the first attempt.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = wait_output(child);
    writer.join().unwrap().unwrap();
    out
}

#[test]
fn every_attempt_gets_the_same_bytes() {
    let dir = TempDir::new();
    let input: Vec<u8> = (0..=255u8)
        .cycle()
        .take(10_000)
        .chain(*b"no newline")
        .collect();
    let script = format!(
        "cat > {}/in.$PERSEVERE_ATTEMPT; exit 1",
        dir.path().display()
    );
    let out = replay(&input, &script);
    assert_eq!(out.status.code(), Some(1));
    for attempt in 1..=3 {
        let got = std::fs::read(dir.path().join(format!("in.{attempt}"))).unwrap();
        assert!(got == input, "attempt {attempt} got {} bytes", got.len());
    }
}

#[test]
fn an_attempt_that_reads_part_of_stdin_does_not_shorten_the_next() {
    let input = b"first\nsecond\nthird\n";
    let script = r#"read -r line; echo "$PERSEVERE_ATTEMPT:$line"; test "$PERSEVERE_ATTEMPT" = 3"#;
    let out = replay(input, script);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1:first\n2:first\n3:first\n"
    );
}

#[test]
fn large_input_is_replayed_whole() {
    let input = vec![b'x'; 8 << 20];
    let out = replay(&input, "test \"$(wc -c)\" = 8388608 && exit 1; exit 2");
    assert_eq!(out.status.code(), Some(1), "all three attempts read 8 MiB");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("backing off").count(), 2, "{stderr}");
}

#[test]
fn stdin_is_spooled_to_an_unlinked_file_not_held_in_memory() {
    let out = replay(b"data", "readlink /proc/$$/fd/0");
    assert_eq!(out.status.code(), Some(0));
    let target = String::from_utf8_lossy(&out.stdout);
    assert!(target.contains(".persevere-stdin-"), "{target}");
    assert!(target.trim_end().ends_with("(deleted)"), "{target}");
}

#[test]
fn persevere_failing_itself_is_125_with_one_message() {
    let mut cmd = persevere();
    cmd.env("TMPDIR", "/nonexistent/persevere-test")
        .args(["--replay-stdin", "--", "true"]);
    let r = common::output(cmd);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.stderr,
        "persevere: --replay-stdin: cannot spool stdin in /nonexistent/persevere-test: \
         No such file or directory (os error 2)\n"
    );
}
