//! The five strategies of the AWS experiment, each built from persevere's own wait strategies
//! and jitter.
//!
//! The blog's parameters are base 5 ms and cap 2000 ms. Its simulator counts attempts from 1
//! before the first retry, so the first retry's window is `min(cap, 2 * base)` = 10 ms. Here
//! that is `expo().factor(5 ms).base(2.0).max_value(2000 ms)` with its first value (5 ms)
//! skipped: the strategies keep the blog's parameters and the indexing is explicit.

use persevere::wait::{Wait, next_wait};
use persevere::{Jitter, Rng, constant, decorrelated, expo};
use std::fmt;
use std::time::Duration;

/// The blog's base: 5 ms.
pub const BASE: Duration = Duration::from_millis(5);
/// The blog's cap: 2000 ms.
pub const CAP: Duration = Duration::from_millis(2000);

/// A retry strategy of the experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Retry at once: `constant(0)`, no jitter.
    NoBackoff,
    /// `min(cap, base * 2^n)`, no jitter.
    Exponential,
    /// `U[0, min(cap, base * 2^n)]`: [`Jitter::Full`].
    FullJitter,
    /// `v/2 + U[0, v/2]` with `v = min(cap, base * 2^n)`: [`Jitter::Equal`].
    EqualJitter,
    /// `min(cap, U(base, 3 * previous))`: persevere's `decorrelated(base, cap)`.
    Decorrelated,
}

impl Strategy {
    /// All five, in the order of the tables.
    pub const ALL: [Strategy; 5] = [
        Strategy::NoBackoff,
        Strategy::Exponential,
        Strategy::FullJitter,
        Strategy::EqualJitter,
        Strategy::Decorrelated,
    ];

    /// The name used in CSV files and plots.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::NoBackoff => "no_backoff",
            Strategy::Exponential => "exponential",
            Strategy::FullJitter => "full_jitter",
            Strategy::EqualJitter => "equal_jitter",
            Strategy::Decorrelated => "decorrelated",
        }
    }

    /// The strategy's colour in the plots (the same in every plot).
    pub fn color(self) -> &'static str {
        match self {
            Strategy::NoBackoff => "#7f7f7f",
            Strategy::Exponential => "#d62728",
            Strategy::FullJitter => "#1f77b4",
            Strategy::EqualJitter => "#2ca02c",
            Strategy::Decorrelated => "#9467bd",
        }
    }

    /// One client's backoff, drawing its random numbers from `seed`.
    pub fn backoff(self, seed: u64) -> Backoff {
        let blog_expo = || expo().factor(BASE).base(2.0).max_value(CAP).skip(1);
        match self {
            Strategy::NoBackoff => Backoff::new(constant(Duration::ZERO), Jitter::None, seed),
            Strategy::Exponential => Backoff::new(blog_expo(), Jitter::None, seed),
            Strategy::FullJitter => Backoff::new(blog_expo(), Jitter::Full, seed),
            Strategy::EqualJitter => Backoff::new(blog_expo(), Jitter::Equal, seed),
            // Decorrelated is random already: persevere's default jitter for it is none.
            Strategy::Decorrelated => Backoff::new(decorrelated(BASE, CAP), Jitter::None, seed),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

type Step = Box<dyn FnMut(&mut Rng) -> Option<Duration>>;

/// One client's backoff: a persevere strategy with its per-call state, a jitter and the
/// client's own random numbers, stepped by [`next_wait`] (the strategy's delay, then the
/// jitter: the two steps the decision core takes for a policy without a custom jitter).
///
/// ```
/// use persevere_sim::Strategy;
/// use std::time::Duration;
///
/// let mut b = Strategy::Exponential.backoff(1);
/// let waits: Vec<u64> = (0..10).map(|_| b.next_wait().as_millis() as u64).collect();
/// assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1280, 2000, 2000]);
/// ```
pub struct Backoff {
    step: Step,
    jitter: Jitter,
    rng: Rng,
}

impl Backoff {
    /// A fresh call of `wait` with `jitter`, its random numbers seeded by `seed`.
    pub fn new<W>(wait: W, jitter: Jitter, seed: u64) -> Self
    where
        W: Wait<()> + 'static,
        W::State: 'static,
    {
        let mut state = wait.start();
        Backoff {
            step: Box::new(move |rng| next_wait(&wait, &mut state, &(), Some(jitter), rng)),
            jitter,
            rng: Rng::seeded(seed),
        }
    }

    /// The wait before the next retry.
    pub fn next_wait(&mut self) -> Duration {
        (self.step)(&mut self.rng).expect("the experiment's strategies never end")
    }

    /// [`next_wait`](Backoff::next_wait) in milliseconds.
    pub fn next_wait_ms(&mut self) -> f64 {
        self.next_wait().as_secs_f64() * 1e3
    }
}

impl fmt::Debug for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("jitter", &self.jitter)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_retry_window_is_twice_the_base() {
        // The blog's simulator increments the attempt before the first backoff.
        for seed in 0..200 {
            let full = Strategy::FullJitter.backoff(seed).next_wait();
            assert!(full <= Duration::from_millis(10), "{full:?}");
            let equal = Strategy::EqualJitter.backoff(seed).next_wait();
            assert!(equal >= Duration::from_millis(5) && equal <= Duration::from_millis(10));
            let decorr = Strategy::Decorrelated.backoff(seed).next_wait();
            assert!(
                decorr >= BASE && decorr <= Duration::from_millis(15),
                "{decorr:?}"
            );
        }
    }

    #[test]
    fn no_backoff_never_waits() {
        let mut b = Strategy::NoBackoff.backoff(9);
        assert!((0..50).all(|_| b.next_wait().is_zero()));
    }

    #[test]
    fn jittered_waits_stay_under_the_cap() {
        for s in [
            Strategy::FullJitter,
            Strategy::EqualJitter,
            Strategy::Decorrelated,
        ] {
            let mut b = s.backoff(4);
            assert!((0..200).all(|_| b.next_wait() <= CAP), "{s}");
        }
    }

    #[test]
    fn same_seed_same_waits() {
        let run = |seed| {
            let mut b = Strategy::FullJitter.backoff(seed);
            (0..8).map(|_| b.next_wait()).collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
    }
}
