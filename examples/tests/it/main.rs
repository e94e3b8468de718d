//! The examples' integration tests, each against the real component on loopback, and the
//! README's checks, in one binary (one link instead of one per file).

#![deny(clippy::undocumented_unsafe_blocks)]

mod metrics;
mod policy_file;
mod postgres;
mod readme;
mod reqwest;
mod runtimes;
mod telemetry;
mod tower;
