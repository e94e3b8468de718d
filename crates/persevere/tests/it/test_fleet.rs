//! Fleet safety through the decision core: budgets, server-directed waits, attempt timeouts
//! under a hard deadline, and hedging (issue "Fleet safety"). Virtual or paused time throughout.

use persevere::budget::{Budget, RatioBudget, RetryCause, TokenBucket, Withdrawal};
use persevere::testing::VirtualClock;
use persevere::{
    BoxedOnError, GiveUpReason, Jitter, TimedOut, constant, expo, on_error, on_predicate,
};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn secs(list: &[u64]) -> Vec<Duration> {
    list.iter().map(|s| Duration::from_secs(*s)).collect()
}

#[test]
fn a_ratio_budget_bounds_a_hundred_failing_calls_to_120_attempts() {
    let budget = RatioBudget::new(0.2, 0, Duration::from_secs(10));
    let refused = Cell::new(0);
    let policy = on_error(constant(Duration::from_millis(10)))
        .max_tries(5)
        .budget(budget.clone())
        .on_giveup(|d| {
            if d.reason() == Some(GiveUpReason::Budget) {
                refused.set(refused.get() + 1);
            }
        })
        .clock(VirtualClock::new());
    let mut attempts = 0;
    for _ in 0..100 {
        let r: Result<(), &str> = policy.retry(|| {
            attempts += 1;
            Err("down")
        });
        assert_eq!(r, Err("down"), "the last outcome, unchanged");
    }
    assert!(attempts <= 120, "{attempts} attempts");
    assert!(attempts > 100, "some retries happen");
    assert_eq!(
        attempts, 120,
        "100 first attempts and the 20 retries 20 % allows"
    );
    assert!(
        refused.get() >= 95,
        "most calls end on the budget: {}",
        refused.get()
    );
}

/// A budget that records every call the core makes, and grants `grants` retries.
#[derive(Clone, Default)]
struct Recording {
    log: Arc<Mutex<Vec<String>>>,
    grants: Arc<AtomicU32>,
}

impl Recording {
    fn granting(n: u32) -> Self {
        let r = Recording::default();
        r.grants.store(n, Ordering::SeqCst);
        r
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Budget for Recording {
    fn on_call(&self, _: Instant) {
        self.log.lock().unwrap().push("call".into());
    }

    fn on_failure(&self, cause: RetryCause, _: Instant) {
        self.log.lock().unwrap().push(format!("failure {cause:?}"));
    }

    fn withdraw(&self, cause: RetryCause, _: Instant) -> Option<Withdrawal> {
        let granted = self
            .grants
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        self.log
            .lock()
            .unwrap()
            .push(format!("withdraw {cause:?} {granted}"));
        granted.then(|| Withdrawal::new(7))
    }

    fn on_success(&self, last: Option<Withdrawal>, _: Instant) {
        self.log
            .lock()
            .unwrap()
            .push(format!("success {:?}", last.map(|w| w.amount())));
    }
}

#[test]
fn the_core_reports_to_the_budget_in_the_documented_order() {
    let budget = Recording::granting(10);
    let mut calls = 0;
    let r: Result<u32, &str> = on_error(constant(Duration::from_secs(1)))
        .max_tries(5)
        .budget(budget.clone())
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            if calls < 3 { Err("busy") } else { Ok(calls) }
        });
    assert_eq!(r, Ok(3));
    assert_eq!(
        budget.log(),
        [
            "call",
            "failure Transient",
            "withdraw Transient true",
            "failure Transient",
            "withdraw Transient true",
            "success Some(7)",
        ]
    );
    // A first-attempt success returns no withdrawal; a failure at max_tries is still reported.
    let budget = Recording::granting(10);
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(1)
        .budget(budget.clone())
        .clock(VirtualClock::new());
    let _ = policy.retry(|| Ok::<_, &str>(1));
    let _ = policy.retry(|| Err::<(), _>("x"));
    assert_eq!(
        budget.log(),
        ["call", "success None", "call", "failure Transient"]
    );
}

