// Without `.predicate(..)`, `on_predicate` retries falsy values; this type has none.
use persevere::{fibo, on_predicate};

#[derive(Debug)]
struct Reply {
    items: Vec<u32>,
}

fn main() {
    let _ = on_predicate(fibo()).max_tries(2).retry(|| Reply { items: vec![] });
}
