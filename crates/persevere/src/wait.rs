//! Wait strategies: how long to wait before each retry, and the pure step that turns a
//! strategy's delay into the wait a call sleeps.
//!
//! A strategy is a pure value: no clock, no I/O. Each retrying call starts the strategy afresh
//! ([`Wait::start`]) and asks it for one delay per retry ([`Wait::next_delay`]); `None` means
//! the strategy is exhausted and the call gives up. Every `Iterator<Item = Duration> + Clone`
//! is a strategy, so `expo().take(3)` or a user's own iterator work as they are; `runtime` (which
//! reads the last outcome) and `decorrelated` (which draws from the call's random numbers) are
//! the two that are not plain iterators.
//!
//! The constructors are at the crate root ([`expo`](crate::expo), ...). Here are the rest: the
//! [`Wait`] trait, [`next_wait`], [`AnyWait`] (a strategy chosen at run time), the fallible
//! constructors, the [`catalogue`] of built-in strategies with Python's defaults, the
//! [`params`] checks and the duration [`parse`]r that the attribute macros and the `persevere`
//! command share.

pub use persevere_wait::{CustomJitter, Wait, params, try_decay, try_decorrelated};
// What the strategies' own crate offers its other users (the CLI, the simulations, the
// macros): reachable here, not part of this crate's face.
#[doc(hidden)]
pub use persevere_wait::{
    AnyWait, AnyWaitState, Delay, NoFallback, RuntimeWait, catalogue, next_wait, parse,
};
