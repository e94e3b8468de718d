#[persevere::on_error(constant(max_value = 3))]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo(2))]
fn positional() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(linear(start = 1))]
fn missing() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(intervals(interval = 1))]
fn intervals_named() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), positional(), missing(), intervals_named());
}
