// Arguments that do not have the attribute's shape.
#[persevere::on_error("expo")]
fn quoted() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, 3)]
fn positional_key() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, max_tries = 3)]
#[persevere::on_error = "expo"]
fn name_value() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (quoted(), positional_key(), name_value());
}
