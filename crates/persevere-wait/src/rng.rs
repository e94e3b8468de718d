//! The random source behind jitter: a small, fast generator with fresh state per call.
//!
//! Each retrying call draws its own state from a thread-local stream (so concurrent calls do
//! not retry in lock-step, and no lock is taken), or starts from the policy's seed (so every
//! call's sequence is reproducible). The state is only created on the first draw: a call that
//! never jitters does no random work at all.

#[cfg(feature = "std")]
use std::cell::Cell;
#[cfg(feature = "std")]
use std::collections::hash_map::RandomState;
#[cfg(feature = "std")]
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
    /// The SplitMix64 state; `UNDRAWN` until the first draw of a fresh generator. (One word
    /// rather than an `Option`, which would double the size of every retrying call.)
    state: u64,
}

/// The state of a fresh generator before its first draw. No seeded generator starts here
/// (see [`Rng::seeded`]), and a state drawn from the thread's stream never equals it.
const UNDRAWN: u64 = 0;

/// Seeds are mixed with this, so that the common seed 0 is not `UNDRAWN`.
const SEED_SALT: u64 = 0x5eed_5eed_5eed_5eed;

#[cfg(feature = "std")]
std::thread_local! {
    // Seeded once per thread from std's per-process random keys.
    static THREAD_STREAM: Cell<u64> = Cell::new(RandomState::new().hash_one(0x5eed_u64));
}

impl Rng {
    /// A generator whose state is taken from this thread's stream at its first draw, so that
    /// a call that never draws does no random work. Without the `std` feature there is no
    /// stream to draw from, and a fresh generator starts from a fixed state: seed it instead.
    pub const fn fresh() -> Self {
        Rng { state: UNDRAWN }
    }

    /// A generator that always yields the same sequence for the same seed.
    pub const fn seeded(seed: u64) -> Self {
        let state = seed ^ SEED_SALT;
        // The one seed that would land on `UNDRAWN` starts from the salt instead: still a
        // fixed sequence (the same as seed 0's neighbour in salt space), never a random one.
        Rng {
            state: if state == UNDRAWN {
                SEED_SALT.rotate_left(1)
            } else {
                state
            },
        }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        if self.state == UNDRAWN {
            self.state = draw_from_thread_stream();
        }
        self.state = self.state.wrapping_add(GAMMA);
        splitmix(self.state)
    }

    /// A uniform float in `[0, 1)`.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        // The top 53 bits, scaled: every value is a multiple of 2^-53 below 1.
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// A fresh state for one call from this thread's stream, never `UNDRAWN`.
#[cfg(feature = "std")]
#[cold]
fn draw_from_thread_stream() -> u64 {
    THREAD_STREAM.with(|stream| {
        let next = stream.get().wrapping_add(GAMMA);
        stream.set(next);
        splitmix(next).max(1)
    })
}

/// Without `std`: no per-thread entropy, a fixed non-`UNDRAWN` state.
#[cfg(not(feature = "std"))]
#[cold]
fn draw_from_thread_stream() -> u64 {
    SEED_SALT
}

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
    fn seed_zero_and_the_salt_itself_are_reproducible() {
        for seed in [0, SEED_SALT, u64::MAX] {
            let a = Rng::seeded(seed).next_u64();
            assert_eq!(a, Rng::seeded(seed).next_u64(), "seed {seed}");
        }
        assert_ne!(Rng::seeded(0).next_u64(), Rng::seeded(1).next_u64());
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
