//! `CircuitBreaker`: every transition on a virtual clock, and the breaker (and the throttle)
//! in front of a policy's attempts, from every driver.

use persevere::breaker::{BreakerState, CircuitBreaker};
use persevere::budget::{AdaptiveThrottle, Budget, RatioBudget, RetryCause};
use persevere::testing::VirtualClock;
use persevere::{GiveUpReason, Refused, constant, on_error};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);
const OPEN: Duration = Duration::from_secs(30);

fn small() -> CircuitBreaker {
    CircuitBreaker::default()
        .count_window(10)
        .min_calls(4)
        .failure_ratio(0.5)
        .open_duration(OPEN)
        .half_open_calls(2)
}

type Seen = Arc<Mutex<Vec<(BreakerState, BreakerState)>>>;

fn watched(b: CircuitBreaker) -> (CircuitBreaker, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    (
        b.on_state_change(move |from, to| log.lock().unwrap().push((from, to))),
        seen,
    )
}

fn fail(b: &CircuitBreaker, clock: &VirtualClock) {
    b.attempt_ended(true, MS, clock.now());
}

fn pass(b: &CircuitBreaker, clock: &VirtualClock) {
    b.attempt_ended(false, MS, clock.now());
}

fn open_it(b: &CircuitBreaker, clock: &VirtualClock) {
    for _ in 0..4 {
        fail(b, clock);
    }
    assert_eq!(b.state(), BreakerState::Open);
}

#[test]
fn closed_stays_closed_below_the_minimum_of_calls() {
    let clock = VirtualClock::new();
    let b = small();
    for _ in 0..3 {
        fail(&b, &clock);
    }
    assert_eq!(b.state(), BreakerState::Closed);
    assert!(b.admit_call(clock.now()).is_ok());
}

#[test]
fn closed_opens_when_the_failure_ratio_is_reached() {
    let clock = VirtualClock::new();
    let (b, seen) = watched(small());
    // 3 successes, 2 failures: 2/5 < 0.5; a third failure: 3/6 = 0.5 opens it.
    for _ in 0..3 {
        pass(&b, &clock);
    }
    fail(&b, &clock);
    fail(&b, &clock);
    assert_eq!(b.state(), BreakerState::Closed);
    fail(&b, &clock);
    assert_eq!(b.state(), BreakerState::Open);
    assert_eq!(
        *seen.lock().unwrap(),
        [(BreakerState::Closed, BreakerState::Open)]
    );
}

#[test]
fn the_count_window_forgets_the_oldest_outcome() {
    let clock = VirtualClock::new();
    let b = small().count_window(4).min_calls(4);
    fail(&b, &clock);
    for _ in 0..3 {
        pass(&b, &clock);
    }
    // Window [F, S, S, S]: 1/4. The next success pushes the failure out; then one failure
    // makes [S, S, S, F]: 1/4, still closed; a second: [S, S, F, F] = 2/4 opens.
    pass(&b, &clock);
    fail(&b, &clock);
    assert_eq!(b.state(), BreakerState::Closed);
    fail(&b, &clock);
    assert_eq!(b.state(), BreakerState::Open);
}

#[test]
fn closed_opens_when_the_slow_call_ratio_is_reached() {
    let clock = VirtualClock::new();
    let b = small()
        .slow_call_duration(Duration::from_secs(2))
        .slow_call_ratio(0.6);
    let now = clock.now();
    b.attempt_ended(false, Duration::from_secs(2), now); // slow: at the duration
    b.attempt_ended(false, Duration::from_secs(3), now);
    b.attempt_ended(false, Duration::from_millis(1_999), now);
    b.attempt_ended(false, MS, now);
    assert_eq!(b.state(), BreakerState::Closed, "2 slow of 4 < 0.6");
    b.attempt_ended(false, Duration::from_secs(5), now);
    assert_eq!(b.state(), BreakerState::Open, "3 slow of 5 = 0.6");
}

#[test]
fn open_refuses_until_the_open_duration_has_passed_then_lets_probes_through() {
    let clock = VirtualClock::new();
    let (b, seen) = watched(small());
    open_it(&b, &clock);
    clock.advance(OPEN - MS);
    assert_eq!(b.admit_call(clock.now()), Err(GiveUpReason::CircuitOpen));
    assert_eq!(
        b.try_withdraw(RetryCause::Transient, clock.now()),
        Err(GiveUpReason::CircuitOpen)
    );
    clock.advance(MS);
    assert!(b.admit_call(clock.now()).is_ok(), "the first probe");
    assert_eq!(b.state(), BreakerState::HalfOpen);
    assert!(b.try_withdraw(RetryCause::Transient, clock.now()).is_ok());
    assert_eq!(
        b.admit_call(clock.now()),
        Err(GiveUpReason::CircuitOpen),
        "two probes at most"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (BreakerState::Closed, BreakerState::Open),
            (BreakerState::Open, BreakerState::HalfOpen)
        ]
    );
}

