// `on::<T>()` searches `source()` chains; `&str` has none.
use persevere::{expo, on_error};

fn main() {
    let policy = on_error(expo()).on::<std::io::Error>().max_tries(2);
    let _: Result<(), &str> = policy.retry(|| Err("down"));
}
