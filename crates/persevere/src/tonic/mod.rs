//! Retrying gRPC calls made with tonic (feature `tonic`), with gRFC A6's rules.
//!
//! - [`Policy::grpc_codes(codes)`](crate::Policy::grpc_codes) makes an `on_error` policy
//!   retry tonic's [`Status`](::tonic::Status) errors whose code is in `codes` (A6's
//!   `retryableStatusCodes`, typed as tonic's [`Code`](::tonic::Code)s or read from a gRPC service config
//!   through `persevere::config::PolicySpec`) and follow the server's
//!   `grpc-retry-pushback-ms`: exactly the wait it asks for, or no retry at all for a negative
//!   or malformed value. Any part of the policy still applies: limits, budget (gRPC's
//!   `TokenBucket::grpc` for `retryThrottling`), handlers, metrics.
//! - [`GrpcRetry`] retries every call of a channel with such a policy: a generated client
//!   takes `GrpcRetry::new(channel, policy)` in place of the channel, or
//!   [`GrpcRetry::layer(policy)`](GrpcRetry::layer) goes into a `tower::ServiceBuilder`.
//!   It keeps each request's body for the retries when the body is all there at the start
//!   (unary and server-streaming calls), and sees the status of a response that carries it
//!   in its headers (trailers-only, as servers answer an error raised before any message);
//!   see [`GrpcRetry`] for what is sent once and what it cannot see.
//! - Or retry a call of a generated client as a closure, which also sees a status that comes
//!   after messages: `policy.retry_async(|| client.clone().say_hello(request())).await`.
//!
//! The feature pulls in `tonic` without its default features (no transport, no codegen) and
//! the `tower` feature.
//!
//! A channel stand-in that answers `UNAVAILABLE` twice, then `OK` (a tonic server answers an
//! error so, in its headers); the policy's virtual clock records the waits:
//!
//! ```
//! use persevere::{on_error, constant, Jitter, testing::VirtualClock, tonic::GrpcRetry};
//! use std::sync::{Arc, atomic::{AtomicU32, Ordering}};
//! use std::time::Duration;
//! use tonic::{Code, Status, body::Body};
//! use tower::{Service, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let calls = Arc::new(AtomicU32::new(0));
//! let counter = calls.clone();
//! let channel = tower::service_fn(move |_: http::Request<Body>| {
//!     let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
//!     let status = if n < 3 { Status::unavailable("busy") } else { Status::ok("") };
//!     async move { Ok::<_, Status>(status.into_http::<Body>()) }
//! });
//! let clock = VirtualClock::new();
//! let policy = on_error(constant(Duration::from_millis(100)))
//!     .jitter(Jitter::None)
//!     .max_tries(5)
//!     .grpc_codes([Code::Unavailable])
//!     .clock(clock.clone());
//! let mut channel = GrpcRetry::new(channel, policy);
//! let response = channel.ready().await.unwrap().call(http::Request::new(Body::empty())).await;
//! assert!(response.is_ok());
//! assert_eq!(calls.load(Ordering::Relaxed), 3);
//! assert_eq!(clock.sleeps(), [Duration::from_millis(100); 2]);
//! # }
//! ```

mod codes;
mod replay;
mod service;

#[doc(hidden)]
pub use codes::GrpcCodes;
pub use service::GrpcRetry;
