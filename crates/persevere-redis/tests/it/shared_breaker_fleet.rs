//! `RedisBreaker`: clients in one process, and processes on hosts in separate network
//! namespaces, share one circuit breaker through a real redis-server; an unreachable Redis
//! leaves the local breaker deciding, or refuses everything with `fail_closed`.
//!
//! The clients in other namespaces are this test binary run again with
//! `shared_breaker_fleet::breaker_child` as its only test and its orders in the environment;
//! each prints one `RESULT` line.

#![cfg(feature = "tokio")]

use crate::common::{Hosts, RedisServer, child_result};
use persevere::breaker::BreakerState;
use persevere::budget::Budget;
use persevere::{GiveUpReason, Refused, constant, on_error};
use persevere_redis::blocking::BreakerRules;
use persevere_redis::{Options, RedisBreaker};
use std::time::{Duration, Instant};

const CHILD: &str = "shared_breaker_fleet::breaker_child";

/// Four outcomes judged, opens at 50 %, open 300 ms, one probe.
fn rules() -> BreakerRules {
    BreakerRules::new(4, 0.5, Duration::from_millis(300), 1).unwrap()
}

fn options() -> Options {
    Options::default()
        .sync_interval(Duration::from_millis(10))
        .sync_timeout(Duration::from_millis(200))
}

#[derive(Debug, PartialEq)]
enum CallError {
    Down,
    Refused(GiveUpReason),
}

