//! `persevere::tonic` against a real tonic server on 127.0.0.1: retryable and other codes,
//! `grpc-retry-pushback-ms`, what `GrpcRetry` sends once, and transport failures. The server is
//! written with tonic's own codec APIs (bytes in, bytes out), without protoc or codegen; the
//! policies' virtual clock records the waits, so nothing sleeps.

#![cfg(feature = "tonic")]

use bytes::{Buf, BufMut};
use http::uri::PathAndQuery;
use persevere::testing::VirtualClock;
use persevere::tonic::GrpcRetry;
use persevere::{GiveUpReason, Jitter, constant, on_error};
use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tonic::body::Body;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::metadata::MetadataMap;
use tonic::server::UnaryService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Code, Request, Response, Status};
use tower::{Service, ServiceBuilder};

const METHOD: &str = "/persevere.Test/Echo";

/// Messages are their bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Raw;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;

    fn encoder(&mut self) -> Raw {
        Raw
    }

    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}

/// The server's answer to its `n`th call (from 1): echo the message, or fail with a status.
type Answer = dyn Fn(u32) -> Option<Status> + Send + Sync;

/// A unary echo service that answers as its script says and counts its calls and the
/// messages it received.
#[derive(Clone)]
struct Script {
    answer: Arc<Answer>,
    calls: Arc<AtomicU32>,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Script {
    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl UnaryService<Vec<u8>> for Script {
    type Response = Vec<u8>;
    type Future = Ready<Result<Response<Vec<u8>>, Status>>;

    fn call(&mut self, request: Request<Vec<u8>>) -> Self::Future {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let message = request.into_inner();
        self.received.lock().unwrap().push(message.clone());
        ready(match (self.answer)(n) {
            Some(status) => Err(status),
            None => Ok(Response::new(message)),
        })
    }
}

impl Service<http::Request<Body>> for Script {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let script = self.clone();
        Box::pin(async move { Ok(tonic::server::Grpc::new(Raw).unary(script, request).await) })
    }
}

/// Serves `answer` on an ephemeral loopback port; the channel to it, and the script (for its
/// counts).
async fn serve(
    answer: impl Fn(u32) -> Option<Status> + Send + Sync + 'static,
) -> (Channel, Script) {
    let script = Script {
        answer: Arc::new(answer),
        calls: Arc::default(),
        received: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::builder().serve_with_incoming(script.clone(), TcpIncoming::from(listener));
    tokio::spawn(server);
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    (channel, script)
}

/// `UNAVAILABLE`, with a `grpc-retry-pushback-ms` of `pushback` if given.
fn unavailable(pushback: Option<&str>) -> Status {
    status(Code::Unavailable, pushback)
}

fn status(code: Code, pushback: Option<&str>) -> Status {
    let mut metadata = MetadataMap::new();
    if let Some(value) = pushback {
        metadata.insert("grpc-retry-pushback-ms", value.parse().unwrap());
    }
    Status::with_metadata(code, "scripted", metadata)
}

/// One unary call through the generated-client machinery (`tonic::client::Grpc`).
async fn echo<S>(channel: S, message: &[u8]) -> Result<Vec<u8>, Status>
where
    S: tonic::client::GrpcService<Body>,
    S::ResponseBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    <S::ResponseBody as http_body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut client = tonic::client::Grpc::new(channel);
    client
        .ready()
        .await
        .map_err(|e| Status::from_error(e.into()))?;
    let path = PathAndQuery::from_static(METHOD);
    let response = client
        .unary(Request::new(message.to_vec()), path, Raw)
        .await?;
    Ok(response.into_inner())
}

#[tokio::test]
async fn unavailable_n_times_then_ok_makes_n_plus_one_calls() {
    for n in 0..4 {
        let (channel, script) = serve(move |call| (call <= n).then(|| unavailable(None))).await;
        let clock = VirtualClock::new();
        let retrying = GrpcRetry::new(
            channel,
            on_error(constant(Duration::from_millis(100)))
                .jitter(Jitter::None)
                .max_tries(5)
                .grpc_codes([Code::Unavailable])
                .clock(clock.clone()),
        );
        assert_eq!(echo(retrying, b"ping").await.unwrap(), b"ping");
        assert_eq!(script.calls(), n + 1);
        // Every attempt sent the whole message again.
        assert_eq!(
            *script.received.lock().unwrap(),
            vec![b"ping".to_vec(); n as usize + 1]
        );
        assert_eq!(clock.sleeps(), vec![Duration::from_millis(100); n as usize]);
    }
}

#[tokio::test]
async fn through_a_service_builder_layer() {
    let (channel, script) = serve(|call| (call <= 2).then(|| unavailable(None))).await;
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_millis(100)))
        .jitter(Jitter::None)
        .max_tries(5)
        .grpc_codes([Code::Unavailable])
        .clock(clock.clone());
    let stack = ServiceBuilder::new()
        .layer(GrpcRetry::layer(policy))
        .service(channel);
    assert_eq!(echo(stack, b"ping").await.unwrap(), b"ping");
    assert_eq!(script.calls(), 3);
}

