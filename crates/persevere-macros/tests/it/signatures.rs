//! Every supported signature retries as its builder form would: methods on `&self`,
//! `&mut self` and `self: Arc<Self>`, generics, `impl Trait` arguments, aliased `Result`s,
//! bodies with `?` and `return`, and trait impls.

use persevere::testing::VirtualClock;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

#[derive(Debug, PartialEq)]
enum Error {
    Busy,
    Fatal,
}

struct Counter {
    clock: VirtualClock,
    calls: AtomicU32,
    fail_first: u32,
}

impl Counter {
    fn new(fail_first: u32) -> Self {
        Counter {
            clock: VirtualClock::new(),
            calls: AtomicU32::new(0),
            fail_first,
        }
    }

    #[persevere::on_error(constant(interval = 2), jitter = none, max_tries = 5, clock = self.clock)]
    fn by_ref(&self) -> Result<u32, Error> {
        self.calls.fetch_add(1, SeqCst);
        if self.calls.load(SeqCst) <= self.fail_first {
            Err(Error::Busy)
        } else {
            Ok(self.calls.load(SeqCst))
        }
    }

    #[persevere::on_error(constant(interval = 2), jitter = none, max_tries = 5, clock = self.clock)]
    fn by_mut(&mut self, log: &mut Vec<u32>) -> Result<u32, Error> {
        self.fail_first = self.fail_first.saturating_sub(1);
        log.push(self.fail_first);
        if self.fail_first > 0 {
            Err(Error::Busy)
        } else {
            Ok(log.len() as u32)
        }
    }

    #[persevere::on_error(constant(interval = 2), jitter = none, max_tries = 5, clock = self.clock)]
    fn by_arc(self: Arc<Self>) -> Result<u32, Error> {
        self.by_ref_once()
    }

    fn by_ref_once(&self) -> Result<u32, Error> {
        self.calls.fetch_add(1, SeqCst);
        if self.calls.load(SeqCst) <= self.fail_first {
            Err(Error::Busy)
        } else {
            Ok(self.calls.load(SeqCst))
        }
    }
}

#[test]
fn methods_on_ref_mut_and_arc_self_retry() {
    let counter = Counter::new(2);
    assert_eq!(counter.by_ref(), Ok(3));
    assert_eq!(counter.clock.sleeps(), [Duration::from_secs(2); 2]);

    // `&mut self` changes made by one attempt are seen by the next.
    let mut counter = Counter::new(4);
    let mut log = Vec::new();
    assert_eq!(counter.by_mut(&mut log), Ok(4));
    assert_eq!(log, [3, 2, 1, 0]);
    assert_eq!(counter.clock.sleeps().len(), 3);

    let counter = Arc::new(Counter::new(9));
    assert_eq!(counter.clone().by_arc(), Err(Error::Busy));
    assert_eq!(counter.calls.load(SeqCst), 5);
}

#[persevere::on_error(constant(interval = 1), jitter = none, max_tries = 3, clock = vc)]
fn parse_generic<T: std::str::FromStr>(
    vc: &VirtualClock,
    inputs: &Cell<usize>,
    lines: &[&str],
) -> Result<T, T::Err>
where
    T::Err: std::fmt::Debug,
{
    inputs.set(inputs.get() + 1);
    lines[inputs.get() - 1].parse()
}

#[test]
fn generic_functions_retry() {
    let (vc, n) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(parse_generic::<u8>(&vc, &n, &["x", "300", "7"]), Ok(7));
    assert_eq!(n.get(), 3);
    let (vc, n) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(parse_generic::<f64>(&vc, &n, &["x", "1.5"]), Ok(1.5));
    assert_eq!(vc.sleeps(), [Duration::from_secs(1)]);
}

#[persevere::on_error(constant(interval = 1), max_tries = 4, clock = vc)]
fn with_impl_trait(
    vc: &VirtualClock,
    mut source: impl FnMut() -> Result<u32, Error>,
    label: impl AsRef<str>,
) -> Result<String, Error> {
    let n = source()?;
    Ok(format!("{}{n}", label.as_ref()))
}

#[test]
fn impl_trait_arguments_and_question_mark() {
    let vc = VirtualClock::new();
    let mut answers = [Err(Error::Busy), Err(Error::Busy), Ok(5)].into_iter();
    assert_eq!(
        with_impl_trait(&vc, || answers.next().unwrap(), "n="),
        Ok("n=5".to_owned())
    );
    assert_eq!(vc.sleeps().len(), 2);
}

#[persevere::on_error(constant(interval = "10ms"), jitter = none, max_tries = 3, clock = vc)]
fn io_alias(vc: &VirtualClock, calls: &Cell<u32>) -> std::io::Result<u32> {
    calls.set(calls.get() + 1);
    if calls.get() < 3 {
        return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "slow"));
    }
    Ok(calls.get())
}

#[persevere::on_error(constant(interval = "10ms"), jitter = none, on = std::io::Error, max_tries = 3, clock = vc)]
fn anyhow_alias(vc: &VirtualClock, calls: &Cell<u32>, io: bool) -> anyhow::Result<u32> {
    calls.set(calls.get() + 1);
    if io {
        Err(std::io::Error::other("disk"))?;
    }
    anyhow::bail!("not io")
}

