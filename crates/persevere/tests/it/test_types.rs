//! One policy, many operations: a policy's types follow its parts (issue "One policy, many
//! operations"). Each test names the user complaint it answers.

use persevere::testing::VirtualClock;
use persevere::{
    Attempt, BoxedOnError, Details, Expo, GiveUpReason, Jitter, OnError, constant, expo, on_error,
    on_predicate,
};
use std::cell::{Cell, RefCell};
use std::error::Error;
use std::fmt;
use std::io;
use std::num::ParseIntError;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|s| Duration::from_secs(*s)).collect()
}

static CLOCK: LazyLock<VirtualClock> = LazyLock::new(VirtualClock::new);

// Complaint 2: a `static` policy could serve only the `T` and `E` of its first use.
static SHARED: LazyLock<OnError<Expo, (), (), VirtualClock>> = LazyLock::new(|| {
    on_error(expo())
        .max_tries(3)
        .jitter(Jitter::None)
        .clock(CLOCK.clone())
});

/// Fails `failures` times with `make_error`, then returns `value`.
fn flaky<T: Clone, E>(
    failures: u32,
    value: T,
    make_error: impl Fn() -> E,
) -> impl FnMut() -> Result<T, E> {
    let mut calls = 0;
    move || {
        calls += 1;
        if calls <= failures {
            Err(make_error())
        } else {
            Ok(value.clone())
        }
    }
}

fn fetch_name() -> Result<String, io::Error> {
    SHARED.retry(flaky(1, "inventory".to_string(), || {
        io::Error::other("down")
    }))
}

fn parse_count() -> Result<i32, ParseIntError> {
    SHARED.retry(flaky(2, 42, || "x".parse::<i32>().unwrap_err()))
}

fn store() -> Result<(), io::Error> {
    SHARED.retry(flaky(5, (), || io::Error::other("locked")))
}

#[test]
fn a_static_policy_serves_functions_of_three_value_types_and_two_error_types() {
    let before = CLOCK.sleeps().len();
    assert_eq!(fetch_name().unwrap(), "inventory");
    assert_eq!(parse_count().unwrap(), 42);
    assert_eq!(store().unwrap_err().to_string(), "locked");
    // 1 + 2 + 2 sleeps (the third call gives up after max_tries 3).
    assert_eq!(CLOCK.sleeps()[before..], secs(&[1, 1, 2, 1, 2]));
}

#[test]
fn one_policy_in_an_arc_serves_threads_with_different_types() {
    let policy = Arc::new(on_error(constant(Duration::ZERO)).max_tries(4));
    let words = {
        let policy = policy.clone();
        std::thread::spawn(move || policy.retry(flaky(3, "ok".to_string(), || "busy")))
    };
    let numbers = {
        let policy = policy.clone();
        std::thread::spawn(move || policy.retry(flaky(2, 7u64, || io::ErrorKind::TimedOut)))
    };
    assert_eq!(words.join().unwrap(), Ok("ok".to_string()));
    assert_eq!(numbers.join().unwrap(), Ok(7));
}

// Complaint 1: handlers could not count into local state.
#[test]
fn handlers_filters_limits_and_jitter_borrow_local_state_in_a_blocking_call() {
    let backoffs = Cell::new(0u32);
    let waits = RefCell::new(Vec::new());
    let gave_up = Cell::new(None);
    let transient = ["busy", "locked"];
    let budget_of_tries = 4;
    let jitter_calls = Cell::new(0);
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_secs(2)))
        .when(|e: &&str| transient.contains(e))
        .max_tries(|| budget_of_tries)
        .jitter(Jitter::custom(|d, _| {
            jitter_calls.set(jitter_calls.get() + 1);
            d / 2
        }))
        .on_backoff(|d| {
            backoffs.set(backoffs.get() + 1);
            waits.borrow_mut().push(d.wait().unwrap());
        })
        .on_giveup(|d| gave_up.set(d.reason()))
        .clock(clock.clone());
    let r: Result<(), &str> = policy.retry(|| Err("busy"));
    assert_eq!(r, Err("busy"));
    assert_eq!(backoffs.get(), 3);
    assert_eq!(*waits.borrow(), [Duration::from_secs(1); 3]);
    assert_eq!(jitter_calls.get(), 3);
    assert_eq!(gave_up.get(), Some(GiveUpReason::MaxTries));
    // An error the borrowed list does not hold is returned at once.
    assert_eq!(policy.retry(|| Err::<(), _>("fatal")), Err("fatal"));
    assert_eq!(backoffs.get(), 3);
}

