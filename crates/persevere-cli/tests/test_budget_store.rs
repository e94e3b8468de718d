//! The budget store trusts nothing it did not make: another user's directory or a planted
//! symbolic link is refused (tested as two real unprivileged users), a FIFO or a device is
//! refused at once, a file of another window or a damaged one starts afresh (said once), a
//! Redis password is never printed, and `--budget-unreachable refuse` fails closed.

#![deny(clippy::undocumented_unsafe_blocks)]

mod common;

use common::{Run, TempDir, output, persevere, run};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Command;

/// Attempts made by one run, from its report's last event.
fn attempts(report: &str) -> u64 {
    let text = std::fs::read_to_string(report).unwrap();
    let last = text.lines().last().expect("a report event");
    common::field(last, "try").unwrap().parse().unwrap()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The uid of a user in /etc/passwd.
fn uid_of(user: &str) -> u32 {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields[0] == user).then(|| fields[2].parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no user {user}"))
}

/// `sh -c script` as `user` (through runuser), with a clean PERSEVERE_* environment and
/// XDG_RUNTIME_DIR unset, as in CI, cron and containers.
fn as_user(user: &str, tmpdir: &str, script: &str) -> Run {
    let mut cmd = Command::new("runuser");
    cmd.args(["-u", user, "--", "env", "-u", "XDG_RUNTIME_DIR"])
        .arg(format!("TMPDIR={tmpdir}"))
        .arg(format!("PERSEVERE={}", env!("CARGO_BIN_EXE_persevere")))
        .args(["sh", "-c", script])
        .stdin(std::process::Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PERSEVERE_") {
            cmd.env_remove(name);
        }
    }
    output(cmd)
}

/// A shared temporary directory like /tmp (root's, mode 1777), and a file of the victim
/// (`postgres`) that the attacker (`nobody`) wants overwritten.
fn shared_tmp_and_victim_file(dir: &TempDir) -> (String, String) {
    let shared = dir.file("tmp");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let home = dir.path().join("victim");
    std::fs::create_dir(&home).unwrap();
    let victim = home.join("precious");
    std::fs::write(&victim, "the victim's data\n").unwrap();
    let uid = uid_of("postgres");
    std::os::unix::fs::chown(&home, Some(uid), None).unwrap();
    std::os::unix::fs::chown(&victim, Some(uid), None).unwrap();
    // The test directory itself must be reachable by both users.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    (shared, victim.to_string_lossy().into_owned())
}

/// The issue's attack: with XDG_RUNTIME_DIR unset, `nobody` makes the victim's per-user
/// directory in the shared TMPDIR first and plants a link to the victim's file in it; the
/// victim's budgeted run followed it and overwrote the file.
#[test]
fn another_users_directory_with_a_planted_link_is_refused_and_the_victim_file_untouched() {
    if !is_root() {
        eprintln!("skipped: needs root to act as two users (CI runs as root)");
        return;
    }
    let dir = TempDir::new();
    let (shared, victim) = shared_tmp_and_victim_file(&dir);
    let planted = format!("{shared}/persevere-{}", uid_of("postgres"));
    let attack = as_user(
        "nobody",
        &shared,
        &format!("mkdir -m 777 {planted} && ln -s {victim} {planted}/budget-default"),
    );
    assert_eq!(
        attack.code,
        Some(0),
        "the attacker's setup: {}",
        attack.stderr
    );
    let report = format!("{shared}/victim-report");
    let run = as_user(
        "postgres",
        &shared,
        &format!(
            "\"$PERSEVERE\" --budget 20% --max-tries 3 --factor 0.01 --report {report} -- \
             sh -c 'echo ran; exit 1'"
        ),
    );
    // The command ran (3 attempts: the local budget's floor decides) and the run says why the
    // store was refused, once.
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stdout, "ran\nran\nran\n");
    assert_eq!(attempts(&report), 3);
    let refusals = run
        .stderr
        .matches(&format!(
            "belongs to uid {}, not to uid {}: refused",
            uid_of("nobody"),
            uid_of("postgres")
        ))
        .count();
    assert_eq!(refusals, 1, "{}", run.stderr);
    assert!(run.stderr.contains("a local budget decides for this run"));
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the victim's data\n"
    );
}

