use super::{Delay, Wait};
use crate::rng::Rng;
use core::time::Duration;

/// A wait read from the last error or value, such as a server's Retry-After (Python's
/// `backoff.runtime`).
///
/// The closure returns a `Duration`, or an `Option<Duration>` where `None` means "no advice":
/// then the wait comes from the fallback given with [`or`](Runtime::or), and without one the
/// call gives up. Waits from the closure are exact (default jitter none); waits from the
/// fallback keep the fallback's default.
///
/// ```
/// use persevere::{on_predicate, runtime, testing::VirtualClock};
/// use std::time::Duration;
///
/// // A server answers 429 with Retry-After 1, 3 and 7 seconds, then 200.
/// let answers = [(429, 1), (429, 3), (429, 7), (200, 0)];
/// let mut next = answers.iter().copied();
/// let clock = VirtualClock::new();
/// let status = on_predicate(runtime(|r: &(u16, u64)| Duration::from_secs(r.1)))
///     .predicate(|r: &(u16, u64)| r.0 == 429)
///     .clock(clock.clone())
///     .retry(|| next.next().unwrap());
/// assert_eq!(status.0, 200);
/// assert_eq!(clock.sleeps(), [1, 3, 7].map(Duration::from_secs));
/// ```
pub fn runtime<F>(value: F) -> Runtime<F> {
    Runtime {
        value,
        fallback: NoFallback,
    }
}

/// The strategy made by [`runtime`].
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct Runtime<F, B = NoFallback> {
    value: F,
    fallback: B,
}

impl<F> Runtime<F, NoFallback> {
    /// The strategy to use when the closure gives no wait (returns `None`).
    ///
    /// ```
    /// use persevere::{constant, runtime};
    /// use std::time::Duration;
    ///
    /// let _strategy = runtime(|e: &std::io::Error| None::<Duration>)
    ///     .or(constant(Duration::from_secs(1)));
    /// ```
    pub fn or<B>(self, fallback: B) -> Runtime<F, B> {
        Runtime {
            value: self.value,
            fallback,
        }
    }
}

/// What a [`runtime`] closure may return: a wait, or maybe one.
pub trait RuntimeWait {
    /// The wait, or `None` for "no advice".
    fn into_wait(self) -> Option<Duration>;
}

impl RuntimeWait for Duration {
    fn into_wait(self) -> Option<Duration> {
        Some(self)
    }
}

impl RuntimeWait for Option<Duration> {
    fn into_wait(self) -> Option<Duration> {
        self
    }
}

impl<X: ?Sized, F, R, B> Wait<X> for Runtime<F, B>
where
    F: Fn(&X) -> R,
    R: RuntimeWait,
    B: Wait<X>,
{
    type State = B::State;

    fn start(&self) -> B::State {
        self.fallback.start()
    }

    fn next_delay(&self, state: &mut B::State, last: &X, rng: &mut Rng) -> Option<Delay> {
        match (self.value)(last).into_wait() {
            Some(wait) => Some(Delay::exact(wait)),
            None => self.fallback.next_delay(state, last, rng),
        }
    }
}

/// The fallback of a [`runtime`] strategy without [`or`](Runtime::or): it gives up.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFallback;

impl<X: ?Sized> Wait<X> for NoFallback {
    type State = ();

    fn start(&self) {}

    fn next_delay(&self, _state: &mut (), _last: &X, _rng: &mut Rng) -> Option<Delay> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wait_is_the_closure_of_the_last_outcome() {
        // Python's test_runtime: runtime(value=lambda x: x) sends back what it receives.
        let strategy = runtime(|x: &u64| Duration::from_secs(*x));
        let mut rng = Rng::seeded(0);
        for i in 0..20 {
            let delay = strategy.next_delay(&mut (), &i, &mut rng).unwrap();
            assert_eq!(delay, Delay::exact(Duration::from_secs(i)));
        }
    }
}
