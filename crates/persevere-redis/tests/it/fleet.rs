//! Fleets of processes sharing one budget through a real redis-server: the fleet's retries stay
//! within the budget; an outage of Redis loses no process (each falls back, logs it once,
//! reconnects); and hosts in separate network namespaces share one budget over veth pairs.
//!
//! Each client is this test binary run again with `fleet::child_client` as its only test and its
//! orders in the environment; it prints one `RESULT` line.

#![cfg(feature = "tokio")]

use crate::common::{Namespaces, RedisServer, make_hosts, wait_until};
use persevere::{constant, on_error};
use persevere_redis::{Kind, Options, RedisBudget};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The child's test name in this binary: `fleet::child_client` (libtest names a test by its
/// module path without the crate).
const CHILD_CLIENT: &str = "fleet::child_client";

/// The budget every test's clients share: 20 % of the calls plus 2 retries a second, over a
/// minute (long enough that nothing expires during a test, so the bound is exact).
const PERCENT: f64 = 0.2;
const MIN_PER_SEC: u32 = 2;
const TTL: Duration = Duration::from_secs(60);
const MAX_TRIES: u32 = 5;

/// The most retries one window allows: the floor's reserve plus 20 % of the calls.
fn bound(calls: u64) -> u64 {
    u64::from(MIN_PER_SEC) * TTL.as_secs() + (calls as f64 * PERCENT) as u64
}

#[derive(Debug, Default)]
struct Tally {
    calls: u64,
    attempts: u64,
    saw_fallback: bool,
    reconnected: bool,
    warnings: usize,
}

