//! A circuit breaker in a real redis-server: two clients see one breaker through every
//! transition (closed, open, half-open, closed or open again), on Redis's clock.

use crate::common::{RedisServer, wait_until};
use persevere::breaker::BreakerState;
use persevere::budget::Budget;
use persevere_redis::blocking::{Admission, BreakerRules, BreakerStore};
use std::time::Duration;

/// Short open durations: the tests wait for outcomes, and assert no timing.
const OPEN: Duration = Duration::from_millis(200);

/// Four outcomes judged, opens at 50 %, open [`OPEN`].
fn rules(probes: u32) -> BreakerRules {
    BreakerRules::new(4, 0.5, OPEN, probes).unwrap()
}

fn open(server: &RedisServer, key: &str, rules: BreakerRules) -> BreakerStore {
    BreakerStore::open(&server.url(), key, rules, Duration::from_secs(2)).unwrap()
}

fn store(server: &RedisServer, key: &str, probes: u32) -> BreakerStore {
    open(server, key, rules(probes))
}

fn refused(a: Admission) -> bool {
    matches!(a, Admission::Refused { .. })
}

/// Waits (at most 10 s) until `store` lets a probe through.
fn wait_for_probe(store: &mut BreakerStore) -> bool {
    wait_until(Duration::from_secs(10), || {
        store.admit().unwrap() == Admission::Probe
    })
}

#[test]
fn two_clients_share_every_transition() {
    let server = RedisServer::start();
    let mut a = store(&server, "breaker:payments", 1);
    let mut b = store(&server, "breaker:payments", 1);
    assert_eq!(a.admit().unwrap(), Admission::Go);
    // Two successes and two failures of four: 50 % opens it, whichever client saw them.
    assert_eq!(a.record(false).unwrap(), BreakerState::Closed);
    assert_eq!(b.record(true).unwrap(), BreakerState::Closed);
    assert_eq!(a.record(false).unwrap(), BreakerState::Closed);
    assert_eq!(b.record(true).unwrap(), BreakerState::Open);
    assert!(refused(a.admit().unwrap()), "open for the other client too");
    assert!(refused(b.admit().unwrap()));
    // After the open duration one probe goes, through either client; the other is refused.
    assert!(wait_for_probe(&mut a));
    assert_eq!(
        b.admit().unwrap(),
        Admission::Refused {
            left: Duration::ZERO
        }
    );
    // The probe fails: open again.
    assert_eq!(a.record(true).unwrap(), BreakerState::Open);
    assert!(refused(b.admit().unwrap()));
    // The next probe succeeds: closed, with an empty window (one failure does not reopen it).
    assert!(wait_for_probe(&mut b));
    assert_eq!(b.record(false).unwrap(), BreakerState::Closed);
    assert_eq!(a.admit().unwrap(), Admission::Go);
    assert_eq!(a.record(true).unwrap(), BreakerState::Closed);
    assert_eq!(
        server
            .command(&["HGET", "breaker:payments", "win"])
            .unwrap(),
        "1"
    );
}

/// A probe whose run died never reports: after another open duration a new round starts, so
/// that the breaker is never stuck half-open.
#[test]
fn a_probe_that_never_reports_does_not_keep_it_half_open() {
    let server = RedisServer::start();
    let mut a = store(&server, "lost", 2);
    for _ in 0..4 {
        a.record(true).unwrap();
    }
    assert!(wait_for_probe(&mut a));
    assert_eq!(a.admit().unwrap(), Admission::Probe);
    assert!(refused(a.admit().unwrap()), "both probes are out");
    assert!(wait_for_probe(&mut a), "a new round after an open duration");
    a.record(false).unwrap();
    a.admit().unwrap();
    assert_eq!(a.record(false).unwrap(), BreakerState::Closed);
}

/// Slow calls open it as failures do, and a slow probe opens it again: each client says which
/// of its attempts were slow, against the rules' duration.
#[test]
fn slow_calls_open_it_and_a_slow_probe_reopens_it() {
    let server = RedisServer::start();
    let rules = rules(1).slow_calls(Duration::from_secs(2), 0.75).unwrap();
    let mut a = open(&server, "slow", rules);
    let slow = Duration::from_secs(2);
    let fast = Duration::from_millis(1_999);
    // Three slow successes of four: 75 % slow opens it, with no failure at all.
    assert_eq!(a.record_timed(false, slow).unwrap(), BreakerState::Closed);
    assert_eq!(a.record_timed(false, fast).unwrap(), BreakerState::Closed);
    assert_eq!(a.record_timed(false, slow).unwrap(), BreakerState::Closed);
    assert_eq!(a.record_timed(false, slow).unwrap(), BreakerState::Open);
    // The probe succeeds, slowly: open again.
    assert!(wait_for_probe(&mut a));
    assert_eq!(a.record_timed(false, slow).unwrap(), BreakerState::Open);
    // A fast one closes it.
    assert!(wait_for_probe(&mut a));
    assert_eq!(a.record_timed(false, fast).unwrap(), BreakerState::Closed);
    // `record` is a fast outcome.
    for _ in 0..4 {
        assert_eq!(a.record(false).unwrap(), BreakerState::Closed);
    }
    let err = rules.slow_calls(Duration::ZERO, 0.5).unwrap_err();
    assert_eq!(err.parameter(), "slow_call_duration");
    let err = rules.slow_calls(slow, 0.0).unwrap_err();
    assert_eq!(err.parameter(), "slow_call_ratio");
}

