// The first error points at the closure; rustc repeats it where the policy judges values.
#[persevere::on_predicate(expo, predicate = |s: &String| s.is_empty())]
fn poll() -> Option<u32> {
    None
}

#[persevere::on_predicate(expo, predicate = |v| v.is_empty())]
fn count() -> u32 {
    0
}

fn main() {
    let _ = (poll(), count());
}
