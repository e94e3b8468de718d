//! Python backoff's `on_predicate` tests (tests/test_backoff.py, test_integration.py),
//! translated.

use crate::common;

use common::{Event, Recorder, secs};
use persevere::testing::VirtualClock;
use persevere::{Jitter, constant, expo, fibo, intervals, on_predicate, runtime};
use std::convert::Infallible;
use std::time::Duration;

#[test]
fn retries_falsy_values_until_truthy() {
    // test_on_predicate: False, False, True.
    let mut calls = 0;
    let result = on_predicate(expo()).clock(VirtualClock::new()).retry(|| {
        calls += 1;
        calls == 3
    });
    assert!(result);
    assert_eq!(calls, 3);
}

#[test]
fn max_tries_returns_the_last_value() {
    // test_on_predicate_max_tries: always False, max_tries 3: returns False, no error.
    let mut calls = 0;
    let result = on_predicate(expo())
        .jitter(Jitter::None)
        .max_tries(3)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            false
        });
    assert!(!result);
    assert_eq!(calls, 3);
}

#[test]
fn max_tries_callable() {
    // test_on_predicate_max_tries_callable (async suite; same rule).
    let mut calls = 0;
    let result = on_predicate(expo())
        .max_tries(|| 3)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            0u8
        });
    assert_eq!((result, calls), (0, 3));
}

#[test]
fn max_time_gives_up_with_elapsed_measured_after_the_attempt() {
    // test_on_predicate_max_time, with our semantics: attempts take 1 s, 8 s and 1.000005 s, so
    // the third ends at 10.000005 s, past max_time 10 s: give up with tries 3.
    // A fixed max_time and a callable one have different policy types: one check for both.
    macro_rules! check {
        ($max_time:expr) => {{
            let clock = VirtualClock::new();
            let rec = Recorder::<bool, Infallible>::new();
            let durations = [1_000_000u64, 8_000_000, 1_000_005];
            let mut calls = 0;
            let policy = on_predicate(constant(Duration::ZERO)).clock(clock.clone());
            let policy = recorded!(policy.max_time($max_time), &rec);
            let result = policy.retry(|| {
                clock.advance(Duration::from_micros(durations[calls]));
                calls += 1;
                false
            });
            assert!(!result);
            assert_eq!(calls, 3);
            let giveups = rec.giveups();
            assert_eq!(giveups.len(), 1);
            assert_eq!(giveups[0].tries, 3);
            assert_eq!(giveups[0].elapsed, Duration::from_micros(10_000_005));
        }};
    }
    check!(Duration::from_secs(10));
    check!(|| Duration::from_secs(10));
}

#[test]
fn success_and_backoff_details_are_exact() {
    // test_on_predicate_success: constant(0), no jitter.
    let rec = Recorder::<bool, Infallible>::new();
    let mut calls = 0;
    let policy = recorded!(
        on_predicate(constant(Duration::ZERO))
            .jitter(Jitter::None)
            .clock(VirtualClock::new()),
        &rec,
    );
    assert!(policy.retry(|| {
        calls += 1;
        calls == 3
    }));
    let event = |tries, wait, value| Event {
        tries,
        wait,
        elapsed: Duration::ZERO,
        value,
        error: None,
    };
    assert_eq!(
        rec.backoffs(),
        [
            event(1, Some(Duration::ZERO), Some(false)),
            event(2, Some(Duration::ZERO), Some(false))
        ]
    );
    assert_eq!(rec.successes(), [event(3, None, Some(true))]);
    assert!(rec.giveups().is_empty());
}

#[test]
fn giveup_details_carry_the_value() {
    // test_on_predicate_giveup: returns None, max_tries 3.
    let rec = Recorder::<Option<u8>, Infallible>::new();
    let policy = recorded!(
        on_predicate(constant(Duration::ZERO))
            .max_tries(3)
            .jitter(Jitter::None)
            .clock(VirtualClock::new()),
        &rec,
    );
    assert_eq!(policy.retry(|| None), None);
    assert_eq!(rec.counts(), (0, 2, 1));
    assert_eq!(
        rec.giveups(),
        [Event {
            tries: 3,
            wait: None,
            elapsed: Duration::ZERO,
            value: Some(None),
            error: None
        }]
    );
}

