#[persevere::on_error(expo, max_tries = 3, max_time = 10, max_tries = 4)]
fn read() -> Result<(), String> {
    Ok(())
}

#[persevere::on_error(expo(factor = 1, factor = 2))]
fn fetch() -> Result<(), String> {
    Ok(())
}

// A strategy parameter given inside the strategy and again after it, Python style.
#[persevere::on_error(expo(max_value = 10), max_value = 20)]
fn twice() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = (read(), fetch(), twice());
}
