// A body that consumes an argument cannot run twice: rustc's own error, in the body.
#[persevere::on_error(expo, max_tries = 3)]
fn send(message: String) -> Result<(), String> {
    Err(message)
}

fn main() {
    let _ = send("hello".to_owned());
}
