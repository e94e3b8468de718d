//! Heap allocations per call of each scenario, as counted by [`crate::alloc_count::Counting`]
//! (which must be the global allocator of the running binary or test).

use crate::alloc_count::per_call;
use crate::{
    FAILS, MAX_TIME, hand, on_backon, on_retry_crate, on_tokio_retry, poll, with_persevere,
};
use persevere::Jitter;
use std::hint::black_box;

/// One measured row: scenario, implementation, allocations per call.
pub type Row = (&'static str, &'static str, f64);

const CALLS: u32 = 1_000;

/// persevere's scenarios: success and three failures, blocking and async, with full jitter,
/// with and without `max_time`.
pub fn persevere() -> Vec<Row> {
    let plain = with_persevere::policy(Jitter::Full, None);
    let timed = with_persevere::policy(Jitter::Full, Some(MAX_TIME));
    let mut rows = Vec::new();
    for (scenario, fails) in [("success", 0), ("fail3_full", FAILS)] {
        for (suffix, policy) in [("", &plain), ("_max_time", &timed)] {
            let blocking = per_call(CALLS, || {
                black_box(with_persevere::call(policy, black_box(fails))).ok();
            });
            let not_blocking = per_call(CALLS, || {
                black_box(poll::now(with_persevere::call_async(
                    policy,
                    black_box(fails),
                )))
                .ok();
            });
            rows.push((label(scenario, suffix, "blocking"), "persevere", blocking));
            rows.push((label(scenario, suffix, "async"), "persevere", not_blocking));
        }
    }
    rows
}

fn label(scenario: &str, suffix: &str, mode: &str) -> &'static str {
    match (scenario, suffix, mode) {
        ("success", "", "blocking") => "success_blocking",
        ("success", "", _) => "success_async",
        ("success", _, "blocking") => "success_max_time_blocking",
        ("success", _, _) => "success_max_time_async",
        (_, "", "blocking") => "fail3_blocking_full",
        (_, "", _) => "fail3_async_full",
        (_, _, "blocking") => "fail3_max_time_blocking_full",
        _ => "fail3_max_time_async_full",
    }
}

/// The other implementations, three failures with full jitter.
pub fn others() -> Vec<Row> {
    let builder = on_backon::builder(true, false);
    vec![
        (
            "fail3_blocking_full",
            "hand",
            per_call(CALLS, || {
                black_box(hand::call(black_box(FAILS), &Jitter::Full, None)).ok();
            }),
        ),
        (
            "fail3_blocking_full",
            "backon",
            per_call(CALLS, || {
                black_box(on_backon::call(black_box(FAILS), builder)).ok();
            }),
        ),
        (
            "fail3_async_full",
            "backon",
            per_call(CALLS, || {
                black_box(poll::now(on_backon::call_async(black_box(FAILS), builder))).ok();
            }),
        ),
        (
            "success_async",
            "tokio-retry",
            per_call(CALLS, || {
                black_box(poll::now(on_tokio_retry::call_async(black_box(0), true))).ok();
            }),
        ),
        (
            "fail3_blocking_full",
            "retry",
            per_call(CALLS, || {
                black_box(on_retry_crate::call(black_box(FAILS), true)).ok();
            }),
        ),
    ]
}
