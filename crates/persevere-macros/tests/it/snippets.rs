//! Every snippet of design.md §2 "Attribute macros", run under a `VirtualClock` beside its
//! builder form: the same calls, the same result, the same waits. A `seed` makes the default
//! full jitter reproducible, so that the waits can be compared exactly.

use persevere::testing::VirtualClock;
use persevere::{Jitter, OnError, constant, expo, fibo, on_error, on_predicate};
use std::cell::Cell;
use std::num::ParseIntError;
use std::sync::LazyLock;
use std::time::Duration;

/// A scripted sequence of outcomes, one per call, counting the calls.
struct Script<T: Clone> {
    outcomes: Vec<T>,
    calls: Cell<usize>,
}

impl<T: Clone> Script<T> {
    fn new(outcomes: impl IntoIterator<Item = T>) -> Self {
        Script {
            outcomes: outcomes.into_iter().collect(),
            calls: Cell::new(0),
        }
    }

    fn next(&self) -> T {
        let i = self.calls.get();
        self.calls.set(i + 1);
        self.outcomes[i.min(self.outcomes.len() - 1)].clone()
    }
}

#[persevere::on_error(expo, max_tries = 3, seed = 1, clock = vc)]
fn read_int(vc: &VirtualClock, lines: &Script<&'static str>) -> Result<i64, ParseIntError> {
    lines.next().parse()
}

#[test]
fn read_int_retries_three_times_like_its_builder_form() {
    for input in [vec!["x", "y", "7"], vec!["x", "y", "z"], vec!["7"]] {
        let (vc, lines) = (VirtualClock::new(), Script::new(input.clone()));
        let got = read_int(&vc, &lines);

        let (builder_vc, builder_lines) = (VirtualClock::new(), Script::new(input));
        let want = on_error(expo())
            .max_tries(3)
            .seed(1)
            .clock(builder_vc.clone())
            .retry(|| builder_lines.next().parse::<i64>());
        assert_eq!(got, want);
        assert_eq!(lines.calls.get(), builder_lines.calls.get());
        assert_eq!(vc.sleeps(), builder_vc.sleeps());
    }
    let (vc, lines) = (VirtualClock::new(), Script::new(["x", "y", "z", "1"]));
    assert!(read_int(&vc, &lines).is_err());
    assert_eq!((lines.calls.get(), vc.sleeps().len()), (3, 2));
}

#[persevere::on_error(constant(interval = "250ms"), on = std::io::Error, max_tries = 4, clock = vc, jitter = none)]
fn sync_files(
    vc: &VirtualClock,
    errors: &Script<bool>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if errors.next() {
        Err(std::io::Error::other("disk busy").into())
    } else {
        Err("not an io error".into())
    }
}

#[test]
fn sync_files_retries_only_io_errors_four_times() {
    let (vc, io_errors) = (VirtualClock::new(), Script::new([true]));
    let err = sync_files(&vc, &io_errors).unwrap_err();
    assert!(err.is::<std::io::Error>());
    assert_eq!(io_errors.calls.get(), 4);
    assert_eq!(vc.sleeps(), [Duration::from_millis(250); 3]);

    let (vc, other) = (VirtualClock::new(), Script::new([false]));
    assert_eq!(
        sync_files(&vc, &other).unwrap_err().to_string(),
        "not an io error"
    );
    assert_eq!((other.calls.get(), vc.sleeps().len()), (1, 0));

    let builder_vc = VirtualClock::new();
    let builder_calls = Cell::new(0);
    let _ = on_error(constant(Duration::from_millis(250)))
        .on::<std::io::Error>()
        .max_tries(4)
        .jitter(Jitter::None)
        .clock(builder_vc.clone())
        .retry(|| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            builder_calls.set(builder_calls.get() + 1);
            Err(std::io::Error::other("disk busy").into())
        });
    assert_eq!(builder_calls.get(), 4);
    assert_eq!(builder_vc.sleeps(), [Duration::from_millis(250); 3]);
}

