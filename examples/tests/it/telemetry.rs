//! `Policy::spans` through `tracing-opentelemetry` into the OpenTelemetry SDK, read back from
//! the SDK's in-memory exporter: the exact spans, attributes, statuses and parents of blocking,
//! async and hedged calls, and `http.request.resend_count` on the attempts of the tower and
//! reqwest integrations against a real server on loopback.

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use opentelemetry::trace::{SpanId, Status, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use persevere::reqwest::{RetryMiddleware, on_transient, send};
use persevere::testing::VirtualClock;
use persevere::tower::RetryLayer;
use persevere::{Jitter, Next, constant, on_error, on_predicate};
use persevere_examples::flaky_http::{FlakyServer, Reply};
use std::time::Duration;
use tower::{Layer, ServiceExt};
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// An OpenTelemetry pipeline for this thread: `tracing` -> `tracing-opentelemetry` -> the SDK
/// -> an in-memory exporter. The layer adds no attributes of its own (no code location, thread,
/// target or busy time), so that the spans hold exactly what persevere records.
struct Pipeline {
    exporter: InMemorySpanExporter,
    _provider: SdkTracerProvider,
    _guard: DefaultGuard,
}

fn pipeline() -> Pipeline {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("persevere-test"))
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false);
    let guard = tracing_subscriber::registry().with(layer).set_default();
    Pipeline {
        exporter,
        _provider: provider,
        _guard: guard,
    }
}

impl Pipeline {
    fn spans(&self) -> Vec<SpanData> {
        self.exporter.get_finished_spans().unwrap()
    }

    /// The finished spans as a tree, one line each: name, attributes sorted by key, and the
    /// status when it is set; children indented under their parent, attempts in their order.
    fn tree(&self) -> String {
        let spans = self.spans();
        let mut out = String::new();
        let roots = spans.iter().filter(|s| {
            s.parent_span_id == SpanId::INVALID
                || !spans
                    .iter()
                    .any(|p| p.span_context.span_id() == s.parent_span_id)
        });
        for root in roots {
            render(&spans, root, 0, &mut out);
        }
        out
    }
}

fn render(spans: &[SpanData], span: &SpanData, depth: usize, out: &mut String) {
    let mut attributes: Vec<String> = span
        .attributes
        .iter()
        .map(|kv| format!("{}={}", kv.key, kv.value))
        .collect();
    attributes.sort();
    let status = match &span.status {
        Status::Unset => String::new(),
        Status::Ok => " OK".to_string(),
        Status::Error { .. } => " ERROR".to_string(),
    };
    out.push_str(&format!(
        "{}{} {{{}}}{status}\n",
        "  ".repeat(depth),
        span.name,
        attributes.join(", ")
    ));
    let mut children: Vec<&SpanData> = spans
        .iter()
        .filter(|c| c.parent_span_id == span.span_context.span_id())
        .collect();
    children.sort_by_key(|c| (attempt_number(c), c.start_time));
    for child in children {
        render(spans, child, depth + 1, out);
    }
}

fn attempt_number(span: &SpanData) -> i64 {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == "persevere.attempt.number")
        .map_or(0, |kv| kv.value.to_string().parse().unwrap())
}

fn expected(lines: &[&str]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

#[test]
fn a_blocking_call_has_a_span_and_each_attempt_a_child_span_entered_while_it_runs() {
    let otel = pipeline();
    let policy = on_error(constant(Duration::from_millis(250)))
        .jitter(Jitter::None)
        .max_tries(5)
        .name("inventory")
        .clock(VirtualClock::new())
        .spans();
    let mut calls = 0;
    let r: Result<u32, &str> = policy.retry(|| {
        calls += 1;
        let _query = tracing::info_span!("db.query", n = calls).entered();
        if calls < 3 { Err("busy") } else { Ok(calls) }
    });
    assert_eq!(r, Ok(3));
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=3, persevere.call.outcome=success, persevere.policy=inventory}",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0.25}",
            "    db.query {n=1}",
            "  persevere.attempt {persevere.attempt.number=2, persevere.attempt.outcome=retryable, persevere.retry.delay=0.25}",
            "    db.query {n=2}",
            "  persevere.attempt {persevere.attempt.number=3, persevere.attempt.outcome=success}",
            "    db.query {n=3}",
        ])
    );
}