/// A client process: `calls` failing calls (or, with `outage_dir`, calls until it has seen
/// Redis go and come back), prefixed by `prefix` (e.g. `ip netns exec NAME`).
fn spawn_client(
    prefix: &[&str],
    url: &str,
    key: &str,
    calls: u64,
    outage_dir: Option<&Path>,
    id: usize,
) -> Child {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    command
        .args([
            "--exact",
            CHILD_CLIENT,
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("CHILD_URL", url)
        .env("CHILD_KEY", key)
        .env("CHILD_CALLS", calls.to_string())
        .env("CHILD_ID", id.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = outage_dir {
        command.env("CHILD_OUTAGE_DIR", dir);
    }
    command.spawn().expect("a client process")
}

fn tally(output: Output) -> Tally {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "a client failed:\n{stdout}\n{stderr}"
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no RESULT line:\n{stdout}\n{stderr}"));
    let mut t = Tally {
        warnings: stderr.matches("Redis is unreachable").count(),
        ..Tally::default()
    };
    for field in line.split_whitespace() {
        let (name, value) = field.split_once('=').expect("name=value");
        match name {
            "calls" => t.calls = value.parse().unwrap(),
            "attempts" => t.attempts = value.parse().unwrap(),
            "saw_fallback" => t.saw_fallback = value == "true",
            "reconnected" => t.reconnected = value == "true",
            _ => {}
        }
    }
    t
}

fn wait_all(children: Vec<Child>) -> Vec<Tally> {
    children
        .into_iter()
        .map(|c| tally(c.wait_with_output().expect("the client ends")))
        .collect()
}

/// The client's side: not a test on its own (it returns at once without its orders).
#[test]
fn child_client() {
    let Ok(url) = std::env::var("CHILD_URL") else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap();
    let key = var("CHILD_KEY");
    let calls: u64 = var("CHILD_CALLS").parse().unwrap();
    let outage_dir = std::env::var_os("CHILD_OUTAGE_DIR").map(PathBuf::from);
    let id = var("CHILD_ID");
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let kind = Kind::ratio(PERCENT, MIN_PER_SEC, TTL).unwrap();
        let options = Options::default().sync_timeout(Duration::from_millis(100));
        let budget = RedisBudget::connect_with(&url, key, kind, options)
            .await
            .unwrap();
        let policy = on_error(constant(Duration::from_millis(1)))
            .max_tries(MAX_TRIES)
            .budget(budget.clone());
        let mut tally = Tally::default();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut calls_after_reconnect = 0;
        loop {
            let done = match &outage_dir {
                None => tally.calls >= calls,
                Some(_) => tally.reconnected && calls_after_reconnect >= calls,
            };
            if done || Instant::now() > deadline {
                break;
            }
            let _: Result<(), &str> = policy
                .retry_async(|| {
                    tally.attempts += 1;
                    async { Err("down") }
                })
                .await;
            tally.calls += 1;
            if let Some(dir) = &outage_dir {
                let shared = budget.is_shared();
                if !shared && !tally.saw_fallback {
                    tally.saw_fallback = true;
                    std::fs::write(dir.join(format!("fallback-{id}")), "").unwrap();
                }
                if shared && tally.saw_fallback {
                    tally.reconnected = true;
                }
                if tally.reconnected {
                    calls_after_reconnect += 1;
                }
            }
            // A call a millisecond: a busy client, whose demand the leases follow.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        budget.close().await;
        println!(
            "RESULT calls={} attempts={} saw_fallback={} reconnected={}",
            tally.calls, tally.attempts, tally.saw_fallback, tally.reconnected
        );
    });
}

#[test]
fn a_fleet_of_processes_retries_within_one_shared_budget() {
    let server = RedisServer::start();
    let (processes, calls) = (8, 100);
    let children = (0..processes)
        .map(|i| spawn_client(&[], &server.url(), "fleet", calls, None, i))
        .collect();
    let tallies = wait_all(children);
    let total_calls: u64 = tallies.iter().map(|t| t.calls).sum();
    let attempts: u64 = tallies.iter().map(|t| t.attempts).sum();
    let retries = attempts - total_calls;
    let bound = bound(total_calls);
    eprintln!("{processes} processes, {total_calls} calls: {attempts} attempts, bound {bound}");
    assert_eq!(total_calls, processes as u64 * calls);
    assert!(retries <= bound, "{retries} retries > {bound}");
    // Leases park some credit, but most of the budget is used: a failing fleet retries.
    assert!(retries >= bound * 3 / 4, "{retries} retries of {bound}");
    // Without the shared budget, each process's own floor would allow 120 retries more.
    assert!(attempts < total_calls + bound + 1);
}

#[test]
fn killing_and_restarting_redis_loses_no_process() {
    let mut server = RedisServer::start();
    let dir = std::env::temp_dir().join(format!("persevere-outage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let processes = 4;
    let children: Vec<Child> = (0..processes)
        .map(|i| spawn_client(&[], &server.url(), "outage", 20, Some(&dir), i))
        .collect();
    // Every client is running against Redis: the budget's key exists and has been synced.
    let live = wait_until(Duration::from_secs(20), || {
        server.calls("evalsha") >= processes as u64 * 5
    });
    assert!(live, "the clients did not reach Redis");
    server.stop();
    let all_fell_back = wait_until(Duration::from_secs(20), || {
        (0..processes).all(|i| dir.join(format!("fallback-{i}")).exists())
    });
    server.restart();
    assert!(all_fell_back, "not every client saw the outage");
    let tallies = wait_all(children);
    let _ = std::fs::remove_dir_all(&dir);
    for t in &tallies {
        assert!(t.saw_fallback && t.reconnected, "{t:?}");
        assert_eq!(t.warnings, 1, "the outage is logged once per client: {t:?}");
    }
    // They share the new Redis's budget again.
    assert!(server.command(&["EXISTS", "outage"]).unwrap() == "1");
}

#[test]
fn hosts_in_separate_network_namespaces_share_one_budget() {
    let tag = std::process::id().to_string();
    let mut names = Namespaces(Vec::new());
    let hosts = 3;
    let addresses = match make_hosts(&tag, hosts, &mut names) {
        Ok(a) => a,
        Err(why) => {
            eprintln!("skipped: network namespaces are not allowed here ({why})");
            return;
        }
    };
    let server_ns = format!("pv-srv-{tag}");
    let bind = addresses.join(" ");
    let server = RedisServer::start_in(&server_ns, &bind, 6379);
    let calls = 100;
    let children = addresses
        .iter()
        .enumerate()
        .map(|(i, address)| {
            let host = format!("pv-h{}-{tag}", i + 1);
            let url = format!("redis://{address}:6379/");
            spawn_client(
                &["ip", "netns", "exec", &host],
                &url,
                "hosts",
                calls,
                None,
                i,
            )
        })
        .collect();
    let tallies = wait_all(children);
    let total_calls: u64 = tallies.iter().map(|t| t.calls).sum();
    let retries = tallies.iter().map(|t| t.attempts).sum::<u64>() - total_calls;
    let bound = bound(total_calls);
    eprintln!("{hosts} hosts, {total_calls} calls: {retries} retries, bound {bound}");
    assert_eq!(total_calls, hosts as u64 * calls);
    assert!(retries <= bound, "{retries} retries > {bound}");
    assert!(retries >= bound * 3 / 4, "{retries} retries of {bound}");
    drop(server);
}
