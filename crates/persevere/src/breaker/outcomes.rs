//! The closed breaker's window of outcomes: the last `n` calls (lock-free), or the calls of
//! the last span of time (a ring of ten periods behind an uncontended lock).

use crate::budget::sync::{AtomicU64, Mutex, Ordering};
use std::time::Duration;

/// What the window holds after a record: calls, failed calls, slow calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) calls: u64,
    pub(crate) failed: u64,
    pub(crate) slow: u64,
}

pub(crate) enum Outcomes {
    Count(CountWindow),
    // Boxed: the lock and its ten periods stay out of the count window's way.
    Time(Box<TimeWindow>),
}

impl Outcomes {
    /// Records an outcome and gives the totals it made, or `None` if they did not change (then
    /// whoever changed them last has judged them); `now_us` is asked only by a time window.
    #[inline]
    pub(crate) fn record(
        &self,
        failed: bool,
        slow: bool,
        now_us: impl FnOnce() -> u64,
    ) -> Option<Totals> {
        match self {
            Outcomes::Count(w) => w.record(failed, slow),
            Outcomes::Time(w) => Some(w.record(failed, slow, now_us())),
        }
    }

    pub(crate) fn clear(&self) {
        match self {
            Outcomes::Count(w) => w.clear(),
            Outcomes::Time(w) => w.clear(),
        }
    }
}

/// The largest count window: the totals' fields hold ±2^20.
pub(crate) const MAX_COUNT_WINDOW: u32 = 500_000;

const FIELD: u32 = 21;
const BIAS: u64 = 1 << 20;
const FIELD_MASK: u64 = (1 << FIELD) - 1;
/// The three totals at zero: each field holds its value plus `BIAS`, so that a total that is
/// briefly below zero (a writer that has swapped its slot but not yet added its change) never
/// borrows from its neighbour.
const ZERO: u64 = BIAS | (BIAS << FIELD) | (BIAS << (2 * FIELD));

/// A slot's code: recorded, failed, slow.
const RECORDED: u64 = 1;
const FAILED: u64 = 2;
const SLOW: u64 = 4;

/// The last `n` outcomes, lock-free: a ring of slots written by swap (so that each outcome
/// enters the totals once and leaves them once, whatever the interleaving) and the three
/// totals in one word, changed by one atomic add per record.
pub(crate) struct CountWindow {
    slots: Box<[AtomicU64]>,
    next: AtomicU64,
    totals: AtomicU64,
    /// `totals` when every slot holds a success that was neither failed nor slow.
    all_succeeded: u64,
}

fn delta(old: u64, new: u64) -> u64 {
    let bit = |code: u64, b: u64| u64::from(code & b != 0);
    let d = |b: u64, shift: u32| (bit(new, b).wrapping_sub(bit(old, b))) << shift;
    d(RECORDED, 0)
        .wrapping_add(d(FAILED, FIELD))
        .wrapping_add(d(SLOW, 2 * FIELD))
}

fn unpack(word: u64) -> Totals {
    let field = |shift: u32| (((word >> shift) & FIELD_MASK) as i64 - BIAS as i64).max(0) as u64;
    Totals {
        calls: field(0),
        failed: field(FIELD),
        slow: field(2 * FIELD),
    }
}

impl CountWindow {
    pub(crate) fn new(n: u32) -> Self {
        let n = n.max(1);
        CountWindow {
            slots: (0..n).map(|_| AtomicU64::new(0)).collect(),
            next: AtomicU64::new(0),
            totals: AtomicU64::new(ZERO),
            all_succeeded: ZERO + u64::from(n),
        }
    }

    fn record(&self, failed: bool, slow: bool) -> Option<Totals> {
        let code = RECORDED | if failed { FAILED } else { 0 } | if slow { SLOW } else { 0 };
        // The healthy steady state, read-only: a success into a window that holds nothing
        // but successes leaves the same last `n` outcomes whichever slot it would take, so it
        // takes none (no locked write, and the ring's position stays unshared between
        // threads). A writer whose change has not reached the totals yet is ordered after it.
        if code == RECORDED && self.totals.load(Ordering::Acquire) == self.all_succeeded {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len() as u64;
        let slot = &self.slots[i as usize];
        // An outcome that replaces one of its kind (a success after a success, the common
        // case) changes neither its slot nor the totals: a load, not locked writes. The totals
        // stay the sum of the slots (every change is a swap whose delta is added), and the
        // writer of the last change judged the totals it made, so no trip is missed.
        if slot.load(Ordering::Acquire) == code {
            return None;
        }
        let old = slot.swap(code, Ordering::AcqRel);
        let change = delta(old, code);
        if change == 0 {
            return None;
        }
        let before = self.totals.fetch_add(change, Ordering::AcqRel);
        Some(unpack(before.wrapping_add(change)))
    }

    fn clear(&self) {
        for slot in self.slots.iter() {
            let old = slot.swap(0, Ordering::AcqRel);
            if old != 0 {
                self.totals.fetch_add(delta(old, 0), Ordering::AcqRel);
            }
        }
    }

    #[cfg(test)]
    fn totals(&self) -> Totals {
        unpack(self.totals.load(Ordering::Acquire))
    }
}

/// Periods in a time window.
const PERIODS: usize = 10;

/// The outcomes of the last `span`, in ten periods of `span / 10`, behind a lock held for a
/// few integer operations per record (no allocation, no call out): an uncontended lock costs
/// two atomic operations, as many as the lock-free count window's record, and the three
/// counts of a period stay consistent.
pub(crate) struct TimeWindow {
    period_us: u64,
    ring: Mutex<Ring>,
}

#[derive(Default)]
struct Ring {
    /// Each period's number, calls, failed, slow.
    periods: [(u64, Totals); PERIODS],
    /// The newest period written.
    latest: u64,
}

const NONE: Totals = Totals {
    calls: 0,
    failed: 0,
    slow: 0,
};

impl Default for Totals {
    fn default() -> Self {
        NONE
    }
}

impl TimeWindow {
    pub(crate) fn new(span: Duration) -> Self {
        TimeWindow {
            period_us: (span.as_micros() / PERIODS as u128).max(1) as u64,
            ring: Mutex::new(Ring::default()),
        }
    }