impl From<Refused> for CallError {
    fn from(r: Refused) -> Self {
        CallError::Refused(r.reason())
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn clients_share_the_fleets_transitions() {
    let server = RedisServer::start();
    runtime().block_on(async {
        let a = RedisBreaker::connect(&server.url(), "fleet", rules(), options())
            .await
            .unwrap();
        let b = RedisBreaker::connect(&server.url(), "fleet", rules(), options())
            .await
            .unwrap();
        assert!(a.is_shared() && b.is_shared());
        let now = Instant::now();
        for _ in 0..4 {
            assert!(a.admit_call(now).is_ok());
            a.attempt_ended(true, Duration::ZERO, now);
        }
        expect_opened_for(&a, &b, "a's failures opened it for b").await;
        // After the open duration b leases the one probe (asked for by its refusals).
        let deadline = Instant::now() + Duration::from_secs(20);
        let probe = loop {
            match b.admit_call(Instant::now()) {
                Ok(w) => break w,
                Err(_) => assert!(Instant::now() < deadline, "no probe"),
            }
            b.sync().await;
        };
        assert_eq!(probe.amount(), 1, "a probe");
        a.sync().await;
        assert_eq!(a.state(), BreakerState::HalfOpen);
        assert!(
            a.admit_call(Instant::now()).is_err(),
            "the round's one probe is b's"
        );
        b.attempt_ended(false, Duration::ZERO, Instant::now());
        b.sync().await;
        a.sync().await;
        assert_eq!(a.state(), BreakerState::Closed, "b's probe closed it for a");
        assert_eq!(a.admit_call(Instant::now()).unwrap().amount(), 0);
    });
}

/// A sync's batch is judged as its outcomes arrive, one by one, with the window sliding: three
/// failures then three successes open it at the first success (three of four failed), though
/// the window at the batch's end holds one; four successes then two failures open it (two of
/// the last four), though two of all six is less than half.
#[test]
fn a_batch_is_judged_outcome_by_outcome() {
    let server = RedisServer::start();
    for (key, first, second) in [
        ("fails-then-oks", true, false),
        ("oks-then-fails", false, true),
    ] {
        runtime().block_on(async {
            let a = RedisBreaker::connect(&server.url(), key, rules(), options())
                .await
                .unwrap();
            let now = Instant::now();
            let (n_first, n_second) = if first { (3, 3) } else { (4, 2) };
            for (failed, n) in [(first, n_first), (second, n_second)] {
                for _ in 0..n {
                    a.attempt_ended(failed, Duration::ZERO, now);
                }
                a.sync().await;
            }
            assert_eq!(a.state(), BreakerState::Open, "{key}");
        });
    }
}

/// A client's slow attempts reach the fleet as slow: they open it for another client, whose own
/// local breaker heard nothing; with a count window of four and with a time window judged from
/// four outcomes.
#[test]
fn slow_attempts_of_one_client_open_it_for_another() {
    let server = RedisServer::start();
    let count = rules().slow_calls(Duration::from_secs(1), 0.75).unwrap();
    let time = count.time_window(Duration::from_secs(60), 4).unwrap();
    for (key, rules) in [("slow-count", count), ("slow-time", time)] {
        runtime().block_on(async {
            let a = RedisBreaker::connect(&server.url(), key, rules, options())
                .await
                .unwrap();
            let b = RedisBreaker::connect(&server.url(), key, rules, options())
                .await
                .unwrap();
            let now = Instant::now();
            // One fast success and two slow ones: below 75 % slow, still closed for b.
            for ran in [0, 1_000, 1_500] {
                assert!(a.admit_call(now).is_ok());
                a.attempt_ended(false, Duration::from_millis(ran), now);
            }
            a.sync().await;
            b.sync().await;
            assert_eq!(b.state(), BreakerState::Closed, "{key}");
            // A third slow success: three of four.
            a.attempt_ended(false, Duration::from_secs(5), now);
            let why = format!("{key}: a's slow successes opened it for b");
            expect_opened_for(&a, &b, &why).await;
        });
    }
}

/// Port 1 of the loopback refuses at once: the local breaker decides, or nothing goes.
#[test]
fn an_unreachable_redis_leaves_the_local_breaker_or_refuses() {
    runtime().block_on(async {
        let url = "redis://127.0.0.1:1/";
        let open = RedisBreaker::connect(url, "k", rules(), options())
            .await
            .unwrap();
        assert!(!open.is_shared());
        let now = Instant::now();
        assert!(
            open.admit_call(now).is_ok(),
            "a local breaker starts closed"
        );
        for _ in 0..4 {
            open.attempt_ended(true, Duration::ZERO, now);
        }
        assert_eq!(
            open.state(),
            BreakerState::Open,
            "and follows the same rules"
        );
        let closed = RedisBreaker::connect(url, "k", rules(), options().fail_closed(true))
            .await
            .unwrap();
        assert_eq!(
            closed.admit_call(now).unwrap_err(),
            GiveUpReason::CircuitOpen
        );
    });
}

/// A client process: `fail` makes four failing calls through a gated policy; `check` makes
/// one call and reports whether its operation ran.
#[test]
fn breaker_child() {
    let Ok(url) = std::env::var("CHILD_BREAKER_URL") else {
        return;
    };
    let mode = std::env::var("CHILD_BREAKER_MODE").unwrap();
    runtime().block_on(async {
        let breaker = RedisBreaker::connect(&url, "hosts", rules(), options())
            .await
            .unwrap();
        let policy = on_error(constant(Duration::ZERO))
            .max_tries(1)
            .gate(breaker.clone());
        let calls = if mode == "fail" { 4 } else { 1 };
        let mut ran = 0;
        let mut last = Ok(());
        for _ in 0..calls {
            last = policy
                .retry_async(|| {
                    ran += 1;
                    async { Err::<(), _>(CallError::Down) }
                })
                .await;
        }
        breaker.sync().await;
        println!(
            "RESULT shared={} ran={ran} refused={} state={}",
            breaker.is_shared(),
            last == Err(CallError::Refused(GiveUpReason::CircuitOpen)),
            breaker.state()
        );
    });
}

fn child(host: &str, url: &str, mode: &str) -> String {
    child_result(
        host,
        CHILD,
        &[("CHILD_BREAKER_URL", url), ("CHILD_BREAKER_MODE", mode)],
    )
}

/// One host's failing calls open the breaker; a process on another host is then refused
/// without its operation running.
#[test]
fn hosts_in_separate_network_namespaces_share_one_breaker() {
    let tag = format!("rb{}", std::process::id());
    let Some(hosts) = Hosts::make(&tag, 2) else {
        return;
    };
    let first = child(&hosts.host(0), &hosts.url(0), "fail");
    assert_eq!(first, "shared=true ran=4 refused=false state=open");
    let second = child(&hosts.host(1), &hosts.url(1), "check");
    assert_eq!(second, "shared=true ran=0 refused=true state=open");
    drop(hosts);
}

/// After both sync, `b` sees the breaker that `a`'s outcomes opened, and refuses.
async fn expect_opened_for(a: &RedisBreaker, b: &RedisBreaker, why: &str) {
    a.sync().await;
    b.sync().await;
    assert_eq!(b.state(), BreakerState::Open, "{why}");
    assert_eq!(
        b.admit_call(Instant::now()).unwrap_err(),
        GiveUpReason::CircuitOpen
    );
}
