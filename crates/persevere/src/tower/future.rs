//! `ResponseFuture`: the future of a [`Retry`](super::Retry) service's call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of one request through a [`Retry`](super::Retry) service: every attempt and
/// wait of the call, boxed (one allocation per request) so that the service's `Future` type
/// has a name. Dropping it stops the call: no further attempt, no handler.
pub struct ResponseFuture<T, E>(pub(crate) Pin<Box<dyn Future<Output = Result<T, E>> + Send>>);

impl<T, E> Future for ResponseFuture<T, E> {
    type Output = Result<T, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        self.0.as_mut().poll(cx)
    }
}

impl<T, E> fmt::Debug for ResponseFuture<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseFuture(..)")
    }
}
