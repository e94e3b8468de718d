//! The sleepers other than the default [`SystemClock`]: each one a clock and
//! a sleeper for one runtime. The timeline's traits are at the crate root
//! ([`Clock`], [`Sleeper`], [`AsyncSleeper`]).

#[cfg(feature = "async-io")]
pub use crate::timeline::AsyncIoSleeper;
#[cfg(feature = "tokio")]
pub use crate::timeline::TokioSleeper;

// Named by types users meet (a sleeper's future, a policy with a sleeper), not written; and the
// paths of the traits for code that wrote `persevere::time::Clock`.
#[cfg(feature = "async-io")]
#[doc(hidden)]
pub use crate::timeline::AsyncIoSleep;
#[doc(hidden)]
pub use crate::timeline::{AsyncSleeper, Clock, Sleeper, SystemClock, WithSleeper};
#[allow(deprecated)]
#[doc(hidden)]
pub use crate::timeline::{DefaultSleeper, ThreadSleeper};