/// The variant where the planted directory is itself a link to a directory of the victim.
#[test]
fn a_per_user_directory_that_is_a_link_is_refused() {
    if !is_root() {
        eprintln!("skipped: needs root to act as two users (CI runs as root)");
        return;
    }
    let dir = TempDir::new();
    let (shared, victim) = shared_tmp_and_victim_file(&dir);
    let home = std::path::Path::new(&victim)
        .parent()
        .unwrap()
        .display()
        .to_string();
    let planted = format!("{shared}/persevere-{}", uid_of("postgres"));
    let attack = as_user("nobody", &shared, &format!("ln -s {home} {planted}"));
    assert_eq!(attack.code, Some(0), "{}", attack.stderr);
    let run = as_user("postgres", &shared, "\"$PERSEVERE\" --budget 20% -- true");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("is not a directory (a symbolic link?): refused"),
        "{}",
        run.stderr
    );
    // Nothing was created in the victim's directory through the link.
    let names: Vec<_> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["precious"]);
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the victim's data\n"
    );
}

/// Without an attacker the default store is made safely and used: a 0700 directory of the
/// user holding a regular file.
#[test]
fn the_default_store_is_a_private_directory() {
    let dir = TempDir::new();
    let out = output({
        let mut cmd = persevere();
        cmd.env_remove("XDG_RUNTIME_DIR")
            .env("TMPDIR", dir.path())
            .args(["--budget", "20%", "--", "true"]);
        cmd
    });
    assert_eq!(out.code, Some(0));
    assert_eq!(out.stderr, "");
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let private = dir.path().join(format!("persevere-{uid}"));
    let meta = std::fs::symlink_metadata(&private).unwrap();
    assert!(meta.is_dir());
    assert_eq!(meta.permissions().mode() & 0o777, 0o700);
    let file = std::fs::read_to_string(private.join("budget-default")).unwrap();
    assert!(
        file.starts_with("persevere-budget 1 slot_ms=1000"),
        "{file}"
    );
}

