//! `persevere::tower::RetryLayer` around a real hyper client, against a real hyper server on
//! loopback that fails the first requests: exact request counts, server waits, budgets,
//! attempt timeouts and a gRPC-style status.

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::{Client, Error as ClientError, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use persevere::budget::RatioBudget;
use persevere::http::{Pushback, grpc_retry_pushback_ms, header_wait};
use persevere::tower::RetryLayer;
use persevere::{Jitter, constant, on_error, on_predicate};
use persevere_examples::flaky_http::{FlakyServer, Reply};
use std::time::{Duration, Instant};
use tower::{BoxError, ServiceBuilder, ServiceExt};

type Outcome = Result<Response<Incoming>, ClientError>;

fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

fn get(server: &FlakyServer, path: &str) -> Request<Full<Bytes>> {
    Request::get(server.url(path))
        .body(Full::default())
        .unwrap()
}

async fn text(response: Response<Incoming>) -> String {
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

/// Errors (the connection refused or hung up) and 5xx answers are retried.
fn is_failure(outcome: &Outcome) -> bool {
    match outcome {
        Ok(response) => response.status().is_server_error(),
        Err(_) => true,
    }
}

#[tokio::test]
async fn a_503_and_a_hang_up_are_retried_and_the_third_request_answers() {
    let server =
        FlakyServer::start([Reply::status(503), Reply::HangUp, Reply::ok("stock: 12")]).unwrap();
    let policy = on_predicate(constant(Duration::from_millis(10)))
        .predicate(is_failure)
        .max_tries(5);
    let service = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(client());
    let response = service.oneshot(get(&server, "/stock")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(text(response).await, "stock: 12");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| r.method == "GET" && r.path == "/stock"));
}

#[tokio::test]
async fn when_the_policy_gives_up_the_last_response_is_returned_as_it_is() {
    let server = FlakyServer::start([Reply::status(503).body("down")]).unwrap();
    let policy = on_predicate(constant(Duration::from_millis(5)))
        .predicate(is_failure)
        .max_tries(3);
    let service = RetryLayer::new(policy);
    let response = ServiceBuilder::new()
        .layer(service)
        .service(client())
        .oneshot(get(&server, "/"))
        .await
        .unwrap();
    assert_eq!(
        (response.status().as_u16(), text(response).await),
        (503, "down".into())
    );
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn an_on_error_policy_retries_errors_and_returns_any_response() {
    let server = FlakyServer::start([Reply::HangUp, Reply::HangUp, Reply::status(503)]).unwrap();
    let policy = on_error(constant(Duration::from_millis(5)))
        .when(|e: &ClientError| !e.is_connect())
        .max_tries(5);
    let response = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(client())
        .oneshot(get(&server, "/"))
        .await
        .unwrap();
    // The 503 is a response, which an `on_error` policy does not judge.
    assert_eq!(response.status(), 503);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn the_servers_retry_after_replaces_the_policys_wait() {
    let server = FlakyServer::start([
        Reply::status(429).header("retry-after-ms", "300"),
        Reply::ok("done"),
    ])
    .unwrap();
    let policy = on_predicate(constant(Duration::ZERO))
        .predicate(|o: &Outcome| o.as_ref().map_or(true, |r| r.status() == 429))
        .server_wait(|o: &Outcome| {
            let response = o.as_ref().ok()?;
            header_wait(|name| response.headers().get(name)?.to_str().ok())
        })
        .max_tries(3);
    let start = Instant::now();
    let response = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(client())
        .oneshot(get(&server, "/"))
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(text(response).await, "done");
    assert_eq!(server.requests(), 2);
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[tokio::test]
async fn a_budget_shared_by_the_layer_refuses_retries() {
    let server = FlakyServer::start([Reply::status(503)]).unwrap();
    // No credit: the budget refuses every retry, so each request is sent once.
    let policy = on_predicate(constant(Duration::ZERO))
        .predicate(is_failure)
        .max_tries(5)
        .budget(RatioBudget::new(0.0, 0, Duration::from_secs(10)));
    let service = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(client());
    for _ in 0..3 {
        let response = service.clone().oneshot(get(&server, "/")).await.unwrap();
        assert_eq!(response.status(), 503);
    }
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn an_attempt_timeout_cuts_a_slow_answer_and_the_retry_gets_the_fast_one() {
    let server = FlakyServer::start([
        Reply::ok("slow").after(Duration::from_secs(30)),
        Reply::ok("fast"),
    ])
    .unwrap();
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .attempt_timeout(Duration::from_millis(200));
    // The client's error boxed, so that it can hold the policy's `TimedOut`.
    let service = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .map_err(BoxError::from)
        .service(client());
    let start = Instant::now();
    let response: Response<Incoming> = service.oneshot(get(&server, "/")).await.unwrap();
    assert_eq!(text(response).await, "fast");
    assert_eq!(server.requests(), 2);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(10),
        "{took:?}"
    );
}

/// A gRPC server says UNAVAILABLE (14) in a trailers-only response: HTTP 200 with a
/// `grpc-status` header, and `grpc-retry-pushback-ms` for when to come back.
#[tokio::test]
async fn a_grpc_style_unavailable_status_is_retried_after_the_servers_pushback() {
    let server = FlakyServer::start([
        Reply::status(200)
            .header("grpc-status", "14")
            .header("grpc-retry-pushback-ms", "250"),
        Reply::status(200).header("grpc-status", "0").body("reply"),
    ])
    .unwrap();
    fn grpc_status(o: &Outcome) -> Option<&str> {
        o.as_ref().ok()?.headers().get("grpc-status")?.to_str().ok()
    }
    let policy = on_predicate(constant(Duration::ZERO))
        .predicate(|o: &Outcome| o.is_err() || grpc_status(o) == Some("14"))
        .server_wait(|o: &Outcome| {
            let pushback = o.as_ref().ok()?.headers().get("grpc-retry-pushback-ms")?;
            match grpc_retry_pushback_ms(pushback.to_str().ok()?) {
                Pushback::RetryAfter(wait) => Some(wait),
                Pushback::DoNotRetry => Some(Duration::MAX),
            }
        })
        .jitter(Jitter::None)
        .max_tries(4);
    let start = Instant::now();
    let response = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(client())
        .oneshot(get(&server, "/inventory.Stock/Get"))
        .await
        .unwrap();
    assert_eq!(response.headers()["grpc-status"], "0");
    assert_eq!(server.requests(), 2);
    assert!(start.elapsed() >= Duration::from_millis(250));
}
