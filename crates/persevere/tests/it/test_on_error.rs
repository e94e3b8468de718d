//! Python backoff's `on_exception` tests (tests/test_backoff.py), translated.

use crate::common;

use common::{Event, Recorder, secs};
use persevere::testing::VirtualClock;
use persevere::{Jitter, constant, expo, intervals, on_error};
use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
enum PyError {
    Key,
    Value(&'static str),
}

#[derive(Debug)]
struct KeyError;
impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyError")
    }
}
impl Error for KeyError {}

#[derive(Debug)]
struct ValueError;
impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ValueError")
    }
}
impl Error for ValueError {}

#[test]
fn on_exception_retries_until_success() {
    // test_on_exception: KeyError three times, then True.
    let mut calls = 0;
    let rec = Recorder::<bool, PyError>::new();
    let policy = recorded!(on_error(expo()).clock(VirtualClock::new()), &rec);
    let result = policy.retry(|| {
        calls += 1;
        if calls <= 3 {
            Err(PyError::Key)
        } else {
            Ok(true)
        }
    });
    assert_eq!(result, Ok(true));
    assert_eq!(calls, 4);
    assert_eq!(rec.counts(), (1, 3, 0));
}

#[test]
fn on_exception_tuple_of_types() {
    // test_on_exception_tuple: (KeyError, ValueError): KeyError, ValueError, then True.
    let mut calls = 0;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let result = on_error(expo())
        .value_type::<bool>()
        .error_type::<Box<dyn Error + Send + Sync>>()
        .on::<KeyError>()
        .on::<ValueError>()
        .clock(VirtualClock::new())
        .on_backoff(move |d| log.lock().unwrap().push(d.error().unwrap().to_string()))
        .retry(|| {
            calls += 1;
            match calls {
                1 => Err(KeyError.into()),
                2 => Err(ValueError.into()),
                _ => Ok(true),
            }
        });
    assert!(result.unwrap());
    assert_eq!(*seen.lock().unwrap(), ["KeyError", "ValueError"]);
}

#[test]
fn on_exception_max_tries_returns_the_last_error() {
    // test_on_exception_max_tries
    let mut calls = 0;
    let result: Result<(), PyError> = on_error(expo())
        .max_tries(3)
        .jitter(Jitter::None)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(PyError::Key)
        });
    assert_eq!(result, Err(PyError::Key));
    assert_eq!(calls, 3);
}

#[test]
fn on_exception_max_tries_callable() {
    // test_on_exception_max_tries_callable / test_on_exception_callable_max_tries
    let mut calls = 0;
    let result: Result<(), PyError> = on_error(expo())
        .max_tries(|| 3)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(PyError::Key)
        });
    assert_eq!(result, Err(PyError::Key));
    assert_eq!(calls, 3);
}

#[test]
fn callable_max_tries_is_read_once_per_call() {
    // test_on_exception_callable_max_tries_reads_every_time
    let lookups = Arc::new(AtomicU32::new(0));
    let counter = lookups.clone();
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            3
        })
        .clock(VirtualClock::new());
    let _: Result<(), PyError> = policy.retry(|| Err(PyError::Key));
    let _: Result<(), PyError> = policy.retry(|| Err(PyError::Key));
    assert_eq!(lookups.load(Ordering::SeqCst), 2);
}

#[test]
fn on_exception_constant_iterable_gives_up_when_exhausted() {
    // test_on_exception_constant_iterable: interval (1, 2, 3), default full jitter.
    let rec = Recorder::<(), PyError>::new();
    let mut calls = 0;
    let policy = recorded!(
        on_error(intervals([1, 2, 3].map(Duration::from_secs))).clock(VirtualClock::new()),
        &rec,
    );
    let result = policy.retry(|| {
        calls += 1;
        Err(PyError::Key)
    });
    assert_eq!(result, Err(PyError::Key));
    assert_eq!(calls, 4);
    assert_eq!(rec.counts(), (0, 3, 1));
    for (i, event) in rec.backoffs().iter().enumerate() {
        assert!(event.wait.unwrap() <= Duration::from_secs(i as u64 + 1));
    }
}

/// The waits of `expo(factor=0.5)` with `jitter`, over a call that succeeds after 2 backoffs.
fn half_second_expo_waits(jitter: Jitter) -> Vec<Duration> {
    let rec = Recorder::<bool, PyError>::new();
    let mut calls = 0;
    let policy = recorded!(
        on_error(expo().factor(Duration::from_millis(500)))
            .jitter(jitter)
            .clock(VirtualClock::new()),
        &rec,
    );
    let result = policy.retry(|| {
        calls += 1;
        if calls < 3 {
            Err(PyError::Key)
        } else {
            Ok(true)
        }
    });
    assert_eq!(result, Ok(true));
    assert_eq!(rec.counts(), (1, 2, 0));
    rec.backoffs().iter().map(|e| e.wait.unwrap()).collect()
}

#[test]
fn random_jitter_waits_at_least_the_value() {
    // test_on_exception_success_random_jitter: expo(factor=0.5), random_jitter.
    for _ in 0..50 {
        for (i, wait) in half_second_expo_waits(Jitter::Random)
            .into_iter()
            .enumerate()
        {
            let floor = Duration::from_millis(500 << i);
            assert!(
                wait >= floor && wait < floor + Duration::from_secs(1),
                "{wait:?}"
            );
        }
    }
}

#[test]
fn full_jitter_waits_at_most_the_value() {
    // test_on_exception_success_full_jitter
    for _ in 0..50 {
        for (i, wait) in half_second_expo_waits(Jitter::Full).into_iter().enumerate() {
            assert!(wait <= Duration::from_millis(500 << i), "{wait:?}");
        }
    }
}

