//! `--breaker`: real persevere processes sharing one circuit breaker, in a file and in a real
//! redis-server (also from hosts in separate network namespaces). Failing runs open it; the
//! next run is refused without running its command (its marker file is never made); after the
//! open duration a probe runs, and its outcome opens the breaker again or closes it. Open
//! durations are short (1 s: long enough for a refused run to start and end within it on a
//! loaded machine) and the tests wait for outcomes: they assert no timing.

mod common;
#[cfg(feature = "redis")]
#[path = "../../persevere-redis/tests/common/mod.rs"]
mod redis_server;

use common::{HANG, Run, TempDir, field, output, persevere};
use std::path::Path;
use std::process::Command;

/// One run of a command that makes `marker` and exits `status`, under the breaker `svc`:
/// three attempts judged, opens at 50 %, open 1 s, one probe. `prefix` runs persevere
/// through another program (`ip netns exec NS`).
fn run_in(prefix: &[&str], store: &str, marker: &Path, status: u8, extra: &[&str]) -> Run {
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(env!("CARGO_BIN_EXE_persevere"));
            c
        }
        None => persevere(),
    };
    cmd.args(["--breaker", "svc", "--breaker-store", store])
        .args(["--breaker-calls", "3", "--breaker-open", "1s"])
        .args(["--breaker-probes", "1", "--factor", "0.01", "--report", "-"])
        .args(extra);
    if !extra.contains(&"--max-tries") {
        cmd.args(["--max-tries", "1"]);
    }
    cmd.arg("--")
        .args(["sh", "-c"])
        .arg(format!("touch '{}'; exit {status}", marker.display()));
    output(cmd)
}

/// Whether the command ran, and forgets that it did.
fn ran(marker: &Path) -> bool {
    std::fs::remove_file(marker).is_ok()
}

/// The run was refused before its first attempt: status 75, nothing ran, said and reported.
fn assert_refused(run: &Run, marker: &Path) {
    assert_eq!(run.code, Some(75), "{}", run.stderr);
    assert!(!ran(marker), "a refused run ran its command");
    assert!(
        run.stderr
            .contains("after 0 tries: the circuit breaker svc is open (exit 75)"),
        "{}",
        run.stderr
    );
    let events = run.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(field(&events[0], "event"), Some("giveup"));
    assert_eq!(field(&events[0], "try"), Some("0"));
    assert_eq!(field(&events[0], "exit"), Some("75"));
    assert_eq!(field(&events[0], "reason"), Some("circuit_open"));
}

