//! `--hold-stdout`: the command's stdout reaches persevere's stdout once, from the attempt that
//! succeeded; failed attempts' stdout goes to stderr. Held in a file, not in memory.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::run;

/// Fails twice, then succeeds; says which attempt it is on stdout and on stderr.
const THIRD_TIME: &str = r#"echo "out $PERSEVERE_ATTEMPT"; echo "err $PERSEVERE_ATTEMPT" >&2
    test "$PERSEVERE_ATTEMPT" = 3"#;

#[test]
fn only_the_successful_attempts_stdout_reaches_stdout() {
    for rules in [&[][..], &["--retry-if-output", "never"][..]] {
        let mut args = vec!["--hold-stdout", "--factor", "1ms", "--quiet"];
        args.extend_from_slice(rules);
        args.extend_from_slice(&["--", "sh", "-c", THIRD_TIME]);
        let r = run(&args);
        assert_eq!(r.code, Some(0), "{rules:?}");
        assert_eq!(r.stdout, "out 3\n", "{rules:?}");
        // The failed attempts' stdout comes after their stderr, when each attempt has ended.
        assert_eq!(r.stderr, "err 1\nout 1\nerr 2\nout 2\nerr 3\n", "{rules:?}");
    }
}

#[test]
fn giving_up_leaves_stdout_empty() {
    let r = run(&[
        "--hold-stdout",
        "--max-tries",
        "2",
        "--factor",
        "1ms",
        "--quiet",
        "--",
        "sh",
        "-c",
        "echo held; exit 4",
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(4), ""));
    assert_eq!(r.stderr, "held\nheld\n");
}

#[test]
fn the_output_is_held_in_an_unlinked_file_and_passed_whole() {
    // 8 MiB in one go; while the command runs, persevere (its parent) holds the spool, an
    // unlinked file, and the command writes to a pipe that persevere counts.
    let r = run(&[
        "--hold-stdout",
        "--",
        "sh",
        "-c",
        "ls -l /proc/$PPID/fd | grep -c 'persevere-stdout-.*(deleted)'; readlink /proc/$$/fd/1; \
         head -c 8388608 /dev/zero",
    ]);
    assert_eq!(r.code, Some(0));
    let mut lines = r.stdout.splitn(3, '\n');
    let spools: u32 = lines.next().unwrap().parse().unwrap();
    assert!(spools >= 1, "no unlinked spool");
    assert!(lines.next().unwrap().starts_with("pipe:"));
    assert_eq!(lines.next().unwrap().len(), 8 << 20);
}

/// `--hold-stdout -- yes | head -1` never ended and filled 11.6 GB of temporary file in 20 s.
#[test]
fn past_the_limit_the_output_streams_and_a_reader_that_left_ends_the_run() {
    let script = "\"$0\" --hold-stdout --hold-limit 1M --factor 0.01 -- yes | head -1; \
                  echo \"status ${PIPESTATUS[0]}\"";
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", script, env!("CARGO_BIN_EXE_persevere")]);
    let r = common::output(cmd);
    assert_eq!(r.stdout, "y\nstatus 141\n", "{r:?}");
    let said = "persevere: --hold-stdout: the attempt's stdout passed 1048576 bytes \
                (--hold-limit): it goes to stdout from now on";
    assert_eq!(
        r.messages().iter().filter(|m| *m == said).count(),
        1,
        "{r:?}"
    );
    assert!(r.stderr.contains("stdout has no reader any more"), "{r:?}");
    // The held megabyte went to stdout (where head took its line), not to stderr.
    assert_eq!(
        r.stderr.lines().count(),
        2,
        "{}",
        &r.stderr[..r.stderr.len().min(500)]
    );
}

/// Below the limit nothing streams; past it, the held part comes first, in order, once.
#[test]
fn the_limit_keeps_the_order_and_sends_each_byte_once() {
    let r = run(&[
        "--hold-stdout",
        "--hold-limit",
        "1k",
        "--quiet",
        "--",
        "sh",
        "-c",
        "seq 1 2000",
    ]);
    assert_eq!(r.code, Some(0));
    let expected: String = (1..=2000).map(|n| format!("{n}\n")).collect();
    assert_eq!(r.stdout, expected);
    for bad in ["0", "1T", "-1", "12MB", ""] {
        let r = run(&["--hold-stdout", "--hold-limit", bad, "--", "true"]);
        assert_eq!(r.code, Some(2), "{bad}");
        assert!(r.stderr.contains("--hold-limit"), "{bad}: {}", r.stderr);
    }
}

/// A SIGTERM during 3 GB of held output dumped all of it and ignored a second SIGTERM: the
/// copy stops at the signal, and persevere ends by it.
#[test]
fn a_signal_stops_the_copy_of_held_output() {
    use std::io::Read;
    let held: usize = 100 << 20;
    let mut cmd = common::persevere();
    cmd.args([
        "--hold-stdout",
        "--hold-limit",
        "1G",
        "--quiet",
        "--",
        "head",
        "-c",
    ])
    .arg(held.to_string())
    .arg("/dev/zero")
    .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let pid = child.id() as libc::pid_t;
    // A slow reader: 64 KiB every 5 ms would take 8 s for all of it.
    let mut buf = vec![0; 64 * 1024];
    let mut read = 0;
    let mut signalled = false;
    loop {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        read += n;
        if read >= 1 << 20 && !signalled {
            // SAFETY: kill takes integers.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            signalled = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGTERM)
    );
    assert!(
        read < held / 2,
        "{read} of {held} bytes copied after the signal"
    );
}

/// The same with a reader that stops reading: persevere does not hang in a write.
#[test]
fn a_signal_stops_the_copy_of_held_output_to_a_reader_that_stopped() {
    use std::io::Read;
    let mut cmd = common::persevere();
    cmd.args([
        "--hold-stdout",
        "--quiet",
        "--",
        "head",
        "-c",
        "10000000",
        "/dev/zero",
    ])
    .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0; 4096];
    stdout.read_exact(&mut first).unwrap();
    // The pipe fills; persevere waits for room. Then SIGTERM.
    std::thread::sleep(std::time::Duration::from_millis(200));
    // SAFETY: kill takes integers.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = common::wait_output(child).status;
    drop(stdout);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGTERM)
    );
}
