//! The synchronisation primitives the budgets use, imported from this one place.
//!
//! Budgets are lock-free: all their shared state is in these atomics, updated with CAS loops.
//! Keeping the imports here lets a model checker (loom) swap in its own types with a
//! `#[cfg(loom)]` on these lines, without touching the budgets' code.

pub(crate) use std::sync::Arc;
pub(crate) use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
