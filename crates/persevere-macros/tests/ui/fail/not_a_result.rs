#[persevere::on_error(expo)]
fn nothing() {}

#[persevere::on_error(expo)]
fn option() -> Option<u32> {
    None
}

#[persevere::on_error(expo)]
fn number() -> u32 {
    1
}

type Count = u32;

#[persevere::on_error(expo)]
fn alias() -> Count {
    1
}

fn main() {
    nothing();
    let _ = (option(), number(), alias());
}
