//! The process-wide default budget (`budget::set_default`): off until set, inherited by the
//! policies built afterwards, replaced by `.budget(..)`, dropped by `.no_budget()` and by a
//! policy's own clock, never taken by the attribute macros.
//!
//! A binary of its own, with one test, because the default is process-wide: in the `it`
//! binary it would leak into the tests that run beside it.

use persevere::budget::{self, Budget, RatioBudget, RetryCause, Withdrawal};
use persevere::testing::VirtualClock;
use persevere::{GiveUpReason, constant, on_error, on_predicate};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A budget that refuses every retry and counts the calls it hears of.
#[derive(Clone, Default)]
struct Refuses(Arc<AtomicU32>);

impl Budget for Refuses {
    fn on_call(&self, _now: Instant) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    fn on_failure(&self, _cause: RetryCause, _now: Instant) {}
    fn withdraw(&self, _cause: RetryCause, _now: Instant) -> Option<Withdrawal> {
        None
    }
    fn on_success(&self, _last: Option<Withdrawal>, _now: Instant) {}
}

/// Attempts made by one call that always fails, through `policy`, and how it ended.
fn attempts<P>(retry: P) -> u32
where
    P: FnOnce(&mut dyn FnMut() -> Result<(), &'static str>) -> Result<(), &'static str>,
{
    let mut n = 0;
    let _ = retry(&mut || {
        n += 1;
        Err("down")
    });
    n
}

#[persevere::on_error(constant(interval = 0), max_tries = 3)]
fn attribute_on_error(n: &mut u32) -> Result<(), &'static str> {
    *n += 1;
    Err("down")
}

#[persevere::on_predicate(constant(interval = 0), max_tries = 3)]
fn attribute_on_predicate(n: &mut u32) -> bool {
    *n += 1;
    false
}

#[test]
fn the_default_budget_is_off_until_set_and_applies_to_policies_built_afterwards() {
    let zero = || constant(Duration::ZERO);
    // Off by default: three attempts.
    let before = on_error(zero()).max_tries(3).sleeper(|_: Duration| {});
    assert_eq!(attempts(|op| before.retry(op)), 3);

    let default = Refuses::default();
    budget::set_default(Some(default.clone()));

    // A policy built now shares it: the budget hears the call and refuses the retry, with the
    // budget's give-up reason.
    let reasons = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = reasons.clone();
    let inherits = on_error(zero())
        .max_tries(3)
        .sleeper(|_: Duration| {})
        .on_giveup(move |d| seen.lock().unwrap().push(d.reason()));
    assert_eq!(attempts(|op| inherits.retry(op)), 1);
    assert_eq!(default.0.load(Ordering::Relaxed), 1);
    assert_eq!(*reasons.lock().unwrap(), [Some(GiveUpReason::Budget)]);
    let polls = on_predicate(zero())
        .max_tries(3)
        .sleeper(|_: Duration| {})
        .retry(|| false);
    assert!(!polls);
    assert_eq!(
        default.0.load(Ordering::Relaxed),
        2,
        "on_predicate inherits it too"
    );

    // A policy built before keeps what it had.
    assert_eq!(attempts(|op| before.retry(op)), 3);

    // Opting out: `.no_budget()`.
    let opted_out = on_error(zero())
        .max_tries(3)
        .sleeper(|_: Duration| {})
        .no_budget();
    assert_eq!(attempts(|op| opted_out.retry(op)), 3);

    // A policy's own budget replaces the default (a generous one: every retry granted).
    let own = RatioBudget::new(10.0, 10, Duration::from_secs(10));
    let replaced = on_error(zero())
        .max_tries(3)
        .sleeper(|_: Duration| {})
        .budget(own);
    assert_eq!(attempts(|op| replaced.retry(op)), 3);

    // A virtual clock drops the inherited default (one timeline per budget) ...
    let clock = VirtualClock::new();
    let on_virtual_time = on_error(zero()).max_tries(3).clock(clock.clone());
    assert_eq!(attempts(|op| on_virtual_time.retry(op)), 3);
    // ... but keeps a budget given after it.
    let given = on_error(zero())
        .max_tries(3)
        .clock(clock.clone())
        .budget(Refuses::default());
    assert_eq!(attempts(|op| given.retry(op)), 1);
    assert_eq!(
        default.0.load(Ordering::Relaxed),
        2,
        "the default heard none of them"
    );

    // The attribute macros keep Python backoff's semantics: no default budget.
    let mut n = 0;
    assert_eq!(attribute_on_error(&mut n), Err("down"));
    assert_eq!(n, 3);
    let mut n = 0;
    assert!(!attribute_on_predicate(&mut n));
    assert_eq!(n, 3);
    assert_eq!(default.0.load(Ordering::Relaxed), 2);

    // Replaceable, and switchable off again.
    let second = Refuses::default();
    budget::set_default(Some(second.clone()));
    let inherits_second = on_error(zero()).max_tries(3).sleeper(|_: Duration| {});
    assert_eq!(attempts(|op| inherits_second.retry(op)), 1);
    assert_eq!(
        (
            default.0.load(Ordering::Relaxed),
            second.0.load(Ordering::Relaxed)
        ),
        (2, 1)
    );
    budget::set_default(None::<Refuses>);
    let after = on_error(zero()).max_tries(3).sleeper(|_: Duration| {});
    assert_eq!(attempts(|op| after.retry(op)), 3);
}
