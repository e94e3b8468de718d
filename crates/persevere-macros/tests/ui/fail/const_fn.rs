#[persevere::on_error(expo, max_tries = 3)]
const fn answer() -> Result<u32, ()> {
    Ok(42)
}

fn main() {
    let _ = answer();
}
