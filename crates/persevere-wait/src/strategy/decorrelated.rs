use super::{Delay, Wait};
use crate::duration::{as_nanos_f64, from_nanos_f64};
use crate::params::{self, ParamError};
use crate::rng::Rng;
use core::time::Duration;

/// AWS's "decorrelated jitter": each wait is `min(cap, U(base, 3 * previous))`, starting from
/// `previous = base`.
///
/// The randomness is part of the strategy, so its default jitter is none; its random numbers
/// come from the call's generator (reproducible with a policy's `seed`). Panics
/// if `base` is zero or greater than `cap`.
///
/// ```
/// use persevere::{decorrelated, wait::Wait, Rng};
/// use std::time::Duration;
///
/// let strategy = decorrelated(Duration::from_millis(5), Duration::from_secs(2));
/// let mut state = Wait::<()>::start(&strategy);
/// let mut rng = Rng::seeded(1);
/// for _ in 0..100 {
///     let wait = strategy.next_delay(&mut state, &(), &mut rng).unwrap().duration;
///     assert!(wait >= Duration::from_millis(5) && wait <= Duration::from_secs(2));
/// }
/// ```
pub fn decorrelated(base: Duration, cap: Duration) -> Decorrelated {
    params::or_panic(try_decorrelated(base, cap))
}

/// [`decorrelated`], or an error naming `base` if it is zero or greater than `cap`.
///
/// ```
/// use std::time::Duration;
/// assert!(persevere::wait::try_decorrelated(Duration::ZERO, Duration::from_secs(1)).is_err());
/// ```
pub fn try_decorrelated(base: Duration, cap: Duration) -> Result<Decorrelated, ParamError> {
    let (base, cap) = params::decorrelated(base, cap)?;
    Ok(Decorrelated { base, cap })
}

/// The strategy made by [`decorrelated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Decorrelated {
    base: Duration,
    cap: Duration,
}

impl<X: ?Sized> Wait<X> for Decorrelated {
    /// The previous sleep.
    type State = Duration;

    fn start(&self) -> Duration {
        self.base
    }

    fn next_delay(&self, previous: &mut Duration, _last: &X, rng: &mut Rng) -> Option<Delay> {
        let low = as_nanos_f64(self.base);
        let high = as_nanos_f64(*previous) * 3.0;
        let drawn = from_nanos_f64(low + (high - low).max(0.0) * rng.next_f64());
        let wait = drawn.clamp(self.base, self.cap);
        *previous = wait;
        Some(Delay::exact(wait))
    }
}
