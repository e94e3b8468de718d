#[persevere::on_error(expo, predicate = |r| r.is_err())]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_predicate(expo, when = |v| *v == 0, on = std::io::Error)]
fn poll() -> u32 {
    1
}

fn main() {
    let _ = (read(), poll());
}
