//! Instants as nanoseconds on one axis that every guard shares, converted once per instant.
//!
//! A guard keeps time in integers (a window's periods, a breaker's microseconds), and turning
//! an `Instant` into one takes std's out-of-line subtraction of two `timespec`s. The guards of
//! one decision (a budget, a throttle and a breaker asked together) are handed the same `now`,
//! each several times, so the last conversion is kept per thread and reused while the instant
//! is the same: one subtraction per instant instead of one per guard and event.

use std::cell::Cell;
use std::sync::LazyLock;
use std::time::Instant;

/// The origin of the axis: the first instant any guard asked for.
static BASE: LazyLock<Instant> = LazyLock::new(Instant::now);

thread_local! {
    /// The last instant this thread converted, and its nanoseconds. A pure function's
    /// memory: whichever thread reads it, the answer is the same.
    static LAST: Cell<Option<(Instant, i64)>> = const { Cell::new(None) };
}

/// `now` in nanoseconds from the axis's origin: negative before it, saturating at `i64`'s
/// range (292 years either way; `-i64::MAX` at the bottom, never `i64::MIN`, which a window
/// keeps for "no origin yet").
#[inline]
pub(crate) fn nanos(now: Instant) -> i64 {
    LAST.with(|last| match last.get() {
        Some((at, nanos)) if at == now => nanos,
        _ => {
            let nanos = convert(now);
            last.set(Some((now, nanos)));
            nanos
        }
    })
}

#[inline(never)]
fn convert(now: Instant) -> i64 {
    let base = *BASE;
    match now.checked_duration_since(base) {
        Some(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        None => -i64::try_from(base.duration_since(now).as_nanos()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn instants_keep_their_distances_on_the_axis() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_millis(1_500);
        assert_eq!(nanos(later) - nanos(t0), 1_500_000_000);
        // Again, from the kept conversion, and before the origin.
        assert_eq!(nanos(later) - nanos(t0), 1_500_000_000);
        if let Some(before) = t0.checked_sub(Duration::from_secs(3)) {
            assert_eq!(nanos(t0) - nanos(before), 3_000_000_000);
        }
    }
}
