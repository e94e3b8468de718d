//! A sliding window of time slots, lock-free: a ring of signed counters, each tagged with the
//! period it counts, so that what was added in a period expires when the period leaves the
//! window; and their running total, the one word that grants are decided on.
//!
//! Time is cut into periods of `span / SLOTS`, counted from the first instant the window
//! sees. The window holds the last `SLOTS` periods; period `p` lives in slot `p % SLOTS`.
//! Each slot is one `AtomicU64` holding the period's number (its low 32 bits: the tag) and its
//! count (an `i32`), so that a writer checks the period and updates the count in one
//! compare-and-swap. A writer that finds an expired period in its slot claims the slot for its
//! own period and starts the count from zero: expiry is lazy, and needs no lock and no sweeper.
//!
//! `total` mirrors the sum of the slots' counts: whoever changes a slot's count by compare-
//! and-swap makes the same change to `total`, so each change reaches it exactly once; a
//! decrease before the slot's change and an increase after it, so that `total` is never above
//! what the slots hold (a credit on its way out of the window is never spent). A grant is
//! decided and paid by one compare-and-swap on `total` (so that two takers can never spend
//! the same credit, and a taker never misses credit added before it started), after the
//! expired slots' counts have been taken out of it (once per period, by whoever comes first);
//! the amount is then recorded in the current slot, so that it expires in turn.
//!
//! A tag has 32 bits, so a slot that nobody touches for 2^32 periods (13.6 years at the
//! shortest period, 100 ms) could be mistaken for a live one: a risk taken for counts of
//! 32 bits.

use super::sync::{AtomicI64, AtomicU64, Ordering};
use super::ticks;
use std::time::{Duration, Instant};

/// Slots (periods) in a window, as in tower's `TpsBudget`.
pub(crate) const SLOTS: usize = 10;

/// `origin` before the first instant is seen.
const UNSET: i64 = i64::MIN;

pub(crate) struct Window {
    /// The length of a period, in nanoseconds.
    period_nanos: u64,
    /// `u64::MAX / period_nanos`: a period is found by a multiplication, not a division (a
    /// guard finds one or two per event).
    period_reciprocal: u64,
    /// The first instant the window saw, on the guards' time axis (`ticks`): period 0 starts there,
    /// so that a virtual clock's slot boundaries fall where a test expects them.
    origin: AtomicI64,
    /// The newest period any writer has seen: time never goes back for the window, so a
    /// writer whose `now` is older writes into this period instead.
    latest: AtomicU64,
    slots: [AtomicU64; SLOTS],
    /// The sum of the slots' counts (expired ones included until they are taken out).
    total: AtomicI64,
    /// The newest period at which every slot that had left the window was taken out of
    /// `total`: the slots are swept once per period, not on every read of the total.
    swept: AtomicU64,
}

/// Where a slot's period stands relative to the period being written or read.
enum Age {
    /// The same period.
    Current,
    /// An older period still in the window.
    Live,
    /// A period that has left the window (or was never written).
    Expired,
    /// A newer period: another thread has moved the window on.
    Ahead,
}

fn age(tag: u32, period: u64) -> Age {
    let behind = (period as u32).wrapping_sub(tag);
    if behind == 0 {
        Age::Current
    } else if (behind as usize) < SLOTS {
        Age::Live
    } else if behind > u32::MAX / 2 {
        Age::Ahead
    } else {
        Age::Expired
    }
}

fn pack(period: u64, count: i32) -> u64 {
    (u64::from(period as u32) << 32) | u64::from(count as u32)
}

fn unpack(word: u64) -> (u32, i32) {
    ((word >> 32) as u32, word as u32 as i32)
}

impl Window {
    /// A window of `span`, cut into `SLOTS` periods.
    pub(crate) fn new(span: Duration) -> Self {
        let period_nanos = (span.as_nanos() / SLOTS as u128).max(1) as u64;
        Window {
            period_nanos,
            period_reciprocal: u64::MAX / period_nanos,
            origin: AtomicI64::new(UNSET),
            latest: AtomicU64::new(0),
            // A count of zero is harmless whatever its tag.
            slots: std::array::from_fn(|_| AtomicU64::new(pack(0, 0))),
            total: AtomicI64::new(0),
            swept: AtomicU64::new(0),
        }
    }

