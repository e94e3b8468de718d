// An attempt timeout needs an error type that can hold `TimedOut`. (A local error type: the
// list of `From` impls that rustc shows for a std type depends on the crates in the build.)
use persevere::{constant, on_error};
use std::time::Duration;

#[derive(Debug)]
struct Down;

async fn fetch() -> Result<u8, Down> {
    Err(Down)
}

fn main() {
    let policy = on_error(constant(Duration::ZERO)).attempt_timeout(Duration::from_secs(1));
    let _ = policy.retry_async(fetch);
}
