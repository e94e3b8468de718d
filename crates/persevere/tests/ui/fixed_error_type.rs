// `.when` reads `io::Error`, so the policy serves only operations failing with it.
use persevere::{expo, on_error};

fn fetch() -> Result<u8, String> {
    Err("down".into())
}

fn main() {
    let policy = on_error(expo()).when(|e: &std::io::Error| e.kind() == std::io::ErrorKind::TimedOut);
    let _ = policy.retry(fetch);
}
