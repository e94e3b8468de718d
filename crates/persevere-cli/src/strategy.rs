//! `--wait` chosen at run time: the library's catalogue enum, which keeps each strategy's own
//! state and hands every call to the core's `Wait` implementations.

/// One of the core's wait strategies, picked by `--wait` or `--intervals`.
pub use persevere::wait::AnyWait as Strategy;
