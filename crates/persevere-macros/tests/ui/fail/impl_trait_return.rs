// The expansion names the return type in a `let`, where `impl Trait` cannot be written.
#[persevere::on_error(expo, max_tries = 3)]
fn shown() -> Result<impl std::fmt::Display, String> {
    Ok(1)
}

fn main() {
    let _ = shown();
}
