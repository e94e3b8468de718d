#[persevere::on_predicate(expo, max_tries = 3)]
fn poll() {}

fn main() {
    poll();
}