#[test]
fn half_open_closes_when_the_probes_succeed_and_starts_an_empty_window() {
    let clock = VirtualClock::new();
    let (b, seen) = watched(small());
    open_it(&b, &clock);
    clock.advance(OPEN);
    assert!(b.admit_call(clock.now()).is_ok());
    assert!(b.admit_call(clock.now()).is_ok());
    pass(&b, &clock);
    assert_eq!(b.state(), BreakerState::HalfOpen, "one outcome of two");
    pass(&b, &clock);
    assert_eq!(b.state(), BreakerState::Closed);
    // The four failures that opened it are gone: three more do not reopen it.
    for _ in 0..3 {
        fail(&b, &clock);
    }
    assert_eq!(b.state(), BreakerState::Closed);
    assert_eq!(
        seen.lock().unwrap().last(),
        Some(&(BreakerState::HalfOpen, BreakerState::Closed))
    );
}

#[test]
fn half_open_opens_again_when_the_probes_fail() {
    let clock = VirtualClock::new();
    let (b, seen) = watched(small());
    open_it(&b, &clock);
    clock.advance(OPEN);
    assert!(b.admit_call(clock.now()).is_ok());
    assert!(b.admit_call(clock.now()).is_ok());
    pass(&b, &clock);
    fail(&b, &clock); // 1 of 2 = 0.5: the threshold
    assert_eq!(b.state(), BreakerState::Open);
    assert_eq!(
        seen.lock().unwrap().last(),
        Some(&(BreakerState::HalfOpen, BreakerState::Open))
    );
    // A new open duration from now.
    clock.advance(OPEN - MS);
    assert!(b.admit_call(clock.now()).is_err());
    clock.advance(MS);
    assert!(b.admit_call(clock.now()).is_ok());
}

#[test]
fn outcomes_while_open_are_ignored() {
    let clock = VirtualClock::new();
    let b = small();
    open_it(&b, &clock);
    for _ in 0..10 {
        pass(&b, &clock);
    }
    assert_eq!(b.state(), BreakerState::Open);
}

#[test]
fn a_round_whose_probes_never_report_starts_again_after_an_open_duration() {
    let clock = VirtualClock::new();
    let b = small();
    open_it(&b, &clock);
    clock.advance(OPEN);
    assert!(b.admit_call(clock.now()).is_ok());
    assert!(b.admit_call(clock.now()).is_ok());
    // Both probes' calls were dropped: no outcome ever comes.
    clock.advance(OPEN - MS);
    assert!(b.admit_call(clock.now()).is_err());
    clock.advance(MS);
    assert!(b.admit_call(clock.now()).is_ok(), "never stuck half-open");
    assert_eq!(b.state(), BreakerState::HalfOpen);
}

#[test]
fn a_gated_policy_tells_the_breaker_how_long_each_attempt_ran() {
    // Slow calls alone open this breaker: successes that took 2 s of the policy's clock,
    // measured by the core from each attempt's start (after its wait) to its outcome.
    let clock = VirtualClock::new();
    let b = CircuitBreaker::default()
        .count_window(3)
        .min_calls(3)
        .failure_ratio(1.0)
        .slow_call_duration(Duration::from_secs(2))
        .slow_call_ratio(1.0)
        .open_duration(OPEN);
    let policy = on_error(constant(Duration::from_secs(5)))
        .max_tries(2)
        .gate(b.clone())
        .clock(clock.clone());
    let slow_success = || {
        clock.advance(Duration::from_secs(2));
        Ok::<(), Error>(())
    };
    assert_eq!(policy.retry(slow_success), Ok(()));
    assert_eq!(policy.retry(slow_success), Ok(()));
    assert_eq!(
        b.state(),
        BreakerState::Closed,
        "two slow calls of the three judged"
    );
    // A failure that is fast, then a retry (after a 5 s wait, not counted) that is slow.
    let mut tries = 0;
    let r = policy.retry(|| {
        tries += 1;
        if tries == 1 {
            return Err(Error::Down);
        }
        clock.advance(Duration::from_millis(1_999));
        Ok(())
    });
    assert_eq!(r, Ok(()));
    assert_eq!(
        b.state(),
        BreakerState::Closed,
        "the last three: slow, fast failure, 1.999 s: not all slow"
    );
    assert_eq!(policy.retry(slow_success), Ok(()));
    assert_eq!(policy.retry(slow_success), Ok(()));
    assert_eq!(b.state(), BreakerState::Closed, "1.999 s, slow, slow");
    assert_eq!(policy.retry(slow_success), Ok(()));
    assert_eq!(
        b.state(),
        BreakerState::Open,
        "three slow successes in a row"
    );
}