#[derive(Debug, Clone, PartialEq)]
struct Message(&'static str);

struct Queue {
    polls: Script<Option<Message>>,
}

#[persevere::on_predicate(fibo(max_value = 13), clock = vc, seed = 3)]
fn poll_for_message(vc: &VirtualClock, q: &Queue) -> Option<Message> {
    q.polls.next()
}

#[test]
fn poll_for_message_retries_while_none_like_its_builder_form() {
    let mut polls = vec![None; 8];
    polls.push(Some(Message("hello")));
    let (vc, q) = (
        VirtualClock::new(),
        Queue {
            polls: Script::new(polls.clone()),
        },
    );
    let got = poll_for_message(&vc, &q);

    let (builder_vc, builder_q) = (
        VirtualClock::new(),
        Queue {
            polls: Script::new(polls),
        },
    );
    let want = on_predicate(fibo().max_value(Duration::from_secs(13)))
        .seed(3)
        .clock(builder_vc.clone())
        .retry(|| builder_q.polls.next());
    assert_eq!(got, Some(Message("hello")));
    assert_eq!(got, want);
    assert_eq!(q.polls.calls.get(), 9);
    assert_eq!(vc.sleeps(), builder_vc.sleeps());
    assert_eq!(vc.sleeps().len(), 8);
    assert!(vc.sleeps().iter().all(|d| *d <= Duration::from_secs(13)));
}

#[derive(Debug, PartialEq)]
struct StockError;

fn inventory_policy(vc: &VirtualClock) -> OnError<persevere::Expo, (), (), VirtualClock> {
    on_error(expo().factor(Duration::from_millis(100)))
        .max_tries(4)
        .jitter(Jitter::None)
        .clock(vc.clone())
}

#[persevere::retry(inventory_policy(vc))]
fn sync_stock(vc: &VirtualClock, calls: &Cell<u32>) -> Result<(), StockError> {
    calls.set(calls.get() + 1);
    Err(StockError)
}

#[test]
fn sync_stock_uses_the_policy_expression_at_each_call() {
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(sync_stock(&vc, &calls), Err(StockError));
    assert_eq!(calls.get(), 4);
    assert_eq!(vc.sleeps(), [100, 200, 400].map(Duration::from_millis));
    // A second call starts afresh: the policy (and so its state) is built per call.
    assert_eq!(sync_stock(&vc, &calls), Err(StockError));
    assert_eq!(calls.get(), 8);
    assert_eq!(vc.sleeps().len(), 6);
}

static CLOCK: LazyLock<VirtualClock> = LazyLock::new(VirtualClock::new);

static POLICY: LazyLock<OnError<persevere::Constant, (), (), VirtualClock>> = LazyLock::new(|| {
    on_error(constant(Duration::from_secs(5)))
        .max_tries(3)
        .jitter(Jitter::None)
        .clock(CLOCK.clone())
});

#[persevere::retry(&POLICY)]
fn with_static_policy(calls: &Cell<u32>) -> Result<u32, String> {
    calls.set(calls.get() + 1);
    if calls.get() < 3 {
        Err("busy".to_owned())
    } else {
        Ok(calls.get())
    }
}

#[test]
fn a_static_policy_built_once_serves_every_call() {
    let calls = Cell::new(0);
    assert_eq!(with_static_policy(&calls), Ok(3));
    assert_eq!(CLOCK.sleeps(), [Duration::from_secs(5); 2]);
    // Each call still starts afresh: its tries and its strategy's state are its own.
    calls.set(0);
    assert_eq!(with_static_policy(&calls), Ok(3));
    assert_eq!(CLOCK.sleeps(), [Duration::from_secs(5); 4]);
}

/// The snippets exactly as design.md writes them (real clock): they compile, and a first
/// success returns at once.
mod as_written {
    #[persevere::on_error(expo, max_tries = 3)]
    fn read_int() -> Result<i64, std::num::ParseIntError> {
        "7".parse()
    }

    #[persevere::on_error(constant(interval = "250ms"), on = std::io::Error, max_tries = 4)]
    fn sync_files() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        Ok(())
    }

    pub struct Queue;
    #[derive(Debug, PartialEq)]
    pub struct Message;

    #[persevere::on_predicate(fibo(max_value = 13))]
    fn poll_for_message(_q: &Queue) -> Option<Message> {
        Some(Message)
    }

    #[derive(Debug)]
    pub struct StockError;

    fn inventory_policy() -> persevere::OnError<persevere::Expo> {
        persevere::on_error(persevere::expo()).max_tries(3)
    }

    #[persevere::retry(inventory_policy())]
    fn sync_stock() -> Result<(), StockError> {
        Ok(())
    }

    #[test]
    fn they_return_a_first_success_at_once() {
        assert_eq!(read_int(), Ok(7));
        assert!(sync_files().is_ok());
        assert_eq!(poll_for_message(&Queue), Some(Message));
        assert!(sync_stock().is_ok());
    }
}
