//! `async fn`s: the expansion is the async code-block form, so the future is `Send` whenever
//! the body's is, and it retries exactly as `retry_async` does.

use futures_lite::future::block_on;
use persevere::testing::VirtualClock;
use persevere::{expo, on_error};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
enum InventoryError {
    Db,
    Http,
}

impl InventoryError {
    fn is_db(&self) -> bool {
        *self == InventoryError::Db
    }
    fn is_http(&self) -> bool {
        *self == InventoryError::Http
    }
}

struct Inventory;

/// Outcomes in order, shared by the tasks of a test.
struct Store {
    clock: VirtualClock,
    outcomes: Mutex<Vec<Result<(), InventoryError>>>,
    calls: AtomicU32,
}

impl Store {
    fn new(outcomes: &[Result<(), InventoryError>]) -> Self {
        let mut outcomes = outcomes.to_vec();
        outcomes.reverse();
        Store {
            clock: VirtualClock::new(),
            outcomes: Mutex::new(outcomes),
            calls: AtomicU32::new(0),
        }
    }

    async fn write(&self, _inv: &Inventory) -> Result<(), InventoryError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let next = self.outcomes.lock().unwrap().pop();
        std::future::ready(next.unwrap_or(Ok(()))).await
    }

    // design.md's stacked snippet, with a clock and seeds added.
    #[persevere::on_error(expo, when = InventoryError::is_db, max_tries = 5, clock = self.clock, seed = 1)]
    #[persevere::on_error(expo(factor = 0.5, max_value = 10), when = InventoryError::is_http, max_time = 60, clock = self.clock, seed = 2)]
    async fn save_inventory_counts(&self, inv: &Inventory) -> Result<(), InventoryError> {
        self.write(inv).await
    }
}

#[test]
fn save_inventory_counts_behaves_like_its_builder_form() {
    use InventoryError::{Db, Http};
    let script = [
        Err(Http),
        Err(Http),
        Err(Db),
        Err(Http),
        Err(Db),
        Err(Db),
        Ok(()),
    ];
    let store = Store::new(&script);
    let save = assert_send(store.save_inventory_counts(&Inventory));
    assert_eq!(block_on(save), Ok(()));

    let builder = Store::new(&script);
    let db = on_error(expo())
        .when(InventoryError::is_db)
        .max_tries(5)
        .clock(builder.clock.clone())
        .seed(1);
    let http = on_error(
        expo()
            .factor(Duration::from_millis(500))
            .max_value(Duration::from_secs(10)),
    )
    .when(InventoryError::is_http)
    .max_time(Duration::from_secs(60))
    .clock(builder.clock.clone())
    .seed(2);
    let want = block_on(db.retry_async(|| http.retry_async(|| builder.write(&Inventory))));
    assert_eq!(want, Ok(()));
    assert_eq!(store.calls.load(Ordering::SeqCst), 7);
    assert_eq!(builder.calls.load(Ordering::SeqCst), 7);
    assert_eq!(store.clock.sleeps(), builder.clock.sleeps());
    assert_eq!(store.clock.sleeps().len(), 6);
}

#[test]
fn five_db_errors_give_up_with_the_last_one() {
    let store = Store::new(&[Err(InventoryError::Db); 9]);
    assert_eq!(
        block_on(store.save_inventory_counts(&Inventory)),
        Err(InventoryError::Db)
    );
    assert_eq!(store.calls.load(Ordering::SeqCst), 5);
}

struct Service {
    clock: VirtualClock,
    calls: AtomicU32,
}

impl Service {
    #[persevere::on_error(constant(interval = 3), jitter = none, max_tries = 4, clock = self.clock)]
    async fn fetch(&self, id: u32) -> Result<u32, String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::task::yield_now().await;
        if n < 3 {
            Err(format!("busy {n}"))
        } else {
            Ok(id * 10)
        }
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn a_decorated_async_method_is_spawned_on_a_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let service = Arc::new(Service {
        clock: VirtualClock::new(),
        calls: AtomicU32::new(0),
    });
    let task = {
        let service = service.clone();
        runtime.spawn(async move { assert_send(service.fetch(4)).await })
    };
    assert_eq!(runtime.block_on(task).unwrap(), Ok(40));
    assert_eq!(service.calls.load(Ordering::SeqCst), 3);
    assert_eq!(service.clock.sleeps(), [Duration::from_secs(3); 2]);
}

#[persevere::on_error(constant(interval = "1ms"), max_tries = 3)]
async fn with_tokio_timer(calls: &AtomicU32) -> Result<(), u32> {
    Err(calls.fetch_add(1, Ordering::SeqCst))
}

#[tokio::test]
async fn the_default_sleeper_is_tokio_s_timer() {
    let calls = AtomicU32::new(0);
    let started = tokio::time::Instant::now();
    assert_eq!(with_tokio_timer(&calls).await, Err(2));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(started.elapsed() <= Duration::from_secs(1));
}

trait Remote {
    async fn get(&self, calls: &AtomicU32) -> Result<u32, String>;
}

struct Http(VirtualClock);

impl Remote for Http {
    #[persevere::on_error(fibo, jitter = none, max_tries = 4, clock = self.0)]
    async fn get(&self, calls: &AtomicU32) -> Result<u32, String> {
        match calls.fetch_add(1, Ordering::SeqCst) {
            0..=2 => Err("503".to_owned()),
            n => Ok(n),
        }
    }
}

#[test]
fn async_fn_in_trait_impls_retry() {
    let (http, calls) = (Http(VirtualClock::new()), AtomicU32::new(0));
    assert_eq!(block_on(http.get(&calls)), Ok(3));
    assert_eq!(http.0.sleeps(), [1, 1, 2].map(Duration::from_secs));
}

#[persevere::on_predicate(constant(interval = 2), jitter = none, predicate = |n| *n < 3, clock = vc)]
async fn poll(vc: &VirtualClock, counter: &AtomicU32) -> u32 {
    counter.fetch_add(1, Ordering::SeqCst)
}

#[test]
fn async_on_predicate_retries_values() {
    let (vc, counter) = (VirtualClock::new(), AtomicU32::new(0));
    assert_eq!(block_on(poll(&vc, &counter)), 3);
    assert_eq!(vc.sleeps(), [Duration::from_secs(2); 3]);
}