/// A `Send` check that only compiles for `Send` values.
fn assert_send_sync<T: Send + Sync>(value: T) -> T {
    value
}

#[test]
fn a_policy_is_send_and_sync_exactly_when_its_parts_are() {
    // Shareable parts: the policy is Send + Sync + 'static and can go into a static or a thread.
    let counter = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = counter.clone();
    let shared = assert_send_sync(on_error(constant(Duration::ZERO)).max_tries(2).on_backoff(
        move |_: &Details<'_, (), &str>| {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        },
    ));
    std::thread::spawn(move || shared.retry(|| Err::<(), _>("x")))
        .join()
        .unwrap()
        .unwrap_err();
    assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), 1);
    // A handler holding an `Rc` makes a policy that stays on its thread (see the compile_fail
    // example on `Policy`); it still runs there.
    let local = std::rc::Rc::new(Cell::new(0));
    let seen = local.clone();
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .on_backoff(move |_| seen.set(seen.get() + 1));
    let _: Result<(), &str> = policy.retry(|| Err("x"));
    assert_eq!(local.get(), 1);
}

// Complaint 4: under paused tokio time, `max_time` read the real clock (50 calls, not 5).
#[tokio::test(start_paused = true)]
async fn max_time_runs_on_paused_tokio_time_with_the_default_sleeper() {
    let start = tokio::time::Instant::now();
    let waits = RefCell::new(Vec::new());
    let mut calls = 0;
    let r: Result<(), &str> = on_error(expo())
        .max_time(Duration::from_secs(10))
        .jitter(Jitter::None)
        .on_backoff(|d| waits.borrow_mut().push(d.wait().unwrap()))
        .retry_async(|| {
            calls += 1;
            async { Err("down") }
        })
        .await;
    assert_eq!(r, Err("down"));
    assert_eq!(calls, 5);
    assert_eq!(*waits.borrow(), secs(&[1, 2, 4, 3]));
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

// Complaint 5: retrying only some kinds of an error needed a hand-written chain walk.
#[derive(Debug)]
struct FetchError {
    source: io::Error,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fetch failed")
    }
}

impl Error for FetchError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

#[test]
fn on_if_retries_an_error_kind_found_anywhere_in_the_chain() {
    let policy = on_error(constant(Duration::from_secs(1)))
        .on_if(|e: &io::Error| {
            matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused | io::ErrorKind::TimedOut
            )
        })
        .max_tries(3)
        .clock(VirtualClock::new());
    let calls_with = |kind: io::ErrorKind| {
        let mut calls = 0;
        let _: Result<(), FetchError> = policy.retry(|| {
            calls += 1;
            Err(FetchError {
                source: kind.into(),
            })
        });
        calls
    };
    assert_eq!(calls_with(io::ErrorKind::ConnectionRefused), 3);
    assert_eq!(calls_with(io::ErrorKind::TimedOut), 3);
    assert_eq!(calls_with(io::ErrorKind::NotFound), 1);
    // The same policy, boxed errors: the kind filter fixes no error type.
    let mut calls = 0;
    let _: Result<(), Box<dyn Error + Send + Sync>> = policy.retry(|| {
        calls += 1;
        Err(io::Error::from(io::ErrorKind::ConnectionRefused).into())
    });
    assert_eq!(calls, 3);
}

#[test]
fn on_if_combines_with_on_as_any_of() {
    let policy = on_error(constant(Duration::ZERO))
        .on::<ParseIntError>()
        .on_if(|e: &io::Error| e.kind() == io::ErrorKind::TimedOut)
        .max_tries(2);
    let mut calls = 0;
    let _: Result<(), Box<dyn Error>> = policy.retry(|| {
        calls += 1;
        Err("x".parse::<i32>().unwrap_err().into())
    });
    assert_eq!(calls, 2);
}

// Complaint 6: the operation could not learn its attempt or the time left.
#[test]
fn the_attempt_aware_driver_passes_the_time_left_to_the_operation() {
    let clock = VirtualClock::new();
    let mut seen = Vec::new();
    let r: Result<u32, &str> = on_error(constant(Duration::from_secs(2)))
        .max_time(Duration::from_secs(10))
        .jitter(Jitter::None)
        .clock(clock.clone())
        .retry_with(|attempt: Attempt| {
            seen.push((attempt.number(), attempt.time_left()));
            clock.advance(Duration::from_secs(1)); // each attempt takes a second
            if attempt.number() < 3 {
                Err("busy")
            } else {
                Ok(attempt.number())
            }
        });
    assert_eq!(r, Ok(3));
    let left = |s| Some(Duration::from_secs(s));
    assert_eq!(seen, [(1, left(10)), (2, left(7)), (3, left(4))]);
}

