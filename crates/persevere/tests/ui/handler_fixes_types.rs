// A handler reads `Details<T, E>`, so it fixes both to those of the first operation.
use persevere::{expo, on_error};

fn main() {
    let policy = on_error(expo()).max_tries(2).on_backoff(|d| eprintln!("{}", d.tries()));
    let _: Result<u8, &str> = policy.retry(|| Err("down"));
    let _: Result<String, std::io::Error> = policy.retry(|| Ok(String::new()));
}
