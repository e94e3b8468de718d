//! `--wait` chosen at run time: one enum that hands each call to the core's strategy.

use persevere::{Decorrelated, Delay, Expo, Fibo, Intervals, Linear, Rng, Wait};
use std::time::Duration;

/// The list iterator behind `--intervals`.
pub type IntervalIter = std::vec::IntoIter<Duration>;

/// One of the core's wait strategies, picked by `--wait` or `--intervals`.
#[derive(Debug, Clone)]
pub enum Strategy {
    /// `--wait expo`.
    Expo(Expo),
    /// `--wait fibo`.
    Fibo(Fibo),
    /// `--wait constant` (the core's `constant` is this list's endless form).
    Constant(persevere::Constant),
    /// `--wait linear`.
    Linear(Linear),
    /// `--wait decorrelated`.
    Decorrelated(Decorrelated),
    /// `--intervals`.
    Intervals(Intervals<IntervalIter>),
}

/// The state of the chosen strategy for one run.
#[derive(Debug)]
pub enum StrategyState {
    /// An iterator strategy's position.
    Iter(Box<dyn IterState>),
    /// `decorrelated`'s previous wait.
    Decorrelated(Duration),
}

/// An iterator strategy in progress (they differ in type, not in use).
pub trait IterState: Iterator<Item = Duration> + std::fmt::Debug {}

impl<I: Iterator<Item = Duration> + std::fmt::Debug> IterState for I {}

impl<X: ?Sized> Wait<X> for Strategy {
    type State = StrategyState;

    fn start(&self) -> StrategyState {
        match self {
            Strategy::Expo(s) => StrategyState::Iter(Box::new(*s)),
            Strategy::Fibo(s) => StrategyState::Iter(Box::new(*s)),
            Strategy::Constant(s) => StrategyState::Iter(Box::new(*s)),
            Strategy::Linear(s) => StrategyState::Iter(Box::new(*s)),
            Strategy::Intervals(s) => StrategyState::Iter(Box::new(s.clone())),
            Strategy::Decorrelated(s) => StrategyState::Decorrelated(Wait::<X>::start(s)),
        }
    }

    fn next_delay(&self, state: &mut StrategyState, last: &X, rng: &mut Rng) -> Option<Delay> {
        match (self, state) {
            (Strategy::Decorrelated(s), StrategyState::Decorrelated(previous)) => {
                s.next_delay(previous, last, rng)
            }
            // The iterator strategies take the core's default jitter, as `Wait for Iterator`
            // does.
            (_, StrategyState::Iter(iter)) => iter.next().map(Delay::jittered),
            (_, StrategyState::Decorrelated(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first<W: Wait<()>>(strategy: &W, n: usize) -> Vec<Delay> {
        let mut state = strategy.start();
        let mut rng = Rng::seeded(1);
        (0..n)
            .map_while(|_| strategy.next_delay(&mut state, &(), &mut rng))
            .collect()
    }

    #[test]
    fn dispatches_to_the_core_strategies_unchanged() {
        let expo = persevere::expo().factor(Duration::from_millis(10));
        assert_eq!(first(&Strategy::Expo(expo), 4), first(&expo, 4));
        let fibo = persevere::fibo();
        assert_eq!(first(&Strategy::Fibo(fibo), 6), first(&fibo, 6));
        let dec = persevere::decorrelated(Duration::from_millis(5), Duration::from_secs(1));
        assert_eq!(first(&Strategy::Decorrelated(dec), 5), first(&dec, 5));
        let list = persevere::intervals(vec![Duration::from_secs(1), Duration::from_secs(2)]);
        let delays = first(&Strategy::Intervals(list), 5);
        assert_eq!(
            delays.len(),
            2,
            "a finite list is exhausted after its waits"
        );
    }
}
