//! The Python-facing policy of one decorator and the state of one call through it: the
//! code-block form of the core (`begin`, then `check` per attempt) across Python calls. The
//! call keeps the core's `Retrying` beside the `Arc` of the policy it borrows (a safe
//! self-referential cell), so the Python loop may sleep and await between attempts.

use crate::build::{self, ErrorPolicy, Options, PredicatePolicy};
use crate::clock;
use crate::details::Context;
use crate::events;
use crate::outcome::{Failure, Returned};
use crate::timing::{self, Timing};
use crate::wait::PyWait;
use crate::{budget, limits, pending, resolve, wait_type};
use persevere::{GiveUpReason, Next, Policy, Retrying};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use self_cell::self_cell;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Names the parts of a policy type (some are not nameable from outside the core).
pub trait PolicyParts {
    type R;
    type W;
    type P;
    type K;
}

impl<R, W, P, K> PolicyParts for Policy<R, W, P, K> {
    type R = R;
    type W = W;
    type P = P;
    type K = K;
}

type Outcome = Result<(), Failure>;

/// A wait handed to Python: an `int` or a `float` of seconds, as backoff's (see `wait_type`).
type Seconds = Py<PyAny>;
type ErrorRetrying<'p> = Retrying<
    'p,
    <ErrorPolicy as PolicyParts>::R,
    <ErrorPolicy as PolicyParts>::W,
    <ErrorPolicy as PolicyParts>::P,
    <ErrorPolicy as PolicyParts>::K,
    Outcome,
>;
type PredicateRetrying<'p> = Retrying<
    'p,
    <PredicatePolicy as PolicyParts>::R,
    <PredicatePolicy as PolicyParts>::W,
    <PredicatePolicy as PolicyParts>::P,
    <PredicatePolicy as PolicyParts>::K,
    Returned,
>;

self_cell!(
    struct ErrorCell {
        owner: Arc<ErrorPolicy>,
        #[not_covariant]
        dependent: ErrorRetrying,
    }
);

self_cell!(
    struct PredicateCell {
        owner: Arc<PredicatePolicy>,
        #[not_covariant]
        dependent: PredicateRetrying,
    }
);

/// Common arguments of both policy constructors.
fn options(
    jitter: &Bound<'_, PyAny>,
    handlers: bool,
    budget: Option<&Bound<'_, PyAny>>,
    timing: Timing,
) -> PyResult<Options> {
    Ok(Options {
        jitter: resolve::jitter(jitter),
        handlers,
        budget: budget::shared(budget)?,
        clock: timing.clock,
    })
}

/// The retry policy of one `on_exception` decorator (internal: `persevere_retry.backoff` builds it).
#[pyclass(module = "persevere_retry._persevere", frozen)]
pub struct ExceptionPolicy {
    policy: Arc<ErrorPolicy>,
    timing: Timing,
    success_handlers: bool,
    lazy: bool,
}

#[pymethods]
impl ExceptionPolicy {
    #[new]
    #[pyo3(signature = (builtin, wait_gen, wait_gen_kwargs, jitter, handlers, success_handlers, budget, monotonic, measure_after_attempt))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        builtin: Option<&str>,
        wait_gen: &Bound<'_, PyAny>,
        wait_gen_kwargs: &Bound<'_, PyDict>,
        jitter: &Bound<'_, PyAny>,
        handlers: bool,
        success_handlers: bool,
        budget: Option<&Bound<'_, PyAny>>,
        monotonic: bool,
        measure_after_attempt: bool,
    ) -> PyResult<Self> {
        let timing = Timing::new(monotonic, measure_after_attempt);
        let wait = resolve::wait(builtin, wait_gen, wait_gen_kwargs)?;
        let options = options(jitter, handlers, budget, timing)?;
        let lazy = timing::may_start_lazily(
            timing,
            matches!(wait, PyWait::Generator { .. }),
            options.budget.is_some(),
            success_handlers,
        );
        Ok(ExceptionPolicy {
            policy: Arc::new(build::error_policy(wait, options)),
            timing,
            success_handlers,
            lazy,
        })
    }

    /// Whether calls may start lazily (`timing`'s module comment): then `stamp()` before the
    /// first attempt, and `begin(..., stamp)` only if it fails.
    #[getter]
    fn lazy(&self) -> bool {
        self.lazy
    }

    /// The stamp of a lazy start, or `None` when this call must `begin` now.
    fn stamp(&self) -> Option<u64> {
        self.timing.stamp()
    }

    /// Starts one call: reads `max_tries` and `max_time` (calling callables), the clock, and
    /// starts the strategy.
    ///
    /// `stamp`: the call started lazily at that stamp (see `stamp`), which stands for both of
    /// the readings backoff takes before the first attempt.
    #[pyo3(signature = (target, args, kwargs, max_tries, max_time, stamp=None))]
    fn begin(
        &self,
        target: Py<PyAny>,
        args: Py<PyTuple>,
        kwargs: Py<PyDict>,
        max_tries: &Bound<'_, PyAny>,
        max_time: &Bound<'_, PyAny>,
        stamp: Option<u64>,
    ) -> PyResult<ExceptionCall> {
        let (max_tries, max_time) = limits::read(max_tries, max_time)?;
        let stamped = stamp.map(clock::from_stamp);
        let start = stamped.or_else(|| self.timing.before_attempt());
        let cell = clock::with_latch(start, || {
            ErrorCell::new(self.policy.clone(), |policy| {
                // The core resolves the limits: the decorator's, as this call's own.
                let call = policy.call().max_tries(max_tries.get());
                call.max_time(max_time).begin_as("retry")
            })
        });
        raise_pending()?;
        Ok(ExceptionCall {
            cell: Mutex::new(cell),
            timing: self.timing,
            latch: stamped.or_else(|| self.timing.before_attempt()),
            context: Context {
                target,
                args,
                kwargs,
            },
            success_handlers: self.success_handlers,
            exhausted: false,
        })
    }
}

