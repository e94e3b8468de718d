//! Cancellation and panics: dropping the async retry future after any number of polls stops
//! everything (no attempt starts, no handler runs, the attempt in flight is dropped, hedges
//! included); a panic in a handler, filter, wait closure or sleeper propagates, stops retrying
//! and leaves shared state (a budget) usable.

use persevere::budget::TokenBucket;
use persevere::{GiveUpReason, Jitter, TimedOut, constant, on_error, runtime};
use std::cell::Cell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// A future that is pending at its first poll and ready with `value` at its second.
struct Twice<T> {
    value: Option<T>,
    polled: bool,
}

impl<T: Unpin> Future for Twice<T> {
    type Output = T;

    fn poll(mut self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<T> {
        if std::mem::replace(&mut self.polled, true) {
            Poll::Ready(self.value.take().expect("polled after completion"))
        } else {
            Poll::Pending
        }
    }
}

fn twice<T>(value: T) -> Twice<T> {
    Twice {
        value: Some(value),
        polled: false,
    }
}

/// Counts attempts started, attempts dropped (finished or not), and handler calls.
#[derive(Default)]
struct Counters {
    started: Cell<u32>,
    dropped: Cell<u32>,
    handlers: Cell<u32>,
}

struct Guard<'a>(&'a Cell<u32>);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Polls `fut` at most `k` times; returns whether it finished.
fn poll_at_most<F: Future>(fut: F, k: usize) -> bool {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..k {
        if fut.as_mut().poll(&mut cx).is_ready() {
            return true;
        }
    }
    false
}

#[test]
fn dropping_the_future_after_any_poll_stops_everything() {
    // A 5-attempt call where each attempt and each sleep is pending once. Attempt n starts at
    // poll 2n - 1 and fails at poll 2n, where its handler runs and its sleep starts (pending);
    // the sleep ends at the next poll, which starts the next attempt. The give-up comes at poll
    // 10. Drop the call after k polls, for every k.
    let mut finished_at = None;
    for k in 0..=20 {
        let c = Counters::default();
        let policy = on_error(constant(Duration::from_secs(1)))
            .max_tries(5)
            .jitter(Jitter::None)
            .on_backoff(|_| c.handlers.set(c.handlers.get() + 1))
            .on_giveup(|_| c.handlers.set(c.handlers.get() + 1))
            .sleeper(|_: Duration| twice(()));
        let finished = poll_at_most(
            policy.retry_async(|| {
                c.started.set(c.started.get() + 1);
                let guard = Guard(&c.dropped);
                async move {
                    let _guard = guard;
                    twice(Err::<(), &str>("down")).await
                }
            }),
            k,
        );
        // After the drop: every attempt that started has been dropped (none is left running),
        // and exactly what the polls allowed ran: no attempt, no handler after the last poll.
        let k = k as u32;
        assert_eq!(c.dropped.get(), c.started.get(), "k = {k}");
        assert_eq!(c.started.get(), k.div_ceil(2).min(5), "k = {k}");
        assert_eq!(c.handlers.get(), (k / 2).min(5), "k = {k}");
        if finished && finished_at.is_none() {
            finished_at = Some(k);
        }
        assert_eq!(finished, k >= 10, "k = {k}");
    }
    assert_eq!(finished_at, Some(10));
}

#[test]
fn dropping_a_hedged_call_drops_every_attempt_running() {
    for k in 0..=12 {
        let c = Counters::default();
        // A zero hedge delay whose timer ends at its second poll: a hedge starts every other
        // poll, up to three in flight.
        let hedged = on_error(constant(Duration::from_secs(1)))
            .max_tries(4)
            .sleeper(|_: Duration| twice(()))
            .hedge(Duration::ZERO, 3);
        let _ = poll_at_most(
            hedged.retry_async(|| {
                c.started.set(c.started.get() + 1);
                let guard = Guard(&c.dropped);
                async move {
                    let _guard = guard;
                    std::future::pending::<Result<(), &str>>().await
                }
            }),
            k,
        );
        assert!(c.started.get() <= 3, "at most 3 in flight");
        assert_eq!(
            c.dropped.get(),
            c.started.get(),
            "k = {k}: every attempt dropped"
        );
    }
}

fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).unwrap_err();
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

#[test]
fn a_panic_in_any_part_propagates_stops_retrying_and_leaves_the_budget_usable() {
    let bucket = TokenBucket::builder(10.0)
        .retry_cost(1.0)
        .success_reward(0.0)
        .build();
    let calls = Rc::new(Cell::new(0));

    // In a handler.
    let counted = calls.clone();
    let msg = panic_message(|| {
        let _: Result<(), &str> = on_error(constant(Duration::ZERO))
            .budget(bucket.clone())
            .on_backoff(|_| panic!("handler"))
            .retry(|| {
                counted.set(counted.get() + 1);
                Err("down")
            });
    });
    assert_eq!((msg.as_str(), calls.replace(0)), ("handler", 1));

    // In a filter.
    let counted = calls.clone();
    let msg = panic_message(|| {
        let _: Result<(), &str> = on_error(constant(Duration::ZERO))
            .budget(bucket.clone())
            .when(|_: &&str| panic!("filter"))
            .retry(|| {
                counted.set(counted.get() + 1);
                Err("down")
            });
    });
    assert_eq!((msg.as_str(), calls.replace(0)), ("filter", 1));

    // In a wait closure.
    let counted = calls.clone();
    let msg = panic_message(|| {
        let _: Result<(), &str> = on_error(runtime(|_: &&str| -> Duration { panic!("wait") }))
            .budget(bucket.clone())
            .retry(|| {
                counted.set(counted.get() + 1);
                Err("down")
            });
    });
    assert_eq!((msg.as_str(), calls.replace(0)), ("wait", 1));

    // In a sleeper.
    let counted = calls.clone();
    let msg = panic_message(|| {
        let _: Result<(), &str> = on_error(constant(Duration::ZERO))
            .budget(bucket.clone())
            .sleeper(|_: Duration| panic!("sleeper"))
            .retry(|| {
                counted.set(counted.get() + 1);
                Err("down")
            });
    });
    assert_eq!((msg.as_str(), calls.replace(0)), ("sleeper", 1));

    // The budget paid for the two retries that reached the sleeper and the handler (the
    // withdrawal precedes both), and it still works: 8 tokens left for 8 more retries.
    assert_eq!(bucket.tokens(), 8.0);
    let reason = Cell::new(None);
    let mut attempts = 0;
    let _: Result<(), &str> = on_error(constant(Duration::ZERO))
        .budget(bucket.clone())
        .on_giveup(|d| reason.set(d.reason()))
        .retry(|| {
            attempts += 1;
            Err("down")
        });
    assert_eq!((attempts, reason.get()), (9, Some(GiveUpReason::Budget)));
    assert_eq!(bucket.tokens(), 0.0);
}

#[derive(Debug)]
struct Slow;

impl From<TimedOut> for Slow {
    fn from(_: TimedOut) -> Self {
        Slow
    }
}

#[test]
fn a_cut_attempt_is_dropped() {
    let c = Counters::default();
    let finished = poll_at_most(
        on_error(constant(Duration::ZERO))
            .max_tries(2)
            .attempt_timeout(Duration::from_secs(1))
            // The timer fires at its second poll; the attempts never answer.
            .sleeper(|_: Duration| twice(()))
            .retry_async(|| {
                c.started.set(c.started.get() + 1);
                let guard = Guard(&c.dropped);
                async move {
                    let _guard = guard;
                    std::future::pending::<Result<(), Slow>>().await
                }
            }),
        100,
    );
    assert!(finished);
    assert_eq!((c.started.get(), c.dropped.get()), (2, 2));
}
