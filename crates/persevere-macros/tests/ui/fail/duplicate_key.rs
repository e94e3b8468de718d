#[persevere::on_error(expo, max_tries = 3, max_time = 10, max_tries = 4)]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo(factor = 1, factor = 2))]
fn fetch() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), fetch());
}
