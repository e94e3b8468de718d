//! Discrete-event simulations of clients that retry with persevere's own strategies and jitter.
//!
//! - [`contention`]: the experiment of Marc Brooker's "Exponential Backoff And Jitter" (AWS
//!   Architecture Blog, 2015), with the exact setup of its simulator: N clients each make one
//!   optimistic-concurrency write to a single row.
//! - [`outage`]: open-loop clients against a server that fails everything for a while: load
//!   amplification, peak load and the time the retry backlog takes to drain, without a retry
//!   budget and with each of [`budgets`].
//! - [`wave`]: one burst of calls against a server that fails them all, with each budget.
//! - [`metastable`]: a server with a bounded queue overloaded by a short trigger: which client
//!   policies let its goodput come back once the trigger is gone ([`metastable_policy`], with
//!   persevere's budgets, throttle and breaker driven on the simulation's clock by
//!   [`guards`], measured by [`metastable_measure`]).
//!
//! Every run is seeded: the same seed gives the same numbers, on every machine.
//!
//! ```
//! use persevere_sim::{contention, Strategy};
//!
//! let a = contention::mean(Strategy::FullJitter, 10, 3, 1);
//! assert_eq!(a, contention::mean(Strategy::FullJitter, 10, 3, 1));
//! assert!(a.calls >= 10.0); // each client writes at least once
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod budgets;
pub mod contention;
pub mod events;
pub mod guards;
pub mod markdown;
pub mod markdown_anchors;
pub mod markdown_budgets;
pub mod markdown_findings;
pub mod markdown_metastable;
mod markdown_rows;
pub mod markdown_wave;
pub mod metastable;
pub mod metastable_measure;
pub mod metastable_policy;
mod metastable_setup;
pub mod net;
pub mod outage;
pub mod report;
pub mod report_metastable;
pub mod strategy;
pub mod svg;
pub mod wave;

pub use strategy::{Backoff, Strategy};

/// The master seed of the published results (`docs/simulation*`).
pub const SEED: u64 = 2015;
