//! `persevere::reqwest` against a real hyper server on loopback: which failures are retried,
//! server waits, what is sent once (a `POST`, a streaming body), a whole download retried
//! when its body is cut short, and the `reqwest-middleware` middleware.

use bytes::Bytes;
use persevere::reqwest::{RetryMiddleware, is_transient_error, on_transient, send, server_wait};
use persevere::{constant, on_error};
use persevere_examples::flaky_http::{FlakyServer, Reply};
use std::cell::Cell;
use std::time::{Duration, Instant};

fn fast() -> persevere::reqwest::OnTransient<persevere::Constant> {
    on_transient(constant(Duration::from_millis(5)))
}

#[tokio::test]
async fn send_retries_a_503_and_a_hang_up_then_returns_the_answer() {
    let server = FlakyServer::start([Reply::status(503), Reply::HangUp, Reply::ok("12")]).unwrap();
    let client = reqwest::Client::new();
    let response = send(&fast().max_tries(5), client.get(server.url("/stock")))
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "12");
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn a_retry_after_in_seconds_is_waited_exactly() {
    let server = FlakyServer::start([
        Reply::status(503).header("retry-after", "1"),
        Reply::ok("done"),
    ])
    .unwrap();
    let client = reqwest::Client::new();
    let start = Instant::now();
    let response = send(&fast().max_tries(3), client.get(server.url("/")))
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(response.text().await.unwrap(), "done");
    assert_eq!(server.requests(), 2);
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(10),
        "{took:?}"
    );
}

#[tokio::test]
async fn server_wait_reads_the_millisecond_header_first() {
    let server = FlakyServer::start([Reply::status(429)
        .header("retry-after", "7")
        .header("retry-after-ms", "1500")])
    .unwrap();
    let outcome = reqwest::get(server.url("/")).await;
    assert_eq!(server_wait(&outcome), Some(Duration::from_millis(1500)));
}

#[tokio::test]
async fn a_404_is_not_transient_and_is_returned_at_once() {
    let server = FlakyServer::start([Reply::status(404)]).unwrap();
    let client = reqwest::Client::new();
    let response = send(&fast().max_tries(5), client.get(server.url("/")))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn the_last_503_is_returned_when_the_policy_gives_up() {
    let server = FlakyServer::start([Reply::status(503)]).unwrap();
    let client = reqwest::Client::new();
    let response = send(&fast().max_tries(3), client.get(server.url("/")))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn a_post_is_sent_once() {
    let server = FlakyServer::start([Reply::status(503)]).unwrap();
    let client = reqwest::Client::new();
    let response = send(
        &fast().max_tries(5),
        client.post(server.url("/orders")).body("1 crate"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_streaming_body_is_sent_once() {
    let server = FlakyServer::start([Reply::status(503)]).unwrap();
    let client = reqwest::Client::new();
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok("part 1, ".into()), Ok("part 2".into())];
    let body = reqwest::Body::wrap_stream(futures_lite::stream::iter(chunks));
    let response = send(
        &fast().max_tries(5),
        client.put(server.url("/upload")).body(body),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 503);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].body, "part 1, part 2");
}

#[tokio::test]
async fn a_refused_connection_is_transient_and_retried_until_max_tries() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = reqwest::Client::new();
    let attempts = Cell::new(0);
    let policy = fast()
        .max_tries(3)
        .on_backoff(|_| attempts.set(attempts.get() + 1))
        .on_giveup(|_| attempts.set(attempts.get() + 1));
    let error = send(&policy, client.get(format!("http://127.0.0.1:{port}/")))
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    assert!(is_transient_error(&error));
    assert_eq!(attempts.get(), 3);
}

#[tokio::test]
async fn a_download_cut_short_is_retried_whole() {
    let report = Bytes::from(vec![b'x'; 64 * 1024]);
    let server = FlakyServer::start([
        Reply::Truncated {
            body: report.clone(),
            sent: 1000,
        },
        Reply::ok(report.clone()),
    ])
    .unwrap();
    let client = reqwest::Client::new();
    let url = server.url("/report.csv");
    let body = on_error(constant(Duration::from_millis(5)))
        .when(is_transient_error)
        .max_tries(4)
        .retry_async(|| async {
            let response = client.get(&url).send().await?.error_for_status()?;
            response.bytes().await
        })
        .await
        .unwrap();
    assert_eq!(body, report);
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn the_middleware_retries_inside_a_middleware_client() {
    let server = FlakyServer::start([Reply::status(502), Reply::HangUp, Reply::ok("ok")]).unwrap();
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(RetryMiddleware::new(
            on_transient(constant(Duration::from_millis(5))).max_tries(4),
        ))
        .build();
    let response = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "ok");
    assert_eq!(server.requests(), 3);

    // A POST goes through once.
    let server = FlakyServer::start([Reply::status(503)]).unwrap();
    let response = client.post(server.url("/")).body("x").send().await.unwrap();
    assert_eq!((response.status().as_u16(), server.requests()), (503, 1));
}