#[test]
fn a_refused_retry_gives_up_with_the_last_outcome_and_the_budget_reason() {
    let budget = Recording::granting(1);
    let reason = Cell::new(None);
    let mut calls = 0;
    let r: Result<(), String> = on_error(constant(Duration::ZERO))
        .max_tries(10)
        .budget(budget.clone())
        .on_giveup(|d| reason.set(d.reason()))
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(format!("failure {calls}"))
        });
    assert_eq!(r, Err("failure 2".to_string()));
    assert_eq!(reason.get(), Some(GiveUpReason::Budget));
}

#[test]
fn the_aws_preset_refunds_through_the_policy() {
    let bucket = TokenBucket::aws_standard();
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .budget(bucket.clone())
        .clock(VirtualClock::new());
    // A retry costs 5 tokens; the success after it returns them.
    let mut calls = 0;
    let _ = policy.retry(|| {
        calls += 1;
        if calls < 2 { Err("x") } else { Ok(()) }
    });
    assert_eq!(bucket.tokens(), 500.0);
    // An always-failing call spends 2 retries (10 tokens) and returns nothing.
    let _: Result<(), &str> = policy.retry(|| Err("x"));
    assert_eq!(bucket.tokens(), 490.0);
    // A first-attempt success refunds 1.
    let _ = policy.retry(|| Ok::<_, &str>(()));
    assert_eq!(bucket.tokens(), 491.0);
}

