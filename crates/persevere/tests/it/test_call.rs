//! One call of a shared policy with options of its own (`Policy::call`), and a shared policy
//! with value parts that keeps its short name. Each test names the complaint it answers.

use persevere::budget::RatioBudget;
use persevere::testing::VirtualClock;
use persevere::{Expo, GiveUpReason, Hedged, Jitter, OnError, TimedOut, constant, expo, on_error};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|s| Duration::from_secs(*s)).collect()
}

#[derive(Debug, PartialEq)]
enum InventoryError {
    Down,
    Slow,
}

impl From<TimedOut> for InventoryError {
    fn from(_: TimedOut) -> Self {
        InventoryError::Slow
    }
}

#[derive(Debug, PartialEq)]
enum BillingError {
    Unavailable,
    TimedOut(Duration),
}

impl From<TimedOut> for BillingError {
    fn from(t: TimedOut) -> Self {
        BillingError::TimedOut(t.after())
    }
}

// Complaint: a `static` policy with a budget had to be written
// `OnError<Expo, (), ((), BudgetPart<RatioBudget>)>`.
static API: LazyLock<OnError<Expo>> = LazyLock::new(|| {
    on_error(expo().factor(Duration::from_millis(10)))
        .max_tries(5)
        .max_time(Duration::from_secs(30))
        .budget(RatioBudget::default())
        .name("api")
});

// Hedging wraps the policy (its calls pay nothing for the choice when it does not hedge): the
// name is one word more.
static HEDGED_API: LazyLock<Hedged<OnError<Expo>>> = LazyLock::new(|| {
    on_error(expo().factor(Duration::from_millis(10)))
        .max_tries(5)
        .budget(RatioBudget::default())
        .hedge(Duration::from_secs(5), 2)
});

async fn count_items(fail: u32) -> Result<u32, InventoryError> {
    let mut calls = 0;
    API.retry_async(|| {
        calls += 1;
        let n = calls;
        async move {
            if n <= fail {
                Err(InventoryError::Down)
            } else {
                Ok(n)
            }
        }
    })
    .await
}

async fn charge() -> Result<String, BillingError> {
    API.retry_async(|| async { Err(BillingError::Unavailable) })
        .await
}

#[tokio::test(start_paused = true)]
async fn a_static_policy_with_a_budget_serves_two_async_functions() {
    assert_eq!(count_items(2).await, Ok(3));
    assert_eq!(charge().await, Err(BillingError::Unavailable));
}

#[tokio::test(start_paused = true)]
async fn a_static_hedged_policy_serves_two_async_functions() {
    let items: Result<u32, InventoryError> = HEDGED_API.retry_async(|| async { Ok(7) }).await;
    let bill: Result<String, BillingError> = HEDGED_API
        .retry_async(|| async { Err(BillingError::Unavailable) })
        .await;
    assert_eq!((items, bill), (Ok(7), Err(BillingError::Unavailable)));
}

// Complaint: `.attempt_timeout(..)` could not be named either. It still shapes the type (an
// error type must be able to hold a timeout), and the name says so in one word.
static SLOW_API: LazyLock<OnError<Expo, (), ((), persevere::policy::AttemptTimeout)>> =
    LazyLock::new(|| {
        on_error(expo())
            .max_tries(2)
            .budget(RatioBudget::default())
            .attempt_timeout(Duration::from_millis(100))
            .name("slow_api")
    });

#[tokio::test(start_paused = true)]
async fn a_static_policy_with_an_attempt_timeout_serves_two_error_types() {
    let inventory: Result<(), InventoryError> = SLOW_API.retry_async(std::future::pending).await;
    assert_eq!(inventory, Err(InventoryError::Slow));
    let billing: Result<(), BillingError> = SLOW_API.retry_async(std::future::pending).await;
    assert_eq!(
        billing,
        Err(BillingError::TimedOut(Duration::from_millis(100)))
    );
}

// Complaint: the first handler users write, `.on_backoff(|d| log.push(d.tries()))`, did not
// compile (handlers were `Fn` only), and a shared policy could not be tightened for one call.
#[test]
fn one_call_records_into_a_local_vec_under_a_tighter_max_time_and_the_policy_is_unchanged() {
    let clock = VirtualClock::new();
    let shared = Arc::new(
        on_error(constant(Duration::from_secs(1)))
            .jitter(Jitter::None)
            .max_time(Duration::from_secs(10))
            .clock(clock.clone()),
    );

    let mut waits = Vec::new();
    let mut gave_up = Vec::new();
    let mut calls = 0;
    let r: Result<(), &str> = shared
        .call()
        .max_time(Duration::from_secs(3))
        .on_backoff(|d| waits.push(d.wait().unwrap()))
        .on_giveup(|d| gave_up.push((d.tries(), d.reason())))
        .retry(|| {
            calls += 1;
            Err("busy")
        });
    assert_eq!(r, Err("busy"));
    assert_eq!(calls, 4);
    assert_eq!(waits, secs(&[1, 1, 1]));
    assert_eq!(gave_up, [(4, Some(GiveUpReason::MaxTime))]);
    assert_eq!(clock.sleeps(), secs(&[1, 1, 1]));

    // The next call has the policy's own 10 s.
    let clock_before = clock.sleeps().len();
    let mut calls = 0;
    let r: Result<(), &str> = shared.retry(|| {
        calls += 1;
        Err("busy")
    });
    assert_eq!(r, Err("busy"));
    assert_eq!(calls, 11);
    assert_eq!(clock.sleeps().len() - clock_before, 10);
}

