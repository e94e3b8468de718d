// A free function with `?` and `return` in its body.
#[derive(Debug)]
struct Error;

impl From<std::num::ParseIntError> for Error {
    fn from(_: std::num::ParseIntError) -> Self {
        Error
    }
}

#[persevere::on_error(expo, max_tries = 3)]
fn parse(line: &str) -> Result<i64, Error> {
    if line.is_empty() {
        return Ok(0);
    }
    let n: i64 = line.trim().parse()?;
    Ok(n * 2)
}

fn main() {
    assert_eq!(parse("21").unwrap(), 42);
    assert_eq!(parse("").unwrap(), 0);
}
