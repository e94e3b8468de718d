//! `Retry`: a tower service that retries its inner service's calls through the decision core.

use super::ResponseFuture;
use crate::core::Judge;
use crate::policy::{Handlers, ServerWaits, TimeoutFor};
use crate::wait::Wait;
use crate::{AsyncSleeper, Clock, Policy};
use std::fmt;
use std::future::poll_fn;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower_service::Service;

/// A service that retries the calls of `S` with the policy `Pol` (made by
/// [`RetryLayer`](super::RetryLayer), or [`Retry::new`]). Its requests must be `Clone`: each
/// attempt sends a clone. Its response and error are those of `S`: the last attempt's, when
/// the policy gives up.
///
/// Its future is `Send` and `'static`, so the inner service, its futures, the request, the
/// response, the error and the policy's parts must be `Send` (and the policy `Sync`).
pub struct Retry<S, Pol, M = ()> {
    inner: S,
    policy: Arc<Pol>,
    route: PhantomData<fn() -> M>,
}

impl<S, Pol, M> Retry<S, Pol, M> {
    /// Retries the calls of `inner` with `policy`.
    pub fn new(inner: S, policy: Pol) -> Self {
        Retry::from_arc(inner, Arc::new(policy))
    }

    /// Retries the calls of `inner` with a policy already shared.
    pub fn from_arc(inner: S, policy: Arc<Pol>) -> Self {
        Retry {
            inner,
            policy,
            route: PhantomData,
        }
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

impl<S, Req, R, W, P, K, M> Service<Req> for Retry<S, Policy<R, W, P, K>, M>
where
    S: Service<Req> + Clone + Send + 'static,
    S::Future: Send,
    S::Response: Send + 'static,
    S::Error: Send + 'static,
    Req: Clone + Send + 'static,
    R: Judge<Result<S::Response, S::Error>, M> + Send + Sync + 'static,
    W: Wait<R::Subject> + Send + Sync + 'static,
    W::State: Send,
    P: Handlers<R::Value, R::Error>
        + ServerWaits<R::Subject>
        + TimeoutFor<Result<S::Response, S::Error>>
        + Send
        + Sync
        + 'static,
    K: Clock + AsyncSleeper + Send + Sync + 'static,
    K::Sleep: Send,
    M: 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        // The service made ready serves the first attempt; the one left in its place (a
        // clone) is made ready by the next `poll_ready`, and clones of it serve the retries.
        let spare = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, spare.clone());
        let policy = self.policy.clone();
        let spans = policy.parts.keeps().spans;
        ResponseFuture(Box::pin(async move {
            let mut ready = Some(ready);
            let mut sent = 0u32;
            policy
                .retry_async(move || {
                    let resent = sent;
                    sent = sent.saturating_add(1);
                    let request = request.clone();
                    let service = match ready.take() {
                        Some(service) => Ok(service),
                        None => Err(spare.clone()),
                    };
                    async move {
                        // Inside the attempt's span, which OpenTelemetry's HTTP conventions
                        // mark from the second attempt on.
                        if spans {
                            crate::spans::record_resend(resent);
                        }
                        let mut service = match service {
                            Ok(ready) => ready,
                            Err(mut spare) => {
                                poll_fn(|cx| spare.poll_ready(cx)).await?;
                                spare
                            }
                        };
                        service.call(request).await
                    }
                })
                .await
        }))
    }
}

impl<S: Clone, Pol, M> Clone for Retry<S, Pol, M> {
    fn clone(&self) -> Self {
        Retry::from_arc(self.inner.clone(), self.policy.clone())
    }
}

impl<S: fmt::Debug, Pol: fmt::Debug, M> fmt::Debug for Retry<S, Pol, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retry")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .finish()
    }
}
