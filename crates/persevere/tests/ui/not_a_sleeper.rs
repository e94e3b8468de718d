// A sleeper must be a `Fn(Duration)` or implement `persevere::Sleeper`.
use persevere::{expo, on_error};

fn main() {
    let policy = on_error(expo()).sleeper(5u32);
    let _: Result<(), ()> = policy.retry(|| Err(()));
}
