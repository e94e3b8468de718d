//! GNU timeout's conventions where the README claims them: a signal the caller ignores stays
//! ignored for the command, `-s` reads every signal `kill -l` names, SIGALRM times the attempt
//! out (124) and SIGQUIT is forwarded like SIGTERM.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{HANG, TempDir, field, output, persevere, read_pid, run, wait_output, wait_until};
use std::os::unix::process::CommandExt;
use std::process::Stdio;

/// Whether `signal` is in the `SigIgn` mask that `grep SigIgn /proc/self/status` printed.
fn ignored(status_line: &str, signal: i32) -> bool {
    let hex = status_line.trim().strip_prefix("SigIgn:").unwrap().trim();
    let mask = u64::from_str_radix(hex, 16).unwrap();
    mask & (1 << (signal - 1)) != 0
}

/// `(trap '' PIPE; persevere -- grep SigIgn /proc/self/status)` showed SIGPIPE cleared.
#[test]
fn a_sigpipe_the_caller_ignores_stays_ignored_for_the_command() {
    let grep = ["--", "grep", "SigIgn", "/proc/self/status"];
    let mut cmd = persevere();
    cmd.args(grep);
    // SAFETY: runs between fork and exec; `signal` is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            Ok(())
        });
    }
    let r = output(cmd);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(ignored(&r.stdout, libc::SIGPIPE), "{}", r.stdout);
    // At its default for persevere, it is at its default for the command.
    let r = run(&grep);
    assert!(!ignored(&r.stdout, libc::SIGPIPE), "{}", r.stdout);
}

/// `-s` refused `0`, `STKFLT`, `PWR`, `IOT`, `RTMIN+1` and `143`, which `timeout -s` accepts.
#[test]
fn signal_takes_what_kill_l_names() {
    let rtmin_1 = (libc::SIGRTMIN() + 1).to_string();
    for (given, sent) in [
        ("RTMIN+1", rtmin_1.as_str()),
        ("143", "15"),
        ("IOT", "6"),
        ("PWR", "30"),
    ] {
        let r = run(&[
            "--max-tries",
            "1",
            "--timeout",
            "100ms",
            "-s",
            given,
            "--report",
            "-",
            "--",
            "sleep",
            "30",
        ]);
        assert_eq!(r.code, Some(124), "{given}: {r:?}");
        let last = r.events().pop().unwrap();
        assert_eq!(field(&last, "signal"), Some(sent), "{given}: {last}");
    }
    // 0 sends nothing: SIGKILL after the grace stops the attempt (137, as GNU).
    let r = run(&[
        "--max-tries",
        "1",
        "--timeout",
        "100ms",
        "--kill-after",
        "100ms",
        "-s",
        "0",
        "--",
        "sleep",
        "30",
    ]);
    assert_eq!(r.code, Some(137), "{r:?}");
    let r = run(&["-s", "RTMIN+99", "--", "true"]);
    assert_eq!(r.code, Some(2));
}

/// Starts persevere on `script` (which writes its pid to `pid` first) and waits until it runs.
fn start(dir: &TempDir, script: &str) -> std::process::Child {
    let mut cmd = persevere();
    cmd.args(["--max-tries", "1", "--", "sh", "-c"])
        .arg(format!("echo $$ > {}; {script}", dir.file("pid")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    read_pid(&dir.file("pid"));
    child
}

/// SIGALRM sent to persevere killed it; GNU treats it as the timeout (124).
#[test]
fn sigalrm_times_the_attempt_out() {
    let dir = TempDir::new();
    let child = start(&dir, "exec sleep 30");
    let pid = child.id() as libc::pid_t;
    // SAFETY: kill takes integers.
    unsafe { libc::kill(pid, libc::SIGALRM) };
    let out = wait_output(child);
    assert_eq!(out.status.code(), Some(124), "{out:?}");
}

/// SIGQUIT killed persevere instead of being forwarded like SIGTERM.
#[test]
fn sigquit_is_forwarded_to_the_attempt() {
    let dir = TempDir::new();
    let child = start(
        &dir,
        "trap 'echo got QUIT; exit 7' QUIT; while :; do sleep 0.05; done",
    );
    let pid = child.id() as libc::pid_t;
    // SAFETY: kill takes integers.
    unsafe { libc::kill(pid, libc::SIGQUIT) };
    let out = wait_output(child);
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got QUIT\n");
    assert!(wait_until(HANG, || !common::alive(pid)));
}
