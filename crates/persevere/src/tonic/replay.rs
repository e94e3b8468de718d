//! What lets a gRPC call be sent again: its request body read into memory before the first
//! attempt (as A6's client buffers a call's outgoing messages), and each attempt's response
//! read as the client will read it (a status in a trailers-only response is an error).

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Request, Response};
use http_body::{Body as _, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use tonic::body::Body;
use tonic::{Code, Status};
use tower_service::Service;

/// What a service's error must turn into, as tonic's clients ask.
pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request ready to be sent again (its body in memory), or one to send once.
pub(super) enum Buffered {
    Replayable(Request<Bytes>),
    Once(Request<Body>),
    /// The body failed while it was read: the call fails with its status.
    Failed(Status),
}

/// Reads the request's body while its frames are ready, up to `limit` bytes. A body that ends
/// so (a unary or server-streaming call's single message, or a client stream whose messages
/// are all there) can be sent again. One that is not ready yet (a live client or bidi stream,
/// which may wait for the server's answers), that is longer than `limit`, or that has
/// trailers is sent once, as read so far followed by the rest: never waited for here.
pub(super) fn buffer(request: Request<Body>, limit: usize) -> Buffered {
    let (parts, mut body) = request.into_parts();
    // Polled without a waker that matters: a body that is not ready is not waited for, and
    // whoever polls it next registers their own.
    let mut cx = Context::from_waker(Waker::noop());
    let mut read: Vec<Bytes> = Vec::new();
    let mut len = 0usize;
    let rest = loop {
        if len > limit {
            break Some(body);
        }
        match Pin::new(&mut body).poll_frame(&mut cx) {
            Poll::Ready(None) => break None,
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => {
                    len = len.saturating_add(data.len());
                    read.push(data);
                }
                Err(frame) => {
                    let trailers = frame.into_trailers().ok();
                    let body = Prefixed::new(read, trailers, None);
                    return Buffered::Once(Request::from_parts(parts, Body::new(body)));
                }
            },
            Poll::Ready(Some(Err(status))) => return Buffered::Failed(status),
            Poll::Pending => break Some(body),
        }
    };
    match rest {
        None => Buffered::Replayable(Request::from_parts(parts, concat(read))),
        Some(rest) => {
            let body = Prefixed::new(read, None, Some(rest));
            Buffered::Once(Request::from_parts(parts, Body::new(body)))
        }
    }
}

fn concat(mut chunks: Vec<Bytes>) -> Bytes {
    match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.pop().unwrap_or_default(),
        _ => {
            let mut all = BytesMut::with_capacity(chunks.iter().map(Bytes::len).sum());
            chunks.iter().for_each(|c| all.extend_from_slice(c));
            all.freeze()
        }
    }
}

/// A body made of the chunks read already, then trailers read already or the rest of the
/// original body.
struct Prefixed {
    read: std::vec::IntoIter<Bytes>,
    trailers: Option<HeaderMap>,
    rest: Option<Body>,
}

impl Prefixed {
    fn new(read: Vec<Bytes>, trailers: Option<HeaderMap>, rest: Option<Body>) -> Self {
        Prefixed {
            read: read.into_iter(),
            trailers,
            rest,
        }
    }

    /// One attempt's copy of a buffered body.
    fn replay(data: Bytes) -> Self {
        Prefixed::new(vec![data], None, None)
    }
}

impl http_body::Body for Prefixed {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        if let Some(data) = self.read.next() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(trailers) = self.trailers.take() {
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        match self.rest.as_mut() {
            Some(rest) => Pin::new(rest).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.read.len() == 0
            && self.trailers.is_none()
            && self.rest.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let read = self.read.as_slice().iter().map(|c| c.len() as u64).sum();
        match (&self.rest, &self.trailers) {
            (None, None) => SizeHint::with_exact(read),
            _ => {
                let mut hint = SizeHint::new();
                hint.set_lower(read);
                hint
            }
        }
    }
}

/// The status the client would make of the inner service's error (tonic's own mapping: a
/// refused connection or a refused stream is `UNAVAILABLE`).
pub(super) fn status_of<E: Into<BoxError>>(error: E) -> Status {
    Status::from_error(error.into())
}

/// An attempt's response as the client will read it: a `grpc-status` in the headers
/// (a trailers-only response, how servers send an error before any message) that is not `OK`
/// is that status; an HTTP status other than 200 without one is gRPC's mapping of it (a
/// proxy's 503 is `UNAVAILABLE`). Anything else is a response whose status comes in its
/// trailers, after its messages, which the retry does not wait for.
pub(super) fn judge<B>(response: Response<B>) -> Result<Response<B>, Status> {
    if let Some(status) = Status::from_header_map(response.headers()) {
        return if status.code() == Code::Ok {
            Ok(response)
        } else {
            Err(status)
        };
    }
    let http = response.status().as_u16();
    // https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md
    let code = match http {
        200 => return Ok(response),
        400 => Code::Internal,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::Unimplemented,
        429 | 502 | 503 | 504 => Code::Unavailable,
        _ => Code::Unknown,
    };
    Err(Status::new(
        code,
        format!("grpc-status header missing, mapped from HTTP status code {http}"),
    ))
}

/// The inner service as the retry sees it: a request with its body in memory, sent as a
/// fresh body each attempt; the response judged by [`judge`].
#[derive(Clone)]
pub(super) struct Replay<S>(pub(super) S);

impl<S, B> Service<Request<Bytes>> for Replay<S>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    type Response = Response<B>;
    type Error = Status;
    type Future = Pin<Box<dyn Future<Output = Result<Response<B>, Status>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        self.0.poll_ready(cx).map_err(status_of)
    }

    fn call(&mut self, request: Request<Bytes>) -> Self::Future {
        let sent = self
            .0
            .call(request.map(|data| Body::new(Prefixed::replay(data))));
        Box::pin(async move { sent.await.map_err(status_of).and_then(judge) })
    }
}
