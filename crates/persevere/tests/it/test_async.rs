//! The async drivers: Python's async suite (tests/test_backoff_async.py) translated, plus
//! spawning, `&mut` state, cancellation and the real sleepers.

use crate::common;

use common::{Recorder, secs};
use persevere::testing::VirtualClock;
use persevere::{Jitter, Next, constant, expo, intervals, on_error, on_predicate};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::test]
async fn on_exception_retries_until_success() {
    let mut calls = 0;
    let rec = Recorder::<bool, &str>::new();
    let policy = recorded!(on_error(expo()).clock(VirtualClock::new()), &rec);
    let result = policy
        .retry_async(|| {
            calls += 1;
            let n = calls;
            async move { if n <= 3 { Err("KeyError") } else { Ok(true) } }
        })
        .await;
    assert_eq!(result, Ok(true));
    assert_eq!(rec.counts(), (1, 3, 0));
}

#[tokio::test]
async fn on_exception_max_tries_and_giveup_details() {
    let rec = Recorder::<(), &str>::new();
    let clock = VirtualClock::new();
    let policy = recorded!(
        on_error(constant(Duration::from_secs(2)))
            .max_tries(3)
            .jitter(Jitter::None)
            .clock(clock.clone()),
        &rec,
    );
    let calls = AtomicU32::new(0);
    let result = policy
        .retry_async(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err("ValueError")
        })
        .await;
    assert_eq!(result, Err("ValueError"));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(rec.counts(), (0, 2, 1));
    assert_eq!(rec.giveups()[0].tries, 3);
    assert_eq!(rec.giveups()[0].elapsed, Duration::from_secs(4));
    assert_eq!(clock.sleeps(), secs(&[2, 2]));
}

#[tokio::test]
async fn on_predicate_constant_iterable_sleeps_exactly() {
    let clock = VirtualClock::new();
    let calls = AtomicU32::new(0);
    let last = on_predicate(intervals(secs(&[1, 2, 3, 6, 9])))
        .jitter(Jitter::None)
        .clock(clock.clone())
        .retry_async(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            None::<u8>
        })
        .await;
    assert_eq!(last, None);
    assert_eq!(calls.load(Ordering::SeqCst), 6);
    assert_eq!(clock.sleeps(), secs(&[1, 2, 3, 6, 9]));
}

#[tokio::test]
async fn on_predicate_max_tries_callable() {
    let calls = AtomicU32::new(0);
    let last = on_predicate(expo())
        .max_tries(|| 3)
        .clock(VirtualClock::new())
        .retry_async(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            false
        })
        .await;
    assert!(!last);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

/// A client whose method retries through `&self`: the future borrows the client.
struct Client {
    calls: AtomicU32,
    clock: VirtualClock,
}

impl Client {
    async fn fetch(&self) -> Result<u32, String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::task::yield_now().await;
        if n < 3 {
            Err(format!("503 on call {n}"))
        } else {
            Ok(n)
        }
    }

    async fn fetch_with_retry(&self) -> Result<u32, String> {
        on_error(expo())
            .max_tries(5)
            .jitter(Jitter::None)
            .clock(self.clock.clone())
            .retry_async(|| self.fetch())
            .await
    }
}

#[test]
fn a_retry_borrowing_an_arc_held_client_is_spawned_on_a_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let client = Arc::new(Client {
        calls: AtomicU32::new(0),
        clock: VirtualClock::new(),
    });
    let task = {
        let client = client.clone();
        runtime.spawn(async move { client.fetch_with_retry().await })
    };
    assert_eq!(runtime.block_on(task).unwrap(), Ok(3));
    assert_eq!(client.calls.load(Ordering::SeqCst), 3);
    assert_eq!(client.clock.sleeps(), secs(&[1, 2]));
}

#[cfg(feature = "tokio")] // the default async sleeper is tokio's
#[test]
fn retry_async_futures_are_send_with_the_default_sleeper() {
    let policy = on_error(expo()).max_tries(2);
    let client = Client {
        calls: AtomicU32::new(0),
        clock: VirtualClock::new(),
    };
    // Never polled: this checks the type, so no runtime is needed.
    let future = assert_send(policy.retry_async(|| client.fetch()));
    drop(future);
}

