//! Retry-After from a real HTTP server on loopback: the client waits the server's second
//! (measured at the server and the client), and a wait beyond `max_time` ends the call at once.
#![cfg(feature = "http")]

use persevere::{GiveUpReason, expo, on_predicate};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// A server that answers each request with the next of `replies` (status, Retry-After value)
/// and records when each request arrived.
struct Server {
    addr: SocketAddr,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Server {
    fn start(replies: Vec<(u16, Option<&'static str>)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let seen = arrivals.clone();
        thread::spawn(move || {
            for (status, retry_after) in replies {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                seen.lock().unwrap().push(Instant::now());
                answer(stream, status, retry_after);
            }
        });
        Server { addr, arrivals }
    }

    fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().unwrap().clone()
    }
}

fn answer(stream: TcpStream, status: u16, retry_after: Option<&str>) {
    let mut reader = BufReader::new(stream);
    // Read the request head up to the blank line.
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
        line.clear();
    }
    let reason = if status == 200 {
        "OK"
    } else {
        "Service Unavailable"
    };
    let header = retry_after.map_or(String::new(), |v| format!("Retry-After: {v}\r\n"));
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\n{header}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = reader.get_mut().write_all(response.as_bytes());
}

/// What the client keeps of a response.
#[derive(Debug, Clone, PartialEq)]
struct Reply {
    status: u16,
    retry_after: Option<Duration>,
}

/// A plain HTTP/1.1 GET over a real socket.
fn get(addr: SocketAddr) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let mut lines = text.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let retry_after = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, value)| persevere::http::retry_after(value, SystemTime::now()));
    Reply {
        status,
        retry_after,
    }
}

#[test]
fn the_client_waits_the_servers_second() {
    let server = Server::start(vec![(503, Some("1")), (200, None)]);
    let start = Instant::now();
    let reply = on_predicate(expo().factor(Duration::from_millis(1)))
        .predicate(|r: &Reply| r.status == 503)
        .server_wait(|r| r.retry_after)
        .max_tries(3)
        .retry(|| get(server.addr));
    let waited = start.elapsed();
    assert_eq!(reply.status, 200);
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 2);
    let between = arrivals[1] - arrivals[0];
    assert!(
        between >= Duration::from_secs(1),
        "the server saw {between:?}"
    );
    // Generous upper bounds: a loaded machine may be slow, never early.
    assert!(
        between < Duration::from_secs(3),
        "the server saw {between:?}"
    );
    assert!(waited >= Duration::from_secs(1) && waited < Duration::from_secs(3));
}

#[test]
fn a_retry_after_beyond_max_time_gives_up_at_once() {
    let server = Server::start(vec![(503, Some("3600")), (200, None)]);
    let reason = Cell::new(None);
    let start = Instant::now();
    let reply = on_predicate(expo())
        .predicate(|r: &Reply| r.status == 503)
        .server_wait(|r| r.retry_after)
        .max_time(Duration::from_secs(10))
        .on_giveup(|d| reason.set(d.reason()))
        .retry(|| get(server.addr));
    assert_eq!(reply.status, 503, "the last reply, unchanged");
    assert_eq!(reason.get(), Some(GiveUpReason::Server));
    assert_eq!(server.arrivals().len(), 1, "no early retry");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}
