#[persevere::on_error(expo, max_time = -1)]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(constant(interval = -0.5))]
fn interval() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), interval());
}