/// Runs `status`-exiting commands until one is not refused (the open duration has passed):
/// that run is the probe. Every refused run in between ran nothing.
fn probe(prefix: &[&str], store: &str, marker: &Path, status: u8) -> Run {
    let start = std::time::Instant::now();
    loop {
        let run = run_in(prefix, store, marker, status, &[]);
        if run.code != Some(75) {
            return run;
        }
        assert_refused(&run, marker);
        assert!(
            start.elapsed() < HANG,
            "the breaker never let a probe through"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The whole cycle on one store; `hosts` run persevere in turn (each through its prefix), so
/// that the state is seen to be shared between them.
fn cycle(hosts: &[(&[&str], &str)], marker: &Path) {
    let host = |i: usize| hosts[i % hosts.len()];
    // Three failing runs fill the window: the third opens it.
    for i in 0..3 {
        let (prefix, store) = host(i);
        let run = run_in(prefix, store, marker, 1, &[]);
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(ran(marker));
    }
    // Open: the next runs are refused, whichever host makes them, before running anything.
    for i in 3..5 {
        let (prefix, store) = host(i);
        assert_refused(&run_in(prefix, store, marker, 0, &[]), marker);
    }
    // After the open duration one probe runs; it fails: open again.
    let (prefix, store) = host(5);
    let failed = probe(prefix, store, marker, 1);
    assert_eq!(failed.code, Some(1), "{}", failed.stderr);
    assert!(ran(marker), "the probe ran");
    let (prefix, store) = host(6);
    assert_refused(&run_in(prefix, store, marker, 0, &[]), marker);
    // The next probe succeeds: closed, and a failing run runs again (the window starts empty).
    let (prefix, store) = host(7);
    let succeeded = probe(prefix, store, marker, 0);
    assert_eq!(succeeded.code, Some(0), "{}", succeeded.stderr);
    assert!(ran(marker));
    for i in 8..10 {
        let (prefix, store) = host(i);
        let run = run_in(prefix, store, marker, 1, &[]);
        assert_eq!(run.code, Some(1), "closed again: {}", run.stderr);
        assert!(ran(marker));
    }
}

#[test]
fn failing_runs_open_a_file_breaker_and_a_successful_probe_closes_it() {
    let dir = TempDir::new();
    let store = format!("file:{}", dir.file("breaker"));
    let marker = dir.path().join("ran");
    cycle(&[(&[], &store)], &marker);
}

/// A run whose retries the breaker refuses (it opened during the run) ends with the last
/// attempt's status, as a budget's refusal does, and says why.
#[test]
fn a_breaker_that_opens_mid_run_ends_it_with_the_last_status() {
    let dir = TempDir::new();
    let store = format!("file:{}", dir.file("breaker"));
    let marker = dir.path().join("ran");
    let run = run_in(&[], &store, &marker, 3, &["--max-tries", "5"]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(ran(&marker));
    assert!(
        run.stderr
            .contains("after 3 tries (exit 3): the circuit breaker is open"),
        "{}",
        run.stderr
    );
    let last = run.events().pop().unwrap();
    assert_eq!(field(&last, "reason"), Some("circuit_open"));
    assert_eq!(field(&last, "try"), Some("3"));
    assert_refused(&run_in(&[], &store, &marker, 0, &[]), &marker);
}

/// The default store is `breaker-NAME` in the per-user directory (here $XDG_RUNTIME_DIR's).
#[test]
fn the_default_store_is_a_file_of_the_user() {
    let dir = TempDir::new();
    let marker = dir.path().join("ran");
    let mut cmd = persevere();
    cmd.env("XDG_RUNTIME_DIR", dir.path())
        .args([
            "--breaker",
            "nightly",
            "--breaker-calls",
            "1",
            "--max-tries",
            "1",
        ])
        .args(["sh", "-c", "exit 1"]);
    assert_eq!(output(cmd).code, Some(1));
    let state = dir.path().join("persevere").join("breaker-nightly");
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.starts_with("persevere-breaker 1\nopen "), "{text}");
    let mut cmd = persevere();
    cmd.env("XDG_RUNTIME_DIR", dir.path())
        .args([
            "--breaker",
            "nightly",
            "--breaker-calls",
            "1",
            "--max-tries",
            "1",
        ])
        .arg("touch")
        .arg(&marker);
    let run = output(cmd);
    assert_eq!(run.code, Some(75), "{}", run.stderr);
    assert!(!marker.exists());
}

#[test]
fn breaker_options_are_checked() {
    let run = common::run(&["--breaker-open", "1s", "true"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("--breaker-open applies only with --breaker")
    );
    let run = common::run(&["--breaker", "x", "--breaker-failures", "0%", "true"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("--breaker-failures must be above 0"),
        "{}",
        run.stderr
    );
    let run = common::run(&["--breaker", "x", "--breaker-calls", "0", "true"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("--breaker-calls must be from 1"),
        "{}",
        run.stderr
    );
    let run = common::run(&["--breaker", "../x", "true"]);
    assert_eq!(run.code, Some(2));
}

/// A store that cannot be reached (port 1 of the loopback refuses at once) is said once; by
/// default a local breaker decides (the command runs), with `refuse` the breaker counts as
/// open (fail closed).
#[cfg(feature = "redis")]
#[test]
fn an_unreachable_store_falls_back_as_the_budgets_does() {
    let dir = TempDir::new();
    let marker = dir.path().join("ran");
    let url = "redis://alice:s3cret@127.0.0.1:1/0";
    let run = run_in(&[], url, &marker, 0, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(ran(&marker));
    let said: Vec<String> = run.messages();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("persevere: breaker store redis://alice:***@127.0.0.1:1/0: "));
    assert!(said[0].ends_with("a local breaker decides for this run"));
    assert!(!run.stderr.contains("s3cret"));
    let run = run_in(&[], url, &marker, 0, &["--breaker-unreachable", "refuse"]);
    assert_eq!(run.code, Some(75), "{}", run.stderr);
    assert!(!ran(&marker));
    assert!(run.stderr.contains("--breaker-unreachable refuse"));
}

#[cfg(feature = "redis")]
#[test]
fn failing_runs_open_a_redis_breaker_and_a_successful_probe_closes_it() {
    let server = redis_server::RedisServer::start();
    let dir = TempDir::new();
    let marker = dir.path().join("ran");
    cycle(&[(&[], &server.url())], &marker);
    assert_eq!(
        server
            .command(&["HGET", "persevere:breaker:svc", "state"])
            .unwrap(),
        "0"
    );
}

/// Hosts in separate network namespaces, each reaching Redis over its own veth pair, take
/// turns: one host's failures open the breaker for the others.
#[cfg(feature = "redis")]
#[test]
fn hosts_in_separate_network_namespaces_share_one_breaker() {
    let tag = format!("b{}", std::process::id());
    let mut names = redis_server::Namespaces(Vec::new());
    let addresses = match redis_server::make_hosts(&tag, 2, &mut names) {
        Ok(a) => a,
        Err(why) => {
            eprintln!("skipped: network namespaces are not allowed here ({why})");
            return;
        }
    };
    let server_ns = format!("pv-srv-{tag}");
    let server = redis_server::RedisServer::start_in(&server_ns, &addresses.join(" "), 6379);
    let dir = TempDir::new();
    let marker = dir.path().join("ran");
    let hosts: Vec<(Vec<String>, String)> = addresses
        .iter()
        .enumerate()
        .map(|(i, address)| {
            let prefix = ["ip", "netns", "exec", &format!("pv-h{}-{tag}", i + 1)]
                .map(String::from)
                .to_vec();
            (prefix, format!("redis://{address}:6379/"))
        })
        .collect();
    let prefixes: Vec<Vec<&str>> = hosts
        .iter()
        .map(|(p, _)| p.iter().map(String::as_str).collect())
        .collect();
    let turns: Vec<(&[&str], &str)> = prefixes
        .iter()
        .zip(&hosts)
        .map(|(p, (_, url))| (p.as_slice(), url.as_str()))
        .collect();
    cycle(&turns, &marker);
    drop(server);
}
