//! Signals sent to persevere: forwarded to the attempt, escalated to SIGKILL when the command
//! ignores them.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{HANG, Lines, TempDir, alive, persevere, read_pid};
use std::process::Stdio;
use std::time::{Duration, Instant};

const FORWARDED: [(i32, &str); 3] = [
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGINT, "SIGINT"),
    (libc::SIGHUP, "SIGHUP"),
];

/// Starts persevere on a command that ignores SIGTERM, SIGINT and SIGHUP (`trap ''` is
/// inherited through exec), with `kill_after`; waits until the command runs. Returns persevere,
/// its stderr lines, and the command's pid.
fn start_ignoring(dir: &TempDir, kill_after: &str) -> (std::process::Child, Lines, libc::pid_t) {
    let pid_file = dir.file("pid");
    let script = format!("trap '' TERM INT HUP; echo $$ > {pid_file}; exec sleep 300");
    let mut cmd = persevere();
    cmd.args([
        "--kill-after",
        kill_after,
        "--factor",
        "1ms",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        &script,
    ])
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let lines = Lines::new(child.stderr.take().unwrap());
    let pid = read_pid(&pid_file);
    (child, lines, pid)
}

fn kill(pid: u32, signal: i32) {
    // SAFETY: kill takes integers.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

#[test]
fn a_forwarded_signal_the_command_ignores_is_followed_by_sigkill_after_kill_after() {
    for (signal, name) in FORWARDED {
        let dir = TempDir::new();
        let (child, lines, command) = start_ignoring(&dir, "300ms");
        let start = Instant::now();
        kill(child.id(), signal);
        let status = common::wait_status(child);
        let elapsed = start.elapsed();
        assert!(!alive(command), "{name}: the command is gone");
        assert!(
            elapsed >= Duration::from_millis(300),
            "{name}: the grace was kept"
        );
        assert!(elapsed < HANG / 2, "{name}: SIGKILL came: {elapsed:?}");
        let stderr = lines.rest();
        assert!(
            stderr.contains(&format!(
                "persevere: got {name}: passed it on to sh -c 'trap '\\'''\\'' TERM INT HUP; "
            )),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("SIGKILL in 0.3s"), "{name}: {stderr}");
        let event = stderr.lines().find(|l| l.starts_with('{')).unwrap();
        assert_eq!(common::field(event, "signal"), Some("9"), "{name}: {event}");
        assert!(!status.success(), "{name}");
    }
}

#[test]
fn a_second_signal_of_the_same_kind_escalates_at_once() {
    for (signal, name) in FORWARDED {
        let dir = TempDir::new();
        let (child, mut lines, command) = start_ignoring(&dir, "1h");
        kill(child.id(), signal);
        // The first one was handled when persevere says so; only then is a second one a
        // second one (the kernel merges a signal that is sent again while pending).
        let said = lines.wait_for(&format!("persevere: got {name}: passed it on"));
        assert!(said.contains("SIGKILL in 3600.0s"), "{said}");
        let start = Instant::now();
        kill(child.id(), signal);
        let status = common::wait_status(child);
        assert!(start.elapsed() < HANG / 2, "{name}: escalated at once");
        assert!(!alive(command), "{name}: the command is gone");
        let stderr = lines.rest();
        assert!(
            stderr.contains(&format!("persevere: got {name} again: SIGKILL to sh -c")),
            "{name}: {stderr}"
        );
        assert!(!status.success(), "{name}");
    }
}
