//! The async drivers on each runtime, against the real flaky HTTP server over real sockets:
//! tokio's current-thread and multi-thread runtimes (tokio's timer, the default), smol (the
//! `async-io` timer, `AsyncIoSleeper`), and a sleeper of the user's own with no runtime at
//! all. The requests are plain HTTP/1.1 written on each runtime's own `TcpStream`.

use persevere::time::AsyncIoSleeper;
use persevere::{Jitter, constant, intervals, on_predicate};
use persevere_examples::flaky_http::{FlakyServer, Reply};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const REQUEST: &[u8] = b"GET /stock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

/// The status of an HTTP response, or 0 if the connection failed or ended without one.
fn status(response: &[u8]) -> u16 {
    std::str::from_utf8(response)
        .ok()
        .and_then(|r| r.strip_prefix("HTTP/1.1 "))
        .and_then(|r| r.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

async fn get_on_tokio(server: std::net::SocketAddr) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(server).await else {
        return 0;
    };
    let mut response = Vec::new();
    if stream.write_all(REQUEST).await.is_err() {
        return 0;
    }
    let _ = stream.read_to_end(&mut response).await;
    status(&response)
}

async fn get_on_smol(server: std::net::SocketAddr) -> u16 {
    use smol::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = smol::net::TcpStream::connect(server).await else {
        return 0;
    };
    let mut response = Vec::new();
    if stream.write_all(REQUEST).await.is_err() {
        return 0;
    }
    let _ = stream.read_to_end(&mut response).await;
    status(&response)
}

fn flaky() -> FlakyServer {
    FlakyServer::start([Reply::status(503), Reply::HangUp, Reply::ok("12")]).unwrap()
}

/// Retries until 200, waiting 20 ms between attempts (no jitter), at most 5 attempts.
type UntilOk = persevere::OnPredicate<
    persevere::Constant,
    fn(&u16) -> bool,
    (),
    persevere::SystemClock,
    persevere::policy::Fixed<u16>,
>;

fn until_ok() -> UntilOk {
    on_predicate(constant(Duration::from_millis(20)))
        .predicate((|s: &u16| *s != 200) as fn(&u16) -> bool)
        .jitter(Jitter::None)
        .max_tries(5)
}

#[test]
fn on_tokio_current_thread_with_the_default_clock() {
    let server = flaky();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let start = Instant::now();
    let status = runtime.block_on(until_ok().retry_async(|| get_on_tokio(server.addr())));
    assert_eq!((status, server.requests()), (200, 3));
    assert!(start.elapsed() >= Duration::from_millis(40));
}

#[test]
fn on_tokio_multi_thread_with_spawned_calls() {
    let servers: Vec<FlakyServer> = (0..6).map(|_| flaky()).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let policy = Arc::new(until_ok());
    let statuses = runtime.block_on(async {
        let calls: Vec<_> = servers
            .iter()
            .map(|server| {
                let (policy, addr) = (policy.clone(), server.addr());
                tokio::spawn(async move { policy.retry_async(|| get_on_tokio(addr)).await })
            })
            .collect();
        let mut statuses = Vec::new();
        for call in calls {
            statuses.push(call.await.unwrap());
        }
        statuses
    });
    assert_eq!(statuses, [200; 6]);
    assert!(servers.iter().all(|s| s.requests() == 3));
}

#[test]
fn on_smol_with_the_async_io_timer() {
    let server = flaky();
    let start = Instant::now();
    let status = smol::block_on(
        until_ok()
            .clock(AsyncIoSleeper)
            .retry_async(|| get_on_smol(server.addr())),
    );
    assert_eq!((status, server.requests()), (200, 3));
    assert!(start.elapsed() >= Duration::from_millis(40));
}

#[test]
fn on_smol_connecting_before_the_server_listens() {
    // A port free now; the server listens on it 300 ms later.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listening = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        let _ = listener.accept().unwrap();
    });
    let start = Instant::now();
    let connected = smol::block_on(
        persevere::on_error(constant(Duration::from_millis(20)))
            .max_time(Duration::from_secs(30))
            .clock(AsyncIoSleeper)
            .retry_async(|| smol::net::TcpStream::connect(("127.0.0.1", port))),
    );
    assert!(connected.is_ok());
    assert!(start.elapsed() >= Duration::from_millis(300));
    listening.join().unwrap();
}

#[test]
fn with_a_sleeper_of_the_users_own_and_no_runtime() {
    let server = flaky();
    let slept = Arc::new(Mutex::new(Vec::new()));
    let sleeper = {
        let slept = slept.clone();
        move |wait: Duration| {
            slept.lock().unwrap().push(wait);
            // Any future will do: async-io's timer runs without a runtime.
            let timer = smol::Timer::after(wait);
            async move {
                timer.await;
            }
        }
    };
    let status = futures_lite::future::block_on(
        on_predicate(intervals([10, 30].map(Duration::from_millis)))
            .predicate(|s: &u16| *s != 200)
            .jitter(Jitter::None)
            .sleeper(sleeper)
            .retry_async(|| get_on_smol(server.addr())),
    );
    assert_eq!((status, server.requests()), (200, 3));
    assert_eq!(*slept.lock().unwrap(), [10, 30].map(Duration::from_millis));
}