#[test]
fn a_call_that_gives_up_says_why_on_its_span_and_its_last_attempt() {
    let otel = pipeline();
    let policy = on_error(constant(Duration::from_secs(1)))
        .jitter(Jitter::None)
        .max_tries(2)
        .name("sync")
        .clock(VirtualClock::new())
        .spans();
    let r: Result<(), &str> = policy.retry(|| Err("down"));
    assert_eq!(r, Err("down"));
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=gave_up, persevere.give_up.reason=max_tries, persevere.policy=sync} ERROR",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=1}",
            "  persevere.attempt {persevere.attempt.number=2, persevere.attempt.outcome=retryable, persevere.give_up.reason=max_tries}",
        ])
    );
}

#[test]
fn a_fatal_error_and_an_unmatched_one_are_told_apart() {
    let otel = pipeline();
    let clock = VirtualClock::new();
    let fatal = on_error(constant(Duration::ZERO))
        .giveup(|e: &&str| *e == "fatal")
        .name("fatal")
        .clock(clock.clone())
        .spans();
    let _: Result<(), &str> = fatal.retry(|| Err("fatal"));
    let unmatched = on_error(constant(Duration::ZERO))
        .when(|e: &&str| *e != "bad request")
        .name("unmatched")
        .clock(clock)
        .spans();
    let _: Result<(), &str> = unmatched.retry(|| Err("bad request"));
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=1, persevere.call.outcome=gave_up, persevere.give_up.reason=fatal, persevere.policy=fatal} ERROR",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=fatal, persevere.give_up.reason=fatal}",
            "persevere.call {persevere.call.attempts=1, persevere.call.outcome=unmatched, persevere.policy=unmatched} ERROR",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=unmatched}",
        ])
    );
}

#[tokio::test]
async fn an_async_attempts_span_is_entered_at_each_poll_of_its_future() {
    let otel = pipeline();
    let policy = on_predicate(constant(Duration::from_millis(100)))
        .jitter(Jitter::None)
        .max_tries(3)
        .name("poll_queue")
        .clock(VirtualClock::new())
        .spans();
    let mut polls = 0;
    let message = policy
        .retry_async(|| {
            polls += 1;
            let n = polls;
            async move {
                // A yield between two spans: the attempt's span is entered again at the
                // second poll.
                tracing::info_span!("before_yield", n).in_scope(|| ());
                tokio::task::yield_now().await;
                tracing::info_span!("after_yield", n).in_scope(|| ());
                (n == 2).then_some("message")
            }
        })
        .await;
    assert_eq!(message, Some("message"));
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=success, persevere.policy=poll_queue}",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0.1}",
            "    before_yield {n=1}",
            "    after_yield {n=1}",
            "  persevere.attempt {persevere.attempt.number=2, persevere.attempt.outcome=success}",
            "    before_yield {n=2}",
            "    after_yield {n=2}",
        ])
    );
}

#[tokio::test(start_paused = true)]
async fn hedged_attempts_overlap_each_in_its_own_span() {
    let otel = pipeline();
    let hedged = on_error(constant(Duration::from_secs(1)))
        .max_tries(3)
        .name("hedged_read")
        .spans()
        .hedge(Duration::from_millis(100), 2);
    let mut started = 0;
    let r: Result<u32, &str> = hedged
        .retry_async(|| {
            started += 1;
            let n = started;
            async move {
                tracing::info_span!("read", n).in_scope(|| ());
                if n == 1 {
                    // The first attempt hangs; the hedge started after 100 ms answers.
                    std::future::pending::<()>().await;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                tracing::info_span!("answer", n).in_scope(|| ());
                Ok(n)
            }
        })
        .await;
    assert_eq!(r, Ok(2));
    // The first attempt, dropped when the hedge won, has no outcome.
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=success, persevere.policy=hedged_read}",
            "  persevere.attempt {persevere.attempt.number=1}",
            "    read {n=1}",
            "  persevere.attempt {persevere.attempt.number=2, persevere.attempt.outcome=success}",
            "    read {n=2}",
            "    answer {n=2}",
        ])
    );
    let spans = otel.spans();
    let attempt = |n: i64| {
        spans
            .iter()
            .find(|s| s.name == "persevere.attempt" && attempt_number(s) == n)
            .unwrap()
    };
    assert!(
        attempt(2).start_time < attempt(1).end_time,
        "the hedge starts while the first attempt runs"
    );
}