#[test]
fn a_call_tightens_limits_and_never_lifts_them() {
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .clock(clock.clone());
    let count = |max_tries: u32| {
        let mut calls = 0;
        let _: Result<(), ()> = policy.call().max_tries(max_tries).retry(|| {
            calls += 1;
            Err(())
        });
        calls
    };
    assert_eq!(count(2), 2, "the call's 2 is tighter than the policy's 3");
    assert_eq!(count(9), 3, "the policy's 3 is tighter than the call's 9");
}

#[test]
fn a_calls_handlers_run_after_the_policys_own() {
    let order = std::cell::RefCell::new(Vec::new());
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .clock(VirtualClock::new())
        .on_backoff(|_: &persevere::Details<'_, (), &str>| order.borrow_mut().push("policy"));
    let (mut backoffs, mut giveups) = (Vec::new(), Vec::new());
    let _ = policy
        .call()
        .on_backoff(|d| backoffs.push(d.tries()))
        .on_giveup(|d| giveups.push(d.tries()))
        .retry(|| {
            order.borrow_mut().push("attempt");
            Err("down")
        });
    assert_eq!(*order.borrow(), ["attempt", "policy", "attempt"]);
    assert_eq!((backoffs, giveups), (vec![1], vec![2]));
}

#[test]
fn a_calls_on_success_sees_the_value() {
    let policy = on_error(constant(Duration::ZERO)).clock(VirtualClock::new());
    let mut seen = Vec::new();
    let mut calls = 0;
    let r: Result<u32, &str> = policy
        .call()
        .on_success(|d| seen.push((d.tries(), d.value().copied())))
        .retry(|| {
            calls += 1;
            if calls < 3 {
                Err("busy")
            } else {
                Ok(calls * 10)
            }
        });
    assert_eq!(r, Ok(30));
    assert_eq!(seen, [(3, Some(30))]);
}

// Complaint: `.hedge(..)` consumed the policy, so a shared `Arc` policy could not hedge one call.
#[tokio::test(start_paused = true)]
async fn one_call_of_a_shared_policy_hedges_and_the_next_does_not() {
    let shared = Arc::new(
        on_error(constant(Duration::from_secs(1)))
            .jitter(Jitter::None)
            .max_tries(3),
    );
    let started = std::sync::atomic::AtomicU32::new(0);
    let op = || {
        let n = started.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        async move {
            if n == 1 {
                // The first attempt answers only after 10 s.
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            Ok::<u32, &str>(n)
        }
    };
    let t0 = tokio::time::Instant::now();
    let r = shared
        .call()
        .hedge(Duration::from_millis(100), 2)
        .retry_async(op)
        .await;
    assert_eq!(r, Ok(2), "the hedge started after 100 ms answered first");
    assert_eq!(t0.elapsed(), Duration::from_millis(100));

    started.store(0, std::sync::atomic::Ordering::SeqCst);
    let t0 = tokio::time::Instant::now();
    let r = shared.retry_async(op).await;
    assert_eq!(
        r,
        Ok(1),
        "without hedging the slow first attempt is awaited"
    );
    assert_eq!(t0.elapsed(), Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn an_async_call_with_an_fnmut_recorder_is_send() {
    fn assert_send<F: std::future::Future + Send>(f: F) -> F {
        f
    }
    let policy = on_error(constant(Duration::from_millis(5)))
        .jitter(Jitter::None)
        .max_tries(3);
    let mut waits = Vec::new();
    let r: Result<(), &str> = assert_send(
        policy
            .call()
            .on_backoff(|d| waits.push(d.wait().unwrap()))
            .retry_async(|| async { Err("down") }),
    )
    .await;
    assert_eq!(r, Err("down"));
    assert_eq!(waits, [Duration::from_millis(5); 2]);
}

#[test]
fn a_calls_bad_values_are_errors_naming_the_parameter() {
    let policy = on_error(expo());
    let err = policy.call().try_max_tries(0).unwrap_err();
    assert_eq!(err.parameter(), "max_tries");
    let err = policy
        .call()
        .try_hedge(Duration::from_millis(1), 0)
        .unwrap_err();
    assert_eq!(err.parameter(), "max_in_flight");
    assert!(err.to_string().contains("at least 1"), "{err}");
}
