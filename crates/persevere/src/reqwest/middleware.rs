//! `RetryMiddleware`: the decision core inside a `reqwest_middleware` client.

use super::send::is_retryable_request;
use crate::core::Judge;
use crate::policy::{Handlers, ServerWaits, TimeoutFor};
use crate::wait::Wait;
use crate::{AsyncSleeper, Clock, Policy};
use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next as Chain};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::pin::Pin;

/// A `reqwest_middleware` middleware that retries each request with a policy over
/// `Result<Response, reqwest_middleware::Error>` (feature `reqwest-middleware`), such as
/// `on_transient(expo())`. It runs the rest of the chain once per attempt; a request that
/// [cannot be sent again](super::is_retryable_request) (a streaming body, a non-idempotent
/// method) runs once.
///
/// `M` is the inferred route of the policy's error filters, never written.
///
/// ```
/// use persevere::{expo, reqwest::{on_transient, RetryMiddleware}};
///
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(RetryMiddleware::new(on_transient(expo()).max_tries(4)))
///     .build();
/// # let _ = client;
/// ```
pub struct RetryMiddleware<Pol, M = ()> {
    policy: Pol,
    route: PhantomData<fn() -> M>,
}

impl<Pol, M> RetryMiddleware<Pol, M> {
    /// A middleware that retries with `policy`.
    pub fn new(policy: Pol) -> Self {
        RetryMiddleware {
            policy,
            route: PhantomData,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Pol {
        &self.policy
    }
}

type Outcome = Result<Response, reqwest_middleware::Error>;

impl<R, W, P, K, M> Middleware for RetryMiddleware<Policy<R, W, P, K>, M>
where
    R: Judge<Outcome, M> + Send + Sync + 'static,
    W: Wait<R::Subject> + Send + Sync + 'static,
    W::State: Send,
    P: Handlers<R::Value, R::Error>
        + ServerWaits<R::Subject>
        + TimeoutFor<Outcome>
        + Send
        + Sync
        + 'static,
    K: Clock + AsyncSleeper + Send + Sync + 'static,
    K::Sleep: Send,
    M: 'static,
{
    // The expansion of `#[async_trait]`, written out so that the feature needs no macro crate.
    fn handle<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        request: Request,
        extensions: &'life1 mut Extensions,
        next: Chain<'life2>,
    ) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            if !is_retryable_request(&request) {
                return next.run(request, extensions).await;
            }
            // The code-block form: each attempt lends `extensions` to the rest of the chain.
            let mut retrying = self.policy.begin_as("reqwest_middleware");
            let spans = self.policy.parts.keeps().spans;
            let mut resent = 0u32;
            loop {
                let attempt = request
                    .try_clone()
                    .expect("a request with a body in memory clones");
                let run = next.clone().run(attempt, extensions);
                let run = async move {
                    // Inside the attempt's span (see `send`).
                    if spans {
                        crate::spans::record_resend(resent);
                    }
                    run.await
                };
                resent = resent.saturating_add(1);
                let (outcome, timed_out) = retrying.run_attempt(run).await;
                if let ControlFlow::Break(outcome) = retrying.settle_async(outcome, timed_out).await
                {
                    return outcome;
                }
            }
        })
    }
}

impl<Pol: fmt::Debug, M> fmt::Debug for RetryMiddleware<Pol, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryMiddleware")
            .field("policy", &self.policy)
            .finish()
    }
}
