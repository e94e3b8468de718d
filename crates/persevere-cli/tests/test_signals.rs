//! Signals sent to persevere: forwarded to the attempt, escalated to SIGKILL when the command
//! ignores them.

#![deny(clippy::undocumented_unsafe_blocks)]
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

/// The way a shell sees persevere end: `Some(N)` for a death by signal N.
fn death_signal(status: std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[test]
fn a_signal_that_kills_the_command_kills_persevere_too() {
    for (signal, name) in FORWARDED {
        let dir = TempDir::new();
        let pid_file = dir.file("pid");
        let mut cmd = persevere();
        cmd.args(["--factor", "1ms", "--", "sh", "-c"])
            .arg(format!("echo $$ > {pid_file}; exec sleep 300"))
            .stderr(Stdio::null());
        let child = cmd.spawn().unwrap();
        read_pid(&pid_file);
        kill(child.id(), signal);
        let status = common::wait_status(child);
        assert_eq!(death_signal(status), Some(signal), "{name}: {status:?}");
    }
}

#[test]
fn a_signal_during_the_wait_kills_persevere_by_that_signal() {
    for (signal, name) in FORWARDED {
        let mut cmd = persevere();
        cmd.args([
            "--wait",
            "constant",
            "--interval",
            "60s",
            "--jitter",
            "none",
            "--",
            "false",
        ])
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut lines = Lines::new(child.stderr.take().unwrap());
        lines.wait_for("persevere: backing off false");
        let start = Instant::now();
        kill(child.id(), signal);
        let status = common::wait_status(child);
        assert_eq!(death_signal(status), Some(signal), "{name}: {status:?}");
        assert!(start.elapsed() < HANG / 2, "{name}: the wait was cut short");
    }
}

#[test]
fn a_command_that_handles_the_signal_and_exits_gives_its_status() {
    let dir = TempDir::new();
    let pid_file = dir.file("pid");
    let mut cmd = persevere();
    cmd.args(["--factor", "1ms", "--", "sh", "-c"])
        .arg(format!(
            "trap 'exit 7' TERM; echo $$ > {pid_file}; while :; do sleep 0.05; done"
        ))
        .stderr(Stdio::null());
    let child = cmd.spawn().unwrap();
    read_pid(&pid_file);
    kill(child.id(), libc::SIGTERM);
    let status = common::wait_status(child);
    assert_eq!((status.code(), death_signal(status)), (Some(7), None));
}

#[test]
fn ctrl_c_stops_the_calling_script_too() {
    // bash waiting for a command when SIGINT comes goes on with the script if the command
    // exited (it "handled" the signal), and stops if it died by SIGINT ("wait and cooperative
    // exit"). The script's process group gets the signal, as from Ctrl-C in a terminal.
    let dir = TempDir::new();
    let pid_file = dir.file("pid");
    let script = format!(
        "{bin} --factor 1ms -- sh -c 'echo $$ > {pid_file}; exec sleep 300'; echo \"went on $?\"",
        bin = env!("CARGO_BIN_EXE_persevere"),
    );
    let child = shell_in_own_group(&script).spawn().unwrap();
    read_pid(&pid_file);
    // The script's group holds bash and persevere; the attempt has its own group.
    kill_group(child.id(), libc::SIGINT);
    let out = common::wait_output(child);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "the script stopped"
    );
    assert_eq!(death_signal(out.status), Some(libc::SIGINT), "{out:?}");
}

/// `bash -c script` as the leader of a new process group, with stdout piped.
fn shell_in_own_group(script: &str) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    // SAFETY: runs between fork and exec; `signal` is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    cmd
}

fn kill_group(pgid: u32, signal: i32) {
    // SAFETY: kill takes integers.
    unsafe { libc::kill(-(pgid as libc::pid_t), signal) };
}
