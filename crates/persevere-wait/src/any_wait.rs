//! A strategy chosen at run time (from a command line, a configuration file or a type-erased
//! policy): one enum over the catalogue's value-only strategies, each keeping its own state, so
//! that every delay and its default jitter come from the strategies' own `Wait` implementations.

use crate::rng::Rng;
use crate::strategy::{Constant, Decay, Decorrelated, Delay, Expo, Fibo, Intervals, Linear, Wait};
use alloc::vec::IntoIter;
use core::time::Duration;

/// One of the built-in strategies that take only values (no function), chosen at run time.
///
/// ```
/// use persevere::{expo, wait::{AnyWait, Wait}, Rng};
/// use std::time::Duration;
///
/// let chosen: AnyWait = expo().max_value(Duration::from_secs(2)).into();
/// let mut state = Wait::<()>::start(&chosen);
/// let mut rng = Rng::seeded(0);
/// let secs: Vec<u64> = (0..3)
///     .map(|_| chosen.next_delay(&mut state, &(), &mut rng).unwrap().duration.as_secs())
///     .collect();
/// assert_eq!(secs, [1, 2, 2]);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyWait {
    /// [`expo`](crate::expo).
    Expo(Expo),
    /// [`fibo`](crate::fibo).
    Fibo(Fibo),
    /// [`constant`](crate::constant).
    Constant(Constant),
    /// [`linear`](crate::linear).
    Linear(Linear),
    /// [`decay`](crate::decay).
    Decay(Decay),
    /// [`decorrelated`](crate::decorrelated).
    Decorrelated(Decorrelated),
    /// [`intervals`](crate::intervals) over a list.
    Intervals(Intervals<IntoIter<Duration>>),
}

/// The per-call state of an [`AnyWait`]: the chosen strategy's own state.
#[derive(Debug)]
pub enum AnyWaitState {
    /// `expo`'s position.
    Expo(Expo),
    /// `fibo`'s position.
    Fibo(Fibo),
    /// `constant` (no position).
    Constant(Constant),
    /// `linear`'s position.
    Linear(Linear),
    /// `decay`'s position.
    Decay(Decay),
    /// `decorrelated`'s previous wait.
    Decorrelated(Duration),
    /// The rest of the list.
    Intervals(Intervals<IntoIter<Duration>>),
}

impl<X: ?Sized> Wait<X> for AnyWait {
    type State = AnyWaitState;

    fn start(&self) -> AnyWaitState {
        match self {
            AnyWait::Expo(s) => AnyWaitState::Expo(*s),
            AnyWait::Fibo(s) => AnyWaitState::Fibo(*s),
            AnyWait::Constant(s) => AnyWaitState::Constant(*s),
            AnyWait::Linear(s) => AnyWaitState::Linear(*s),
            AnyWait::Decay(s) => AnyWaitState::Decay(*s),
            AnyWait::Decorrelated(s) => AnyWaitState::Decorrelated(Wait::<X>::start(s)),
            AnyWait::Intervals(s) => AnyWaitState::Intervals(s.clone()),
        }
    }

    fn next_delay(&self, state: &mut AnyWaitState, last: &X, rng: &mut Rng) -> Option<Delay> {
        match (self, state) {
            (AnyWait::Expo(s), AnyWaitState::Expo(st)) => s.next_delay(st, last, rng),
            (AnyWait::Fibo(s), AnyWaitState::Fibo(st)) => s.next_delay(st, last, rng),
            (AnyWait::Constant(s), AnyWaitState::Constant(st)) => s.next_delay(st, last, rng),
            (AnyWait::Linear(s), AnyWaitState::Linear(st)) => s.next_delay(st, last, rng),
            (AnyWait::Decay(s), AnyWaitState::Decay(st)) => s.next_delay(st, last, rng),
            (AnyWait::Decorrelated(s), AnyWaitState::Decorrelated(st)) => {
                s.next_delay(st, last, rng)
            }
            (AnyWait::Intervals(s), AnyWaitState::Intervals(st)) => s.next_delay(st, last, rng),
            // `start` made the state from this strategy, so the pair always matches.
            _ => unreachable!("a strategy's state comes from its own start"),
        }
    }
}

macro_rules! from_strategy {
    ($($variant:ident($ty:ty)),*) => {$(
        impl From<$ty> for AnyWait {
            fn from(strategy: $ty) -> Self {
                AnyWait::$variant(strategy)
            }
        }
    )*};
}
from_strategy!(
    Expo(Expo),
    Fibo(Fibo),
    Constant(Constant),
    Linear(Linear),
    Decay(Decay),
    Decorrelated(Decorrelated),
    Intervals(Intervals<IntoIter<Duration>>)
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{decorrelated, expo, fibo, intervals};
    use alloc::vec::Vec;

    fn first<W: Wait<()>>(strategy: &W, n: usize) -> Vec<Delay> {
        let mut state = strategy.start();
        let mut rng = Rng::seeded(1);
        (0..n)
            .map_while(|_| strategy.next_delay(&mut state, &(), &mut rng))
            .collect()
    }

    #[test]
    fn dispatches_to_the_strategies_unchanged() {
        let e = expo().factor(Duration::from_millis(10));
        assert_eq!(first(&AnyWait::from(e), 4), first(&e, 4));
        let f = fibo();
        assert_eq!(first(&AnyWait::from(f), 6), first(&f, 6));
        let d = decorrelated(Duration::from_millis(5), Duration::from_secs(1));
        assert_eq!(first(&AnyWait::from(d), 5), first(&d, 5));
        let list = intervals(alloc::vec![Duration::from_secs(1), Duration::from_secs(2)]);
        assert_eq!(
            first(&AnyWait::from(list), 5).len(),
            2,
            "a list is exhausted"
        );
    }
}
