//! `hedging [calls] [clients]`: the latency of calls to a loopback server that answers 10 % of
//! requests after 1 s, with and without hedging, on one tokio runtime. Prints CSV:
//! `mode,calls,requests,p50_ms,p90_ms,p99_ms,max_ms,wall_ms`, for three modes: no hedging, and
//! hedging with at most 2 and 3 requests in flight.
//!
//! Each call is one HTTP-like request over a fresh TCP connection. The server decides slow or
//! fast per request from a seeded generator, so both modes face the same 10 % of slow
//! requests. Hedged calls start another request after 50 ms without an answer and keep the
//! first answer; the losers' connections are dropped. With 10 % slow requests, 1 % of calls
//! draw two slow requests, which is why two in flight leave the p99 near 1 s and three do not.

use persevere::{Jitter, Rng, constant, on_error};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

const SLOW: Duration = Duration::from_secs(1);
const SLOW_SHARE: f64 = 0.10;
const HEDGE_DELAY: Duration = Duration::from_millis(50);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("hedging [calls] [clients]: whole numbers"))
        .collect();
    let calls = args.first().copied().unwrap_or(1000);
    let clients = args.get(1).copied().unwrap_or(50);
    println!("mode,calls,requests,p50_ms,p90_ms,p99_ms,max_ms,wall_ms");
    for in_flight in [1, 2, 3] {
        let (addr, requests) = server(1).await;
        let start = Instant::now();
        let mut latencies = run(addr, calls, clients, in_flight).await;
        let wall = start.elapsed();
        latencies.sort();
        let pct = |p: f64| {
            let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
            latencies[i].as_secs_f64() * 1e3
        };
        println!(
            "{},{},{},{:.1},{:.1},{:.1},{:.1},{:.0}",
            match in_flight {
                1 => "unhedged".to_string(),
                n => format!("hedged_{n}"),
            },
            latencies.len(),
            requests.load(Ordering::SeqCst),
            pct(0.50),
            pct(0.90),
            pct(0.99),
            pct(1.0),
            wall.as_secs_f64() * 1e3
        );
    }
}

/// Runs `calls` calls from `clients` concurrent clients; returns each call's latency.
async fn run(addr: SocketAddr, calls: usize, clients: usize, in_flight: u32) -> Vec<Duration> {
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(calls)));
    let per_client = calls.div_ceil(clients);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let latencies = latencies.clone();
            tokio::spawn(async move {
                let policy = on_error(constant(Duration::ZERO))
                    .max_tries(in_flight)
                    .jitter(Jitter::None);
                let hedging = policy.clone().hedge(HEDGE_DELAY, in_flight);
                for _ in 0..per_client {
                    let start = Instant::now();
                    let reply = if in_flight > 1 {
                        hedging.retry_async(|| request(addr)).await
                    } else {
                        policy.retry_async(|| request(addr)).await
                    };
                    reply.expect("the loopback server answers");
                    latencies.lock().await.push(start.elapsed());
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    Arc::try_unwrap(latencies).unwrap().into_inner()
}

async fn request(addr: SocketAddr) -> std::io::Result<u8> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(b"GET\n").await?;
    let mut byte = [0u8];
    stream.read_exact(&mut byte).await?;
    Ok(byte[0])
}

/// A loopback server answering each request with one byte, 10 % of them after 1 s; returns its
/// address and its request counter.
async fn server(seed: u64) -> (SocketAddr, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(AtomicU64::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        let mut rng = Rng::seeded(seed);
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            counted.fetch_add(1, Ordering::SeqCst);
            let slow = rng.next_f64() < SLOW_SHARE;
            tokio::spawn(async move {
                let mut line = [0u8; 4];
                if stream.read_exact(&mut line).await.is_err() {
                    return;
                }
                if slow {
                    tokio::time::sleep(SLOW).await;
                }
                let _ = stream.write_all(b"1").await;
            });
        }
    });
    (addr, requests)
}
