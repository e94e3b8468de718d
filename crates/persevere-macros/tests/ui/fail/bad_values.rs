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


#[persevere::on_error(expo(base = "2"), jitter = proportional(0.1, 0.2))]
fn base_text() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, jitter = "full", max_tries = 5000000000)]
fn jitter_text() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo, max_time = "99999999999999999999999s")]
fn too_long() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), fetch(), shrink(), base_text(), jitter_text(), too_long());
}
