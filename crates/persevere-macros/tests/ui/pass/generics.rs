// Generic functions, `where` clauses, lifetimes and `impl Trait` arguments.
use std::fmt::Debug;
use std::str::FromStr;

#[persevere::on_error(expo, max_tries = 2)]
fn parse<T>(line: &str) -> Result<T, T::Err>
where
    T: FromStr,
    T::Err: Debug,
{
    line.parse()
}

#[persevere::on_error(expo, max_tries = 2)]
fn first_word<'a>(line: &'a str) -> Result<&'a str, String> {
    line.split_whitespace().next().ok_or_else(|| "empty".to_owned())
}

#[persevere::on_error(expo, max_tries = 2)]
fn call(mut f: impl FnMut() -> Result<u8, String>, label: impl AsRef<str>) -> Result<String, String> {
    Ok(format!("{}{}", label.as_ref(), f()?))
}

#[persevere::on_predicate(expo, max_tries = 2)]
async fn fill<T: std::fmt::Debug + persevere::Falsy + Send>(item: impl Into<T> + Clone) -> T {
    item.clone().into()
}

#[persevere::on_predicate(expo, predicate = |v| v.is_none(), max_tries = 2)]
fn first<'a>(items: &'a [&'a str]) -> Option<&'a str> {
    items.first().copied()
}

#[persevere::on_error(expo, when = |e| e.is_empty(), max_tries = 2)]
fn borrowed_error<'a>(message: &'a str) -> Result<u8, &'a str> {
    if message.is_empty() { Ok(1) } else { Err(message) }
}

fn main() {
    assert_eq!(first(&["a"]), Some("a"));
    assert_eq!(borrowed_error("bad"), Err("bad"));
    assert_eq!(parse::<u8>("7"), Ok(7));
    assert_eq!(first_word("hello world"), Ok("hello"));
    assert_eq!(call(|| Ok(1), "n="), Ok("n=1".to_owned()));
    assert_eq!(futures_lite::future::block_on(fill::<u32>(3u8)), 3);
}
