//! One process against a real redis-server: the scripts keep the core's rules, keys expire,
//! windows are checked, leases are granted, given back and paid from; and a decision makes no
//! round trip.

#![cfg(feature = "tokio")]

use crate::common::{RedisServer, wait_until};
use persevere::budget::{Budget, RetryCause};
use persevere_redis::blocking::RatioStore;
use persevere_redis::{Error, Kind, Options, RedisBudget};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(10);
const T: RetryCause = RetryCause::Transient;

fn store(server: &RedisServer, key: &str, min_per_sec: u32) -> RatioStore {
    RatioStore::open(&server.url(), key, TTL, min_per_sec, Duration::from_secs(2)).unwrap()
}

#[test]
fn the_blocking_store_is_the_ratio_budget_fleet_wide() {
    let server = RedisServer::start();
    let mut a = store(&server, "exact", 0);
    let mut b = store(&server, "exact", 0);
    // 9 calls at 20 % earn 1.8 retries: one is granted, whoever asks.
    for _ in 0..9 {
        a.deposit(200).unwrap();
    }
    assert!(b.take_retry().unwrap());
    assert!(!a.take_retry().unwrap());
    assert_eq!(b.balance().unwrap(), 0.8);
    // The floor is the reserve of min_per_sec * ttl retries, once for the whole fleet.
    let mut floor = store(&server, "floor", 2);
    let granted = (0..30).filter(|_| floor.take_retry().unwrap()).count();
    assert_eq!(granted, 20);
}

#[test]
fn keys_expire_two_windows_after_their_last_use() {
    let server = RedisServer::start();
    let mut s = store(&server, "expiring", 0);
    s.deposit(200).unwrap();
    let pttl: i64 = server
        .command(&["PTTL", "expiring"])
        .unwrap()
        .parse()
        .unwrap();
    assert!(pttl > 19_000 && pttl <= 20_000, "PTTL {pttl}");
}

