//! The process-wide default budget: off unless the application turns it on (docs/semantics.md,
//! "A default budget", gives the simulation's numbers behind that choice).
//!
//! It is read when a policy is built, never during a call: a flag says whether one is set (one
//! atomic load per `on_error`/`on_predicate` while it is not), and a policy keeps the handle it
//! was built with, so a call pays nothing more than it pays for a budget given by `.budget(..)`.

use super::Budget;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

type Shared = Arc<dyn Budget + Send + Sync>;

/// Whether a default is set: lets the policies of a process without one skip the lock.
static SET: AtomicBool = AtomicBool::new(false);
static DEFAULT: RwLock<Option<Shared>> = RwLock::new(None);

/// Turns on (or replaces) the process-wide default retry budget: every policy that
/// [`on_error`](crate::on_error()) and [`on_predicate`](crate::on_predicate()) build from now on
/// shares `budget`, as if built with [`.budget(budget.clone())`](crate::Policy::budget).
/// `None` turns the default off again.
///
/// **Off by default.** docs/semantics.md gives the evidence and the reasons: a budget is best
/// per dependency (Finagle's and the AWS SDKs' are per client), the success path reads no
/// clock without one, and Python `backoff` has none. So the Python drop-in and the attribute
/// macros (`#[persevere::on_error]`, `#[persevere::on_predicate]`) never take the default.
///
/// Rules:
///
/// - It is read when a policy is **built**: set it at start-up, before the policies are made.
///   A policy built earlier keeps what it had; calling `set_default` again replaces the
///   default for the policies built afterwards.
/// - A policy's own [`budget`](crate::Policy::budget) replaces the default;
///   [`no_budget`](crate::Policy::no_budget) drops it for one policy.
/// - A policy given its own timeline with [`clock`](crate::Policy::clock) drops an inherited
///   default: the default counts on real time, and a test's
///   [`VirtualClock`](crate::testing::VirtualClock) would mix two timelines in one budget.
///   Give such a policy `.budget(..)` after `.clock(..)` to keep one.
///
/// ```
/// use persevere::budget::{self, RatioBudget};
/// use persevere::{on_error, constant};
/// use std::time::Duration;
///
/// // At start-up: 20 % of the calls of the whole process may be retried, plus 10 a second.
/// budget::set_default(Some(RatioBudget::default()));
/// let _fetch = on_error(constant(Duration::from_millis(100))).max_tries(3); // shares it
/// let _local = on_error(constant(Duration::from_millis(100))).no_budget(); // does not
/// budget::set_default(None::<RatioBudget>);
/// ```
pub fn set_default<B: Budget + Send + Sync + 'static>(budget: Option<B>) {
    let budget = budget.map(|b| Arc::new(b) as Shared);
    let mut slot = DEFAULT.write().unwrap_or_else(|e| e.into_inner());
    SET.store(budget.is_some(), Ordering::Release);
    *slot = budget;
}

/// The default a policy being built inherits, if one is set.
pub(crate) fn current() -> Option<Shared> {
    if !SET.load(Ordering::Acquire) {
        return None;
    }
    DEFAULT.read().unwrap_or_else(|e| e.into_inner()).clone()
}
