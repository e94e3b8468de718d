// Return types written through aliases: the macro cannot see `E`, the compiler can.
type Res<T> = Result<T, String>;

#[persevere::on_error(expo, on = std::io::Error, max_tries = 2)]
fn io() -> std::io::Result<u8> {
    Ok(1)
}

#[persevere::on_error(expo, on = std::io::Error, when = |e| e.to_string() != "fatal", max_tries = 2)]
fn any() -> anyhow::Result<u8> {
    Ok(2)
}

#[persevere::on_error(expo, when = |e| e.is_empty(), max_tries = 2)]
fn local() -> Res<u8> {
    Ok(3)
}

#[persevere::on_error(expo, max_tries = 2)]
fn formatting() -> std::fmt::Result {
    Ok(())
}

fn main() {
    assert_eq!(io().unwrap() + any().unwrap() + local().unwrap(), 6);
    assert!(formatting().is_ok());
}