    fn period_at(&self, offset: i64, origin: i64) -> u64 {
        // An instant before the origin (another thread's older `now`) counts as period 0.
        // After it, the distance is exact as a `u64`, and kept below 2^63 for the quotient.
        let since = if offset > origin {
            offset.abs_diff(origin).min(i64::MAX as u64)
        } else {
            0
        };
        // Below 2^63, `since * reciprocal / 2^64` falls short of `since / period_nanos` by
        // less than 1: one correction makes the quotient exact.
        let mut period = ((u128::from(since) * u128::from(self.period_reciprocal)) >> 64) as u64;
        if since - period * self.period_nanos >= self.period_nanos {
            period += 1;
        }
        period
    }

    /// The period to write `now` into: `now`'s period, or the newest one seen if that is
    /// later. The first call fixes the origin.
    pub(crate) fn advance(&self, now: Instant) -> u64 {
        // On the guards' time axis, never `UNSET` (the axis stops at `-i64::MAX`).
        let offset = ticks::nanos(now);
        // Loads first: once the origin is set and the period published (every call but a
        // period's first), an advance writes nothing, and a locked read-modify-write costs
        // more than the rest of a guard's work.
        let mut origin = self.origin.load(Ordering::Acquire);
        if origin == UNSET {
            origin = match self.origin.compare_exchange(
                UNSET,
                offset,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => offset,
                Err(origin) => origin,
            };
        }
        let period = self.period_at(offset, origin);
        self.publish(period)
    }

    /// Makes `latest` at least `period`, and returns it. Published before the period's slot is
    /// written, so that a reader who finds a newer tag in a slot also finds `latest` at least
    /// that new (see `catch_up`). When `latest` is already that new, the thread that raised
    /// it released it before this load acquired it, so skipping the write keeps that order.
    fn publish(&self, period: u64) -> u64 {
        let latest = self.latest.load(Ordering::Acquire);
        if latest >= period {
            return latest;
        }
        self.latest.fetch_max(period, Ordering::AcqRel).max(period)
    }

    /// The newest period any writer has seen (0 before the first).
    pub(crate) fn latest(&self) -> u64 {
        self.latest.load(Ordering::Acquire)
    }

    /// When a slot holds a period after `period`: moves `period` to the newest one and says
    /// whether the caller must start again. A slot can only be ahead of `latest` if its tag is
    /// 2^31 or more periods old and merely looks new; such a slot is expired.
    fn catch_up(&self, period: &mut u64) -> bool {
        let latest = self.latest.load(Ordering::Acquire);
        if latest > *period {
            *period = latest;
            true
        } else {
            false
        }
    }

