// An `async fn`: its future stays `Send` when the body's is.
fn assert_send<F: std::future::Future + Send>(f: F) -> F {
    f
}

#[persevere::on_error(constant(interval = "10ms"), max_tries = 2)]
async fn fetch(url: &str) -> Result<usize, std::io::Error> {
    std::future::ready(()).await;
    Ok(url.len())
}

fn main() {
    let n = futures_lite::future::block_on(assert_send(fetch("http://x")));
    assert_eq!(n.unwrap(), 8);
}
