//! Servers on loopback for persevere's examples and integration tests: a scripted, flaky HTTP
//! server ([`flaky_http`]) and a throwaway PostgreSQL ([`postgres`]), with the classification of
//! PostgreSQL errors ([`pg_retry`]). Real servers, not mocks:
//! the code under test talks to them over real sockets.

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod flaky_http;
pub mod pg_retry;
pub mod policy_file;
pub mod postgres;

/// The README's ```rust blocks, as doctests of this crate (run, or compiled when marked
/// `no_run`; the "Use with ..." excerpts are marked `ignore` and checked by `tests/readme.rs`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// docs/policy-files.md's ```rust blocks, as doctests of this crate.
#[cfg(doctest)]
#[doc = include_str!("../../docs/policy-files.md")]
pub struct PolicyFilesDoctests;
