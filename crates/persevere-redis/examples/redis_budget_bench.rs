//! What a Redis-backed budget adds to a retry, against a running redis-server:
//! `redis_budget_bench redis://127.0.0.1:PORT/ [DECISIONS]`.
//!
//! Prints CSV rows `measure,value,unit`: the time of one grant from `RedisBudget` (a lease) and
//! from a local `RatioBudget`, their difference, the time of a CLI decision (`RatioStore`, one
//! round trip), and the Redis commands (`INFO commandstats`) that 100,000 successful calls
//! and their grants caused, between two syncs.

use persevere::budget::{Budget, RatioBudget, RetryCause};
use persevere_redis::blocking::RatioStore;
use persevere_redis::{Kind, Options, RedisBudget};
use std::time::{Duration, Instant};

fn script_calls(url: &str) -> u64 {
    let client = redis::Client::open(url).unwrap();
    let mut con = client.get_connection().unwrap();
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut con)
        .unwrap();
    info.lines()
        .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
        .filter_map(|l| {
            l.split("calls=")
                .nth(1)?
                .split(',')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

fn per_op(n: u64, f: impl FnMut()) -> f64 {
    let mut f = f;
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("a redis:// URL");
    let n: u64 = args.next().map_or(1_000_000, |a| a.parse().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ttl = Duration::from_secs(60);
    // A floor large enough that neither budget refuses during the run.
    let kind = Kind::ratio(0.2, 1_000_000, ttl).unwrap();
    let options = Options::default()
        .sync_interval(Duration::from_secs(10))
        .max_lease(u32::MAX / 2);
    let budget = rt
        .block_on(RedisBudget::connect_with(&url, "bench", kind, options))
        .unwrap();
    // One sync sized for the run's demand: withdraw as much as the run needs, then sync.
    let now = Instant::now();
    for _ in 0..n {
        let _ = budget.withdraw(RetryCause::Transient, now);
    }
    rt.block_on(budget.sync());
    let local = RatioBudget::new(0.2, 1_000_000, ttl);
    let t = RetryCause::Transient;
    let shared_ns = per_op(n, || {
        std::hint::black_box(budget.withdraw(t, now));
    });
    let local_ns = per_op(n, || {
        std::hint::black_box(local.withdraw(t, now));
    });
    println!("measure,value,unit");
    println!("redis_budget_grant,{shared_ns:.1},ns");
    println!("local_ratio_grant,{local_ns:.1},ns");
    println!("added_per_retry,{:.1},ns", shared_ns - local_ns);
    // Successful calls and their bookkeeping between two syncs: no command reaches Redis.
    let before = script_calls(&url);
    let calls = 100_000;
    for _ in 0..calls {
        budget.on_call(now);
        budget.on_success(None, now);
    }
    let after = script_calls(&url);
    println!("successful_calls,{calls},calls");
    println!("round_trips_for_them,{},commands", after - before);
    // The CLI's store: one round trip per decision.
    let mut store =
        RatioStore::open(&url, "bench-cli", ttl, 1_000, Duration::from_secs(1)).unwrap();
    let trips = 2_000;
    let cli_ns = per_op(trips, || {
        std::hint::black_box(store.take_retry().unwrap());
    });
    println!("cli_redis_decision,{:.1},us", cli_ns / 1000.0);
    rt.block_on(budget.close());
}