#[test]
fn a_refunded_probe_is_given_back() {
    let clock = VirtualClock::new();
    let b = small();
    open_it(&b, &clock);
    clock.advance(OPEN);
    let first = b.admit_call(clock.now()).unwrap();
    assert!(b.admit_call(clock.now()).is_ok());
    assert!(b.admit_call(clock.now()).is_err());
    b.refund(first, clock.now());
    assert!(b.admit_call(clock.now()).is_ok());
}

#[test]
fn a_time_window_judges_the_outcomes_of_its_span() {
    let clock = VirtualClock::new();
    let b = small().time_window(Duration::from_secs(10)).min_calls(4);
    fail(&b, &clock);
    fail(&b, &clock);
    pass(&b, &clock);
    clock.advance(Duration::from_secs(10));
    // Those three have left the window.
    pass(&b, &clock);
    pass(&b, &clock);
    fail(&b, &clock);
    assert_eq!(
        b.state(),
        BreakerState::Closed,
        "1 of 3, and fewer than 4 calls"
    );
    fail(&b, &clock);
    assert_eq!(b.state(), BreakerState::Open, "2 of 4");
}

#[test]
fn bad_settings_are_errors_naming_them() {
    let err = CircuitBreaker::default()
        .try_failure_ratio(1.5)
        .unwrap_err();
    assert_eq!(err.parameter(), "failure_ratio");
    assert_eq!(err.budget(), "CircuitBreaker");
    assert_eq!(
        err.to_string(),
        "`failure_ratio` must be above 0 and at most 1, got 1.5"
    );
    assert_eq!(
        CircuitBreaker::default()
            .try_half_open_calls(0)
            .unwrap_err()
            .parameter(),
        "half_open_calls"
    );
    assert!(
        CircuitBreaker::default()
            .try_open_duration(Duration::ZERO)
            .is_err()
    );
    assert!(CircuitBreaker::default().try_count_window(0).is_err());
    assert!(
        CircuitBreaker::default()
            .try_time_window(Duration::from_millis(10))
            .is_err()
    );
}

// The breaker and the throttle in front of a policy.

#[derive(Debug, PartialEq)]
enum Error {
    Down,
    Refused(GiveUpReason),
}

impl From<Refused> for Error {
    fn from(r: Refused) -> Self {
        Error::Refused(r.reason())
    }
}

#[test]
fn as_a_budget_it_refuses_retries_with_the_last_failure() {
    let clock = VirtualClock::new();
    let b = small().count_window(2).min_calls(2);
    let reasons = Mutex::new(Vec::new());
    let policy = on_error(constant(Duration::from_secs(1)))
        .max_tries(5)
        .budget(b.clone())
        .on_giveup(|d| reasons.lock().unwrap().push((d.tries(), d.reason())))
        .clock(clock.clone());
    let mut calls = 0;
    let r: Result<(), Error> = policy.retry(|| {
        calls += 1;
        Err(Error::Down)
    });
    // Two failures open it: the retry after the second is refused.
    assert_eq!(r, Err(Error::Down));
    assert_eq!(calls, 2);
    assert_eq!(
        *reasons.lock().unwrap(),
        [(2, Some(GiveUpReason::CircuitOpen))]
    );
    // First attempts still go (retries only).
    let _ = policy.retry(|| {
        calls += 1;
        Err::<(), _>(Error::Down)
    });
    assert_eq!(calls, 3);
}

