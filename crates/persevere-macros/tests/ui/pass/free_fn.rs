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
    // The signature the caller sees is unchanged.
    let f: fn(&str) -> Result<i64, Error> = parse;
    assert_eq!(f("21").unwrap(), 42);
    assert_eq!(parse("").unwrap(), 0);
}