#[test]
fn success_details_are_exact() {
    // test_on_exception_success: constant(0), no jitter; the details of every event.
    let rec = Recorder::<u32, PyError>::new();
    let clock = VirtualClock::new();
    let mut calls = 0;
    let policy = recorded!(
        on_error(constant(Duration::ZERO))
            .jitter(Jitter::None)
            .clock(clock.clone()),
        &rec,
    );
    let result = policy.retry(|| {
        calls += 1;
        clock.advance(Duration::from_millis(100));
        if calls < 3 {
            Err(PyError::Value("boom"))
        } else {
            Ok(calls)
        }
    });
    assert_eq!(result, Ok(3));
    let backoff = |tries: u32| Event {
        tries,
        wait: Some(Duration::ZERO),
        elapsed: Duration::from_millis(100 * u64::from(tries)),
        value: None,
        error: Some(PyError::Value("boom")),
    };
    assert_eq!(rec.backoffs(), [backoff(1), backoff(2)]);
    // Unlike Python, on_error's on_success sees the value.
    assert_eq!(
        rec.successes(),
        [Event {
            tries: 3,
            wait: None,
            elapsed: Duration::from_millis(300),
            value: Some(3),
            error: None
        }]
    );
    assert!(rec.giveups().is_empty());
}

#[test]
fn giveup_after_max_tries_has_exact_details() {
    // test_on_exception_giveup: constant(0), max_tries 3, always ValueError.
    let rec = Recorder::<(), PyError>::new();
    let policy = recorded!(
        on_error(constant(Duration::ZERO))
            .max_tries(3)
            .jitter(Jitter::None)
            .clock(VirtualClock::new()),
        &rec,
    );
    let result = policy.retry(|| Err(PyError::Value("v")));
    assert_eq!(result, Err(PyError::Value("v")));
    assert_eq!(rec.counts(), (0, 2, 1));
    assert_eq!(
        rec.giveups(),
        [Event {
            tries: 3,
            wait: None,
            elapsed: Duration::ZERO,
            value: None,
            error: Some(PyError::Value("v"))
        }]
    );
}

#[test]
fn giveup_predicate_stops_at_once() {
    // test_on_exception_giveup_predicate: "foo", "bar", then "baz" gives up.
    let rec = Recorder::<(), PyError>::new();
    let mut errors = ["foo", "bar", "baz", "never"].into_iter();
    let mut calls = 0;
    let policy = recorded!(
        on_error(expo())
            .giveup(|e: &PyError| *e == PyError::Value("baz"))
            .clock(VirtualClock::new()),
        &rec,
    );
    let result = policy.retry(|| {
        calls += 1;
        Err(PyError::Value(errors.next().unwrap()))
    });
    assert_eq!(result, Err(PyError::Value("baz")));
    assert_eq!(calls, 3);
    assert_eq!(rec.counts(), (0, 2, 1));
}

#[test]
fn retries_in_another_thread() {
    // test_on_exception_in_thread
    let handle = std::thread::spawn(|| {
        let mut calls = 0;
        on_error(expo()).clock(VirtualClock::new()).retry(|| {
            calls += 1;
            if calls < 3 {
                Err(PyError::Key)
            } else {
                Ok(calls)
            }
        })
    });
    assert_eq!(handle.join().unwrap(), Ok(3));
}

#[test]
fn one_policy_serves_many_threads() {
    // A policy is Send + Sync: one value, shared by reference across threads.
    let policy = on_error(constant(Duration::from_secs(1)))
        .max_tries(4)
        .clock(VirtualClock::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let mut calls = 0;
                let r: Result<(), PyError> = policy.retry(|| {
                    calls += 1;
                    Err(PyError::Key)
                });
                assert_eq!((r, calls), (Err(PyError::Key), 4));
            });
        }
    });
}

#[test]
fn intervals_with_jitter_off_sleep_exactly() {
    // The example: intervals [1,2,3,6,9], jitter off, always failing: 6 calls.
    let clock = VirtualClock::new();
    let mut calls = 0;
    let result: Result<(), PyError> = on_error(intervals(secs(&[1, 2, 3, 6, 9])))
        .jitter(Jitter::None)
        .clock(clock.clone())
        .retry(|| {
            calls += 1;
            Err(PyError::Key)
        });
    assert_eq!(result, Err(PyError::Key));
    assert_eq!(calls, 6);
    assert_eq!(clock.sleeps(), secs(&[1, 2, 3, 6, 9]));
}

#[test]
fn policy_types_are_nameable_for_users_who_store_them() {
    use persevere::{Expo, OnError, OnPredicate, SystemClock};
    // Plain settings keep the short name; a clock is the timeline parameter.
    struct Client {
        fetch_policy: OnError<Expo, (), (), VirtualClock>,
        poll_policy: OnPredicate<Expo>,
    }
    let clock = VirtualClock::new();
    let client = Client {
        fetch_policy: on_error(expo()).max_tries(2).clock(clock.clone()),
        poll_policy: persevere::on_predicate(expo()).max_tries(1),
    };
    let r = client
        .fetch_policy
        .retry(|| Err::<u32, _>("down".to_string()));
    assert_eq!(r, Err("down".to_string()));
    assert_eq!(clock.sleeps().len(), 1);
    assert_eq!(client.poll_policy.retry(|| Some(1)), Some(1));
    let _: Option<OnError<Expo, (), (), SystemClock>> = None;
}
