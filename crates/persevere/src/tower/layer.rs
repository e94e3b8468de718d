//! `RetryLayer`: the tower `Layer` that wraps a service in [`Retry`].

use super::Retry;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use tower_layer::Layer;

/// A tower [`Layer`] that retries the requests of the service it wraps with a policy (see
/// [`persevere::tower`](crate::tower)). The policy is shared (an `Arc`) by every service the
/// layer makes and every request they serve.
///
/// `M` is the inferred route of the policy's error filters, as for
/// [`retry_async`](crate::Policy::retry_async): the compiler infers it where the service the
/// layer makes is used, and it is never written.
///
/// ```
/// use persevere::{on_predicate, expo, tower::RetryLayer};
/// use tower_layer::Layer;
///
/// // Retry errors and answers above 499 (a service of status codes, for the example).
/// let layer = RetryLayer::new(
///     on_predicate(expo()).max_tries(4).predicate(|r: &Result<u16, String>| !matches!(r, Ok(..=499))),
/// );
/// let service = layer.layer(tower_service_fn());
/// # fn tower_service_fn() -> Status { Status }
/// # #[derive(Clone)] struct Status;
/// # impl tower_service::Service<()> for Status {
/// #     type Response = u16; type Error = String; type Future = std::future::Ready<Result<u16, String>>;
/// #     fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), String>> { std::task::Poll::Ready(Ok(())) }
/// #     fn call(&mut self, _: ()) -> Self::Future { std::future::ready(Ok(200)) }
/// # }
/// # fn assert_service<S: tower_service::Service<()>>(_: &S) {}
/// # assert_service(&service);
/// ```
pub struct RetryLayer<Pol, M = ()> {
    policy: Arc<Pol>,
    route: PhantomData<fn() -> M>,
}

impl<Pol, M> RetryLayer<Pol, M> {
    /// A layer that retries with `policy`.
    pub fn new(policy: Pol) -> Self {
        RetryLayer::from_arc(Arc::new(policy))
    }

    /// A layer that retries with a policy already shared.
    pub fn from_arc(policy: Arc<Pol>) -> Self {
        RetryLayer {
            policy,
            route: PhantomData,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Arc<Pol> {
        &self.policy
    }
}

impl<S, Pol, M> Layer<S> for RetryLayer<Pol, M> {
    type Service = Retry<S, Pol, M>;

    fn layer(&self, inner: S) -> Retry<S, Pol, M> {
        Retry::from_arc(inner, self.policy.clone())
    }
}

impl<Pol, M> Clone for RetryLayer<Pol, M> {
    fn clone(&self) -> Self {
        RetryLayer::from_arc(self.policy.clone())
    }
}

impl<Pol: fmt::Debug, M> fmt::Debug for RetryLayer<Pol, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryLayer")
            .field("policy", &self.policy)
            .finish()
    }
}
