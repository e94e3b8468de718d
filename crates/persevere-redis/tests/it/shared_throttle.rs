//! `RedisThrottle`: clients in one process, and processes on hosts in separate network
//! namespaces, throttle on the fleet's counts kept in a real redis-server; an unreachable Redis
//! leaves the local throttle deciding, or rejects everything with `fail_closed`.

#![cfg(feature = "tokio")]

use crate::common::{Hosts, RedisServer, child_result};
use persevere::GiveUpReason;
use persevere::budget::{Budget, RetryCause};
use persevere_redis::{Options, RedisThrottle};
use std::time::{Duration, Instant};

const CHILD: &str = "shared_throttle::throttle_child";
const WINDOW: Duration = Duration::from_secs(60);

fn options() -> Options {
    Options::default()
        .sync_interval(Duration::from_millis(10))
        .sync_timeout(Duration::from_millis(200))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn connect(url: &str, key: &str, options: Options) -> RedisThrottle {
    RedisThrottle::connect(url, key, 2.0, WINDOW, options)
        .await
        .unwrap()
}

#[test]
fn clients_throttle_on_the_fleets_counts() {
    let server = RedisServer::start();
    runtime().block_on(async {
        let a = connect(&server.url(), "fleet", options()).await;
        let b = connect(&server.url(), "fleet", options()).await;
        assert!(a.is_shared() && b.is_shared());
        let now = Instant::now();
        // a: 100 calls served, then 300 timed out.
        for _ in 0..100 {
            a.on_call(now);
            a.on_success(None, now);
        }
        for _ in 0..300 {
            a.on_call(now);
            a.on_failure(RetryCause::Timeout, now);
        }
        a.sync().await;
        b.sync().await;
        // b made no call, and sees the fleet's counts: the SRE rule on them, exactly.
        assert_eq!(b.counts(now), (400, 100));
        assert_eq!(b.rejection_probability(now), 200.0 / 401.0);
        // A failure is never an accept, whatever its cause (an overloaded server's fast
        // rejections are not service), as in the core; a success is.
        b.on_call(now);
        b.on_failure(RetryCause::Transient, now);
        assert_eq!(b.counts(now), (401, 100));
        b.on_call(now);
        b.on_success(None, now);
        assert_eq!(b.counts(now), (402, 101));
        b.sync().await;
        a.sync().await;
        assert_eq!(a.counts(now), (402, 101));
        assert_eq!(
            server.command(&["EXISTS", "fleet"]).unwrap(),
            "1",
            "the window is in Redis"
        );
    });
}

#[test]
fn an_unreachable_redis_leaves_the_local_throttle_or_rejects() {
    runtime().block_on(async {
        let url = "redis://127.0.0.1:1/";
        let local = connect(url, "k", options()).await;
        assert!(!local.is_shared());
        let now = Instant::now();
        for _ in 0..10 {
            local.on_call(now);
            local.on_success(None, now);
        }
        assert_eq!(local.counts(now), (10, 10), "the local throttle counts");
        assert!(
            local.admit_call(now).is_ok(),
            "a served backend is not throttled"
        );
        let closed = connect(url, "k", options().fail_closed(true)).await;
        assert_eq!(closed.admit_call(now).unwrap_err(), GiveUpReason::Throttled);
    });
}

/// A client process: `load` counts 1000 calls the backend did not serve; `check` asks 100
/// gated attempts and reports the fleet's counts it saw and how many it rejected.
#[test]
fn throttle_child() {
    let Ok(url) = std::env::var("CHILD_THROTTLE_URL") else {
        return;
    };
    let mode = std::env::var("CHILD_THROTTLE_MODE").unwrap();
    runtime().block_on(async {
        let throttle = connect(&url, "hosts", options()).await;
        let now = Instant::now();
        if mode == "load" {
            for _ in 0..1000 {
                throttle.on_call(now);
                throttle.on_failure(RetryCause::Timeout, now);
            }
            throttle.sync().await;
            println!("RESULT shared={}", throttle.is_shared());
            return;
        }
        let (requests, accepts) = throttle.counts(now);
        let rejected = (0..100)
            .filter(|_| throttle.admit_call(now).is_err())
            .count();
        println!(
            "RESULT shared={} requests={requests} accepts={accepts} rejected={rejected}",
            throttle.is_shared()
        );
    });
}

fn child(host: &str, url: &str, mode: &str) -> String {
    child_result(
        host,
        CHILD,
        &[("CHILD_THROTTLE_URL", url), ("CHILD_THROTTLE_MODE", mode)],
    )
}

/// One host's unserved calls make a process on another host, which has made none, reject
/// nearly every attempt (p = 1000/1001 and rising).
#[test]
fn hosts_in_separate_network_namespaces_share_one_throttle() {
    let tag = format!("rt{}", std::process::id());
    let Some(hosts) = Hosts::make(&tag, 2) else {
        return;
    };
    assert_eq!(child(&hosts.host(0), &hosts.url(0), "load"), "shared=true");
    let seen = child(&hosts.host(1), &hosts.url(1), "check");
    let field = |name: &str| -> u64 {
        seen.split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(seen.starts_with("shared=true"), "{seen}");
    assert_eq!((field("requests"), field("accepts")), (1000, 0), "{seen}");
    assert!(field("rejected") >= 90, "{seen}");
    drop(hosts);
}
