//! Stacked attributes nest as Python's stacked decorators do: the attribute nearest the
//! function is the inner loop, and each attempt of the outer one is a whole inner retrying
//! call.
//!
//! Python, for reference (alternating errors, starting with an HTTP one):
//!
//! ```text
//! @backoff.on_exception(backoff.constant, DbError, max_tries=5, interval=10, jitter=None)
//! @backoff.on_exception(backoff.constant, HttpError, max_tries=3, interval=1, jitter=None)
//! def save(): ...
//! ```
//!
//! Each outer try makes two calls (HTTP, retried by the inner after 1 s; then DB, which the
//! inner does not handle, so it escapes to the outer, which sleeps 10 s): 5 outer tries make
//! 10 calls and end with the DB error. Inverted, the HTTP policy (3 tries) would be outside
//! and the run would end after 5 calls with the HTTP error.

use persevere::testing::VirtualClock;
use persevere::{Jitter, constant, on_error};
use std::cell::Cell;
use std::num::{IntErrorKind, ParseIntError};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Error {
    Db,
    Http,
}

impl Error {
    fn is_db(&self) -> bool {
        *self == Error::Db
    }
    fn is_http(&self) -> bool {
        *self == Error::Http
    }
}

fn alternating(calls: &Cell<u32>) -> Result<(), Error> {
    calls.set(calls.get() + 1);
    if calls.get() % 2 == 1 {
        Err(Error::Http)
    } else {
        Err(Error::Db)
    }
}

#[persevere::on_error(constant(interval = 10), jitter = none, when = Error::is_db, max_tries = 5, clock = vc)]
#[persevere::on_error(constant(interval = 1), jitter = none, when = Error::is_http, max_tries = 3, clock = vc)]
fn save(vc: &VirtualClock, calls: &Cell<u32>) -> Result<(), Error> {
    alternating(calls)
}

#[test]
fn the_nearest_attribute_is_the_inner_loop() {
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(save(&vc, &calls), Err(Error::Db));
    assert_eq!(calls.get(), 10);
    let mut want = [1, 10].repeat(5);
    want.pop(); // the fifth DB error gives up without sleeping
    assert_eq!(
        vc.sleeps(),
        want.into_iter()
            .map(Duration::from_secs)
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_inverted_nesting_would_make_five_calls() {
    // The same two policies, nested the other way round with the builder: the test above
    // would fail on this count.
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    let db = on_error(constant(Duration::from_secs(10)))
        .when(Error::is_db)
        .max_tries(5)
        .jitter(Jitter::None)
        .clock(vc.clone());
    let http = on_error(constant(Duration::from_secs(1)))
        .when(Error::is_http)
        .max_tries(3)
        .jitter(Jitter::None)
        .clock(vc.clone());
    assert_eq!(
        http.retry(|| db.retry(|| alternating(&calls))),
        Err(Error::Http)
    );
    assert_eq!(calls.get(), 5);
    // And the builder's nesting of the attributes' order agrees with the attributes.
    calls.set(0);
    assert_eq!(
        db.retry(|| http.retry(|| alternating(&calls))),
        Err(Error::Db)
    );
    assert_eq!(calls.get(), 10);
}

#[persevere::on_error(constant(interval = 10), jitter = none, on = std::num::ParseIntError, max_tries = 2, clock = vc)]
#[persevere::on_predicate(constant(interval = 1), jitter = none, predicate = |r| matches!(r, Ok(0)), clock = vc)]
#[persevere::retry(
    on_error(constant(Duration::from_millis(1)))
        .when(|e: &ParseIntError| *e.kind() == IntErrorKind::Empty)
        .jitter(Jitter::None)
        .clock(vc.clone())
)]
fn three_layers(
    vc: &VirtualClock,
    calls: &Cell<u32>,
    lines: &[&str],
) -> Result<u32, ParseIntError> {
    calls.set(calls.get() + 1);
    lines[calls.get() as usize - 1].parse()
}

#[test]
fn three_layers_of_different_attributes_nest_in_order() {
    // Inner (#[retry]): empty lines, every 1 ms. Middle (#[on_predicate]): `Ok(0)`, every 1 s.
    // Outer (#[on_error]): other parse errors, every 10 s, 2 tries.
    let (vc, calls) = (VirtualClock::new(), Cell::new(0));
    assert_eq!(three_layers(&vc, &calls, &["", "0", "x", "", "5"]), Ok(5));
    assert_eq!(calls.get(), 5);
    assert_eq!(
        vc.sleeps(),
        [1, 1_000, 10_000, 1].map(Duration::from_millis)
    );
}
