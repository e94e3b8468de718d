//! A policy's spans in OpenTelemetry: `tracing` -> `tracing-opentelemetry` -> the
//! OpenTelemetry SDK. The exporter here is the SDK's in-memory one, printed at the end; an
//! application puts its own in its place (`opentelemetry-otlp`'s `SpanExporter` for a
//! collector, in a batch processor), and nothing else changes.
//!
//! ```text
//! cargo run -p persevere-examples --example opentelemetry
//! ```
//!
//! Prints, for a call whose first two attempts fail:
//!
//! ```text
//! persevere.call persevere.policy=inventory persevere.call.attempts=3 persevere.call.outcome=success
//!   persevere.attempt persevere.attempt.number=1 persevere.attempt.outcome=retryable persevere.retry.delay=0.05
//!     db.query
//!   ...
//! ```

use opentelemetry::trace::{SpanId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use persevere::{Jitter, constant, on_error};
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // The SDK: a tracer provider and its exporter (here in memory; OTLP in production).
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    // `tracing` -> OpenTelemetry: every `tracing` span becomes an OpenTelemetry span.
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("inventory-service")))
        .init();

    // `.spans()`: a span per call and one per attempt. Without it, a policy opens none.
    let policy = on_error(constant(Duration::from_millis(50)))
        .jitter(Jitter::None)
        .max_tries(4)
        .name("inventory")
        .spans();
    let mut attempts = 0;
    let stock: Result<u32, String> = policy
        .retry_async(|| {
            attempts += 1;
            let n = attempts;
            async move {
                // A span of the operation's own: a child of the attempt's span.
                let _query = tracing::info_span!("db.query").entered();
                if n < 3 {
                    Err(format!("connection reset ({n})"))
                } else {
                    Ok(12)
                }
            }
        })
        .await;
    println!("stock: {stock:?}\n");

    provider
        .force_flush()
        .expect("the in-memory exporter flushes");
    let spans = exporter.get_finished_spans().expect("spans were exported");
    for root in spans.iter().filter(|s| s.parent_span_id == SpanId::INVALID) {
        print_tree(&spans, root, 0);
    }
}

/// Prints a span (its name and persevere's attributes) and its children, indented.
fn print_tree(spans: &[SpanData], span: &SpanData, depth: usize) {
    let attributes: Vec<String> = span
        .attributes
        .iter()
        .filter(|kv| {
            kv.key.as_str().starts_with("persevere.") || kv.key.as_str().starts_with("http.")
        })
        .map(|kv| format!("{}={}", kv.key, kv.value))
        .collect();
    println!(
        "{}{} {}",
        "  ".repeat(depth),
        span.name,
        attributes.join(" ")
    );
    let mut children: Vec<&SpanData> = spans
        .iter()
        .filter(|c| c.parent_span_id == span.span_context.span_id())
        .collect();
    children.sort_by_key(|c| c.start_time);
    for child in children {
        print_tree(spans, child, depth + 1);
    }
}
