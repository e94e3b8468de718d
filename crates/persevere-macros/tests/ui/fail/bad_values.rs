// Values that are the right kind of token but out of range or unknown.
#[persevere::on_error(expo(base = 0.5), jitter = gaussian)]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, jitter = proportional(1.5), log = "quiet")]
fn fetch() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(decay(decay_factor = -1), log = (debug, loud))]
fn shrink() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), fetch(), shrink());
}