#[test]
fn several_handlers_per_event_run_in_order() {
    // test_on_predicate_iterable_handlers: three loggers, each sees every event.
    let recs: Vec<Recorder<Option<u8>, Infallible>> = (0..3).map(|_| Recorder::new()).collect();
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let policy = on_predicate(constant(Duration::ZERO))
        .max_tries(3)
        .jitter(Jitter::None)
        .clock(VirtualClock::new());
    // Each handler is a part of the policy's type, so the three are added one after another.
    let in_order = |i: usize| {
        let order = order.clone();
        move |_: &persevere::Details<'_, Option<u8>, Infallible>| order.lock().unwrap().push(i)
    };
    let policy = recorded!(policy, &recs[0]).on_giveup(in_order(0));
    let policy = recorded!(policy, &recs[1]).on_giveup(in_order(1));
    let policy = recorded!(policy, &recs[2]).on_giveup(in_order(2));
    assert_eq!(policy.retry(|| None), None);
    for rec in &recs {
        assert_eq!(rec.counts(), (0, 2, 1));
        assert_eq!(rec.giveups()[0].tries, 3);
    }
    assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
}

#[test]
fn constant_iterable_sleeps_exactly() {
    // test_on_predicate_constant_iterable: [1, 2, 3, 6, 9], no jitter: 5 backoffs, 6 calls.
    let rec = Recorder::<bool, Infallible>::new();
    let clock = VirtualClock::new();
    let mut calls = 0;
    let policy = recorded!(
        on_predicate(intervals(secs(&[1, 2, 3, 6, 9])))
            .jitter(Jitter::None)
            .clock(clock.clone()),
        &rec,
    );
    assert!(!policy.retry(|| {
        calls += 1;
        false
    }));
    assert_eq!(calls, 6);
    let waits: Vec<Duration> = rec.backoffs().iter().map(|e| e.wait.unwrap()).collect();
    assert_eq!(waits, secs(&[1, 2, 3, 6, 9]));
    assert_eq!(clock.sleeps(), secs(&[1, 2, 3, 6, 9]));
    assert_eq!(rec.counts(), (0, 5, 1));
}

#[test]
fn retries_in_another_thread() {
    // test_on_predicate_in_thread
    let handle = std::thread::spawn(|| {
        let mut calls = 0;
        on_predicate(fibo()).clock(VirtualClock::new()).retry(|| {
            calls += 1;
            calls == 3
        })
    });
    assert!(handle.join().unwrap());
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Response {
    status: u16,
    retry_after: u64,
}

#[test]
fn runtime_waits_follow_retry_after() {
    // test_integration.py::test_on_predicate_runtime: 429 with Retry-After 1, 3, 7, then 200.
    let clock = VirtualClock::new();
    let mut responses = [(429, 1), (429, 3), (429, 7), (200, 0)]
        .map(|(status, retry_after)| Response {
            status,
            retry_after,
        })
        .into_iter();
    let last = on_predicate(runtime(|r: &Response| Duration::from_secs(r.retry_after)))
        .predicate(|r: &Response| r.status == 429)
        .clock(clock.clone())
        .retry(|| responses.next().unwrap());
    assert_eq!(last.status, 200);
    // runtime's default jitter is none: the server's advice is exact.
    assert_eq!(clock.sleeps(), secs(&[1, 3, 7]));
}

#[test]
fn runtime_without_advice_falls_back_or_gives_up() {
    let clock = VirtualClock::new();
    let advice = |r: &Response| (r.retry_after > 0).then(|| Duration::from_secs(r.retry_after));
    let mut responses = [(503, 0), (503, 5), (503, 0), (200, 0)]
        .map(|(status, retry_after)| Response {
            status,
            retry_after,
        })
        .into_iter();
    let last = on_predicate(runtime(advice).or(constant(Duration::from_secs(2))))
        .predicate(|r: &Response| r.status == 503)
        .clock(clock.clone())
        .jitter(Jitter::None)
        .retry(|| responses.next().unwrap());
    assert_eq!(last.status, 200);
    assert_eq!(clock.sleeps(), secs(&[2, 5, 2]));

    // No fallback: no advice gives up at once.
    let mut calls = 0;
    let last = on_predicate(runtime(advice))
        .predicate(|r: &Response| r.status == 503)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Response {
                status: 503,
                retry_after: 0,
            }
        });
    assert_eq!((last.status, calls), (503, 1));
}

#[test]
fn runtime_reads_the_error_in_on_error() {
    // test_integration.py::test_on_exception_runtime
    #[derive(Debug)]
    struct HttpError {
        retry_after: u64,
    }
    let clock = VirtualClock::new();
    let mut advice = [1, 3, 7].into_iter();
    let result: Result<u16, HttpError> =
        persevere::on_error(runtime(|e: &HttpError| Duration::from_secs(e.retry_after)))
            .clock(clock.clone())
            .retry(|| match advice.next() {
                Some(retry_after) => Err(HttpError { retry_after }),
                None => Ok(200),
            });
    assert_eq!(result.unwrap(), 200);
    assert_eq!(clock.sleeps(), secs(&[1, 3, 7]));
}
