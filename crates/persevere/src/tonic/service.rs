//! `GrpcRetry`: a tonic channel (any gRPC service of `http` requests) whose calls are retried.

use super::replay::{BoxError, Buffered, Replay, buffer, status_of};
use crate::core::Judge;
use crate::policy::{Handlers, ServerWaits, TimeoutFor};
use crate::tower::{ResponseFuture, Retry};
use crate::wait::Wait;
use crate::{AsyncSleeper, Clock, Policy};
use http::{Request, Response};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};
use tonic::Status;
use tonic::body::Body;
use tower_layer::{LayerFn, layer_fn};
use tower_service::Service;

/// The most bytes of a request body kept for its retries, unless
/// [`buffer_limit`](GrpcRetry::buffer_limit) says otherwise: 1 MiB, grpc-java's per-call
/// default.
const DEFAULT_BUFFER_LIMIT: usize = 1 << 20;

/// A gRPC service, a tonic [`Channel`] say, whose calls are retried with a policy over
/// `Result<_, tonic::Status>` (see [`grpc_codes`](crate::Policy::grpc_codes)); a generated
/// client takes it in place of the channel. Its error is the [`Status`](::tonic::Status) the client
/// would have made of the last attempt's failure, which the client returns as it is.
///
/// Each call's request body is read before the first attempt while it is ready, up to the
/// [buffer limit](GrpcRetry::buffer_limit), and each attempt sends a copy (A6's client buffers
/// so too). Then:
///
/// - **retried**: unary and server-streaming calls (one message), and client-streaming calls
///   whose messages are all ready when the call starts; an attempt fails when the inner
///   service fails (a refused connection is `UNAVAILABLE`, as tonic maps it), or when the
///   response carries its status in its headers (a *trailers-only* response: how servers,
///   tonic's among them, answer an error raised before any message), or has an HTTP status
///   other than 200 (mapped as gRPC maps it: a proxy's 503 is `UNAVAILABLE`);
/// - **sent once, not retried**: a call whose body is not ready (a live client or bidi
///   stream, which may wait for the server's answers: it is never waited for), is longer than
///   the limit, or has trailers;
/// - **not seen**: a status that comes in the trailers after the response's headers (a
///   server that fails after sending messages, or that sends headers first). The response has
///   gone to the client by then, as A6's calls are committed once headers arrive; retry such
///   calls around the client instead (`policy.retry_async(|| client.clone().call(..))`), where
///   `grpc_codes` reads the status the client returns.
///
/// Attempts go to clones of the inner service, each made ready first (the first attempt uses
/// the one made ready by `poll_ready`), as [`tower::Retry`](crate::tower::Retry) does, which
/// runs the policy here. Each attempt sends the request's headers as they are: a
/// `grpc-timeout` (tonic's `Request::set_timeout`) bounds each attempt, not the call, so bound
/// the call with the policy's `max_time`; no `grpc-previous-rpc-attempts` is added. A
/// `Hedged` policy does not serve here (its attempts run at once; hedge around the client).
///
/// [`Channel`]: https://docs.rs/tonic/0.14/tonic/transport/struct.Channel.html
///
/// ```no_run
/// use persevere::{on_error, expo, tonic::GrpcRetry};
/// use std::time::Duration;
/// use tonic::{Code, transport::Endpoint};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let policy = on_error(expo().factor(Duration::from_millis(100)).max_value(Duration::from_secs(1)))
///     .max_tries(4)
///     .grpc_codes([Code::Unavailable]);
/// let channel = Endpoint::from_static("http://127.0.0.1:50051").connect_lazy();
/// // A generated client: `GreeterClient::new(GrpcRetry::new(channel, policy))`; or in a stack:
/// let channel = tower::ServiceBuilder::new()
///     .layer(GrpcRetry::layer(policy))
///     .service(channel);
/// let mut client = tonic::client::Grpc::new(channel);
/// client.ready().await?; // then `client.unary(..)`, as generated clients do
/// # Ok(()) }
/// ```
pub struct GrpcRetry<S, Pol, M = ()> {
    inner: S,
    policy: Arc<Pol>,
    buffer_limit: usize,
    route: PhantomData<fn() -> M>,
}

impl<S, Pol, M> GrpcRetry<S, Pol, M> {
    /// Retries the calls of `inner` with `policy`.
    pub fn new(inner: S, policy: Pol) -> Self {
        GrpcRetry::from_arc(inner, Arc::new(policy))
    }

    /// Retries the calls of `inner` with a policy already shared.
    pub fn from_arc(inner: S, policy: Arc<Pol>) -> Self {
        GrpcRetry {
            inner,
            policy,
            buffer_limit: DEFAULT_BUFFER_LIMIT,
            route: PhantomData,
        }
    }

    /// A tower layer that wraps a service in a `GrpcRetry` with `policy` (shared by every
    /// service it makes).
    pub fn layer(policy: Pol) -> LayerFn<impl Fn(S) -> Self + Clone> {
        let policy = Arc::new(policy);
        layer_fn(move |inner| GrpcRetry::from_arc(inner, policy.clone()))
    }

    /// The most bytes of a request body kept for its retries; a longer body is sent once,
    /// without retries (A6: "RPCs may only be retried when they are contained in the
    /// buffer").
    ///
    /// # Default
    /// 1 MiB, grpc-java's per-call limit.
    #[must_use]
    pub fn buffer_limit(mut self, bytes: usize) -> Self {
        self.buffer_limit = bytes;
        self
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The policy.
    pub fn policy(&self) -> &Arc<Pol> {
        &self.policy
    }
}

impl<S, B, R, W, P, K, M> Service<Request<Body>> for GrpcRetry<S, Policy<R, W, P, K>, M>
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Send + 'static,
    R: Judge<Result<Response<B>, Status>, M> + Send + Sync + 'static,
    W: Wait<R::Subject> + Send + Sync + 'static,
    W::State: Send,
    P: Handlers<R::Value, R::Error>
        + ServerWaits<R::Subject>
        + TimeoutFor<Result<Response<B>, Status>>
        + Send
        + Sync
        + 'static,
    K: Clock + AsyncSleeper + Send + Sync + 'static,
    K::Sleep: Send,
    M: 'static,
{
    type Response = Response<B>;
    type Error = Status;
    type Future = ResponseFuture<Response<B>, Status>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        self.inner.poll_ready(cx).map_err(status_of)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The service made ready serves the first attempt; a clone takes its place.
        let spare = self.inner.clone();
        let mut ready = std::mem::replace(&mut self.inner, spare);
        match buffer(request, self.buffer_limit) {
            Buffered::Replayable(request) => {
                Retry::<_, _, M>::from_arc(Replay(ready), self.policy.clone()).call(request)
            }
            Buffered::Once(request) => {
                let sent = ready.call(request);
                ResponseFuture(Box::pin(async move { sent.await.map_err(status_of) }))
            }
            Buffered::Failed(status) => ResponseFuture(Box::pin(std::future::ready(Err(status)))),
        }
    }
}

impl<S: Clone, Pol, M> Clone for GrpcRetry<S, Pol, M> {
    fn clone(&self) -> Self {
        GrpcRetry {
            inner: self.inner.clone(),
            policy: self.policy.clone(),
            buffer_limit: self.buffer_limit,
            route: PhantomData,
        }
    }
}

impl<S: fmt::Debug, Pol: fmt::Debug, M> fmt::Debug for GrpcRetry<S, Pol, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrpcRetry")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .field("buffer_limit", &self.buffer_limit)
            .finish()
    }
}
