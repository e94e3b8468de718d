//! Process groups, timeouts that stop whole trees, forwarded signals, and nothing orphaned.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{TempDir, alive, persevere, read_pid, wait_output};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A shell snippet that starts a grandchild (in the attempt's group) and one that left it with
/// `setsid`, writing their pids to `gc.pid` and `sid.pid` in `dir`.
fn grandchildren(dir: &TempDir) -> String {
    format!(
        "sleep 300 & echo $! > {gc}; \
         setsid sh -c 'echo $$ > {sid}; exec sleep 300' & \
         while ! test -s {sid}; do sleep 0.01; done; ",
        gc = dir.file("gc.pid"),
        sid = dir.file("sid.pid"),
    )
}

fn assert_gone(dir: &TempDir) {
    for name in ["gc.pid", "sid.pid"] {
        let pid = read_pid(&dir.file(name));
        assert!(!alive(pid), "{name} {pid} outlived persevere");
    }
}

#[test]
fn a_timeout_stops_grandchildren_also_setsid_ones() {
    let dir = TempDir::new();
    let script = format!("{} sleep 300", grandchildren(&dir));
    let r = common::run(&[
        "--max-tries",
        "1",
        "--timeout",
        "1500ms",
        "--kill-after",
        "5s",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(r.code, Some(124), "{r:?}");
    assert_gone(&dir);
}

#[test]
fn processes_that_ignore_sigterm_get_sigkill_after_the_grace() {
    let dir = TempDir::new();
    let script = format!("trap '' TERM; {} sleep 300", grandchildren(&dir));
    let start = Instant::now();
    let r = common::run(&[
        "--max-tries",
        "1",
        "--timeout",
        "1500ms",
        "--kill-after",
        "300ms",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    // As GNU timeout: 137 once SIGKILL was needed.
    assert_eq!(r.code, Some(137), "{r:?}");
    assert!(
        start.elapsed() >= Duration::from_millis(600),
        "TERM, grace, then KILL"
    );
    assert_eq!(common::field(&r.events()[0], "signal"), Some("9"));
    assert_gone(&dir);
}

#[test]
fn what_a_failed_attempt_leaves_behind_is_stopped_when_it_ends() {
    let dir = TempDir::new();
    let script = format!("{} exit 3", grandchildren(&dir));
    let r = common::run(&["--max-tries", "1", "--", "sh", "-c", &script]);
    assert_eq!(r.code, Some(3), "{r:?}");
    assert_gone(&dir);
}

#[test]
fn cleanup_on_success_stops_what_a_successful_attempt_leaves() {
    let dir = TempDir::new();
    let script = format!("{} exit 0", grandchildren(&dir));
    let r = common::run(&["--cleanup-on-success", "-v", "--", "sh", "-c", &script]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_gone(&dir);
    let gc = read_pid(&dir.file("gc.pid"));
    let said = r
        .messages()
        .into_iter()
        .find(|m| m.starts_with("persevere: stopping what the attempt left running: "))
        .unwrap_or_else(|| panic!("{r:?}"));
    assert!(said.contains(&format!("{gc} (sleep)")), "{said}");
}

/// Starts persevere on a command that traps the signals, and waits until it runs.
fn start_trapping(dir: &TempDir) -> Child {
    let script = format!(
        "for s in TERM INT HUP; do trap \"echo got $s > {got}; exit 7\" $s; done; \
         {} echo $$ > {pid}; while :; do sleep 0.05; done",
        grandchildren(dir),
        got = dir.file("got.txt"),
        pid = dir.file("child.pid"),
    );
    let mut cmd = persevere();
    // With a forwarded signal SIGKILL follows after --kill-after: an hour here, so that the
    // run ends in time only if the leftovers get SIGTERM as soon as the command has exited.
    cmd.args([
        "--factor",
        "1ms",
        "--kill-after",
        "1h",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        &script,
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    read_pid(&dir.file("child.pid"));
    child
}

#[test]
fn sigterm_sigint_and_sighup_reach_the_child_then_persevere_stops_with_its_status() {
    for (signal, name) in [
        (libc::SIGTERM, "TERM"),
        (libc::SIGINT, "INT"),
        (libc::SIGHUP, "HUP"),
    ] {
        let dir = TempDir::new();
        let child = start_trapping(&dir);
        // SAFETY: kill takes integers.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let out = wait_output(child);
        assert_eq!(out.status.code(), Some(7), "{name}: the child's status");
        let got = std::fs::read_to_string(dir.file("got.txt")).unwrap();
        assert_eq!(got, format!("got {name}\n"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.matches("\"event\"").count(),
            1,
            "{name}: not retried: {stderr}"
        );
        assert_gone(&dir);
    }
}

#[test]
fn each_attempt_runs_in_its_own_process_group() {
    let dir = TempDir::new();
    let log = dir.file("groups");
    // Field 5 of /proc/self/stat is the process group; $$ is the attempt's shell.
    let script = format!(
        "set -- $(cat /proc/$$/stat); echo \"$1 $5\" >> {log}; test $PERSEVERE_ATTEMPT = 2"
    );
    let r = common::run(&["--factor", "1ms", "--", "sh", "-c", &script]);
    assert_eq!(r.code, Some(0));
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let (pid, group) = line.split_once(' ').unwrap();
        assert_eq!(pid, group, "the attempt leads its own group");
    }
    assert_ne!(lines[0], lines[1]);
}

#[test]
fn a_signal_ignored_when_persevere_starts_stays_ignored_as_with_nohup() {
    use std::os::unix::process::CommandExt;
    let dir = TempDir::new();
    let pid_file = dir.file("pid");
    let mut cmd = persevere();
    cmd.args(["--max-tries", "1", "--", "sh", "-c"])
        .arg(format!("echo $$ > {pid_file}; sleep 0.5; exit 3"))
        .stderr(Stdio::piped());
    // SAFETY: runs between fork and exec; `signal` is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    read_pid(&pid_file);
    // SAFETY: kill takes integers.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGHUP) };
    assert_eq!(
        wait_output(child).status.code(),
        Some(3),
        "the command ran to its end"
    );
}

#[test]
fn a_closed_stdout_is_not_taken_by_a_file_persevere_opens() {
    // Started with fd 1 closed, persevere opens /dev/null there first, as std's start-up does:
    // else its report would be the command's stdout.
    use std::os::unix::process::CommandExt;
    let dir = TempDir::new();
    let (report, seen) = (dir.file("report"), dir.file("seen"));
    let mut cmd = persevere();
    cmd.args(["--report", &report, "--", "sh", "-c"])
        .arg(format!(
            "fd1=$(readlink /proc/$$/fd/1); echo \"$fd1\" > {seen}"
        ));
    // SAFETY: runs between fork and exec; close is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::close(1);
            Ok(())
        });
    }
    assert_eq!(wait_output(cmd.spawn().unwrap()).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&seen).unwrap().trim(), "/dev/null");
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("success")
    );
}
