//! persevere-redis's integration tests against real redis-server processes, in one binary
//! (one link instead of one per file).

// Shared with the CLI's budget tests, which include it by this path too.
#[path = "../common/mod.rs"]
mod common;
mod fleet;
mod shared_breaker;
mod shared_breaker_fleet;
mod shared_budget;
mod shared_throttle;
