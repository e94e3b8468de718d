//! `BreakerState`, and the two words a breaker's state lives in: the phase word (state, a
//! generation, since when) and the half-open word (the probes of one half-open round).

use std::fmt;

/// The state of a [`CircuitBreaker`](super::CircuitBreaker), as its
/// [`state`](super::CircuitBreaker::state) and its state-change events give it.
///
/// ```
/// use persevere::breaker::{BreakerState, CircuitBreaker};
///
/// assert_eq!(CircuitBreaker::default().state(), BreakerState::Closed);
/// assert_eq!(BreakerState::HalfOpen.as_str(), "half_open");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BreakerState {
    /// Attempts go through; their outcomes fill the window.
    Closed,
    /// Attempts are refused until the open duration has passed.
    Open,
    /// A limited number of probe attempts go through; their outcomes close the breaker or
    /// open it again.
    HalfOpen,
}

impl BreakerState {
    /// A short lowercase name, as logs and metrics write it: `closed`, `open`, `half_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    fn code(self) -> u64 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Microseconds kept of a time: 48 bits (8.9 years), compared with wrapping arithmetic.
pub(crate) const TIME_BITS: u32 = 48;
pub(crate) const TIME_MASK: u64 = (1 << TIME_BITS) - 1;
const GEN_BITS: u32 = 14;
const GEN_MASK: u64 = (1 << GEN_BITS) - 1;

/// The phase word: `since` (µs, 48 bits) | generation (14 bits) | state (2 bits). Every
/// transition is one compare-and-swap of this word and bumps the generation, so that exactly
/// one thread makes (and reports) each transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phase(pub(crate) u64);

impl Phase {
    pub(crate) fn closed() -> Self {
        Phase(0)
    }

    pub(crate) fn state(self) -> BreakerState {
        match self.0 & 3 {
            0 => BreakerState::Closed,
            1 => BreakerState::Open,
            _ => BreakerState::HalfOpen,
        }
    }

    pub(crate) fn generation(self) -> u64 {
        (self.0 >> 2) & GEN_MASK
    }

    pub(crate) fn since(self) -> u64 {
        self.0 >> (2 + GEN_BITS)
    }

    /// The next phase: `state` from `now_us`, one generation on.
    pub(crate) fn next(self, state: BreakerState, now_us: u64) -> Phase {
        let generation = (self.generation() + 1) & GEN_MASK;
        Phase(((now_us & TIME_MASK) << (2 + GEN_BITS)) | (generation << 2) | state.code())
    }
}

/// How long since `since` at `now_us` (µs), zero if `now_us` is older (another thread's
/// older instant).
pub(crate) fn elapsed_us(since: u64, now_us: u64) -> u64 {
    let d = now_us.wrapping_sub(since) & TIME_MASK;
    if d > TIME_MASK / 2 { 0 } else { d }
}

/// The most probes a half-open round may let through (12 bits per count).
pub(crate) const MAX_PROBES: u32 = 4_000;
const COUNT_BITS: u32 = 12;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;

/// The half-open word: the round's generation (14 bits) | probes sent | outcomes recorded |
/// failed | slow (12 bits each). A word of an older generation counts as an empty round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Round(pub(crate) u64);

impl Round {
    pub(crate) fn empty(generation: u64) -> Self {
        Round((generation & GEN_MASK) << (4 * COUNT_BITS))
    }

    fn field(self, i: u32) -> u64 {
        (self.0 >> (i * COUNT_BITS)) & COUNT_MASK
    }

    pub(crate) fn generation(self) -> u64 {
        self.0 >> (4 * COUNT_BITS)
    }

    /// This round if it is `generation`'s, else an empty one of `generation`.
    pub(crate) fn of(self, generation: u64) -> Self {
        if self.generation() == generation & GEN_MASK {
            self
        } else {
            Round::empty(generation)
        }
    }

    pub(crate) fn sent(self) -> u64 {
        self.field(3)
    }

    pub(crate) fn done(self) -> u64 {
        self.field(2)
    }

    pub(crate) fn failed(self) -> u64 {
        self.field(1)
    }

    pub(crate) fn slow(self) -> u64 {
        self.field(0)
    }

    fn with(self, i: u32, value: u64) -> Self {
        let value = value.min(COUNT_MASK);
        Round((self.0 & !(COUNT_MASK << (i * COUNT_BITS))) | (value << (i * COUNT_BITS)))
    }

    pub(crate) fn send(self) -> Self {
        self.with(3, self.sent() + 1)
    }

    pub(crate) fn unsend(self) -> Self {
        self.with(3, self.sent().saturating_sub(1))
    }

    pub(crate) fn record(self, failed: bool, slow: bool) -> Self {
        self.with(2, self.done() + 1)
            .with(1, self.failed() + u64::from(failed))
            .with(0, self.slow() + u64::from(slow))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_pack_and_move_on() {
        let p = Phase::closed();
        assert_eq!(
            (p.state(), p.generation(), p.since()),
            (BreakerState::Closed, 0, 0)
        );
        let q = p.next(BreakerState::Open, 1_234_567);
        assert_eq!(
            (q.state(), q.generation(), q.since()),
            (BreakerState::Open, 1, 1_234_567)
        );
        assert_eq!(elapsed_us(q.since(), 1_234_567 + 10), 10);
        assert_eq!(
            elapsed_us(q.since(), 1_234_000),
            0,
            "an older instant is no time"
        );
    }

    #[test]
    fn rounds_count_per_generation() {
        let r = Round::empty(5)
            .send()
            .send()
            .record(true, false)
            .record(false, true);
        assert_eq!((r.sent(), r.done(), r.failed(), r.slow()), (2, 2, 1, 1));
        assert_eq!(r.of(5), r);
        assert_eq!(r.of(6), Round::empty(6));
        assert_eq!(r.unsend().sent(), 1);
    }
}