#[test]
fn as_a_gate_it_refuses_a_first_attempt_without_calling_the_operation() {
    let clock = VirtualClock::new();
    let b = small().count_window(2).min_calls(2);
    let reasons = Mutex::new(Vec::new());
    let policy = on_error(constant(Duration::from_secs(1)))
        .max_tries(5)
        .gate(b.clone())
        .on_giveup(|d| reasons.lock().unwrap().push((d.tries(), d.reason())))
        .clock(clock.clone());
    let mut calls = 0;
    let r: Result<(), Error> = policy.retry(|| {
        calls += 1;
        Err(Error::Down)
    });
    assert_eq!(r, Err(Error::Down));
    let r: Result<(), Error> = policy.retry(|| {
        calls += 1;
        Err(Error::Down)
    });
    assert_eq!(r, Err(Error::Refused(GiveUpReason::CircuitOpen)));
    assert_eq!(calls, 2);
    assert_eq!(
        *reasons.lock().unwrap(),
        [
            (2, Some(GiveUpReason::CircuitOpen)),
            (0, Some(GiveUpReason::CircuitOpen))
        ]
    );
    // After the open duration a probe goes; its success closes the breaker.
    clock.advance(OPEN);
    let r: Result<(), Error> = policy.retry(|| Ok(()));
    assert_eq!(r, Ok(()));
    let r: Result<(), Error> = policy.retry(|| Ok(()));
    assert_eq!(r, Ok(()));
    assert_eq!(b.state(), BreakerState::Closed);
}

#[test]
fn every_driver_asks_the_gate_before_the_first_attempt() {
    let clock = VirtualClock::new();
    let b = small();
    open_it(&b, &clock);
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .gate(b.clone())
        .clock(clock.clone());
    let refused = Err(Error::Refused(GiveUpReason::CircuitOpen));
    let never = || -> Result<(), Error> { panic!("no attempt while the breaker is open") };
    assert_eq!(policy.retry(never), refused);
    assert_eq!(policy.retry_with(|_| never()), refused);
    assert_eq!(policy.call().max_tries(2).retry(never), refused);
    futures_lite::future::block_on(async {
        assert_eq!(policy.retry_async(|| async { never() }).await, refused);
        assert_eq!(policy.retry_async_mut(async || never()).await, refused);
        assert_eq!(
            policy.call().retry_async(|| async { never() }).await,
            refused
        );
        let hedged = policy.clone().hedge(Duration::from_millis(10), 2);
        assert_eq!(hedged.retry_async(|| async { never() }).await, refused);
    });
    let boxed: persevere::BoxedOnError<(), Error> = policy.boxed();
    assert_eq!(boxed.retry(never), refused);
}

#[test]
fn the_code_block_form_is_refused_when_it_asks_and_counted_when_it_does_not() {
    let clock = VirtualClock::new();
    let b = small();
    open_it(&b, &clock);
    let giveups = Mutex::new(Vec::new());
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .gate(b.clone())
        .on_giveup(|d| giveups.lock().unwrap().push((d.tries(), d.reason())))
        .clock(clock.clone());
    // Asked before the first attempt: refused, with 0 tries, the give-up handler told.
    let mut retrying = policy.begin();
    let refused: Option<Result<(), Error>> = retrying.refused();
    assert_eq!(
        refused,
        Some(Err(Error::Refused(GiveUpReason::CircuitOpen)))
    );
    assert_eq!(retrying.tries(), 0);
    assert_eq!(
        *giveups.lock().unwrap(),
        [(0, Some(GiveUpReason::CircuitOpen))]
    );
    // Not asked: the attempt is made; its success is judged as usual and is the only thing
    // the guard hears (the refusal is not handed back to it as a withdrawal).
    let heard = Arc::new(Mutex::new(Vec::new()));
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .gate(Refusing(heard.clone()))
        .clock(clock.clone());
    let mut retrying = policy.begin();
    match retrying.check(Ok::<u32, Error>(7)) {
        persevere::Next::Done(outcome) => assert_eq!(outcome, Ok(7)),
        persevere::Next::Retry(_) => panic!("a success is done"),
    }
    assert_eq!(
        *heard.lock().unwrap(),
        ["admit_call", "on_success(None)", "attempt_ended"]
    );
    // Once an attempt is made, there is nothing left to refuse.
    assert_eq!(retrying.refused(), None);
}

/// A guard of the user's own (a store of theirs) that refuses every first attempt and writes
/// down what the core tells it.
struct Refusing(Arc<Mutex<Vec<String>>>);

impl Budget for Refusing {
    fn on_call(&self, _now: std::time::Instant) {
        self.0.lock().unwrap().push("on_call".into());
    }
    fn on_failure(&self, _cause: RetryCause, _now: std::time::Instant) {}
    fn withdraw(
        &self,
        _cause: RetryCause,
        _now: std::time::Instant,
    ) -> Option<persevere::budget::Withdrawal> {
        None
    }
    fn admit_call(
        &self,
        _now: std::time::Instant,
    ) -> Result<persevere::budget::Withdrawal, GiveUpReason> {
        self.0.lock().unwrap().push("admit_call".into());
        Err(GiveUpReason::Throttled)
    }
    fn on_success(&self, last: Option<persevere::budget::Withdrawal>, _now: std::time::Instant) {
        let last = last.map(|w| w.amount());
        self.0.lock().unwrap().push(format!("on_success({last:?})"));
    }
    fn attempt_ended(&self, _failed: bool, _ran: Duration, _now: std::time::Instant) {
        self.0.lock().unwrap().push("attempt_ended".into());
    }
}