/// One call through an [`ExceptionPolicy`].
#[pyclass(module = "persevere_retry._persevere")]
pub struct ExceptionCall {
    // A pyclass must be `Sync`; the strategy's state is only `Send`. Uncontended (one call is
    // one Python loop), the lock costs a few nanoseconds.
    cell: Mutex<ErrorCell>,
    timing: Timing,
    latch: Option<Instant>,
    context: Context,
    success_handlers: bool,
    exhausted: bool,
}

#[pymethods]
impl ExceptionCall {
    /// Marks the start of the next attempt (backoff reads the clock here).
    fn attempt(&mut self) -> PyResult<()> {
        self.latch = self.timing.before_attempt();
        raise_pending()
    }

    /// The attempt raised `exception` (`fatal`: `giveup` said to stop). Returns `(wait,
    /// details)`: the seconds to sleep before the next attempt, or `None` to give up; and the
    /// details dict for the handlers of that event (`None` without handlers).
    fn failed(
        &mut self,
        py: Python<'_>,
        exception: Py<PyAny>,
        fatal: bool,
    ) -> PyResult<(Option<Seconds>, Option<Py<PyDict>>)> {
        let failure = Failure {
            exception: exception.clone_ref(py),
            fatal,
        };
        let next = clock::with_latch(self.latch, || {
            lock(&self.cell).with_dependent_mut(|_, retrying| retrying.check(Err(failure)))
        });
        // The event first: one left behind would be the next call's on this thread.
        let event = events::take();
        raise_pending()?;
        let wait = match next {
            Next::Retry(wait) => Some(wait_type::to_object(py, wait)?),
            Next::Done(_) => {
                self.exhausted = event.is_some_and(|e| e.reason == Some(GiveUpReason::Exhausted));
                None
            }
        };
        let details = match event {
            Some(event) => Some(
                self.context
                    .details(py, &event, Some(("exception", &exception)))?
                    .unbind(),
            ),
            None => None,
        };
        Ok((wait, details))
    }

    /// The attempt returned. Returns the details dict for the `on_success` handlers (`None`
    /// without them).
    fn succeeded(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyDict>>> {
        // A success is always `Done`: the outcome carries nothing to return.
        let _done = clock::with_latch(self.latch, || {
            lock(&self.cell).with_dependent_mut(|_, retrying| retrying.check(Ok(())))
        });
        let event = events::take();
        raise_pending()?;
        match event {
            Some(event) if self.success_handlers => {
                Ok(Some(self.context.details(py, &event, None)?.unbind()))
            }
            _ => Ok(None),
        }
    }

    /// Whether the call gave up because the strategy ran out of waits (backoff then raises
    /// even with `raise_on_giveup=False`).
    #[getter]
    fn exhausted(&self) -> bool {
        self.exhausted
    }
}

/// The retry policy of one `on_predicate` decorator (internal: `persevere_retry.backoff` builds it).
#[pyclass(
    module = "persevere_retry._persevere",
    name = "PredicatePolicy",
    frozen
)]
pub struct PredicatePolicyPy {
    policy: Arc<PredicatePolicy>,
    timing: Timing,
    success_handlers: bool,
    lazy: bool,
}