#[test]
fn aliased_results_and_early_returns() {
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(io_alias(&vc, &calls).unwrap(), 3);
    assert_eq!(vc.sleeps(), [Duration::from_millis(10); 2]);

    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    assert!(
        anyhow_alias(&vc, &calls, true)
            .unwrap_err()
            .is::<std::io::Error>()
    );
    assert_eq!(calls.get(), 3);
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(
        anyhow_alias(&vc, &calls, false).unwrap_err().to_string(),
        "not io"
    );
    assert_eq!((calls.get(), vc.sleeps().len()), (1, 0));
}

trait Fetch {
    fn fetch(&self, calls: &Cell<u32>) -> Result<u32, Error>;
}

struct Fetcher(VirtualClock);

impl Fetch for Fetcher {
    #[persevere::on_error(expo, max_tries = 3, giveup = |e| *e == Error::Fatal, clock = self.0)]
    fn fetch(&self, calls: &Cell<u32>) -> Result<u32, Error> {
        calls.set(calls.get() + 1);
        match calls.get() {
            1 => Err(Error::Busy),
            _ => Err(Error::Fatal),
        }
    }
}

#[test]
fn trait_impls_retry_and_giveup_stops() {
    let (fetcher, calls) = (Fetcher(VirtualClock::new()), Cell::new(0));
    assert_eq!(fetcher.fetch(&calls), Err(Error::Fatal));
    assert_eq!(calls.get(), 2);
    assert_eq!(fetcher.0.sleeps().len(), 1);
}

#[persevere::on_error(constant(interval = 1), max_tries = tries, clock = vc)]
fn per_call_tries(vc: &VirtualClock, tries: u32, mut attempts: Vec<u32>) -> Result<(), Vec<u32>> {
    attempts.push(attempts.len() as u32);
    Err(attempts.clone())
}

#[test]
fn the_policy_is_built_per_call_and_mut_arguments_keep_changes() {
    let vc = VirtualClock::new();
    assert_eq!(per_call_tries(&vc, 2, vec![]), Err(vec![0, 1]));
    assert_eq!(per_call_tries(&vc, 4, vec![]), Err(vec![0, 1, 2, 3]));
    assert_eq!(vc.sleeps().len(), 1 + 3);
}

#[persevere::on_error(constant(interval = 1), max_tries = 5, clock = vc)]
fn panics(vc: &VirtualClock, calls: &Cell<u32>) -> Result<(), Error> {
    calls.set(calls.get() + 1);
    panic!("a bug, not a transient failure");
}

#[test]
fn a_panic_in_the_body_propagates_and_is_not_retried() {
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| panics(&vc, &calls)));
    assert!(outcome.is_err());
    assert_eq!(calls.get(), 1);
    assert!(vc.sleeps().is_empty());
}

#[persevere::on_error(constant(interval = 1), max_tries = 2, clock = vc, on_backoff = |d| assert_eq!(d.target(), "named_after_me"))]
fn named_after_me(vc: &VirtualClock, targets: &Cell<u32>) -> Result<(), Error> {
    targets.set(targets.get() + 1);
    Err(Error::Busy)
}

#[test]
fn the_default_name_in_logs_and_details_is_the_function_s() {
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(named_after_me(&vc, &calls), Err(Error::Busy));
    assert_eq!((calls.get(), vc.sleeps().len()), (2, 1));
}

/// A service whose clock is injected: real time in production, virtual time in tests, with no
/// adapter (the real-time `SystemClock` is both a clock and a sleeper).
struct Service<C> {
    clock: C,
    calls: Cell<u32>,
}

impl<C: persevere::Clock + persevere::Sleeper + Clone> Service<C> {
    #[persevere::on_error(constant(interval = "20ms"), jitter = none, max_tries = 3, clock = self.clock)]
    fn call(&self) -> Result<u32, Error> {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() < 3 {
            Err(Error::Busy)
        } else {
            Ok(self.calls.get())
        }
    }
}

#[test]
fn an_attributed_method_runs_on_an_injected_real_time_clock() {
    let real = Service {
        clock: persevere::SystemClock,
        calls: Cell::new(0),
    };
    let start = std::time::Instant::now();
    assert_eq!(real.call(), Ok(3));
    assert!(
        start.elapsed() >= Duration::from_millis(40),
        "two real 20 ms sleeps"
    );
    let virtual_time = Service {
        clock: VirtualClock::new(),
        calls: Cell::new(0),
    };
    assert_eq!(virtual_time.call(), Ok(3));
    assert_eq!(virtual_time.clock.sleeps(), [Duration::from_millis(20); 2]);
}

#[persevere::on_error(constant(interval = "10ms"), jitter = none, max_tries = 2, clock = persevere::SystemClock)]
fn on_the_real_clock(calls: &Cell<u32>) -> Result<(), Error> {
    calls.set(calls.get() + 1);
    Err(Error::Busy)
}

#[test]
fn the_real_time_clock_is_accepted_by_the_attribute() {
    let calls = Cell::new(0);
    let start = std::time::Instant::now();
    assert_eq!(on_the_real_clock(&calls), Err(Error::Busy));
    assert_eq!(calls.get(), 2);
    assert!(start.elapsed() >= Duration::from_millis(10));
}