/// A link planted in the user's own directory (by the user's earlier self, or root) is not
/// followed either.
#[test]
fn a_link_in_the_private_directory_is_refused() {
    let dir = TempDir::new();
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let private = dir.path().join(format!("persevere-{uid}"));
    std::fs::create_dir(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    let target = dir.file("target");
    std::fs::write(&target, "keep\n").unwrap();
    symlink(&target, private.join("budget-default")).unwrap();
    let out = output({
        let mut cmd = persevere();
        cmd.env_remove("XDG_RUNTIME_DIR")
            .env("TMPDIR", dir.path())
            .args(["--budget", "20%", "--", "true"]);
        cmd
    });
    assert_eq!(out.code, Some(0));
    assert!(
        out.stderr.contains("is a symbolic link: refused"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep\n");
}

/// A FIFO store hung before the command ran; /dev/zero read about 1 GB into memory.
#[test]
fn a_fifo_or_a_device_is_refused_at_once_and_the_command_runs() {
    let dir = TempDir::new();
    let fifo = dir.file("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for store in [format!("file:{fifo}"), "file:/dev/zero".to_string()] {
        let out = run(&[
            "--budget",
            "20%",
            "--budget-store",
            &store,
            "--",
            "echo",
            "ran",
        ]);
        assert_eq!(out.code, Some(0), "{store}: {}", out.stderr);
        assert_eq!(out.stdout, "ran\n");
        assert_eq!(
            out.stderr.matches("is not a regular file: refused").count(),
            1,
            "{store}: {}",
            out.stderr
        );
    }
}

/// A file written with another --budget-window made every later run exit 2 without running.
#[test]
fn a_file_of_another_window_starts_afresh_and_the_command_runs() {
    let dir = TempDir::new();
    let store = format!("file:{}", dir.file("b"));
    let first = run(&["--budget", "20%", "--budget-store", &store, "--", "true"]);
    assert_eq!(first.code, Some(0));
    let other = run(&[
        "--budget",
        "20%",
        "--budget-window",
        "5s",
        "--budget-store",
        &store,
        "--max-tries",
        "3",
        "--factor",
        "0.01",
        "--",
        "sh",
        "-c",
        "echo ran; exit 1",
    ]);
    assert_eq!(other.code, Some(1), "{}", other.stderr);
    assert_eq!(other.stdout, "ran\nran\nran\n");
    let said = "it held a window of 10000 ms, this run's --budget-window is 5000 ms; \
                the budget starts afresh";
    assert_eq!(other.stderr.matches(said).count(), 1, "{}", other.stderr);
    let file = std::fs::read_to_string(dir.file("b")).unwrap();
    assert!(
        file.starts_with("persevere-budget 1 slot_ms=500\n"),
        "{file}"
    );
}

/// A damaged file silently restarted the budget.
#[test]
fn a_damaged_file_is_said_once() {
    let dir = TempDir::new();
    let store = format!("file:{}", dir.file("b"));
    std::fs::write(dir.file("b"), "persevere-budget 1 slot_ms=1000\n12 oops\n").unwrap();
    let out = run(&[
        "--budget",
        "20%",
        "--budget-store",
        &store,
        "--max-tries",
        "3",
        "--factor",
        "0.01",
        "--",
        "false",
    ]);
    assert_eq!(out.code, Some(1));
    let said = "the file is damaged; the budget starts afresh";
    assert_eq!(out.stderr.matches(said).count(), 1, "{}", out.stderr);
    let file = std::fs::read_to_string(dir.file("b")).unwrap();
    assert_eq!(file.lines().count(), 11, "rewritten whole: {file}");
}

/// `redis://user:password@..` was printed on stderr. Port 1 of the loopback refuses at once.
#[cfg(feature = "redis")]
#[test]
fn a_redis_password_is_in_neither_stderr_nor_the_report() {
    let dir = TempDir::new();
    let report = dir.file("report");
    let out = run(&[
        "--budget",
        "20%",
        "--budget-store",
        "redis://alice:s3cret-pw@127.0.0.1:1/0",
        "--max-tries",
        "2",
        "--factor",
        "0.01",
        "--report",
        &report,
        "--",
        "false",
    ]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains("budget store redis://alice:***@127.0.0.1:1/0: "),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("s3cret"), "{}", out.stderr);
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(!report.contains("s3cret"), "{report}");
    assert_eq!(attempts_in(&report), 2);
}

#[cfg(feature = "redis")]
fn attempts_in(report: &str) -> u64 {
    let last = report.lines().last().expect("a report event");
    common::field(last, "try").unwrap().parse().unwrap()
}

/// A Redis outage lifted the fleet-wide limit, with no choice to fail closed.
#[cfg(feature = "redis")]
#[test]
fn fail_closed_makes_no_retry_when_the_store_is_down() {
    let dir = TempDir::new();
    let report = dir.file("report");
    let args = |mode: &'static str| {
        vec![
            "--budget",
            "20%",
            "--budget-store",
            "redis://127.0.0.1:1",
            "--budget-unreachable",
            mode,
            "--max-tries",
            "4",
            "--factor",
            "0.01",
            "--report",
            &report,
            "--",
            "false",
        ]
    };
    let closed = run(&args("refuse"));
    assert_eq!(closed.code, Some(1));
    assert!(
        closed
            .stderr
            .contains("no retry for this run (--budget-unreachable refuse)"),
        "{}",
        closed.stderr
    );
    assert_eq!(attempts(&report), 1);
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains(r#""reason":"budget""#)
    );
    let local = run(&args("local"));
    assert_eq!(local.code, Some(1));
    assert_eq!(attempts(&report), 4);
    let bad = run(&[
        "--budget",
        "20%",
        "--budget-unreachable",
        "maybe",
        "--",
        "true",
    ]);
    assert_eq!(bad.code, Some(2));
}

/// A file deleted during the run silently restarted the budget: now it is said, once.
#[test]
fn a_file_deleted_during_the_run_is_said_once() {
    let dir = TempDir::new();
    let file = dir.file("b");
    let store = format!("file:{file}");
    let out = run(&[
        "--budget",
        "20%",
        "--budget-store",
        &store,
        "--max-tries",
        "3",
        "--factor",
        "0.01",
        "--",
        "sh",
        "-c",
        &format!("rm -f {file}; exit 1"),
    ]);
    assert_eq!(out.code, Some(1));
    let said = "the file was deleted; the budget starts afresh";
    assert_eq!(out.stderr.matches(said).count(), 1, "{}", out.stderr);
}
