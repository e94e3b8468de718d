//! The synchronisation primitives the budgets and the circuit breaker use, imported from this one place.
//!
//! Budgets are lock-free: all their shared state is in these atomics, updated with CAS loops.
//! Keeping the imports here lets a model checker (loom) swap in its own types on these lines,
//! without touching the budgets' code.

#[cfg(not(persevere_loom))]
pub(crate) use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
#[cfg(not(persevere_loom))]
pub(crate) use std::sync::{Arc, Mutex};

// `RUSTFLAGS="--cfg persevere_loom"`: loom's model-checked types (tests/loom_budget.rs). A cfg
// of our own, since tokio reacts to `--cfg loom` itself.
#[cfg(persevere_loom)]
pub(crate) use loom::sync::atomic::{AtomicI64, AtomicU64, Ordering};
#[cfg(persevere_loom)]
pub(crate) use loom::sync::{Arc, Mutex};
