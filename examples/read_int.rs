//! The seed's first program: read an integer from standard input, retrying a parse error.
//!
//! ```text
//! printf 'x\ny\n7\n' | cargo run --example read_int    # prints 7
//! printf 'x\ny\nz\n' | cargo run --example read_int    # gives up: the parse error, exit 1
//! ```

use persevere::{Jitter, expo, on_error};
use std::io::BufRead;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut lines = std::io::stdin().lock().lines();
    let policy = on_error(expo().factor(Duration::from_millis(10)))
        .max_tries(3)
        .jitter(Jitter::None)
        .name("read_int")
        .on_backoff(|d| {
            eprintln!(
                "not an integer ({:?}); try {} of 3",
                d.error(),
                d.tries() + 1
            )
        });
    let result = policy.retry(|| {
        let line = lines.next().and_then(Result::ok).unwrap_or_default();
        line.trim().parse::<i64>()
    });
    match result {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("read_int: {e}");
            ExitCode::FAILURE
        }
    }
}