#[tokio::test]
async fn a_code_not_in_the_set_is_not_retried() {
    let (channel, script) = serve(|_| Some(status(Code::InvalidArgument, None))).await;
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_millis(100)))
        .jitter(Jitter::None)
        .max_tries(5)
        .grpc_codes([Code::Unavailable])
        .clock(clock.clone());
    let error = echo(GrpcRetry::new(channel, policy), b"x")
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (Code::InvalidArgument, "scripted")
    );
    assert_eq!(script.calls(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn the_last_status_when_the_tries_run_out() {
    let (channel, script) = serve(|_| Some(unavailable(None))).await;
    let clock = VirtualClock::new();
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let seen = reasons.clone();
    let policy = on_error(constant(Duration::from_millis(100)))
        .jitter(Jitter::None)
        .max_tries(3)
        .grpc_codes([Code::Unavailable])
        .on_giveup(move |d| seen.lock().unwrap().push(d.reason()))
        .clock(clock.clone());
    let error = echo(GrpcRetry::new(channel, policy), b"x")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable);
    assert_eq!(script.calls(), 3);
    assert_eq!(*reasons.lock().unwrap(), [Some(GiveUpReason::MaxTries)]);
}

#[tokio::test]
async fn a_pushback_is_the_wait_exactly() {
    for (pushback, wait) in [("0", Duration::ZERO), ("250", Duration::from_millis(250))] {
        let (channel, script) =
            serve(move |call| (call == 1).then(|| unavailable(Some(pushback)))).await;
        let clock = VirtualClock::new();
        // The strategy's wait (1 s) is replaced, not jittered, not added to.
        let policy = on_error(constant(Duration::from_secs(1)))
            .jitter(Jitter::None)
            .max_tries(5)
            .grpc_codes([Code::Unavailable])
            .clock(clock.clone());
        assert_eq!(
            echo(GrpcRetry::new(channel, policy), b"x").await.unwrap(),
            b"x"
        );
        assert_eq!(script.calls(), 2, "pushback {pushback}");
        assert_eq!(clock.sleeps(), [wait], "pushback {pushback}");
    }
}

#[tokio::test]
async fn a_negative_or_malformed_pushback_stops_the_call() {
    for pushback in ["-1", "soon"] {
        let (channel, script) = serve(move |_| Some(unavailable(Some(pushback)))).await;
        let clock = VirtualClock::new();
        let reasons = Arc::new(Mutex::new(Vec::new()));
        let seen = reasons.clone();
        let policy = on_error(constant(Duration::from_secs(1)))
            .jitter(Jitter::None)
            .max_tries(5)
            .grpc_codes([Code::Unavailable])
            .on_giveup(move |d| seen.lock().unwrap().push(d.reason()))
            .clock(clock.clone());
        let error = echo(GrpcRetry::new(channel, policy), b"x")
            .await
            .unwrap_err();
        assert_eq!(error.code(), Code::Unavailable);
        assert_eq!(script.calls(), 1, "pushback {pushback}");
        assert!(clock.sleeps().is_empty());
        assert_eq!(*reasons.lock().unwrap(), [Some(GiveUpReason::Server)]);
    }
}

#[tokio::test]
async fn a_pushback_on_a_code_not_in_the_set_is_not_followed() {
    let (channel, script) = serve(|_| Some(status(Code::Internal, Some("10")))).await;
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_secs(1)))
        .jitter(Jitter::None)
        .max_tries(5)
        .grpc_codes([Code::Unavailable])
        .clock(clock.clone());
    let error = echo(GrpcRetry::new(channel, policy), b"x")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Internal);
    assert_eq!(script.calls(), 1);
}

#[tokio::test]
async fn codes_given_as_numbers() {
    let (channel, script) = serve(|call| match call {
        1 => Some(status(Code::Aborted, None)),
        2 => Some(unavailable(None)),
        _ => None,
    })
    .await;
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(4)
        .grpc_codes([14, 10].iter().copied())
        .clock(VirtualClock::new());
    assert_eq!(
        echo(GrpcRetry::new(channel, policy), b"x").await.unwrap(),
        b"x"
    );
    assert_eq!(script.calls(), 3);
}

