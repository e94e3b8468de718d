//! `--budget`: fleets of concurrent persevere processes sharing one budget, in a file and in a
//! real redis-server, and a store that breaks mid-run.

mod common;
#[cfg(feature = "redis")]
#[path = "../../persevere-redis/tests/common/mod.rs"]
mod redis_server;

use common::{HANG, persevere};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::Instant;

/// The issue's command: 20 % of the runs may be retried, no floor (unless `extra`, as
/// `[min_rate, factor]`, says otherwise), at most 5 tries, waits of about 10 ms; `false` fails
/// every attempt.
fn spawn_false(store: &str, report: &Path, extra: &[&str]) -> Child {
    let min_rate = extra.first().copied().unwrap_or("0");
    let factor = extra.get(1).copied().unwrap_or("0.01");
    persevere()
        .args(["--budget", "20%", "--budget-min-rate", min_rate])
        .args([
            "--budget-store",
            store,
            "--max-tries",
            "5",
            "--factor",
            factor,
        ])
        .arg("--report")
        .arg(report)
        .args(["--", "false"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("persevere runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("persevere-budget-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits for every process (each within `HANG`); returns their outputs.
fn wait_all(children: Vec<Child>) -> Vec<Output> {
    let start = Instant::now();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("persevere ends");
            assert!(start.elapsed() < HANG, "the fleet hung");
            out
        })
        .collect()
}

/// Attempts made by one run: the `try` of its last report event.
fn attempts(report: &Path) -> u64 {
    let text = std::fs::read_to_string(report).unwrap_or_default();
    let last = text.lines().last().expect("a report event");
    common::field(last, "try").unwrap().parse().unwrap()
}

/// 50 concurrent runs of the issue's command: at most 60 attempts in all (the store's
/// accounting is exact: no overshoot), every run ends with `false`'s status, and the ones
/// refused say so.
fn fifty_runs(store: &str, dir: &Path) {
    let runs = 50;
    let children = (0..runs)
        .map(|i| spawn_false(store, &dir.join(format!("r{i}")), &[]))
        .collect();
    let outputs = wait_all(children);
    let total: u64 = (0..runs)
        .map(|i| attempts(&dir.join(format!("r{i}"))))
        .sum();
    eprintln!("{runs} runs on {store}: {total} attempts");
    assert!(total <= 60, "{total} attempts");
    assert!(
        total >= 55,
        "the budget granted only {} retries",
        total - 50
    );
    let mut refused = 0;
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let report = std::fs::read_to_string(dir.join(format!("r{i}"))).unwrap();
        if stderr.contains("the retry budget refused another try") {
            refused += 1;
            assert!(
                report.contains(r#""event":"giveup""#) && report.contains(r#""reason":"budget""#)
            );
        }
    }
    assert!(refused >= 40, "{refused} runs refused");
}

#[test]
fn fifty_runs_sharing_a_file_make_at_most_60_attempts() {
    let dir = scratch("file");
    let store = format!("file:{}", dir.join("b").display());
    fifty_runs(&store, &dir);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "redis")]
#[test]
fn fifty_runs_sharing_redis_make_at_most_60_attempts() {
    let server = redis_server::RedisServer::start();
    let dir = scratch("redis");
    fifty_runs(&server.url(), &dir);
    assert_eq!(
        server
            .command(&["EXISTS", "persevere:budget:default"])
            .unwrap(),
        "1"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_that_breaks_mid_run_loses_no_process() {
    let dir = scratch("broken");
    let state = dir.join("b");
    let store = format!("file:{}", state.display());
    // Slower waits, so that the store breaks while the runs are retrying.
    let slow = ["100", "0.2"];
    let runs = 16;
    let children: Vec<Child> = (0..runs)
        .map(|i| spawn_false(&store, &dir.join(format!("r{i}")), &slow))
        .collect();
    // Every run has made its first attempt (and its deposit), then the store breaks: the
    // state file becomes a FIFO, which no run accepts (in one step: a run between a removal
    // and a creation would make the file again).
    let started = common::wait_until(HANG, || {
        (0..runs).all(|i| {
            std::fs::read_to_string(dir.join(format!("r{i}"))).is_ok_and(|t| !t.is_empty())
        })
    });
    assert!(started, "the runs did not start");
    let fifo = dir.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::fs::rename(&fifo, &state).unwrap();
    let outputs = wait_all(children);
    let mut fell_back = 0;
    for out in &outputs {
        assert_eq!(
            out.status.code(),
            Some(1),
            "every run ends with false's status: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = stderr
            .matches("a local budget decides for this run")
            .count();
        assert!(said <= 1, "said more than once:\n{stderr}");
        fell_back += said;
    }
    assert!(fell_back >= 1, "no run saw the store break");
    // A run after the store is repaired uses it again.
    std::fs::remove_file(&state).unwrap();
    let report = dir.join("after");
    let out = spawn_false(&store, &report, &["1"])
        .wait_with_output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("local budget"));
    assert!(
        std::fs::read_to_string(&state)
            .unwrap()
            .starts_with("persevere-budget 1")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn budget_options_read_their_environment_variables() {
    let dir = scratch("env");
    let report = dir.join("r");
    let out = persevere()
        .env("PERSEVERE_BUDGET", "20%")
        .env("PERSEVERE_BUDGET_MIN_RATE", "0")
        .env("PERSEVERE_BUDGET_WINDOW", "5s")
        .env(
            "PERSEVERE_BUDGET_STORE",
            format!("file:{}", dir.join("b").display()),
        )
        .env("PERSEVERE_BUDGET_NAME", "env")
        .args(["--max-tries", "3", "--report"])
        .arg(&report)
        .args(["--", "false"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains(r#""reason":"budget""#)
    );
    assert!(
        std::fs::read_to_string(dir.join("b"))
            .unwrap()
            .contains("slot_ms=500")
    );
    let bad = persevere()
        .env("PERSEVERE_BUDGET", "lots")
        .args(["--", "true"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
