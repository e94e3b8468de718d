//! `send`: a reqwest request, retried by a policy when it can be sent again.

use crate::core::Judge;
use crate::http::is_idempotent_method;
use crate::policy::{Handlers, ServerWaits, TimeoutFor};
use crate::wait::Wait;
use crate::{AsyncSleeper, Clock, Policy};
use reqwest::{Request, RequestBuilder, Response};

/// Whether a request may be sent again: its body is in memory (not a stream, which the first
/// attempt consumes) and its method is idempotent (RFC 9110 §9.2.2: `GET`, `HEAD`,
/// `OPTIONS`, `TRACE`, `PUT`, `DELETE`).
pub fn is_retryable_request(request: &Request) -> bool {
    is_idempotent_method(request.method().as_str()) && request.try_clone().is_some()
}

/// Builds `request` and sends it, retried by `policy` (any policy over
/// `Result<Response, reqwest::Error>`, such as [`on_transient`](super::on_transient)) when it
/// [can be sent again](is_retryable_request): a streaming body or a non-idempotent method is
/// sent once. Returns the last outcome; a request that does not build is its error.
///
/// ```no_run
/// use persevere::{expo, reqwest::{on_transient, send}};
///
/// # async fn run(client: reqwest::Client) -> Result<(), reqwest::Error> {
/// let report = send(&on_transient(expo()).max_tries(4), client.get("http://127.0.0.1:8080/"))
///     .await?
///     .error_for_status()?
///     .text()
///     .await?;
/// # let _ = report; Ok(()) }
/// ```
pub async fn send<R, W, P, K, M>(
    policy: &Policy<R, W, P, K>,
    request: RequestBuilder,
) -> Result<Response, reqwest::Error>
where
    R: Judge<Result<Response, reqwest::Error>, M>,
    W: Wait<R::Subject>,
    P: Handlers<R::Value, R::Error>
        + ServerWaits<R::Subject>
        + TimeoutFor<Result<Response, reqwest::Error>>,
    K: Clock + AsyncSleeper,
{
    let (client, request) = request.build_split();
    let request = request?;
    if !is_retryable_request(&request) {
        return client.execute(request).await;
    }
    let spans = policy.parts.keeps().spans;
    let mut sent = 0u32;
    policy
        .retry_async(|| {
            let resent = sent;
            sent = sent.saturating_add(1);
            let attempt = request
                .try_clone()
                .expect("a request with a body in memory clones");
            let response = client.execute(attempt);
            async move {
                // Inside the attempt's span, which OpenTelemetry's HTTP conventions mark from
                // the second attempt on.
                if spans {
                    crate::spans::record_resend(resent);
                }
                response.await
            }
        })
        .await
}
