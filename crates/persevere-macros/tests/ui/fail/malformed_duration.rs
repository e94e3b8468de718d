#[persevere::on_error(constant(interval = "5 parsecs"))]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, max_time = "90")]
fn no_unit() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo(max_value = true))]
fn not_a_duration() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(intervals([1, "2x"]))]
fn in_a_list() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), no_unit(), not_a_duration(), in_a_list());
}