#[test]
fn one_budget_is_shared_by_policies_and_threads() {
    // 64 threads, two policies each, one bucket holding exactly 20 retries (cost 5 of 100).
    let bucket = TokenBucket::builder(100.0)
        .retry_cost(5.0)
        .success_reward(0.0)
        .build();
    let retries = Arc::new(AtomicU32::new(0));
    let handles: Vec<_> = (0..64u32)
        .map(|i| {
            let (first_bucket, second_bucket) = (bucket.clone(), bucket.clone());
            let (first_count, second_count) = (retries.clone(), retries.clone());
            std::thread::spawn(move || {
                let first = on_error(constant(Duration::ZERO))
                    .max_tries(3)
                    .budget(first_bucket)
                    .on_backoff(move |_: &persevere::Details<'_, (), u32>| {
                        first_count.fetch_add(1, Ordering::SeqCst);
                    });
                let second = on_error(expo().factor(Duration::ZERO))
                    .max_tries(3)
                    .budget(second_bucket)
                    .on_backoff(move |_: &persevere::Details<'_, (), u32>| {
                        second_count.fetch_add(1, Ordering::SeqCst);
                    });
                for _ in 0..4 {
                    let _ = first.retry(|| Err(i));
                    let _ = second.retry(|| Err(i));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(bucket.tokens(), 0.0, "every token spent, never below zero");
    assert_eq!(
        retries.load(Ordering::SeqCst),
        20,
        "exactly the retries the bucket held"
    );
}

#[test]
fn server_waits_replace_the_strategy_exactly_and_end_the_call_when_too_long() {
    #[derive(Debug, PartialEq)]
    struct Unavailable(Option<u64>);
    let clock = VirtualClock::new();
    let mut answers = [Some(2), None, Some(3)].into_iter();
    let r: Result<(), Unavailable> = on_error(expo().factor(Duration::from_secs(10)))
        .server_wait(|e: &Unavailable| e.0.map(Duration::from_secs))
        .jitter(Jitter::Full) // the server's waits are never jittered
        .max_tries(4)
        .clock(clock.clone())
        .retry(|| Err(Unavailable(answers.next().flatten())));
    assert_eq!(r, Err(Unavailable(None)));
    let sleeps = clock.sleeps();
    assert_eq!(sleeps[0], Duration::from_secs(2));
    assert!(
        sleeps[1] <= Duration::from_secs(10),
        "the strategy's first step, jittered"
    );
    assert_eq!(sleeps[2], Duration::from_secs(3));

    // Beyond max_server_wait, or beyond the time left: give up at once, reason Server.
    for (policy_max_time, server_wait) in [(None, 301), (Some(10), 11)] {
        let clock = VirtualClock::new();
        let reason = Cell::new(None);
        let mut calls = 0;
        let policy = on_error(expo())
            .server_wait(|s: &u64| Some(Duration::from_secs(*s)))
            .on_giveup(|d| reason.set(d.reason()))
            .clock(clock.clone());
        let _: Result<(), u64> = match policy_max_time {
            Some(max) => policy.max_time(Duration::from_secs(max)).retry(|| {
                calls += 1;
                Err(server_wait)
            }),
            None => policy.retry(|| {
                calls += 1;
                Err(server_wait)
            }),
        };
        assert_eq!(calls, 1, "no early retry");
        assert_eq!(clock.sleeps(), []);
        assert_eq!(reason.get(), Some(GiveUpReason::Server));
    }
}

#[test]
fn server_waits_count_as_throttling_for_the_budget() {
    let budget = Recording::granting(5);
    let mut calls = 0;
    let _: Result<(), Option<u64>> = on_error(expo())
        .server_wait(|e: &Option<u64>| e.map(Duration::from_secs))
        .max_tries(3)
        .budget(budget.clone())
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(if calls == 1 { Some(1) } else { None })
        });
    assert_eq!(
        budget.log(),
        [
            "call",
            "failure Throttled",
            "withdraw Throttled true",
            "failure Transient",
            "withdraw Transient true",
            "failure Transient",
        ]
    );
}

#[test]
fn on_predicate_policies_take_the_server_wait_from_the_value() {
    let clock = VirtualClock::new();
    let mut replies = [(429, Some(4)), (503, None), (200, None)].into_iter();
    let reply = on_predicate(constant(Duration::from_secs(1)))
        .predicate(|r: &(u16, Option<u64>)| r.0 != 200)
        .server_wait(|r| r.1.map(Duration::from_secs))
        .jitter(Jitter::None)
        .clock(clock.clone())
        .retry(|| replies.next().unwrap());
    assert_eq!(reply.0, 200);
    assert_eq!(clock.sleeps(), secs(&[4, 1]));
}

#[derive(Debug, PartialEq)]
enum CallError {
    TimedOut(Duration),
    Down,
}

impl From<TimedOut> for CallError {
    fn from(t: TimedOut) -> Self {
        CallError::TimedOut(t.after())
    }
}

#[tokio::test(start_paused = true)]
async fn attempt_timeouts_cut_under_a_hard_deadline() {
    let start = tokio::time::Instant::now();
    let starts = RefCell::new(Vec::new());
    let r: Result<(), CallError> = on_error(expo())
        .max_time(Duration::from_secs(2))
        .attempt_timeout(Duration::from_secs(1))
        .jitter(Jitter::None)
        .retry_async(|| {
            starts.borrow_mut().push(start.elapsed());
            std::future::pending()
        })
        .await;
    // Attempt 1 runs 0-1 s and is cut; the next wait (1 s) would reach the deadline, where an
    // attempt would be cut at once, so none starts: the timeout error returns at 1 s.
    assert_eq!(r, Err(CallError::TimedOut(Duration::from_secs(1))));
    assert!(
        start.elapsed() <= Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(
        starts.borrow().iter().all(|t| *t < Duration::from_secs(2)),
        "no attempt starts at or after the deadline: {:?}",
        starts.borrow()
    );
}

#[tokio::test(start_paused = true)]
async fn the_last_attempt_is_cut_to_the_time_left() {
    let start = tokio::time::Instant::now();
    let mut starts = Vec::new();
    let r: Result<(), CallError> = on_error(constant(Duration::from_millis(1500)))
        .max_time(Duration::from_secs(2))
        .attempt_timeout(Duration::from_secs(1))
        .jitter(Jitter::None)
        .retry_async(|| {
            starts.push(start.elapsed());
            std::future::pending()
        })
        .await;
    // 0-1 s, cut; the 1.5 s wait would reach the deadline (2 s): with attempts cut, none
    // starts there, and the call ends at 1 s.
    assert_eq!(r, Err(CallError::TimedOut(Duration::from_secs(1))));
    assert_eq!(starts, [Duration::ZERO]);
    assert_eq!(start.elapsed(), Duration::from_secs(1));

    // With a shorter wait, the second attempt gets only the 500 ms left.
    let start = tokio::time::Instant::now();
    let r: Result<(), CallError> = on_error(constant(Duration::from_millis(500)))
        .max_time(Duration::from_secs(2))
        .attempt_timeout(Duration::from_secs(1))
        .jitter(Jitter::None)
        .retry_async(std::future::pending)
        .await;
    assert_eq!(r, Err(CallError::TimedOut(Duration::from_millis(500))));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_reported_to_the_budget_as_timeouts() {
    let budget = Recording::granting(5);
    let _: Result<(), CallError> = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .attempt_timeout(Duration::from_millis(10))
        .budget(budget.clone())
        .retry_async(std::future::pending)
        .await;
    assert_eq!(
        budget.log(),
        [
            "call",
            "failure Timeout",
            "withdraw Timeout true",
            "failure Timeout"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_answer_in_time_is_not_cut() {
    let r: Result<u32, CallError> = on_error(constant(Duration::ZERO))
        .attempt_timeout(Duration::from_secs(1))
        .retry_async(|| async {
            tokio::time::sleep(Duration::from_millis(999)).await;
            Ok(7)
        })
        .await;
    assert_eq!(r, Ok(7));
}

// A blocking call cannot be cut short. A boxed policy knows of its timeout only at run time:
// the blocking drivers return the timed-out error without calling the operation (no panic).
#[test]
fn a_boxed_policy_with_an_attempt_timeout_refuses_the_blocking_driver_with_an_error() {
    let policy: BoxedOnError<(), CallError> = on_error(constant(Duration::ZERO))
        .attempt_timeout(Duration::from_secs(1))
        .boxed();
    let mut calls = 0;
    let r = policy.retry(|| {
        calls += 1;
        Err(CallError::Down)
    });
    assert_eq!(r, Err(CallError::TimedOut(Duration::from_secs(1))));
    assert_eq!(calls, 0, "no attempt is made");
    let r = policy.call().retry_with(|_| {
        calls += 1;
        Ok(())
    });
    assert_eq!(r, Err(CallError::TimedOut(Duration::from_secs(1))));
    assert_eq!(calls, 0);
}

/// Counts the drops of the attempts it guards: a cancelled attempt's future is dropped.
struct DropCount(Arc<AtomicU32>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn hedges_start_after_the_delay_and_the_losers_are_dropped() {
    let drops = Arc::new(AtomicU32::new(0));
    let start = tokio::time::Instant::now();
    let mut started = Vec::new();
    let hedged = on_error(constant(Duration::from_secs(1)))
        .max_tries(5)
        .hedge(Duration::from_millis(100), 3);
    let r: Result<u32, CallError> = hedged
        .retry_async_with(|attempt| {
            started.push((attempt.number(), start.elapsed()));
            let guard = DropCount(drops.clone());
            async move {
                let _guard = guard;
                // The first two are slow, the third answers after 50 ms.
                let took = if attempt.number() < 3 { 10_000 } else { 50 };
                tokio::time::sleep(Duration::from_millis(took)).await;
                Ok(attempt.number())
            }
        })
        .await;
    assert_eq!(r, Ok(3));
    let ms = |m| Duration::from_millis(m);
    assert_eq!(started, [(1, ms(0)), (2, ms(100)), (3, ms(200))]);
    assert_eq!(start.elapsed(), ms(250), "the third answers at 200 + 50 ms");
    assert_eq!(
        drops.load(Ordering::SeqCst),
        3,
        "the winner and both losers are dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn a_non_retryable_failure_ends_a_hedged_call_and_drops_the_rest() {
    let drops = Arc::new(AtomicU32::new(0));
    let hedged = on_error(constant(Duration::from_secs(1)))
        .when(|e: &CallError| *e != CallError::Down)
        .hedge(Duration::from_millis(10), 2);
    let mut n = 0;
    let r: Result<u32, CallError> = hedged
        .retry_async(|| {
            n += 1;
            let first = n == 1;
            let guard = DropCount(drops.clone());
            async move {
                let _guard = guard;
                if first {
                    std::future::pending::<()>().await;
                }
                Err(CallError::Down)
            }
        })
        .await;
    assert_eq!(r, Err(CallError::Down));
    assert_eq!(n, 2);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        2,
        "the pending first attempt is dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn hedges_respect_the_budget_and_max_tries() {
    // A bucket with one retry's worth: one hedge, then no more.
    let bucket = TokenBucket::builder(5.0)
        .retry_cost(5.0)
        .hedge_cost(5.0)
        .success_reward(0.0)
        .build();
    let started = Cell::new(0);
    let hedged = on_error(constant(Duration::from_secs(1)))
        .max_tries(10)
        .budget(bucket.clone())
        .hedge(Duration::from_millis(10), 5);
    let r: Result<(), CallError> = tokio::time::timeout(
        Duration::from_secs(1),
        hedged.retry_async(|| {
            started.set(started.get() + 1);
            std::future::pending()
        }),
    )
    .await
    .unwrap_or(Err(CallError::Down));
    assert_eq!(
        r,
        Err(CallError::Down),
        "still waiting when the test stops it"
    );
    assert_eq!(
        started.get(),
        2,
        "the first attempt and the one hedge the budget paid"
    );
    assert_eq!(bucket.tokens(), 0.0);

    // Without a budget, max_tries bounds the attempts started.
    let started = Cell::new(0);
    let hedged = on_error(constant(Duration::from_secs(1)))
        .max_tries(3)
        .hedge(Duration::from_millis(10), 5);
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        hedged.retry_async(|| {
            started.set(started.get() + 1);
            std::future::pending::<Result<(), CallError>>()
        }),
    )
    .await;
    assert_eq!(started.get(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_failed_hedge_starts_the_next_at_once() {
    let start = tokio::time::Instant::now();
    let mut started = Vec::new();
    let hedged = on_error(constant(Duration::from_secs(1)))
        .max_tries(4)
        .hedge(Duration::from_millis(100), 2);
    let r: Result<u32, CallError> = hedged
        .retry_async_with(|attempt| {
            started.push(start.elapsed());
            async move {
                match attempt.number() {
                    1 => std::future::pending().await,
                    // The hedge fails after 5 ms while the first still runs.
                    2 => {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        Err(CallError::Down)
                    }
                    n => Ok(n),
                }
            }
        })
        .await;
    assert_eq!(r, Ok(3));
    let ms = |m| Duration::from_millis(m);
    assert_eq!(started, [ms(0), ms(100), ms(105)]);
}

#[tokio::test(start_paused = true)]
async fn a_hedged_call_backs_off_when_no_attempt_runs() {
    let start = tokio::time::Instant::now();
    let mut started = Vec::new();
    let hedged = on_error(constant(Duration::from_secs(1)))
        .jitter(Jitter::None)
        .max_tries(4)
        .hedge(Duration::from_millis(100), 2);
    let r: Result<u32, CallError> = hedged
        .retry_async_with(|attempt| {
            started.push(start.elapsed());
            async move {
                match attempt.number() {
                    // Fails after 10 ms, before any hedge: the policy backs off 1 s.
                    1 => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        Err(CallError::Down)
                    }
                    // Slow: a hedge starts 100 ms after it, and answers.
                    2 => std::future::pending().await,
                    n => Ok(n),
                }
            }
        })
        .await;
    assert_eq!(r, Ok(3));
    let ms = |m| Duration::from_millis(m);
    assert_eq!(started, [ms(0), ms(1010), ms(1110)]);
}
