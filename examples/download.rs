//! Downloads a report from a flaky server on 127.0.0.1 with reqwest, retried by persevere.
//!
//! The server (a real hyper server, started here) answers 503 with `Retry-After`, then cuts
//! the body short, then sends it whole. The request is retried with `persevere::reqwest`'s
//! one-liner; the download, body included, with an `on_error` policy whose filter is
//! `is_transient_error` (a body cut short is transient).
//!
//! ```text
//! cargo run -p persevere-examples --example download
//! ```

use persevere::reqwest::{is_transient_error, on_transient, send};
use persevere::{constant, expo, on_error};
use persevere_examples::flaky_http::{FlakyServer, Reply};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = "sku,count\n".to_string() + &"tomato,12\n".repeat(2_000);
    let server = FlakyServer::start([
        Reply::status(503).header("retry-after-ms", "200"),
        Reply::ok(report.clone()),
        Reply::Truncated {
            body: report.clone().into(),
            sent: 100,
        },
        Reply::ok(report.clone()),
    ])?;
    let client = reqwest::Client::new();
    let url = server.url("/report.csv");
    let start = Instant::now();

    // One line: the request retried on transient failures, waiting what the server asks.
    let policy = on_transient(expo().factor(Duration::from_millis(50))).max_tries(5);
    let response = send(&policy, client.get(&url)).await?;
    println!(
        "request: {} after {} requests, {:.2}s",
        response.status(),
        server.requests(),
        start.elapsed().as_secs_f64()
    );
    // The body was read only now, in one go.
    let body = response.bytes().await;
    println!(
        "body: {}",
        match &body {
            Ok(b) => format!("{} bytes", b.len()),
            Err(e) => format!("cut short ({e})"),
        }
    );

    // The whole download retried, body included: a body cut short is transient. (`send`
    // retries the request only: the body is read after it returns.)
    let body = on_error(constant(Duration::from_millis(50)))
        .when(is_transient_error)
        .max_tries(5)
        .on_backoff(|d| println!("download failed ({:?}), retrying", d.error()))
        .retry_async(|| async {
            client
                .get(&url)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await
        })
        .await?;
    assert_eq!(body, report.as_bytes());
    println!(
        "downloaded {} bytes after {} requests in all, {:.2}s",
        body.len(),
        server.requests(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
