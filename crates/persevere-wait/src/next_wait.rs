//! The pure step of a strategy and a jitter together: the wait a policy sleeps next. It joins
//! the two (a strategy yields a [`Delay`](crate::Delay), a [`Jitter`] turns it into a wait), so
//! it lives apart from both.

use crate::jitter::Jitter;
use crate::rng::Rng;
use crate::strategy::Wait;
use core::time::Duration;

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
