//! `calls <scenario> <implementation> <n>`: makes `n` calls of one scenario, for instruction
//! counts under `valgrind --tool=callgrind` (the script runs it with two values of `n` and
//! divides the difference, which cancels the start-up cost).
//!
//! Scenarios: `success_blocking`, `success_async`, `fail3_blocking_nojitter`,
//! `fail3_blocking_full`, `fail3_async_nojitter`, `fail3_async_full`, and
//! `fail3_zero_default_sleeper` (a zero constant wait, each library's default blocking
//! sleeper). Implementations: `persevere`, `hand`, `backon`, and `guarded` (persevere with a
//! budget, a throttle and a breaker, blocking scenarios other than the default sleeper's only).

use persevere::Jitter;
use persevere_benches::{Busy, FAILS, default_sleepers, hand, on_backon, poll, with_persevere};
use std::hint::black_box;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [scenario, implementation, n] = &args[..] else {
        eprintln!("usage: calls <scenario> <persevere|hand|backon|guarded> <n>");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("calls: <n> must be a number, got {n}");
        return ExitCode::from(2);
    };
    if scenario == "fail3_zero_default_sleeper" {
        let policy = default_sleepers::policy();
        match implementation.as_str() {
            "persevere" => repeat(n, || {
                default_sleepers::persevere_default(&policy, black_box(FAILS))
            }),
            "hand" => repeat(n, || default_sleepers::hand(black_box(FAILS))),
            "backon" => repeat(n, || default_sleepers::backon_default(black_box(FAILS))),
            other => {
                eprintln!("calls: unknown implementation {other}");
                return ExitCode::from(2);
            }
        }
        return ExitCode::SUCCESS;
    }
    let (fails, full, is_async) = match scenario.as_str() {
        "success_blocking" => (0, true, false),
        "success_async" => (0, true, true),
        "fail3_blocking_nojitter" => (FAILS, false, false),
        "fail3_blocking_full" => (FAILS, true, false),
        "fail3_async_nojitter" => (FAILS, false, true),
        "fail3_async_full" => (FAILS, true, true),
        other => {
            eprintln!("calls: unknown scenario {other}");
            return ExitCode::from(2);
        }
    };
    let jitter = if full { Jitter::Full } else { Jitter::None };
    let policy = with_persevere::policy(jitter, None);
    let builder = on_backon::builder(full, false);
    let guarded = with_persevere::guarded(jitter);
    // The implementation is chosen once, so that every loop holds only the calls it counts.
    match (implementation.as_str(), is_async) {
        ("persevere", false) => repeat(n, || with_persevere::call(&policy, black_box(fails))),
        ("persevere", true) => repeat(n, || {
            poll::now(with_persevere::call_async(&policy, black_box(fails)))
        }),
        ("guarded", false) => repeat(n, || guarded(black_box(fails))),
        ("hand", false) => repeat(n, || hand::call(black_box(fails), &jitter, None)),
        ("hand", true) => repeat(n, || {
            poll::now(hand::call_async(black_box(fails), &jitter, None))
        }),
        ("backon", false) => repeat(n, || on_backon::call(black_box(fails), black_box(builder))),
        ("backon", true) => repeat(n, || {
            poll::now(on_backon::call_async(black_box(fails), black_box(builder)))
        }),
        (other, _) => {
            eprintln!("calls: unknown implementation {other}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

fn repeat(n: u32, mut call: impl FnMut() -> Result<u32, Busy>) {
    for _ in 0..n {
        black_box(call()).expect("at most three failures, then success");
    }
}
