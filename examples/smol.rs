//! persevere on smol: the async drivers with async-io's timer (`AsyncIoSleeper`), waiting for
//! a server on 127.0.0.1 that starts listening half a second after the first attempt.
//!
//! ```text
//! cargo run -p persevere-examples --example smol
//! ```

use persevere::time::AsyncIoSleeper;
use persevere::{constant, on_error};
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let server = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.accept().map(|_| ())
    });

    let stream = smol::block_on(
        on_error(constant(Duration::from_millis(100)))
            .max_time(Duration::from_secs(10))
            .clock(AsyncIoSleeper) // async-io's timer and the monotonic clock
            .on_backoff(|d| println!("connect failed ({}), retrying", d.error().unwrap()))
            .retry_async(|| smol::net::TcpStream::connect(("127.0.0.1", port))),
    )?;
    println!("connected to {}", stream.peer_addr()?);
    server.join().unwrap()
}
