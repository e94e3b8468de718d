#[persevere::on_error(expo, max_tries = 0)]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, max_tries = -2)]
fn negative() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, max_tries = 2.5)]
fn fraction() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), negative(), fraction());
}
