//! Logging through `tracing`: Python's messages and levels (test_backoff.py's logger tests and
//! test_event_log_levels), plus the structured fields.

use persevere::testing::VirtualClock;
use persevere::{Jitter, Level, constant, on_error, on_predicate};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[derive(Debug, Clone, PartialEq)]
struct Record {
    level: Level,
    target: String,
    message: String,
    fields: String,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Record>>>);

struct Fields {
    message: String,
    fields: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            let _ = write!(self.fields, "{}={:?} ", field.name(), value);
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields {
            message: String::new(),
            fields: String::new(),
        };
        event.record(&mut fields);
        self.0.lock().unwrap().push(Record {
            level: *event.metadata().level(),
            target: event.metadata().target().to_string(),
            message: fields.message,
            fields: fields.fields.trim_end().to_string(),
        });
    }
}

fn captured(f: impl FnOnce()) -> Vec<Record> {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, f);
    capture.0.lock().unwrap().clone()
}

#[test]
fn default_logging_has_pythons_messages_and_levels() {
    // test_on_exception_logger_default: max_tries 3: 2 backoffs + 1 give-up, all from the
    // library's target.
    let records = captured(|| {
        let _: Result<(), &str> = on_error(constant(Duration::from_millis(400)))
            .max_tries(3)
            .jitter(Jitter::None)
            .name("fetch")
            .clock(VirtualClock::new())
            .retry(|| Err("KeyError"));
    });
    let messages: Vec<(Level, &str)> = records
        .iter()
        .map(|r| (r.level, r.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                Level::INFO,
                "Backing off fetch(...) for 0.4s (\"KeyError\")"
            ),
            (
                Level::INFO,
                "Backing off fetch(...) for 0.4s (\"KeyError\")"
            ),
            (
                Level::ERROR,
                "Giving up fetch(...) after 3 tries (\"KeyError\")"
            ),
        ]
    );
    assert!(records.iter().all(|r| r.target == "persevere"));
    assert_eq!(
        records[1].fields,
        "target=\"fetch\" tries=2 wait=0.4 elapsed=0.4"
    );
    assert_eq!(
        records[2].fields,
        "target=\"fetch\" tries=3 elapsed=0.8 reason=\"max_tries\""
    );
}

#[test]
fn an_unnamed_policy_logs_the_retried_functions_path() {
    fn read_config() -> Result<(), &'static str> {
        on_error(constant(Duration::ZERO))
            .max_tries(2)
            .clock(VirtualClock::new())
            .retry(|| Err("x"))
    }
    let records = captured(|| {
        let _ = read_config();
    });
    assert_eq!(
        records[0].message,
        "Backing off it::test_logging::an_unnamed_policy_logs_the_retried_functions_path::read_config(...) for 0.0s (\"x\")"
    );
}

#[test]
fn no_log_records_nothing() {
    // test_on_exception_logger_none
    let records = captured(|| {
        let _: Result<(), &str> = on_error(constant(Duration::ZERO))
            .max_tries(3)
            .no_log()
            .clock(VirtualClock::new())
            .retry(|| Err("x"));
    });
    assert!(records.is_empty());
}

#[test]
fn log_levels_are_configurable_for_both_policy_kinds() {
    // test_event_log_levels: every backoff level x give-up level, on_error and on_predicate.
    let levels = [
        Level::TRACE,
        Level::DEBUG,
        Level::INFO,
        Level::WARN,
        Level::ERROR,
    ];
    for backoff in levels {
        for giveup in levels {
            let records = captured(|| {
                let _: Result<(), &str> = on_error(constant(Duration::ZERO))
                    .max_tries(3)
                    .log_levels(backoff, giveup)
                    .clock(VirtualClock::new())
                    .retry(|| Err("x"));
                let _ = on_predicate(constant(Duration::ZERO))
                    .max_tries(3)
                    .log_levels(backoff, giveup)
                    .clock(VirtualClock::new())
                    .retry(|| false);
            });
            let count = |level, prefix: &str| {
                records
                    .iter()
                    .filter(|r| r.level == level && r.message.starts_with(prefix))
                    .count()
            };
            assert_eq!(records.len(), 6);
            assert_eq!(count(backoff, "Backing off"), 4, "{backoff} {giveup}");
            assert_eq!(count(giveup, "Giving up"), 2, "{backoff} {giveup}");
        }
    }
}

#[test]
fn unmatched_errors_and_successes_are_not_logged() {
    let records = captured(|| {
        let _: Result<u8, &str> = on_error(constant(Duration::ZERO))
            .when(|e: &&str| *e == "retry me")
            .clock(VirtualClock::new())
            .retry(|| Err("not mine"));
        let _: Result<u8, &str> = on_error(constant(Duration::ZERO))
            .clock(VirtualClock::new())
            .retry(|| Ok(1));
    });
    assert!(records.is_empty());
}

#[test]
fn a_giveup_predicate_logs_the_give_up() {
    let records = captured(|| {
        let _: Result<(), &str> = on_error(constant(Duration::ZERO))
            .giveup(|_: &&str| true)
            .name("f")
            .clock(VirtualClock::new())
            .retry(|| Err("fatal"));
    });
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].message,
        "Giving up f(...) after 1 tries (\"fatal\")"
    );
}

#[test]
fn elapsed_is_logged_when_a_subscriber_listens() {
    // The clock is read at the start because the log is enabled, so elapsed is right.
    let clock = VirtualClock::new();
    let records = captured(|| {
        let _: Result<(), &str> = on_error(constant(Duration::from_secs(2)))
            .max_tries(2)
            .jitter(Jitter::None)
            .name("f")
            .clock(clock.clone())
            .retry(|| {
                clock.advance(Duration::from_secs(1));
                Err("x")
            });
    });
    assert_eq!(
        records[0].fields,
        "target=\"f\" tries=1 wait=2.0 elapsed=1.0"
    );
    assert_eq!(
        records[1].fields,
        "target=\"f\" tries=2 elapsed=4.0 reason=\"max_tries\""
    );
}

#[test]
fn a_subscriber_listening_only_at_the_give_up_level_still_gets_the_elapsed_time() {
    // INFO backoffs are filtered out, ERROR give-ups are not: the call must still read the
    // clock at its start, so that the give-up's elapsed time is right.
    use tracing_subscriber::Layer as _;
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(
        capture
            .clone()
            .with_filter(tracing_subscriber::filter::LevelFilter::WARN),
    );
    let clock = VirtualClock::new();
    tracing::subscriber::with_default(subscriber, || {
        let _: Result<(), &str> = on_error(constant(Duration::from_secs(1)))
            .max_tries(2)
            .jitter(Jitter::None)
            .name("f")
            .clock(clock.clone())
            .retry(|| {
                clock.advance(Duration::from_secs(2));
                Err("x")
            });
    });
    let records = capture.0.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].level, Level::ERROR);
    assert_eq!(
        records[0].fields,
        "target=\"f\" tries=2 elapsed=5.0 reason=\"max_tries\""
    );
}