#[pymethods]
impl PredicatePolicyPy {
    #[new]
    #[pyo3(signature = (builtin, wait_gen, wait_gen_kwargs, jitter, handlers, success_handlers, budget, monotonic, measure_after_attempt))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        builtin: Option<&str>,
        wait_gen: &Bound<'_, PyAny>,
        wait_gen_kwargs: &Bound<'_, PyDict>,
        jitter: &Bound<'_, PyAny>,
        handlers: bool,
        success_handlers: bool,
        budget: Option<&Bound<'_, PyAny>>,
        monotonic: bool,
        measure_after_attempt: bool,
    ) -> PyResult<Self> {
        let timing = Timing::new(monotonic, measure_after_attempt);
        let wait = resolve::wait(builtin, wait_gen, wait_gen_kwargs)?;
        let options = options(jitter, handlers, budget, timing)?;
        let lazy = timing::may_start_lazily(
            timing,
            matches!(wait, PyWait::Generator { .. }),
            options.budget.is_some(),
            success_handlers,
        );
        Ok(PredicatePolicyPy {
            policy: Arc::new(build::predicate_policy(wait, options)),
            timing,
            success_handlers,
            lazy,
        })
    }

    /// Whether calls may start lazily (`timing`'s module comment): then `stamp()` before the
    /// first attempt, and `begin(..., stamp)` only if it fails.
    #[getter]
    fn lazy(&self) -> bool {
        self.lazy
    }

    /// The stamp of a lazy start, or `None` when this call must `begin` now.
    fn stamp(&self) -> Option<u64> {
        self.timing.stamp()
    }

    /// Starts one call (see `ExceptionPolicy.begin`).
    ///
    /// `stamp`: the call started lazily at that stamp (see `stamp`), which stands for both of
    /// the readings backoff takes before the first attempt.
    #[pyo3(signature = (target, args, kwargs, max_tries, max_time, stamp=None))]
    fn begin(
        &self,
        target: Py<PyAny>,
        args: Py<PyTuple>,
        kwargs: Py<PyDict>,
        max_tries: &Bound<'_, PyAny>,
        max_time: &Bound<'_, PyAny>,
        stamp: Option<u64>,
    ) -> PyResult<PredicateCall> {
        let (max_tries, max_time) = limits::read(max_tries, max_time)?;
        let stamped = stamp.map(clock::from_stamp);
        let start = stamped.or_else(|| self.timing.before_attempt());
        let cell = clock::with_latch(start, || {
            PredicateCell::new(self.policy.clone(), |policy| {
                // The core resolves the limits: the decorator's, as this call's own.
                let call = policy.call().max_tries(max_tries.get());
                call.max_time(max_time).begin_as("retry")
            })
        });
        raise_pending()?;
        Ok(PredicateCall {
            cell: Mutex::new(cell),
            timing: self.timing,
            latch: stamped.or_else(|| self.timing.before_attempt()),
            context: Context {
                target,
                args,
                kwargs,
            },
            success_handlers: self.success_handlers,
        })
    }
}

/// One call through a `PredicatePolicy`.
#[pyclass(module = "persevere_retry._persevere")]
pub struct PredicateCall {
    cell: Mutex<PredicateCell>,
    timing: Timing,
    latch: Option<Instant>,
    context: Context,
    success_handlers: bool,
}

#[pymethods]
impl PredicateCall {
    /// Marks the start of the next attempt (backoff reads the clock here).
    fn attempt(&mut self) -> PyResult<()> {
        self.latch = self.timing.before_attempt();
        raise_pending()
    }

    /// The attempt returned `value` (`retry`: the predicate holds). Returns `(wait, details,
    /// done)`: the seconds to sleep (`None` when the call is over), the details dict for the
    /// event's handlers (`None` without them), and whether the event was a success.
    fn returned(
        &mut self,
        py: Python<'_>,
        value: Py<PyAny>,
        retry: bool,
    ) -> PyResult<(Option<Seconds>, Option<Py<PyDict>>, bool)> {
        let returned = Returned {
            value: value.clone_ref(py),
            retry,
        };
        let next = clock::with_latch(self.latch, || {
            lock(&self.cell).with_dependent_mut(|_, retrying| retrying.check(returned))
        });
        // The event first: one left behind would be the next call's on this thread.
        let event = events::take();
        raise_pending()?;
        let wait = match next {
            Next::Retry(wait) => Some(wait_type::to_object(py, wait)?),
            Next::Done(_) => None,
        };
        let wanted = retry || self.success_handlers;
        let details = match event {
            Some(event) if wanted => Some(
                self.context
                    .details(py, &event, Some(("value", &value)))?
                    .unbind(),
            ),
            _ => None,
        };
        Ok((wait, details, !retry))
    }
}

/// The cell of a call (a panic in an earlier step cannot leave it half-updated in a way
/// that matters: the call is over then).
fn lock<T>(cell: &Mutex<T>) -> MutexGuard<'_, T> {
    cell.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Raises the exception a callback of the core parked, if any.
fn raise_pending() -> PyResult<()> {
    match pending::take() {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
