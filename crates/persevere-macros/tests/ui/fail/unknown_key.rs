#[persevere::on_error(expo, max_retries = 3)]
fn read() -> Result<(), String> {
    Ok(())
}

fn main() {
    // The function is still emitted beside the error.
    let _ = (read(), misplaced());
}

// A parameter of another strategy, written after this one.
#[persevere::on_error(constant, max_value = 3)]
fn misplaced() -> Result<(), String> {
    Ok(())
}
