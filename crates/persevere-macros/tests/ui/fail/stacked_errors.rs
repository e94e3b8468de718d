// An error in an inner attribute is reported by the outer one, at the inner argument.
#[persevere::on_error(expo, max_tries = 5)]
#[persevere::on_error(expo, max_time = "1 hour")]
fn save() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = save();
}
