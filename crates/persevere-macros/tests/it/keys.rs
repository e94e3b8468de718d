//! Each wait strategy and key of the attributes does what its builder method does: the
//! same waits under a `VirtualClock`, the same calls, the same handler events.

use persevere::testing::VirtualClock;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

fn ms(values: &[u64]) -> Vec<Duration> {
    values.iter().copied().map(Duration::from_millis).collect()
}

#[persevere::on_error(expo(base = 3, factor = 0.1, max_value = "1s"), jitter = none, max_tries = 5, clock = vc)]
fn expo_keys(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[persevere::on_error(fibo(factor = "100ms", max_value = 0.5), jitter = none, max_tries = 7, clock = vc)]
fn fibo_keys(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[persevere::on_error(linear(start = "1s", step = 0.5, max_value = 2), jitter = none, max_tries = 5, clock = vc)]
fn linear_keys(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[persevere::on_error(decay(initial_value = 8, decay_factor = 0, min_value = 1), jitter = none, max_tries = 3, clock = vc)]
fn decay_keys(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[persevere::on_error(intervals([1, "500ms", 0.25]), jitter = none, clock = vc)]
fn intervals_keys(vc: &VirtualClock, calls: &AtomicU32) -> Result<(), ()> {
    calls.fetch_add(1, SeqCst);
    Err(())
}

#[persevere::on_error(constant(interval = [2, "1s"]), jitter = none, log = None, clock = vc)]
fn constant_list(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

// Python: @backoff.on_exception(backoff.expo, ..., base=3, factor=0.1, max_value=1)
#[persevere::on_error(expo, base = 3, factor = 0.1, max_value = 1, jitter = None, max_tries = 5, clock = vc)]
fn python_style_keys(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[persevere::on_error(constant, jitter = none, max_tries = 2, clock = vc)]
fn constant_default(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[test]
fn strategies_take_python_s_keyword_names_and_durations() {
    let vc = VirtualClock::new();
    let _ = expo_keys(&vc);
    assert_eq!(vc.sleeps(), ms(&[100, 300, 900, 1000]));

    let vc = VirtualClock::new();
    let _ = python_style_keys(&vc);
    assert_eq!(
        vc.sleeps(),
        ms(&[100, 300, 900, 1000]),
        "keys after the strategy are its parameters"
    );

    let vc = VirtualClock::new();
    let _ = fibo_keys(&vc);
    assert_eq!(vc.sleeps(), ms(&[100, 100, 200, 300, 500, 500]));

    let vc = VirtualClock::new();
    let _ = linear_keys(&vc);
    assert_eq!(vc.sleeps(), ms(&[1000, 1500, 2000, 2000]));

    let vc = VirtualClock::new();
    let _ = decay_keys(&vc);
    assert_eq!(vc.sleeps(), ms(&[8000, 8000]));

    let (vc, calls) = (VirtualClock::new(), AtomicU32::new(0));
    let _ = intervals_keys(&vc, &calls);
    assert_eq!(vc.sleeps(), ms(&[1000, 500, 250]));
    assert_eq!(calls.load(SeqCst), 4, "an exhausted list gives up");

    let vc = VirtualClock::new();
    let _ = constant_default(&vc);
    assert_eq!(vc.sleeps(), ms(&[1000]), "Python's default interval is 1 s");

    let vc = VirtualClock::new();
    let _ = constant_list(&vc);
    assert_eq!(
        vc.sleeps(),
        ms(&[2000, 1000]),
        "Python's constant(interval=[..])"
    );
}

#[derive(Debug)]
struct RetryAfter(u64);

#[persevere::on_error(runtime(value = |e| Duration::from_secs(e.0)), max_tries = 3, clock = vc)]
fn runtime_keys(vc: &VirtualClock, calls: &AtomicU32) -> Result<(), RetryAfter> {
    Err(RetryAfter(u64::from(calls.fetch_add(1, SeqCst)) + 7))
}

#[persevere::on_error(decorrelated(base = "10ms", cap = "10ms"), max_tries = 3, clock = vc)]
fn decorrelated_keys(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[test]
fn runtime_reads_the_error_and_decorrelated_stays_under_its_cap() {
    let (vc, calls) = (VirtualClock::new(), AtomicU32::new(0));
    let _ = runtime_keys(&vc, &calls);
    assert_eq!(
        vc.sleeps(),
        [7, 8].map(Duration::from_secs),
        "runtime waits are not jittered"
    );

    let vc = VirtualClock::new();
    let _ = decorrelated_keys(&vc);
    assert_eq!(vc.sleeps(), ms(&[10, 10]));
}

#[persevere::on_error(constant(interval = 10), jitter = equal, max_tries = 50, seed = 9, clock = vc)]
fn equal_jitter(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[persevere::on_error(constant(interval = 10), jitter = Proportional(0.2), max_tries = 50, clock = vc)]
fn proportional_jitter(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[persevere::on_error(constant(interval = 10), max_tries = 4, seed = 9, clock = vc)]
fn seeded_full_jitter(vc: &VirtualClock) -> Result<(), ()> {
    Err(())
}

#[test]
fn jitter_and_seed() {
    let vc = VirtualClock::new();
    let _ = equal_jitter(&vc);
    assert!(
        vc.sleeps()
            .iter()
            .all(|d| d.as_secs_f64() >= 5.0 && d.as_secs_f64() <= 10.0)
    );
    assert!(vc.sleeps().iter().any(|d| *d != Duration::from_secs(10)));

    let vc = VirtualClock::new();
    let _ = proportional_jitter(&vc);
    assert!(
        vc.sleeps()
            .iter()
            .all(|d| d.as_secs_f64() >= 8.0 && d.as_secs_f64() <= 12.0)
    );
    assert!(vc.sleeps().iter().any(|d| *d > Duration::from_secs(10)));

    let (a, b) = (VirtualClock::new(), VirtualClock::new());
    let _ = (seeded_full_jitter(&a), seeded_full_jitter(&b));
    assert_eq!(a.sleeps(), b.sleeps());
    let builder = VirtualClock::new();
    let _: Result<(), ()> = persevere::on_error(persevere::constant(Duration::from_secs(10)))
        .max_tries(4)
        .seed(9)
        .clock(builder.clone())
        .retry(|| Err(()));
    assert_eq!(a.sleeps(), builder.sleeps());
}

#[persevere::on_error(expo, jitter = none, max_time = "10s", clock = vc)]
fn max_time_keys(vc: &VirtualClock, calls: &AtomicU32) -> Result<(), ()> {
    calls.fetch_add(1, SeqCst);
    Err(())
}

#[test]
fn max_time_is_the_deadline_of_the_call() {
    let (vc, calls) = (VirtualClock::new(), AtomicU32::new(0));
    let _ = max_time_keys(&vc, &calls);
    assert_eq!(vc.sleeps(), [1, 2, 4, 3].map(Duration::from_secs));
    assert_eq!(calls.load(SeqCst), 5);
}

static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(event: String) {
    EVENTS.lock().unwrap().push(event);
}

#[persevere::on_error(
    constant(interval = 1),
    jitter = none,
    max_tries = 3,
    on = (std::io::Error, std::fmt::Error),
    when = |e| !e.to_string().contains("skip"),
    on_backoff = [|d| record(format!("{} backoff {} {:?}", d.target(), d.tries(), d.wait())), |_| record("second".into())],
    on_giveup = |d| record(format!("giveup {} {:?}", d.tries(), d.error().map(ToString::to_string))),
    on_success = |d| record(format!("success {}", d.tries())),
    name = "handlers_test",
    log = (debug, warn),
    clock = vc,
)]
fn handlers(
    vc: &VirtualClock,
    message: &str,
) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    Err(std::io::Error::other(message.to_owned()).into())
}

#[persevere::on_predicate(constant(interval = 1), max_tries = 2, log = false, on_success = |d| record(format!("value {:?}", d.value())), clock = vc)]
fn quiet(vc: &VirtualClock) -> u32 {
    5
}

#[test]
fn handlers_on_types_when_and_name() {
    EVENTS.lock().unwrap().clear();
    let vc = VirtualClock::new();
    assert!(handlers(&vc, "down").is_err());
    assert!(handlers(&vc, "skip").is_err());
    assert_eq!(quiet(&vc), 5);
    assert_eq!(
        *EVENTS.lock().unwrap(),
        [
            "handlers_test backoff 1 Some(1s)",
            "second",
            "handlers_test backoff 2 Some(1s)",
            "second",
            "giveup 3 Some(\"down\")",
            "value Some(5)",
        ]
    );
    assert_eq!(vc.sleeps().len(), 2);
}

#[persevere::on_error(constant(interval = 4), jitter = none, max_tries = 3, sleeper = slept)]
fn with_sleeper(slept: &SleepLog) -> Result<(), ()> {
    Err(())
}

#[derive(Clone, Default)]
struct SleepLog(std::sync::Arc<Mutex<Vec<Duration>>>);

impl persevere::Sleeper for SleepLog {
    fn sleep(&self, duration: Duration) {
        self.0.lock().unwrap().push(duration);
    }
}

#[test]
fn a_sleeper_replaces_the_default_one() {
    let slept = SleepLog::default();
    let _ = with_sleeper(&slept);
    assert_eq!(*slept.0.lock().unwrap(), [Duration::from_secs(4); 2]);
}
