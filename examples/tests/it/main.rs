//! The examples' integration tests, each against the real component on loopback, and the
//! README's checks, in one binary (one link instead of one per file).

mod metrics;
mod postgres;
mod readme;
mod reqwest;
mod runtimes;
mod tower;
