//! Driving futures that are ready without a runtime, as the async benches need.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Polls `fut` once with a no-op waker and returns its output.
///
/// Panics if the future is not ready at its first poll: the benches' futures never wait.
///
/// ```
/// assert_eq!(persevere_benches::poll::now(async { 7 }), 7);
/// ```
// Always inlined: whether the compiler inlines this harness otherwise changes between builds,
// and an out-of-line poll adds the same ~50 instructions to every async loop measured.
#[inline(always)]
pub fn now<F: Future>(fut: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(fut).poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a bench future was not ready at its first poll"),
    }
}