/// A time window judges the outcomes of its span only, once there are `min_calls` of them:
/// outcomes older than the span have left it.
#[test]
fn a_time_window_forgets_what_left_it() {
    let server = RedisServer::start();
    let rules = rules(1).time_window(Duration::from_secs(1), 3).unwrap();
    let mut a = open(&server, "timed", rules);
    // Two failures: fewer than three outcomes, closed.
    assert_eq!(a.record(true).unwrap(), BreakerState::Closed);
    assert_eq!(a.record(true).unwrap(), BreakerState::Closed);
    // Past the window's second, they are gone: one failure in three does not open it.
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(a.record(true).unwrap(), BreakerState::Closed);
    assert_eq!(a.record(false).unwrap(), BreakerState::Closed);
    assert_eq!(a.record(false).unwrap(), BreakerState::Closed);
    // Two failures of the four in the window: 50 % opens it.
    assert_eq!(a.record(true).unwrap(), BreakerState::Open);
    let err = rules
        .time_window(Duration::from_millis(999), 3)
        .unwrap_err();
    assert_eq!(err.parameter(), "time_window");
    let err = rules.time_window(Duration::from_secs(1), 0).unwrap_err();
    assert_eq!(err.parameter(), "min_calls");
}

#[test]
fn rules_are_the_cores() {
    let err = BreakerRules::new(0, 0.5, OPEN, 1).unwrap_err();
    assert_eq!(err.parameter(), "count_window");
    let err = BreakerRules::new(4, 0.5, Duration::ZERO, 1).unwrap_err();
    assert_eq!(err.parameter(), "open_duration");
}

/// The closed breaker's rule in `breaker.lua` is the library's: random sequences of outcomes
/// recorded in Redis and in `BreakerRules::local_breaker` give the same state after every
/// outcome, and the same refusal once open. Half the cases also open on slow calls (an attempt
/// of 1 s or more, at a random ratio), the others keep `CircuitBreaker`'s default slow rule
/// (60 s, every call); outcomes are fast, slow, or 60 s long. A third of the cases judge a
/// time window of an hour (every outcome stays in it) from a random minimum of calls, a third
/// a count window from a random minimum of its own (1 to 8, against windows of 1 to 6). (The
/// open duration is an hour: the timed transitions run on Redis's clock, which a test cannot
/// drive; the tests above cover them.)
#[test]
fn the_lua_window_rule_is_the_librarys() {
    let server = RedisServer::start();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let now = std::time::Instant::now();
    let ratios = [0.2, 0.25, 0.5, 0.6, 0.75, 1.0];
    let (mut opened, mut opened_slow) = (0, 0);
    for case in 0..150 {
        let window = 1 + (next() % 6) as u32;
        let ratio = ratios[(next() % 6) as usize];
        let mut rules = BreakerRules::new(window, ratio, Duration::from_secs(3_600), 1).unwrap();
        if case % 2 == 1 {
            let slow_ratio = ratios[(next() % 6) as usize];
            rules = rules
                .slow_calls(Duration::from_secs(1), slow_ratio)
                .unwrap();
        }
        // A third of the cases: a time window; a third: the count window with a minimum of
        // its own (which may be above the window's length); a third: `new`'s full window.
        let min_calls = 1 + (next() % 8) as u32;
        let timed = case % 3 == 2;
        if timed {
            rules = rules
                .time_window(Duration::from_secs(3_600), min_calls)
                .unwrap();
        } else if case % 3 == 1 {
            rules = rules.min_calls(min_calls).unwrap();
        }
        let library = rules.local_breaker();
        let key = format!("differential:{case}");
        let mut lua =
            BreakerStore::open(&server.url(), &key, rules, Duration::from_secs(2)).unwrap();
        // Failures one time in three, then one time in two: most cases open somewhere.
        let mut outcomes = Vec::new();
        for step in 0..30 {
            let failed = next() % if step < 15 { 3 } else { 2 } == 0;
            let ran = [0, 0, 1, 60][(next() % 4) as usize];
            let ran = Duration::from_secs(ran);
            outcomes.push((failed, ran.as_secs()));
            assert_eq!(
                lua.admit().unwrap(),
                Admission::Go,
                "{rules:?} after {outcomes:?}"
            );
            library.attempt_ended(failed, ran, now);
            let state = lua.record_timed(failed, ran).unwrap();
            assert_eq!(state, library.state(), "{rules:?} after {outcomes:?}");
            if state == BreakerState::Open {
                assert!(refused(lua.admit().unwrap()));
                assert!(library.admit_call(now).is_err());
                opened += 1;
                let judged = if timed {
                    outcomes.len()
                } else {
                    outcomes.len().min(window as usize)
                };
                let failures = outcomes.iter().rev().take(judged);
                if failures.filter(|(failed, _)| *failed).count()
                    < (ratio * judged as f64).ceil() as usize
                {
                    opened_slow += 1;
                }
                break;
            }
        }
    }
    assert!(
        opened_slow > 10,
        "some sequences open on slow calls alone: {opened_slow} of {opened}"
    );
    assert!(
        opened > 100,
        "most sequences open the breaker: {opened} of 150"
    );
}
