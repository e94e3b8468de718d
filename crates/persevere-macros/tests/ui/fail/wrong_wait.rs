#[persevere::on_error(exponential, max_tries = 3)]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(max_tries = 3)]
fn no_wait() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error]
fn no_arguments() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), no_wait(), no_arguments());
}