#[test]
fn a_budget_beside_a_gate_is_asked_before_retries_only() {
    let clock = VirtualClock::new();
    // A throttle that never rejects here: 2000 accepts in its window before (no failure is
    // an accept, and the 1100 attempts below stay under K = 2 times them).
    let throttle = AdaptiveThrottle::default().seed(5);
    for _ in 0..2_000 {
        throttle.on_call(clock.now());
        throttle.on_success(None, clock.now());
    }
    // 10 % of the calls, no floor: one retry per ten calls.
    let budget = RatioBudget::new(0.1, 0, Duration::from_secs(10));
    let reasons = Mutex::new(Vec::new());
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .budget(budget.clone())
        .gate(throttle.clone())
        .on_giveup(|d| reasons.lock().unwrap().push(d.reason()))
        .clock(clock.clone());
    let mut sent = 0;
    for _ in 0..1_000 {
        let r = policy.retry(|| {
            sent += 1;
            Err::<(), _>(Error::Down)
        });
        assert_eq!(r, Err(Error::Down));
    }
    assert_eq!(
        sent, 1_100,
        "1000 first attempts and the budget's 100 retries"
    );
    // The throttle counted every first attempt and every retry the budget granted.
    assert_eq!(throttle.counts(clock.now()), (2_000 + 1_100, 2_000));
    let reasons = reasons.lock().unwrap();
    assert!(reasons.iter().all(|r| *r == Some(GiveUpReason::Budget)));
}

#[test]
fn a_throttle_gate_sheds_first_attempts_of_an_overloaded_backend() {
    let clock = VirtualClock::new();
    let throttle = AdaptiveThrottle::default().seed(5);
    let reasons = Mutex::new(Vec::new());
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(1)
        // The server says "slow down": overload, not an accept.
        .server_wait(|_: &Error| Some(Duration::ZERO))
        .gate(throttle.clone())
        .on_giveup(|d| reasons.lock().unwrap().push((d.tries(), d.reason())))
        .clock(clock.clone());
    let mut sent = 0;
    let mut refused = 0;
    for _ in 0..1_000 {
        match policy.retry(|| {
            sent += 1;
            Err::<(), _>(Error::Down)
        }) {
            Err(Error::Refused(GiveUpReason::Throttled)) => refused += 1,
            Err(Error::Down) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sent + refused, 1_000);
    assert!(
        sent < 20,
        "{sent} sent: p = n / (n + 1) with nothing accepted"
    );
    assert_eq!(throttle.counts(clock.now()), (1_000, 0));
    let reasons = reasons.lock().unwrap();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| **r == (0, Some(GiveUpReason::Throttled)))
            .count(),
        refused
    );
}

#[cfg(feature = "tower")]
#[test]
fn the_tower_layer_honours_a_gate() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::task::{Context, Poll};
    use tower_layer::Layer;
    use tower_service::Service;

    /// A service that always fails, counting its calls.
    #[derive(Clone)]
    struct Down(Arc<AtomicU32>);
    impl Service<()> for Down {
        type Response = ();
        type Error = Error;
        type Future = std::future::Ready<Result<(), Error>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Error>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: ()) -> Self::Future {
            self.0.fetch_add(1, Ordering::Relaxed);
            std::future::ready(Err(Error::Down))
        }
    }

    let clock = VirtualClock::new();
    let b = small().count_window(2).min_calls(2);
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .gate(b.clone())
        .clock(clock.clone());
    let calls = Arc::new(AtomicU32::new(0));
    let mut service = persevere::tower::RetryLayer::new(policy).layer(Down(calls.clone()));
    futures_lite::future::block_on(async {
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .unwrap();
        // Two failures open the breaker: the third attempt is refused (the last failure).
        assert_eq!(service.call(()).await, Err(Error::Down));
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .unwrap();
        assert_eq!(
            service.call(()).await,
            Err(Error::Refused(GiveUpReason::CircuitOpen))
        );
    });
    assert_eq!(calls.load(Ordering::Relaxed), 2);
}
