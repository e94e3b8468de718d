//! Retrying tower services (feature `tower`): [`RetryLayer::new(policy)`](RetryLayer::new)
//! wraps any [`Service`](tower_service::Service) whose request is `Clone` in a [`Retry`]
//! service that runs each request through the policy's decision core, as
//! [`retry_async`](crate::Policy::retry_async) does: every limit, budget, server wait, attempt
//! timeout, handler, log and metric of the policy applies.
//!
//! The outcome of an attempt is `Result<S::Response, S::Error>`, so:
//!
//! - an [`on_error`](fn@crate::on_error) policy retries the service's errors (filter them with
//!   `on`, `on_if`, `when`, `giveup`), and returns any response as it is;
//! - an [`on_predicate`](fn@crate::on_predicate) policy judges whole outcomes: its predicate
//!   reads `&Result<Response, Error>`, so that a 503 response is retried like a refused
//!   connection, and its `server_wait` reads a response's `Retry-After` (see
//!   [`http::header_wait`](crate::http::header_wait) with the `http` feature).
//!
//! Each attempt calls a clone of the inner service, made ready first (the first attempt uses
//! the service made ready by [`poll_ready`](tower_service::Service::poll_ready)). The request is
//! cloned for each attempt: only requests whose body is in memory can be retried.
//!
//! The feature pulls in `tower-service` and `tower-layer`, the crates whose `Service` and
//! `Layer` traits `tower` re-exports: `RetryLayer` goes into a `tower::ServiceBuilder`, an
//! axum `Router::layer` or a tonic channel's stack as it is.
//!
//! ```
//! use persevere::{on_error, constant, tower::RetryLayer};
//! use std::time::Duration;
//! use tower_layer::Layer;
//! use tower_service::Service;
//!
//! // A service that fails twice, then answers.
//! #[derive(Clone)]
//! struct Flaky(std::sync::Arc<std::sync::atomic::AtomicU32>);
//! impl Service<&'static str> for Flaky {
//!     type Response = String;
//!     type Error = String;
//!     type Future = std::future::Ready<Result<String, String>>;
//!     fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), String>> {
//!         std::task::Poll::Ready(Ok(()))
//!     }
//!     fn call(&mut self, req: &'static str) -> Self::Future {
//!         let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
//!         std::future::ready(if n < 3 { Err(format!("busy {n}")) } else { Ok(format!("{req} {n}")) })
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let policy = on_error(constant(Duration::from_millis(1))).max_tries(5);
//! let mut service = RetryLayer::new(policy).layer(Flaky(Default::default()));
//! std::future::poll_fn(|cx| service.poll_ready(cx)).await.unwrap();
//! assert_eq!(service.call("hello").await, Ok("hello 3".to_string()));
//! # }
//! ```

mod future;
mod layer;
mod service;

pub use future::ResponseFuture;
pub use layer::RetryLayer;
pub use service::Retry;
