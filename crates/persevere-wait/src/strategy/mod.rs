//! Wait strategies: how long to wait before each retry.
//!
//! A strategy is a pure value: no clock, no I/O. Each retrying call starts the strategy afresh
//! ([`Wait::start`]) and asks it for one delay per retry ([`Wait::next_delay`]); `None` means
//! the strategy is exhausted and the call gives up. Every `Iterator<Item = Duration> + Clone`
//! is a strategy, so `expo().take(3)` or a user's own iterator work as they are; `runtime` (which
//! reads the last outcome) and `decorrelated` (which draws from the call's random numbers) are
//! the two that are not plain iterators.

mod constant;
mod decay;
mod decorrelated;
mod expo;
mod fibo;
mod intervals;
mod linear;
mod runtime;

pub use constant::{Constant, constant};
pub use decay::{Decay, decay, try_decay};
pub use decorrelated::{Decorrelated, decorrelated, try_decorrelated};
pub use expo::{Expo, expo};
pub use fibo::{Fibo, fibo};
pub use intervals::{Intervals, intervals};
pub use linear::{Linear, linear};
pub use runtime::{NoFallback, Runtime, RuntimeWait, runtime};

use crate::jitter::Jitter;
use crate::rng::Rng;
use core::time::Duration;

/// One delay proposed by a strategy, before jitter and the `max_time` clamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    /// How long to wait, capped by the strategy's own maximum.
    pub duration: Duration,
    /// Whether the policy's default jitter applies ([`crate::Jitter::Full`]) or none does. A
    /// server's Retry-After is exact and `decorrelated` is already random, so they say `false`.
    pub jittered_by_default: bool,
}

impl Delay {
    /// A delay that the default full jitter spreads.
    pub const fn jittered(duration: Duration) -> Self {
        Delay {
            duration,
            jittered_by_default: true,
        }
    }

    /// A delay kept as it is unless the policy sets a jitter.
    pub const fn exact(duration: Duration) -> Self {
        Delay {
            duration,
            jittered_by_default: false,
        }
    }
}

/// A wait strategy: the source of the delays between attempts.
///
/// `X` is what the last attempt produced and the strategy may read: the error for
/// `on_error`, the value for `on_predicate`.
///
/// ```
/// use persevere::{expo, wait::Wait, Rng};
/// use std::time::Duration;
///
/// let strategy = expo().max_value(Duration::from_secs(4));
/// let mut state = Wait::<()>::start(&strategy);
/// let mut rng = Rng::seeded(0);
/// let waits: Vec<u64> = (0..4)
///     .map(|_| strategy.next_delay(&mut state, &(), &mut rng).unwrap().duration.as_secs())
///     .collect();
/// assert_eq!(waits, [1, 2, 4, 4]);
/// ```
pub trait Wait<X: ?Sized> {
    /// The per-call state (an iterator's position, the previous sleep, ...).
    type State;

    /// Fresh state for one retrying call.
    fn start(&self) -> Self::State;

    /// The delay before the next attempt, given what the last attempt produced; `None` gives up.
    fn next_delay(&self, state: &mut Self::State, last: &X, rng: &mut Rng) -> Option<Delay>;
}

impl<I, X: ?Sized> Wait<X> for I
where
    I: Iterator<Item = Duration> + Clone,
{
    type State = I;

    fn start(&self) -> I {
        self.clone()
    }

    fn next_delay(&self, state: &mut I, _last: &X, _rng: &mut Rng) -> Option<Delay> {
        state.next().map(Delay::jittered)
    }
}

/// The next wait of a strategy as persevere sleeps it, before the `max_time` clamp: the
/// strategy's delay (capped by the strategy itself), then the explicit jitter if one is given,
/// else the strategy's default (see [`Jitter::for_delay`]). `None`: the strategy is exhausted.
///
/// The decision core takes the same two steps itself (the strategy's delay, then the jitter
/// or a policy's custom jitter part), not through this function; simulations and tools that
/// need persevere's waits without a retrying call (`persevere-sim`) use it.
///
/// ```
/// use persevere::{expo, wait::{next_wait, Wait}, Jitter, Rng};
/// use std::time::Duration;
///
/// let strategy = expo();
/// let mut state = Wait::<()>::start(&strategy);
/// let mut rng = Rng::seeded(1);
/// let waits: Vec<Duration> = (0..3)
///     .map(|_| next_wait(&strategy, &mut state, &(), Some(Jitter::None), &mut rng).unwrap())
///     .collect();
/// assert_eq!(waits, [1, 2, 4].map(Duration::from_secs));
/// ```
#[inline]
pub fn next_wait<X: ?Sized, W: Wait<X>>(
    wait: &W,
    state: &mut W::State,
    last: &X,
    jitter: Option<Jitter>,
    rng: &mut Rng,
) -> Option<Duration> {
    let delay = wait.next_delay(state, last, rng)?;
    Some(Jitter::for_delay(jitter, delay, rng))
}