#[tokio::test]
async fn retry_async_mut_lends_mutable_state() {
    struct Connection {
        queries: Vec<&'static str>,
    }
    impl Connection {
        async fn query(&mut self) -> Result<usize, &'static str> {
            self.queries.push("SELECT 1");
            if self.queries.len() < 3 {
                Err("database is locked")
            } else {
                Ok(self.queries.len())
            }
        }
    }
    let mut conn = Connection {
        queries: Vec::new(),
    };
    let clock = VirtualClock::new();
    let result = on_error(constant(Duration::from_millis(50)))
        .jitter(Jitter::None)
        .clock(clock.clone())
        .retry_async_mut(async || conn.query().await)
        .await;
    assert_eq!(result, Ok(3));
    assert_eq!(conn.queries.len(), 3);
    assert_eq!(clock.sleeps(), [Duration::from_millis(50); 2]);
}

#[tokio::test]
async fn the_async_code_block_form() {
    let clock = VirtualClock::new();
    let policy = on_error(expo())
        .max_tries(4)
        .jitter(Jitter::None)
        .clock(clock.clone());
    let mut attempts = 0;
    let mut retrying = policy.begin();
    let result = loop {
        attempts += 1;
        let outcome: Result<u32, &str> = if attempts < 3 {
            Err("busy")
        } else {
            Ok(attempts)
        };
        match retrying.check(outcome) {
            Next::Done(result) => break result,
            Next::Retry(wait) => retrying.sleep_async(wait).await,
        }
    };
    assert_eq!(result, Ok(3));
    assert_eq!(clock.sleeps(), secs(&[1, 2]));
}

#[cfg(feature = "tokio")] // the default async sleeper is tokio's
#[tokio::test(start_paused = true)]
async fn dropping_the_future_stops_attempts_and_handlers() {
    let calls = Arc::new(AtomicU32::new(0));
    let rec = Recorder::<(), &str>::new();
    let policy = recorded!(
        on_error(constant(Duration::from_secs(1))).jitter(Jitter::None),
        &rec,
    );
    let counter = calls.clone();
    let attempt = move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Err("down")
        }
    };
    let timed_out =
        tokio::time::timeout(Duration::from_millis(1500), policy.retry_async(attempt)).await;
    assert!(timed_out.is_err());
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "attempts at 0 s and 1 s only"
    );
    assert_eq!(rec.counts(), (0, 2, 0), "no give-up after cancellation");
}

#[cfg(feature = "tokio")] // the default async sleeper is tokio's
#[tokio::test(start_paused = true)]
async fn the_tokio_sleeper_really_waits() {
    let start = tokio::time::Instant::now();
    let calls = AtomicU32::new(0);
    let result = on_error(constant(Duration::from_secs(5)))
        .jitter(Jitter::None)
        .max_tries(3)
        .retry_async(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>("down")
        })
        .await;
    assert_eq!(result, Err("down"));
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

#[cfg(feature = "tokio")] // the default async sleeper is tokio's
#[tokio::test(start_paused = true)]
async fn a_saturated_wait_does_not_panic_the_tokio_timer() {
    let policy = on_error(constant(Duration::MAX))
        .jitter(Jitter::None)
        .max_tries(2);
    let sleeping = policy.retry_async(|| async { Err::<(), _>("down") });
    assert!(
        tokio::time::timeout(Duration::from_secs(3600), sleeping)
            .await
            .is_err()
    );
}

#[cfg(feature = "async-io")]
#[test]
fn the_async_io_sleeper_really_waits() {
    let start = std::time::Instant::now();
    let policy = on_error(constant(Duration::from_millis(5)))
        .jitter(Jitter::None)
        .max_tries(3)
        .sleeper(persevere::time::AsyncIoSleeper);
    let result = policy.retry_async(|| async { Err::<(), _>("down") });
    assert_eq!(futures_lite::future::block_on(result), Err("down"));
    assert!(start.elapsed() >= Duration::from_millis(10));
}

#[test]
fn the_system_clock_really_waits() {
    let start = std::time::Instant::now();
    let result = on_error(constant(Duration::from_millis(5)))
        .jitter(Jitter::None)
        .max_tries(3)
        .sleeper(persevere::SystemClock)
        .retry(|| Err::<(), _>("down"));
    assert_eq!(result, Err("down"));
    assert!(start.elapsed() >= Duration::from_millis(10));
}
