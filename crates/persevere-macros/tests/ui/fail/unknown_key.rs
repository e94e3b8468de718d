#[persevere::on_error(expo, max_retries = 3)]
fn read() -> Result<(), String> {
    Ok(())
}

fn main() {
    // The function is still emitted beside the error.
    let _ = read();
}