#[test]
fn the_code_block_form_numbers_attempts_it_did_not_mark() {
    let otel = pipeline();
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .name("block")
        .clock(VirtualClock::new())
        .spans();
    let mut retrying = policy.begin();
    let mut outcomes = [Err("busy"), Ok(7)].into_iter();
    let r: Result<i32, &str> = loop {
        match retrying.check(outcomes.next().unwrap()) {
            Next::Done(outcome) => break outcome,
            Next::Retry(wait) => retrying.sleep(wait),
        }
    };
    drop(retrying);
    assert_eq!(r, Ok(7));
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=success, persevere.policy=block}",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0}",
            "  persevere.attempt {persevere.attempt.number=2, persevere.attempt.outcome=success}",
        ])
    );
}

#[test]
fn a_policy_without_spans_opens_none() {
    let otel = pipeline();
    let policy = on_error(constant(Duration::ZERO))
        .max_tries(3)
        .clock(VirtualClock::new())
        .no_log();
    let mut calls = 0;
    let r: Result<u32, &str> = policy.retry(|| {
        calls += 1;
        if calls < 3 { Err("busy") } else { Ok(calls) }
    });
    assert_eq!(r, Ok(3));
    assert_eq!(otel.tree(), "");
}

#[tokio::test]
async fn reqwest_send_marks_resent_requests_with_otel_resend_count() {
    let otel = pipeline();
    let server =
        FlakyServer::start([Reply::status(503), Reply::status(503), Reply::ok("12")]).unwrap();
    let policy = on_transient(constant(Duration::from_millis(5)))
        .jitter(Jitter::None)
        .max_tries(5)
        .name("stock")
        .spans();
    let client = reqwest::Client::new();
    let response = send(&policy, client.get(server.url("/stock")))
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "12");
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=3, persevere.call.outcome=success, persevere.policy=stock}",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0.005}",
            "  persevere.attempt {http.request.resend_count=1, persevere.attempt.number=2, persevere.attempt.outcome=retryable, persevere.retry.delay=0.005}",
            "  persevere.attempt {http.request.resend_count=2, persevere.attempt.number=3, persevere.attempt.outcome=success}",
        ])
    );
}

#[tokio::test]
async fn the_tower_layer_marks_resent_requests_with_otel_resend_count() {
    let otel = pipeline();
    let server = FlakyServer::start([Reply::status(503), Reply::ok("stock: 12")]).unwrap();
    let policy = on_predicate(constant(Duration::from_millis(5)))
        .jitter(Jitter::None)
        .predicate(|outcome: &Result<http::Response<_>, _>| match outcome {
            Ok(response) => response.status().is_server_error(),
            Err(_) => true,
        })
        .max_tries(3)
        .name("tower_stock")
        .spans();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let service = RetryLayer::new(policy).layer(client);
    let request = http::Request::get(server.url("/stock"))
        .body(Full::default())
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=success, persevere.policy=tower_stock}",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0.005}",
            "  persevere.attempt {http.request.resend_count=1, persevere.attempt.number=2, persevere.attempt.outcome=success}",
        ])
    );
}

#[tokio::test]
async fn the_middleware_marks_resent_requests_with_otel_resend_count() {
    let otel = pipeline();
    let server = FlakyServer::start([Reply::status(502), Reply::ok("ok")]).unwrap();
    let policy = on_transient(constant(Duration::from_millis(5)))
        .jitter(Jitter::None)
        .max_tries(4)
        .spans();
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(RetryMiddleware::new(policy))
        .build();
    let response = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), "ok");
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=success, persevere.policy=reqwest_middleware}",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0.005}",
            "  persevere.attempt {http.request.resend_count=1, persevere.attempt.number=2, persevere.attempt.outcome=success}",
        ])
    );
}