/// A6's example service config, as an operator would ship it: its method's policy, codes and
/// attempt cap drive the channel.
#[cfg(feature = "config")]
#[tokio::test]
async fn a_grpc_service_config_drives_the_channel() {
    use persevere::config::PolicySpec;

    let spec = PolicySpec::from_grpc_service_config(
        r#"{"methodConfig": [{
            "name": [{"service": "persevere.Test", "method": "Echo"}],
            "retryPolicy": {
                "maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s",
                "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE", "aborted"]
            }
        }]}"#,
    )
    .unwrap();
    let method = spec.for_grpc_method("persevere.Test", "Echo");
    let policy = || {
        method
            .build()
            .grpc_codes(method.retryable_status_codes().iter().copied())
    };

    // Three retryable failures, then OK: four calls, the waits expo's with gRPC's +-20 %.
    let (channel, script) = serve(|call| match call {
        1 | 3 => Some(unavailable(None)),
        2 => Some(status(Code::Aborted, None)),
        _ => None,
    })
    .await;
    let clock = VirtualClock::new();
    let retrying = GrpcRetry::new(channel, policy().clock(clock.clone()));
    assert_eq!(echo(retrying, b"x").await.unwrap(), b"x");
    assert_eq!(script.calls(), 4);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (sleep, base) in sleeps.iter().zip([100u64, 200, 400]) {
        let (low, high) = (
            Duration::from_millis(base * 8 / 10),
            Duration::from_millis(base * 12 / 10),
        );
        assert!(
            (low..=high).contains(sleep),
            "{sleep:?} not within {low:?}..={high:?}"
        );
    }

    // Always UNAVAILABLE: maxAttempts calls, then the last status.
    let (channel, script) = serve(|_| Some(unavailable(None))).await;
    let retrying = GrpcRetry::new(channel, policy().clock(VirtualClock::new()));
    assert_eq!(
        echo(retrying, b"x").await.unwrap_err().code(),
        Code::Unavailable
    );
    assert_eq!(script.calls(), 4);

    // A code the config does not name: one call.
    let (channel, script) = serve(|_| Some(status(Code::Internal, None))).await;
    let retrying = GrpcRetry::new(channel, policy().clock(VirtualClock::new()));
    assert_eq!(
        echo(retrying, b"x").await.unwrap_err().code(),
        Code::Internal
    );
    assert_eq!(script.calls(), 1);
}

#[tokio::test]
async fn a_body_over_the_buffer_limit_is_sent_once() {
    let (channel, script) = serve(|_| Some(unavailable(None))).await;
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::ZERO))
        .jitter(Jitter::None)
        .max_tries(5)
        .grpc_codes([Code::Unavailable])
        .clock(clock.clone());
    let retrying = GrpcRetry::new(channel.clone(), policy.clone()).buffer_limit(16);
    let error = echo(retrying, &[7; 100]).await.unwrap_err();
    assert_eq!(error.code(), Code::Unavailable);
    assert_eq!(script.calls(), 1);
    // The message arrived whole although part of it was read before the limit was passed.
    assert_eq!(*script.received.lock().unwrap(), [vec![7; 100]]);
    // Under the limit (5 bytes of gRPC framing and 10 of message): retried.
    let retrying = GrpcRetry::new(channel, policy).buffer_limit(16);
    echo(retrying, &[7; 10]).await.unwrap_err();
    assert_eq!(script.calls(), 6);
}

#[tokio::test]
async fn a_stream_not_ready_at_the_start_is_sent_once() {
    let (channel, script) = serve(|_| Some(unavailable(None))).await;
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::ZERO))
        .jitter(Jitter::None)
        .max_tries(5)
        .grpc_codes([Code::Unavailable])
        .clock(clock.clone());
    let mut client = tonic::client::Grpc::new(GrpcRetry::new(channel, policy));
    client.ready().await.unwrap();
    // The message comes after the call has started (a live client stream).
    let stream = futures_lite::stream::once_future(async {
        tokio::task::yield_now().await;
        b"late".to_vec()
    });
    let path = PathAndQuery::from_static(METHOD);
    let error = client
        .client_streaming::<_, Vec<u8>, Vec<u8>, _>(Request::new(stream), path, Raw)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable);
    assert_eq!(script.calls(), 1);
    assert_eq!(*script.received.lock().unwrap(), [b"late".to_vec()]);
}

#[tokio::test]
async fn a_refused_connection_is_unavailable_and_retried() {
    // A port that was free a moment ago: nothing listens on it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let channel = Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .unwrap()
        .connect_lazy();
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_millis(100)))
        .jitter(Jitter::None)
        .max_tries(3)
        .grpc_codes([Code::Unavailable])
        .clock(clock.clone());
    let error = echo(GrpcRetry::new(channel, policy), b"x")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable, "{error}");
    assert_eq!(clock.sleeps(), [Duration::from_millis(100); 2]);
}

#[tokio::test]
async fn around_the_client_with_the_same_policy() {
    let (channel, script) = serve(|call| (call <= 2).then(|| unavailable(None))).await;
    let clock = VirtualClock::new();
    let policy = on_error(constant(Duration::from_millis(100)))
        .jitter(Jitter::None)
        .max_tries(5)
        .grpc_codes([Code::Unavailable])
        .clock(clock.clone());
    let reply = policy
        .retry_async(|| echo(channel.clone(), b"ping"))
        .await
        .unwrap();
    assert_eq!(reply, b"ping");
    assert_eq!(script.calls(), 3);
    assert_eq!(clock.sleeps(), [Duration::from_millis(100); 2]);
}