#[test]
fn clients_of_a_key_must_agree_on_the_window() {
    let server = RedisServer::start();
    let _ten = store(&server, "window", 0);
    let err = RatioStore::open(
        &server.url(),
        "window",
        Duration::from_secs(5),
        0,
        Duration::from_secs(2),
    )
    .err()
    .unwrap();
    assert!(matches!(err, Error::WindowMismatch(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "budget window mismatch: this budget has slots of 1000 ms (a window ten times that), \
         not 500 ms"
    );
}

#[test]
fn bad_urls_and_options_are_errors_an_unreachable_server_is_not() {
    let rt = runtime();
    let kind = Kind::ratio(0.2, 0, TTL).unwrap();
    let err = rt
        .block_on(RedisBudget::connect("http://x/", "k", kind.clone()))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidUrl(_)), "{err}");
    let options = Options::default().sync_interval(Duration::ZERO);
    let err = rt
        .block_on(RedisBudget::connect_with(
            "redis://127.0.0.1:1/",
            "k",
            kind.clone(),
            options,
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`sync_interval` must be from 1 ms to 10 s, got 0ns"
    );
    // Nothing listens on port 1: the budget starts on its fallback.
    let options = Options::default().sync_timeout(Duration::from_millis(200));
    let budget = rt
        .block_on(RedisBudget::connect_with(
            "redis://127.0.0.1:1/",
            "k",
            kind,
            options,
        ))
        .unwrap();
    assert!(!budget.is_shared());
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_lease_is_taken_from_the_shared_budget_and_given_back() {
    let server = RedisServer::start();
    let rt = runtime();
    rt.block_on(async {
        let mut exact = store(&server, "lease", 0);
        for _ in 0..50 {
            exact.deposit(200).unwrap(); // 10 retries
        }
        let options = Options::default().max_lease(4);
        let kind = Kind::ratio(0.2, 0, TTL).unwrap();
        let budget = RedisBudget::connect_with(&server.url(), "lease", kind, options)
            .await
            .unwrap();
        assert!(budget.is_shared());
        // An idle client leases one retry.
        assert_eq!(budget.lease(), 1.0);
        assert_eq!(budget.level(), 9.0);
        assert_eq!(exact.balance().unwrap(), 9.0);
        // Demand grows the lease: twice the last interval's, up to max_lease.
        let now = Instant::now();
        assert!(budget.withdraw(T, now).is_some());
        assert!(budget.withdraw(T, now).is_none());
        budget.sync().await;
        assert_eq!(budget.lease(), 4.0);
        assert_eq!(exact.balance().unwrap(), 5.0);
        budget.close().await;
        assert_eq!(exact.balance().unwrap(), 9.0);
    });
}

#[test]
fn a_shared_token_bucket_keeps_the_aws_rules() {
    let server = RedisServer::start();
    let rt = runtime();
    rt.block_on(async {
        let options = Options::default().max_lease(100);
        let url = server.url();
        let a = RedisBudget::connect_with(&url, "aws", Kind::aws_standard(), options);
        let b = RedisBudget::connect_with(&url, "aws", Kind::aws_standard(), options);
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let now = Instant::now();
        // Two clients drain one bucket of 500 tokens at 5 a retry: 100 retries in all.
        let mut granted = 0;
        for _ in 0..400 {
            for client in [&a, &b] {
                if client.withdraw(T, now).is_some() {
                    granted += 1;
                }
            }
            if granted < 100 {
                a.sync().await;
                b.sync().await;
            }
        }
        assert_eq!(granted, 100);
        // A success after a retry returns its cost to the bucket that both share.
        a.on_success(Some(persevere::budget::Withdrawal::new(5_000)), now);
        a.close().await;
        b.sync().await;
        assert!(b.withdraw(T, now).is_some());
        assert!(b.withdraw(T, now).is_none());
        b.close().await;
        let tokens = server.command(&["HGET", "aws", "tokens"]).unwrap();
        assert_eq!(tokens, "0");
    });
}

#[test]
fn a_full_bucket_with_leases_out_holds_no_more_than_its_capacity() {
    let server = RedisServer::start();
    let rt = runtime();
    rt.block_on(async {
        let url = server.url();
        let options = Options::default().max_lease(10);
        let a = RedisBudget::connect_with(&url, "cap", Kind::aws_standard(), options)
            .await
            .unwrap();
        assert_eq!(a.lease(), 5.0); // one retry's cost is out on lease
        // Successes would overfill: the bucket stops at 500 less what is out on lease.
        for _ in 0..20 {
            a.on_success(None, Instant::now());
        }
        a.sync().await;
        let tokens: f64 = server
            .command(&["HGET", "cap", "tokens"])
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(tokens / 1000.0 + a.lease(), 500.0);
        a.close().await;
    });
}

#[test]
fn a_decision_and_a_success_make_no_round_trip() {
    let server = RedisServer::start();
    let rt = runtime();
    rt.block_on(async {
        let options = Options::default()
            .sync_interval(Duration::from_secs(5))
            .max_lease(1_000);
        let kind = Kind::ratio(0.2, 100, TTL).unwrap();
        let budget = RedisBudget::connect_with(&server.url(), "quiet", kind, options)
            .await
            .unwrap();
        let before = server.calls("evalsha") + server.calls("eval");
        let now = Instant::now();
        for _ in 0..1_000 {
            budget.on_call(now);
            budget.on_success(None, now);
        }
        let granted = (0..10)
            .filter(|_| budget.withdraw(T, now).is_some())
            .count();
        assert_eq!(granted, 1, "an idle client leases one retry");
        let after = server.calls("evalsha") + server.calls("eval");
        assert_eq!(
            after, before,
            "calls, successes and grants made round trips"
        );
        assert!(wait_until(Duration::from_secs(5), || budget.is_shared()));
    });
}

/// A grant that finds the lease dry brings the next exchange forward: a quarter of the
/// interval after the last one, not a whole interval (the wake of the sync task).
#[test]
fn a_dry_lease_brings_the_next_exchange_forward() {
    let server = RedisServer::start();
    let rt = runtime();
    rt.block_on(async {
        let ttl = Duration::from_secs(60);
        let mut exact =
            RatioStore::open(&server.url(), "dry", ttl, 0, Duration::from_secs(2)).unwrap();
        for _ in 0..50 {
            exact.deposit(200).unwrap(); // 10 retries
        }
        let interval = Duration::from_secs(8);
        let options = Options::default().max_lease(4).sync_interval(interval);
        let kind = Kind::ratio(0.2, 0, ttl).unwrap();
        let connected = Instant::now();
        let budget = RedisBudget::connect_with(&server.url(), "dry", kind, options)
            .await
            .unwrap();
        let exchanges = server.calls("evalsha");
        let now = Instant::now();
        assert!(budget.withdraw(T, now).is_some(), "the one retry leased");
        assert!(budget.withdraw(T, now).is_none(), "dry: the task is woken");
        // The scheduled exchange would come at 8 s; the early one at 2 s.
        let early = tokio::time::timeout(Duration::from_secs(7), async {
            while server.calls("evalsha") == exchanges {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(early.is_ok(), "an exchange before the interval");
        assert!(
            connected.elapsed() >= interval / 4 - Duration::from_millis(100),
            "not sooner than a quarter interval after the last exchange: {:?}",
            connected.elapsed()
        );
        // Demand grew the lease, as at a scheduled exchange.
        tokio::time::timeout(Duration::from_secs(5), async {
            while budget.lease() != 4.0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("a lease of twice the demand, at most max_lease");
        budget.close().await;
    });
}
