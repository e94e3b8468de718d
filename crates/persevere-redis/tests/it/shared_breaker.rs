//! A circuit breaker in a real redis-server: two clients see one breaker through every
//! transition (closed, open, half-open, closed or open again), on Redis's clock.

use crate::common::{RedisServer, wait_until};
use persevere::breaker::BreakerState;
use persevere::budget::Budget;
use persevere_redis::blocking::{Admission, BreakerRules, BreakerStore};
use std::time::Duration;

/// Short open durations: the tests wait for outcomes, and assert no timing.
const OPEN: Duration = Duration::from_millis(200);

fn store(server: &RedisServer, key: &str, probes: u32) -> BreakerStore {
    let rules = BreakerRules::new(4, 0.5, OPEN, probes).unwrap();
    BreakerStore::open(&server.url(), key, rules, Duration::from_secs(2)).unwrap()
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

#[test]
fn rules_are_the_cores() {
    let err = BreakerRules::new(0, 0.5, OPEN, 1).unwrap_err();
    assert_eq!(err.parameter(), "count_window");
    let err = BreakerRules::new(4, 0.5, Duration::ZERO, 1).unwrap_err();
    assert_eq!(err.parameter(), "open_duration");
}

/// The closed breaker's rule in `breaker.lua` is the library's: random sequences of outcomes
/// recorded in Redis and in `BreakerRules::local_breaker` give the same state after every
/// outcome, and the same refusal once open. (The open duration is an hour: the timed
/// transitions run on Redis's clock, which a test cannot drive; the tests above cover them.)
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
    let mut opened = 0;
    for case in 0..150 {
        let window = 1 + (next() % 6) as u32;
        let ratio = [0.2, 0.25, 0.5, 0.6, 0.75, 1.0][(next() % 6) as usize];
        let rules = BreakerRules::new(window, ratio, Duration::from_secs(3_600), 1).unwrap();
        let library = rules.local_breaker();
        let key = format!("differential:{case}");
        let mut lua =
            BreakerStore::open(&server.url(), &key, rules, Duration::from_secs(2)).unwrap();
        // Failures one time in three, then one time in two: most cases open somewhere.
        let mut outcomes = Vec::new();
        for step in 0..30 {
            let failed = next() % if step < 15 { 3 } else { 2 } == 0;
            outcomes.push(failed);
            assert_eq!(
                lua.admit().unwrap(),
                Admission::Go,
                "{rules:?} after {outcomes:?}"
            );
            library.attempt_ended(failed, Duration::ZERO, now);
            let state = lua.record(failed).unwrap();
            assert_eq!(state, library.state(), "{rules:?} after {outcomes:?}");
            if state == BreakerState::Open {
                assert!(refused(lua.admit().unwrap()));
                assert!(library.admit_call(now).is_err());
                opened += 1;
                break;
            }
        }
    }
    assert!(
        opened > 100,
        "most sequences open the breaker: {opened} of 150"
    );
}