// A boxed policy knows whether it keeps spans only at run time: the integrations ask it then.
#[tokio::test]
async fn a_boxed_policy_marks_resent_requests_too() {
    let otel = pipeline();
    let server = FlakyServer::start([Reply::status(503), Reply::ok("12")]).unwrap();
    let policy = on_transient(constant(Duration::from_millis(5)))
        .jitter(Jitter::None)
        .max_tries(3)
        .name("boxed_stock")
        .spans()
        .boxed::<Result<reqwest::Response, reqwest::Error>>();
    let client = reqwest::Client::new();
    let response = send(&policy, client.get(server.url("/stock")))
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "12");
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=success, persevere.policy=boxed_stock}",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0.005}",
            "  persevere.attempt {http.request.resend_count=1, persevere.attempt.number=2, persevere.attempt.outcome=success}",
        ])
    );
}

#[test]
fn a_boxed_policy_keeps_its_spans_and_one_without_opens_none() {
    let otel = pipeline();
    let clock = VirtualClock::new();
    let traced = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .name("boxed")
        .clock(clock.clone())
        .spans()
        .boxed();
    let r: Result<(), &str> = traced.retry(|| Err("down"));
    assert_eq!(r, Err("down"));
    let plain = on_error(constant(Duration::ZERO))
        .max_tries(2)
        .name("plain")
        .clock(clock)
        .no_log()
        .metrics()
        .boxed();
    let r: Result<(), &str> = plain.retry(|| Err("down"));
    assert_eq!(r, Err("down"));
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=gave_up, persevere.give_up.reason=max_tries, persevere.policy=boxed} ERROR",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=0}",
            "  persevere.attempt {persevere.attempt.number=2, persevere.attempt.outcome=retryable, persevere.give_up.reason=max_tries}",
        ])
    );
}

#[derive(Debug, PartialEq)]
enum GuardedError {
    Down,
    Refused(persevere::GiveUpReason),
}

impl From<persevere::Refused> for GuardedError {
    fn from(refused: persevere::Refused) -> Self {
        GuardedError::Refused(refused.reason())
    }
}

#[test]
fn a_circuit_breakers_refusals_are_give_up_reasons_on_the_spans() {
    let otel = pipeline();
    let clock = VirtualClock::new();
    // Opens after two failures out of two.
    let breaker = persevere::breaker::CircuitBreaker::default()
        .count_window(2)
        .min_calls(2)
        .failure_ratio(0.5)
        .open_duration(Duration::from_secs(30));
    let policy = on_error(constant(Duration::from_secs(1)))
        .jitter(Jitter::None)
        .max_tries(5)
        .gate(breaker)
        .name("guarded")
        .clock(clock)
        .spans();
    // The breaker opens after the second attempt and refuses the third; the next call is
    // refused before its first attempt, which gets no span.
    let r: Result<(), GuardedError> = policy.retry(|| Err(GuardedError::Down));
    assert_eq!(r, Err(GuardedError::Down));
    let r: Result<(), GuardedError> = policy.retry(|| Err(GuardedError::Down));
    assert_eq!(
        r,
        Err(GuardedError::Refused(persevere::GiveUpReason::CircuitOpen))
    );
    assert_eq!(
        otel.tree(),
        expected(&[
            "persevere.call {persevere.call.attempts=2, persevere.call.outcome=gave_up, persevere.give_up.reason=circuit_open, persevere.policy=guarded} ERROR",
            "  persevere.attempt {persevere.attempt.number=1, persevere.attempt.outcome=retryable, persevere.retry.delay=1}",
            "  persevere.attempt {persevere.attempt.number=2, persevere.attempt.outcome=retryable, persevere.give_up.reason=circuit_open}",
            "persevere.call {persevere.call.attempts=0, persevere.call.outcome=gave_up, persevere.give_up.reason=circuit_open, persevere.policy=guarded} ERROR",
        ])
    );
}