#[tokio::test(start_paused = true)]
async fn the_async_attempt_aware_driver_passes_the_time_left_on_tokio_time() {
    let r: Result<Vec<Option<Duration>>, &str> = {
        let mut seen = Vec::new();
        on_error(constant(Duration::from_secs(3)))
            .max_time(Duration::from_secs(10))
            .jitter(Jitter::None)
            .retry_async_with(move |attempt| {
                seen.push(attempt.time_left());
                let done = attempt.number() == 3;
                let so_far = seen.clone();
                async move { if done { Ok(so_far) } else { Err("busy") } }
            })
            .await
    };
    let left = |s| Some(Duration::from_secs(s));
    assert_eq!(r.unwrap(), [left(10), left(7), left(4)]);
}

// Complaint 3: storing a policy meant spelling six type parameters.
struct Client {
    policy: BoxedOnError<u32, io::Error>,
}

#[test]
fn a_boxed_policy_has_one_name_whatever_its_filters_handlers_and_clock() {
    let clock = VirtualClock::new();
    let backoffs = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = backoffs.clone();
    let with_everything = Client {
        policy: on_error(expo())
            .on::<io::Error>()
            .when(|e: &io::Error| e.kind() != io::ErrorKind::NotFound)
            .max_tries(3)
            .on_backoff(move |_| {
                seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            })
            .clock(clock.clone())
            .boxed(),
    };
    let plain = Client {
        policy: on_error(expo()).boxed(),
    };
    let r = with_everything
        .policy
        .retry(flaky(5, 1, || io::Error::other("down")));
    assert_eq!(r.unwrap_err().to_string(), "down");
    assert_eq!(backoffs.load(std::sync::atomic::Ordering::Relaxed), 2);
    assert_eq!(clock.sleeps().len(), 2);
    assert_eq!(plain.policy.retry(|| Ok(5)).unwrap(), 5);
    // A clone shares the parts.
    let copy = with_everything.policy.clone();
    let _ = copy.retry(|| Err(io::ErrorKind::NotFound.into()));
    assert_eq!(clock.sleeps().len(), 2, "NotFound is not retried");
}

#[test]
fn a_boxed_policy_keeps_a_custom_strategy_and_the_catalogues() {
    let clock = VirtualClock::new();
    let custom: BoxedOnError<(), &str> = on_error(expo().take(2).map(|d| d * 3))
        .jitter(Jitter::None)
        .clock(clock.clone())
        .boxed();
    let _ = custom.retry(|| Err("x"));
    assert_eq!(clock.sleeps(), secs(&[3, 6]), "exhausted after two waits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boxed_policy_is_spawned_on_a_multi_thread_runtime() {
    let policy: Arc<BoxedOnError<u32, String>> = Arc::new(
        on_error(constant(Duration::from_millis(1)))
            .max_tries(3)
            .boxed(),
    );
    let task = tokio::spawn(async move {
        let mut calls = 0;
        policy
            .retry_async(|| {
                calls += 1;
                let n = calls;
                async move {
                    if n < 3 {
                        Err(format!("try {n}"))
                    } else {
                        Ok(n)
                    }
                }
            })
            .await
    });
    assert_eq!(task.await.unwrap(), Ok(3));
}

#[test]
fn fixing_types_lets_later_closures_go_unannotated() {
    #[derive(Debug)]
    struct MyError {
        transient: bool,
        fatal: bool,
    }
    let policy = on_error(constant(Duration::ZERO))
        .when(|e: &MyError| e.transient)
        .giveup(|e| e.fatal)
        .on_giveup(|d| assert!(d.error().is_some_and(|e| e.fatal)));
    let r: Result<(), MyError> = policy.retry(|| {
        Err(MyError {
            transient: true,
            fatal: true,
        })
    });
    assert!(r.unwrap_err().fatal);
    let polls = on_predicate(constant(Duration::ZERO))
        .value_type::<Option<u8>>()
        .predicate(|v| v.is_none_or(|n| n < 3))
        .max_tries(5);
    let mut n = 0;
    assert_eq!(
        polls.retry(|| {
            n += 1;
            Some(n)
        }),
        Some(3)
    );
}
