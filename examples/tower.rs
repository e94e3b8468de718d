//! A hyper client behind persevere's tower `RetryLayer`, against a flaky server on 127.0.0.1
//! that answers 503 (with `Retry-After`), then hangs up, then answers.
//!
//! ```text
//! cargo run -p persevere-examples --example tower
//! ```

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::{Client, Error};
use hyper_util::rt::TokioExecutor;
use persevere::http::{header_wait, is_transient_status};
use persevere::tower::RetryLayer;
use persevere::{expo, on_predicate};
use persevere_examples::flaky_http::{FlakyServer, Reply};
use std::time::Duration;
use tower::{ServiceBuilder, ServiceExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = FlakyServer::start([
        Reply::status(503).header("retry-after", "1"),
        Reply::HangUp,
        Reply::ok("stock: 12"),
    ])?;

    let policy = on_predicate(expo().factor(Duration::from_millis(100)))
        .predicate(
            |outcome: &Result<Response<Incoming>, Error>| match outcome {
                Ok(response) => is_transient_status(response.status().as_u16()),
                Err(_) => true, // refused, reset, hung up
            },
        )
        .server_wait(|outcome| {
            let response = outcome.as_ref().ok()?;
            header_wait(|name| response.headers().get(name)?.to_str().ok())
        })
        .max_tries(4)
        .on_backoff(|d| {
            println!(
                "attempt {} failed, retrying in {:?}",
                d.tries(),
                d.wait().unwrap()
            )
        });
    let client = ServiceBuilder::new()
        .layer(RetryLayer::new(policy))
        .service(Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>());

    let request = Request::get(server.url("/stock")).body(Full::default())?;
    let response = client.oneshot(request).await?;
    let body = response.into_body().collect().await?.to_bytes();
    println!(
        "{} after {} requests",
        String::from_utf8_lossy(&body),
        server.requests()
    );
    Ok(())
}
