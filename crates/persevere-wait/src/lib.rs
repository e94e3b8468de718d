//! The pure parts of [persevere](https://docs.rs/persevere): wait strategies, jitter, the
//! random source, saturating duration arithmetic, the strategy catalogue and the one source
//! of every parameter check. No clock, no I/O, no allocation; `no_std` without the default
//! `std` feature (then enable `libm` for `decay`).
//!
//! Users of persevere reach all of this through `persevere` (`persevere::expo`,
//! `persevere::wait`, `persevere::Jitter`); this crate exists so that the attribute macros and
//! `no_std` targets can use the same rules.
//!
//! ```
//! use persevere_wait::{expo, Jitter, Rng, Wait};
//! use std::time::Duration;
//!
//! let strategy = expo().max_value(Duration::from_secs(4));
//! let mut state = Wait::<()>::start(&strategy);
//! let mut rng = Rng::seeded(7);
//! let wait = persevere_wait::next_wait(&strategy, &mut state, &(), None, &mut rng).unwrap();
//! assert!(wait <= Duration::from_secs(1)); // full jitter by default
//! ```

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!(
    "persevere-wait needs the `std` feature or, in `no_std` builds, the `libm` feature (for `decay`'s exponential)"
);

#[cfg(feature = "alloc")]
mod any_wait;
pub mod catalogue;
mod duration;
mod jitter;
mod next_wait;
pub mod params;
pub mod parse;
mod rng;
mod strategy;

#[cfg(feature = "alloc")]
pub use any_wait::{AnyWait, AnyWaitState};
pub use jitter::{CustomJitter, Jitter};
pub use next_wait::next_wait;
pub use rng::Rng;
pub use strategy::*;
