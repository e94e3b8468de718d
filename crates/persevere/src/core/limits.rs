//! `max_tries` and `max_time` as the policy holds them (fixed, or "ask the parts"), and their
//! values for one call, resolved at its start.

use std::num::NonZeroU32;
use std::time::Duration;

/// A limit as the policy holds it: none, a value, or "ask the parts" (a closure given last).
/// Public only because the `IntoMax*` traits name it; not part of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Limit<V> {
    Unset,
    Fixed(V),
    FromParts,
}

/// The `max_tries` of a call that starts now: a closure's answer is checked here (0 makes one
/// attempt, with a warning).
pub(crate) fn read_max_tries(
    limit: Limit<NonZeroU32>,
    from_parts: impl FnOnce() -> Option<u32>,
) -> Option<NonZeroU32> {
    match limit {
        Limit::Unset => None,
        Limit::Fixed(n) => Some(n),
        Limit::FromParts => from_parts().map(|n| {
            NonZeroU32::new(n).unwrap_or_else(|| {
                // A value from configuration must not panic a call: one attempt, said once.
                tracing::warn!(
                    target: "persevere",
                    "the max_tries closure returned 0 (it must be at least 1): this call makes one attempt"
                );
                NonZeroU32::MIN
            })
        }),
    }
}

/// The `max_time` of a call that starts now.
pub(crate) fn read_max_time(
    limit: Limit<Duration>,
    from_parts: impl FnOnce() -> Option<Duration>,
) -> Option<Duration> {
    match limit {
        Limit::Unset => None,
        Limit::Fixed(d) => Some(d),
        Limit::FromParts => from_parts(),
    }
}
