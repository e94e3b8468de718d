//! Builds the core policy of one decorator: the resolved strategy and jitter (the limits are
//! each call's own, see `limits`), `giveup`/`predicate` verdicts given by Python, the clock, the
//! budget, and handlers that report events to the binding. Each combination of the optional
//! parts is a type of its own until `.boxed()`, which gives all of them one type.

use crate::budget::SharedBudget;
use crate::clock::PyClock;
use crate::events::record;
use crate::jitter;
use crate::outcome::{Failure, Returned};
use crate::resolve::PyJitter;
use crate::wait::PyWait;
use persevere::{BoxedOnError, BoxedOnPredicate, Jitter, on_error, on_predicate};

/// The core policy of an `on_exception` decorator. Its successes carry nothing: the value is
/// returned by the Python side, and backoff's `on_success` details have no value.
pub type ErrorPolicy = BoxedOnError<(), Failure>;

/// The core policy of an `on_predicate` decorator.
pub type PredicatePolicy = BoxedOnPredicate<Returned>;

/// What varies between decorators besides the strategy.
pub struct Options {
    pub jitter: PyJitter,
    /// Whether any handler (the log's included) listens: without, no event is reported and the
    /// core reads the clock only for `max_time` and budgets.
    pub handlers: bool,
    pub budget: Option<SharedBudget>,
    pub clock: PyClock,
}

// Adds the optional parts to `$base` and boxes it: one arm per combination.
macro_rules! finish {
    ($base:expr, $options:expr, $t:ty, $e:ty) => {{
        let Options {
            jitter,
            handlers,
            budget,
            ..
        } = $options;
        macro_rules! tail {
            ($b:expr) => {
                match (handlers, budget) {
                    (true, Some(budget)) => $b
                        .on_backoff(record::<$t, $e>)
                        .on_giveup(record::<$t, $e>)
                        .on_success(record::<$t, $e>)
                        .budget(budget)
                        .boxed(),
                    (true, None) => $b
                        .on_backoff(record::<$t, $e>)
                        .on_giveup(record::<$t, $e>)
                        .on_success(record::<$t, $e>)
                        .boxed(),
                    (false, Some(budget)) => $b.budget(budget).boxed(),
                    (false, None) => $b.boxed(),
                }
            };
        }
        match jitter {
            PyJitter::None => tail!($base.jitter(Jitter::None)),
            PyJitter::Python(function) => {
                tail!($base.jitter(Jitter::custom(move |d, _| jitter::call(&function, d))))
            }
        }
    }};
}

/// The policy of an `on_exception` decorator.
pub fn error_policy(wait: PyWait, options: Options) -> ErrorPolicy {
    let clock = options.clock;
    let base = on_error(wait)
        .value_type::<()>()
        .error_type::<Failure>()
        .giveup(|f: &Failure| f.fatal)
        .no_log()
        .clock(clock);
    finish!(base, options, (), Failure)
}

/// The policy of an `on_predicate` decorator.
pub fn predicate_policy(wait: PyWait, options: Options) -> PredicatePolicy {
    let clock = options.clock;
    let base = on_predicate(wait)
        .value_type::<Returned>()
        .predicate(|r: &Returned| r.retry)
        .no_log()
        .clock(clock);
    finish!(base, options, Returned, std::convert::Infallible)
}
