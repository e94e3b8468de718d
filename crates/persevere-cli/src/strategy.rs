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

/// The state of the chosen strategy for one run: each strategy's own state, so that every
/// delay (and its default jitter) comes from the core's `Wait` implementations unchanged.
#[derive(Debug)]
pub enum StrategyState {
    /// `expo`'s position.
    Expo(Expo),
    /// `fibo`'s position.
    Fibo(Fibo),
    /// `constant` (no position).
    Constant(persevere::Constant),
    /// `linear`'s position.
    Linear(Linear),
    /// The rest of `--intervals`.
    Intervals(Intervals<IntervalIter>),
    /// `decorrelated`'s previous wait.
    Decorrelated(Duration),
}

impl<X: ?Sized> Wait<X> for Strategy {
    type State = StrategyState;

    fn start(&self) -> StrategyState {
        match self {
            Strategy::Expo(s) => StrategyState::Expo(Wait::<X>::start(s)),
            Strategy::Fibo(s) => StrategyState::Fibo(Wait::<X>::start(s)),
            Strategy::Constant(s) => StrategyState::Constant(Wait::<X>::start(s)),
            Strategy::Linear(s) => StrategyState::Linear(Wait::<X>::start(s)),
            Strategy::Intervals(s) => StrategyState::Intervals(Wait::<X>::start(s)),
            Strategy::Decorrelated(s) => StrategyState::Decorrelated(Wait::<X>::start(s)),
        }
    }

    fn next_delay(&self, state: &mut StrategyState, last: &X, rng: &mut Rng) -> Option<Delay> {
        match (self, state) {
            (Strategy::Expo(s), StrategyState::Expo(st)) => s.next_delay(st, last, rng),
            (Strategy::Fibo(s), StrategyState::Fibo(st)) => s.next_delay(st, last, rng),
            (Strategy::Constant(s), StrategyState::Constant(st)) => s.next_delay(st, last, rng),
            (Strategy::Linear(s), StrategyState::Linear(st)) => s.next_delay(st, last, rng),
            (Strategy::Intervals(s), StrategyState::Intervals(st)) => s.next_delay(st, last, rng),
            (Strategy::Decorrelated(s), StrategyState::Decorrelated(st)) => {
                s.next_delay(st, last, rng)
            }
            // `start` made the state from this strategy, so the pair always matches.
            _ => unreachable!("a strategy's state comes from its own start"),
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