    /// Adds `amount` to `period`'s count, saturating at the count's range, claiming the slot
    /// for `period` if it held an expired one, and brings the total along: `prepaid` is the
    /// part of the slot's change the caller has already made to the total (a withdrawal pays
    /// the total first). A decrease of the total is made before the slot's change and an
    /// increase after it, so that the total is never above what the slots hold: a taker
    /// never spends a count that is leaving the window. Returns the part of `amount` that was
    /// counted.
    fn record(&self, mut period: u64, amount: i64, prepaid: i64) -> i64 {
        loop {
            let slot = &self.slots[period as usize % SLOTS];
            let word = slot.load(Ordering::Acquire);
            let (tag, old) = unpack(word);
            let base = match age(tag, period) {
                Age::Current => i64::from(old),
                Age::Ahead if self.catch_up(&mut period) => continue,
                _ => 0,
            };
            let new = (base + amount).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
            let due = new - i64::from(old) - prepaid;
            if due < 0 {
                self.total.fetch_add(due, Ordering::AcqRel);
            }
            let written = slot
                .compare_exchange_weak(
                    word,
                    pack(period, new as i32),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok();
            match (written, due < 0) {
                (true, false) if due > 0 => {
                    self.total.fetch_add(due, Ordering::AcqRel);
                }
                (false, true) => {
                    self.total.fetch_sub(due, Ordering::AcqRel);
                }
                _ => {}
            }
            if written {
                return new - base;
            }
        }
    }

    /// Adds `amount` (which may be negative) to `period`'s count, saturating at the count's
    /// range (about 2^31: beyond, more is not counted).
    pub(crate) fn add(&self, period: u64, amount: i64) {
        self.record(period, amount, 0);
    }

    /// Takes the counts of the slots that have left the window at `period` out of the total,
    /// and says up to which period it looked (the newest seen, if another thread is ahead).
    /// Once per period: a sweep at a period leaves no expired count for an older or equal one,
    /// except a writer's that was descheduled for a whole window between choosing its period
    /// and writing it (taken out at the next period's sweep).
    fn expire(&self, period: u64) -> u64 {
        if period <= self.swept.load(Ordering::Acquire) {
            return period;
        }
        let period = self.sweep(period);
        // After the sweep: a reader that skips it sees its subtractions from the total.
        self.swept.fetch_max(period, Ordering::AcqRel);
        period
    }

    fn sweep(&self, mut period: u64) -> u64 {
        'again: loop {
            for slot in &self.slots {
                let mut word = slot.load(Ordering::Acquire);
                loop {
                    let (tag, count) = unpack(word);
                    match age(tag, period) {
                        Age::Ahead if self.catch_up(&mut period) => continue 'again,
                        Age::Current | Age::Live => break,
                        _ if count == 0 => break,
                        _ => {}
                    }
                    // A credit leaves the total before its slot is cleared (see `record`);
                    // a debt (a negative count) after.
                    let count = i64::from(count);
                    if count > 0 {
                        self.total.fetch_sub(count, Ordering::AcqRel);
                    }
                    match slot.compare_exchange_weak(
                        word,
                        pack(u64::from(tag), 0),
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => {
                            if count < 0 {
                                self.total.fetch_sub(count, Ordering::AcqRel);
                            }
                            break;
                        }
                        Err(actual) => {
                            if count > 0 {
                                self.total.fetch_add(count, Ordering::AcqRel);
                            }
                            word = actual;
                        }
                    }
                }
            }
            return period;
        }
    }

    /// Takes `amount` (positive) if the window's total plus `extra` is at least `amount`, and
    /// says whether it did. The check and the payment are one compare-and-swap on the total.
    pub(crate) fn try_take(&self, period: u64, amount: i64, extra: i64) -> bool {
        let period = self.expire(period);
        let mut total = self.total.load(Ordering::Acquire);
        loop {
            if total.saturating_add(extra) < amount {
                return false;
            }
            match self.total.compare_exchange_weak(
                total,
                total - amount,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => total = actual,
            }
        }
        // Recorded in the slot too, so that it expires; the total has been paid already.
        let counted = self.record(period, -amount, -amount);
        if counted != -amount {
            // The slot's count hit the bottom of its range: undo rather than lose track of the
            // withdrawal (refusing is the safe side).
            self.add(period, -counted);
            return false;
        }
        true
    }

    /// [`add`](Self::add) in `period`, a period of another window on the same time axis
    /// (the throttle counts accepts in periods of its requests' window), noting it as seen.
    pub(crate) fn add_at(&self, period: u64, amount: i64) {
        self.publish(period);
        self.add(period, amount);
    }

    /// The sum of the counts live at `period`, from the running total: the slots are read
    /// only by the first reader or writer of a period (see [`expire`](Self::expire)).
    pub(crate) fn total_at(&self, period: u64) -> i64 {
        self.expire(period);
        self.total.load(Ordering::Acquire)
    }

    /// The period `now` falls in, without fixing the origin (`None` before the first write);
    /// the newest seen if that is later.
    pub(crate) fn period_for_read(&self, now: Instant) -> Option<u64> {
        let origin = self.origin.load(Ordering::Acquire);
        if origin == UNSET {
            return None;
        }
        Some(
            self.period_at(ticks::nanos(now), origin)
                .max(self.latest.load(Ordering::Acquire)),
        )
    }

    /// The sum of the counts live at `period` (the newest seen, if later).
    pub(crate) fn sum_at(&self, period: u64) -> i64 {
        let period = period.max(self.latest.load(Ordering::Acquire));
        self.slots
            .iter()
            .map(|slot| unpack(slot.load(Ordering::Acquire)))
            .filter(|&(tag, _)| matches!(age(tag, period), Age::Current | Age::Live))
            .map(|(_, count)| i64::from(count))
            .sum()
    }

