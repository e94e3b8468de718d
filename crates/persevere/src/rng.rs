//! The random source behind jitter: a small, fast generator with fresh state per call.
//!
//! Each retrying call draws its own state from a thread-local stream (so concurrent calls do
//! not retry in lock-step, and no lock is taken), or starts from the policy's seed (so every
//! call's sequence is reproducible). The state is only created on the first draw: a call that
//! never jitters does no random work at all.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// The random numbers a retrying call uses for jitter and for `decorrelated` waits.
///
/// A SplitMix64 generator: statistically good for jitter, 64 bits of state, a few
/// nanoseconds a draw. Not for cryptography.
///
/// ```
/// let mut rng = persevere::Rng::seeded(7);
/// let u = rng.next_f64();
/// assert!((0.0..1.0).contains(&u));
/// assert_eq!(persevere::Rng::seeded(7).next_f64(), u);
/// ```
#[derive(Debug, Clone)]
pub struct Rng {
    state: Option<u64>,
}

thread_local! {
    // Seeded once per thread from std's per-process random keys.
    static THREAD_STREAM: Cell<u64> = Cell::new(RandomState::new().hash_one(0x5eed_u64));
}

impl Rng {
    /// A generator whose state is taken from this thread's stream at the first draw.
    pub(crate) const fn fresh() -> Self {
        Rng { state: None }
    }

    /// A generator that always yields the same sequence for the same seed.
    pub const fn seeded(seed: u64) -> Self {
        Rng { state: Some(seed) }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let state = match self.state {
            Some(s) => s,
            None => THREAD_STREAM.with(|stream| {
                let s = splitmix(stream.get().wrapping_add(GAMMA));
                stream.set(stream.get().wrapping_add(GAMMA));
                s
            }),
        };
        let next = state.wrapping_add(GAMMA);
        self.state = Some(next);
        splitmix(next)
    }

    /// A uniform float in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        // The top 53 bits, scaled: every value is a multiple of 2^-53 below 1.
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_sequences_repeat() {
        let a: Vec<u64> = (0..5)
            .scan(Rng::seeded(1), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..5)
            .scan(Rng::seeded(1), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn fresh_generators_differ() {
        // Two calls on one thread must not jitter in lock-step.
        assert_ne!(Rng::fresh().next_u64(), Rng::fresh().next_u64());
    }

    #[test]
    fn floats_are_in_unit_interval_and_spread() {
        let mut rng = Rng::seeded(99);
        let samples: Vec<f64> = (0..10_000).map(|_| rng.next_f64()).collect();
        assert!(samples.iter().all(|u| (0.0..1.0).contains(u)));
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    }
}
