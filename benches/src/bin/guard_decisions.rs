//! `guard_decisions <triple|budget|throttle|breaker> <n>`: `n` decisions of a call that
//! succeeds at once, as the core tells the overload guards of it (the gated first attempt, its
//! end, the success; `benches/guards.rs`, `first_attempt_success`), for instruction counts under
//! `valgrind --tool=callgrind` (two values of `n`, the difference divided).

use persevere::breaker::CircuitBreaker;
use persevere::budget::{AdaptiveThrottle, Budget, RatioBudget};
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [guard, n] = &args[..] else {
        eprintln!("usage: guard_decisions <triple|budget|throttle|breaker> <n>");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u32>() else {
        eprintln!("guard_decisions: <n> must be a number, got {n}");
        return ExitCode::from(2);
    };
    // The guards of benches/guards.rs: never empty, never open.
    let budget = RatioBudget::new(10.0, 10, Duration::from_secs(10));
    let throttle = AdaptiveThrottle::new(4.0, Duration::from_secs(120)).seed(1);
    let breaker = CircuitBreaker::default().failure_ratio(1.0);
    let now = Instant::now();
    let granted = match guard.as_str() {
        "triple" => decide(&(budget, throttle, breaker), now, n),
        "budget" => decide(&budget, now, n),
        "throttle" => decide(&throttle, now, n),
        "breaker" => decide(&breaker, now, n),
        other => {
            eprintln!("guard_decisions: unknown guard {other}");
            return ExitCode::from(2);
        }
    };
    assert_eq!(granted, n, "the guards let every call go");
    ExitCode::SUCCESS
}

/// `n` decisions at one instant; how many were granted.
#[inline(never)]
fn decide(guard: &impl Budget, now: Instant, n: u32) -> u32 {
    let mut granted = 0;
    for _ in 0..n {
        let guard = black_box(guard);
        granted += u32::from(guard.admit_call(now).is_ok());
        guard.attempt_ended(false, Duration::from_millis(1), now);
        guard.on_success(None, now);
    }
    granted
}