    /// The sum of the counts in the window at `now` (or at the newest period seen, if later).
    /// Reads only: it neither fixes the origin nor moves the window.
    pub(crate) fn sum(&self, now: Instant) -> i64 {
        self.period_for_read(now)
            .map_or(0, |period| self.sum_at(period))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: Duration = Duration::from_secs(10);

    #[test]
    fn counts_expire_when_their_period_leaves_the_window() {
        let w = Window::new(SPAN);
        let t0 = Instant::now();
        let p = w.advance(t0);
        assert_eq!(p, 0);
        w.add(p, 7);
        assert_eq!(w.sum(t0 + Duration::from_millis(9_999)), 7);
        assert_eq!(w.sum(t0 + SPAN), 0);
        // The slot is reclaimed by the first writer of a later period.
        let p = w.advance(t0 + SPAN);
        assert_eq!(p, 10);
        w.add(p, 2);
        assert_eq!(w.sum(t0 + SPAN), 2);
    }

    #[test]
    fn an_older_now_writes_into_the_newest_period() {
        let w = Window::new(SPAN);
        let t0 = Instant::now();
        assert_eq!(w.advance(t0 + Duration::from_secs(3)), 0);
        assert_eq!(w.advance(t0 + Duration::from_secs(5)), 2);
        assert_eq!(w.advance(t0), 2);
    }

    #[test]
    fn take_spends_from_the_current_period_and_may_leave_it_negative() {
        let w = Window::new(SPAN);
        let t0 = Instant::now();
        w.add(w.advance(t0), 5);
        let later = t0 + Duration::from_secs(2);
        let p = w.advance(later);
        assert!(w.try_take(p, 3, 0));
        assert!(!w.try_take(p, 3, 0));
        assert!(w.try_take(p, 3, 1));
        assert_eq!(w.sum(later), -1);
        // The credit expires before the spending that used it: the window may go negative.
        assert_eq!(w.sum(t0 + SPAN), -6);
        assert!(!w.try_take(w.advance(t0 + SPAN), 1, 6));
        assert!(w.try_take(w.advance(t0 + SPAN), 1, 7));
    }

    #[test]
    fn counts_saturate_instead_of_wrapping() {
        let w = Window::new(SPAN);
        let p = w.advance(Instant::now());
        w.add(p, i64::from(i32::MAX));
        w.add(p, 1);
        let (_, count) = unpack(w.slots[0].load(Ordering::Relaxed));
        assert_eq!(count, i32::MAX);
        assert!(!w.try_take(p, i64::from(i32::MAX) * 3, i64::MAX / 2));
        // Refused and undone: the slot and the total are as they were.
        let (_, count) = unpack(w.slots[0].load(Ordering::Relaxed));
        assert_eq!(count, i32::MAX);
        assert_eq!(w.total.load(Ordering::Relaxed), i64::from(i32::MAX));
    }

    #[test]
    fn periods_are_exact_quotients_at_every_boundary() {
        for span in [
            Duration::from_secs(1),
            Duration::from_secs(10),
            Duration::from_millis(1_234_567),
            Duration::from_secs(3_600),
            Duration::from_nanos(7),
        ] {
            let w = Window::new(span);
            let d = w.period_nanos as i64;
            for k in [0, 1, 2, 9, 10, 1_000, 123_456_789, i64::MAX / d - 1] {
                let Some(at) = k.checked_mul(d) else { continue };
                for delta in [-1, 0, 1] {
                    let since = at.saturating_add(delta).max(0);
                    assert_eq!(
                        w.period_at(since, 0),
                        since as u64 / d as u64,
                        "{span:?} {since}"
                    );
                }
            }
            assert_eq!(w.period_at(i64::MAX, 0), i64::MAX as u64 / d as u64);
        }
    }

    #[test]
    fn ages_compare_tags_across_wrap() {
        assert!(matches!(age(u32::MAX, 1 << 32), Age::Live));
        assert!(matches!(age(5, 5), Age::Current));
        assert!(matches!(age(5, 15), Age::Expired));
        assert!(matches!(age(6, 5), Age::Ahead));
    }
}
