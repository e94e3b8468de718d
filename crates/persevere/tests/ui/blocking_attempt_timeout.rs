// A blocking call cannot be cut short: the blocking drivers refuse an attempt timeout.
use persevere::{TimedOut, constant, on_error};
use std::time::Duration;

#[derive(Debug)]
struct Slow;

impl From<TimedOut> for Slow {
    fn from(_: TimedOut) -> Self {
        Slow
    }
}

fn main() {
    let policy = on_error(constant(Duration::ZERO)).attempt_timeout(Duration::from_secs(1));
    let _: Result<(), Slow> = policy.retry(|| Err(Slow));
}
