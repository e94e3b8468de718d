#[persevere::retry()]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::retry(persevere::on_error(persevere::expo()), max_tries = 3)]
fn fetch() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), fetch());
}