    fn record(&self, failed: bool, slow: bool, now_us: u64) -> Totals {
        let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        // Time never goes back for the window: an older instant counts in the newest period.
        let period = (now_us / self.period_us).max(ring.latest);
        ring.latest = period;
        let slot = &mut ring.periods[period as usize % PERIODS];
        if slot.0 != period {
            *slot = (period, NONE);
        }
        slot.1.calls += 1;
        slot.1.failed += u64::from(failed);
        slot.1.slow += u64::from(slow);
        ring.periods
            .iter()
            .filter(|(p, _)| p + PERIODS as u64 > period)
            .fold(NONE, |t, (_, c)| Totals {
                calls: t.calls + c.calls,
                failed: t.failed + c.failed,
                slow: t.slow + c.slow,
            })
    }

    fn clear(&self) {
        let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        ring.periods = [(0, NONE); PERIODS];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_window_keeps_the_last_n() {
        let w = CountWindow::new(3);
        w.record(true, false);
        w.record(true, true);
        w.record(false, false);
        assert_eq!(
            w.totals(),
            Totals {
                calls: 3,
                failed: 2,
                slow: 1
            }
        );
        // The fourth replaces the first.
        let t = w.record(false, false);
        assert_eq!(
            t,
            Some(Totals {
                calls: 3,
                failed: 1,
                slow: 1
            })
        );
        // The fifth (slow and failed) replaces one of its kind, the second: nothing changes.
        assert_eq!(w.record(true, true), None);
        assert_eq!(
            w.totals(),
            Totals {
                calls: 3,
                failed: 1,
                slow: 1
            }
        );
        w.clear();
        assert_eq!(w.totals(), NONE);
    }

    /// The last `n` outcomes, as a list: the reference for the ring.
    fn last_n(outcomes: &[(bool, bool)], n: usize) -> Totals {
        let kept = &outcomes[outcomes.len().saturating_sub(n)..];
        Totals {
            calls: kept.len() as u64,
            failed: kept.iter().filter(|(f, _)| *f).count() as u64,
            slow: kept.iter().filter(|(_, s)| *s).count() as u64,
        }
    }

    #[test]
    fn a_count_window_holds_the_last_n_outcomes_whatever_it_skips() {
        // Long healthy stretches (which the window takes without writing) broken by failures
        // and slow calls, against the list of every outcome.
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        for n in [1, 2, 3, 5, 10] {
            let w = CountWindow::new(n);
            let mut outcomes = Vec::new();
            for _ in 0..5_000 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let outcome = match rng % 16 {
                    0 => (true, false),
                    1 => (false, true),
                    2 => (true, true),
                    _ => (false, false),
                };
                outcomes.push(outcome);
                if let Some(t) = w.record(outcome.0, outcome.1) {
                    assert_eq!(t, w.totals());
                }
                assert_eq!(w.totals(), last_n(&outcomes, n as usize), "n = {n}");
            }
        }
    }

    #[test]
    fn a_window_of_successes_takes_another_without_moving() {
        let w = CountWindow::new(3);
        for _ in 0..3 {
            w.record(false, false);
        }
        let position = w.next.load(Ordering::Relaxed);
        assert_eq!(w.record(false, false), None);
        assert_eq!(w.next.load(Ordering::Relaxed), position);
        // A failure is recorded and stays for the next two outcomes, then leaves.
        assert_eq!(w.record(true, false).map(|t| t.failed), Some(1));
        w.record(false, false);
        w.record(false, false);
        assert_eq!(w.totals().failed, 1);
        w.record(false, false);
        assert_eq!(w.totals().failed, 0);
    }

    #[test]
    fn a_time_window_forgets_what_left_it() {
        let w = TimeWindow::new(Duration::from_secs(10));
        w.record(true, false, 0);
        w.record(false, false, 5_000_000);
        assert_eq!(
            w.record(false, false, 9_999_999),
            Totals {
                calls: 3,
                failed: 1,
                slow: 0
            }
        );
        // At 10 s the first period (0-1 s) has left.
        assert_eq!(
            w.record(false, false, 10_000_000),
            Totals {
                calls: 3,
                failed: 0,
                slow: 0
            }
        );
        w.clear();
        assert_eq!(
            w.record(false, true, 10_000_000),
            Totals {
                calls: 1,
                failed: 0,
                slow: 1
            }
        );
    }
}
