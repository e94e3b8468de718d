//! A real HTTP/1.1 server (hyper) on 127.0.0.1 that answers each request as a script says:
//! failures first, then success, so that a test can count exactly what a retrying client did.
//! It runs on a thread of its own with its own tokio runtime, so that blocking code and any
//! async runtime (tokio, smol) can call it; dropping it stops it.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// How the server answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A response with this status, these headers and this body.
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Bytes,
    },
    /// Close the connection without answering (the client sees the connection end).
    HangUp,
    /// Announce `body` in full (its `Content-Length`), send only its first `sent` bytes, then
    /// close the connection: a download cut short.
    Truncated { body: Bytes, sent: usize },
    /// This reply, after a delay (a slow server).
    Delayed(std::time::Duration, Box<Reply>),
}

impl Reply {
    /// `200 OK` with `body`.
    pub fn ok(body: impl Into<Bytes>) -> Reply {
        Reply::status(200).body(body)
    }

    /// A response with `status` and an empty body.
    pub fn status(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// The same response with a header added.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name, value.into()));
        }
        self
    }

    /// This reply, `delay` after the request arrived.
    pub fn after(self, delay: std::time::Duration) -> Reply {
        Reply::Delayed(delay, Box::new(self))
    }

    /// The same response with `body`.
    pub fn body(mut self, new: impl Into<Bytes>) -> Reply {
        if let Reply::Respond { body, .. } = &mut self {
            *body = new.into();
        }
        self
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: Bytes,
}

/// The server: the `n`-th request gets the `n`-th reply of the script, and every request
/// after the script gets its last reply.
pub struct FlakyServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FlakyServer {
    /// Starts a server on a free port of 127.0.0.1 with this script (at least one reply).
    pub fn start(script: impl IntoIterator<Item = Reply>) -> io::Result<FlakyServer> {
        let script: Arc<Vec<Reply>> = Arc::new(script.into_iter().collect());
        assert!(!script.is_empty(), "a script has at least one reply");
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = {
            let seen = seen.clone();
            std::thread::Builder::new()
                .name(format!("flaky-http-{}", addr.port()))
                .spawn(move || runtime.block_on(serve(listener, script, seen, stopped)))?
        };
        Ok(FlakyServer {
            addr,
            seen,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The requests received so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests were received so far.
    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

impl Drop for FlakyServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    script: Arc<Vec<Reply>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let (script, seen) = (script.clone(), seen.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, script.clone(), seen.clone()));
            // A connection ends with an error when a reply hangs up or cuts its body short:
            // that is the point.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    script: Arc<Vec<Reply>>,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<Response<Scripted>, io::Error> {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let n = {
        let mut seen = seen.lock().unwrap();
        seen.push(Seen { method, path, body });
        seen.len()
    };
    let mut reply = script[(n - 1).min(script.len() - 1)].clone();
    while let Reply::Delayed(delay, then) = reply {
        tokio::time::sleep(delay).await;
        reply = *then;
    }
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let mut response = Response::new(Scripted::Full(Some(body)));
            *response.status_mut() = StatusCode::from_u16(status).expect("a valid status");
            for (name, value) in headers {
                response
                    .headers_mut()
                    .insert(name, value.parse().expect("a valid header value"));
            }
            Ok(response)
        }
        Reply::HangUp => Err(io::Error::new(io::ErrorKind::ConnectionAborted, "hang up")),
        Reply::Delayed(..) => unreachable!("delays were waited above"),
        Reply::Truncated { body, sent } => Ok(Response::new(Scripted::Truncated {
            declared: body.len() as u64,
            chunk: Some(body.slice(..sent)),
            cut: Box::pin(tokio::time::sleep(CUT_AFTER)),
        })),
    }
}

/// How long a truncated body waits after its first chunk before the connection is cut, so
/// that the client has received the headers and the chunk.
const CUT_AFTER: std::time::Duration = std::time::Duration::from_millis(50);

/// A response body: all of it, or a first chunk and then (after [`CUT_AFTER`]) an error,
/// which makes hyper close the connection before the announced length was sent.
enum Scripted {
    Full(Option<Bytes>),
    Truncated {
        declared: u64,
        chunk: Option<Bytes>,
        cut: Pin<Box<tokio::time::Sleep>>,
    },
}

impl Body for Scripted {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Scripted::Full(body) => Poll::Ready(body.take().map(|b| Ok(Frame::data(b)))),
            Scripted::Truncated { chunk, cut, .. } => match chunk.take() {
                Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                None => cut
                    .as_mut()
                    .poll(cx)
                    .map(|()| Some(Err(io::Error::new(io::ErrorKind::BrokenPipe, "cut short")))),
            },
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Scripted::Full(body) => {
                SizeHint::with_exact(body.as_ref().map_or(0, |b| b.len() as u64))
            }
            Scripted::Truncated { declared, .. } => SizeHint::with_exact(*declared),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Scripted::Full(None))
    }
}
