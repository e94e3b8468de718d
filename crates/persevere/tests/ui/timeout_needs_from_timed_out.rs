// An attempt timeout needs an error type that can hold `TimedOut`.
use persevere::{constant, on_error};
use std::time::Duration;

async fn fetch() -> Result<u8, String> {
    Err("down".into())
}

fn main() {
    let policy = on_error(constant(Duration::ZERO)).attempt_timeout(Duration::from_secs(1));
    let _ = policy.retry_async(fetch);
}
