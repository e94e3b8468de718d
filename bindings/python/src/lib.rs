//! `persevere_retry._persevere`: the Rust half of the Python package `persevere`. Every retry
//! decision (limits, jitter, the built-in strategies' steps, the deadline rule, budgets) is
//! made here by persevere's core; `persevere_retry.backoff` (Python) calls the target, the user's
//! predicates and handlers, and sleeps.

#![forbid(unsafe_code)]

mod budget;
mod build;
mod call;
mod clock;
mod details;
mod events;
mod jitter;
mod limits;
mod outcome;
mod pending;
mod resolve;
mod seconds;
mod timing;
mod wait;
mod wait_type;

use pyo3::prelude::*;

#[pymodule]
fn _persevere(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<call::ExceptionPolicy>()?;
    m.add_class::<call::ExceptionCall>()?;
    m.add_class::<call::PredicatePolicyPy>()?;
    m.add_class::<call::PredicateCall>()?;
    m.add_class::<budget::RatioBudget>()?;
    m.add_class::<budget::TokenBucket>()?;
    Ok(())
}
