//! Retry budgets: the ratio budget's window arithmetic, the published rules of the AWS and
//! gRPC presets (one table per rule), parameter checks, and exact accounting with 64 threads
//! sharing one budget. Time is injected: every test runs in milliseconds.

use persevere::budget::{Budget, BudgetError, RatioBudget, RetryCause, TokenBucket, Withdrawal};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const CAUSES: [RetryCause; 4] = [
    RetryCause::Transient,
    RetryCause::Timeout,
    RetryCause::Throttled,
    RetryCause::Hedge,
];

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// Withdraws until refused (at most `limit` times); the number granted.
fn drain(budget: &impl Budget, cause: RetryCause, now: Instant, limit: usize) -> usize {
    (0..limit)
        .take_while(|_| budget.withdraw(cause, now).is_some())
        .count()
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("it should panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| payload.downcast_ref::<&str>().unwrap().to_string())
}

#[test]
fn budgets_are_send_sync_clone_handles() {
    fn handle<B: Budget + Clone + Send + Sync + 'static>() {}
    handle::<RatioBudget>();
    handle::<TokenBucket>();
}

// ---------------------------------------------------------------- RatioBudget

#[test]
fn a_hundred_calls_at_20_percent_allow_exactly_20_retries() {
    let budget = RatioBudget::new(0.2, 0, secs(10.0));
    let t0 = Instant::now();
    for _ in 0..100 {
        budget.on_call(t0);
    }
    assert_eq!(budget.balance(t0), 20.0);
    assert_eq!(budget.available_retries(t0), 20);
    assert_eq!(drain(&budget, RetryCause::Transient, t0, 1_000), 20);
    assert_eq!(budget.balance(t0), 0.0);
}

#[test]
fn always_failing_calls_with_max_tries_5_make_120_attempts_for_100_calls() {
    // The check, played on the budget alone: 100 calls, 10 ms apart, of an operation
    // that always fails, each allowed 5 attempts; the budget decides every retry.
    let budget = RatioBudget::new(0.2, 0, secs(10.0));
    let t0 = Instant::now();
    let (mut attempts, mut retries) = (0, 0);
    for call in 0..100u32 {
        let now = t0 + Duration::from_millis(10) * call;
        budget.on_call(now);
        for attempt in 1..=5 {
            attempts += 1;
            budget.on_failure(RetryCause::Transient, now);
            if attempt == 5 || budget.withdraw(RetryCause::Transient, now).is_none() {
                break;
            }
            retries += 1;
        }
    }
    // Calls 5, 10, ..., 100 each find one whole retry of credit.
    assert_eq!((attempts, retries), (120, 20));
}

#[test]
fn the_floor_allows_min_per_sec_times_ttl_retries_without_calls() {
    for (min_per_sec, ttl, expected) in [
        (10, 10.0, 100),
        (1, 1.0, 1),
        (2, 1.5, 3),
        (7, 60.0, 420),
        (0, 10.0, 0),
    ] {
        let budget = RatioBudget::new(0.2, min_per_sec, secs(ttl));
        let now = Instant::now();
        assert_eq!(
            budget.available_retries(now),
            expected,
            "{min_per_sec}/s, {ttl} s"
        );
        assert_eq!(
            drain(&budget, RetryCause::Transient, now, 1_000),
            expected as usize,
            "{min_per_sec}/s, {ttl} s"
        );
    }
}

#[test]
fn credits_expire_after_ttl() {
    let budget = RatioBudget::new(0.2, 0, secs(10.0));
    let t0 = Instant::now();
    for _ in 0..100 {
        budget.on_call(t0);
    }
    assert_eq!(budget.available_retries(t0 + secs(9.999)), 20);
    assert_eq!(budget.available_retries(t0 + secs(10.0)), 0);
    assert!(
        budget
            .withdraw(RetryCause::Transient, t0 + secs(10.0))
            .is_none()
    );
}

#[test]
fn credits_expire_with_their_tenth_of_the_window() {
    // Slots are ttl / 10 long, counted from the first instant the budget saw: a deposit made
    // late in the first slot expires with it, 9.1 s later.
    let budget = RatioBudget::new(0.2, 0, secs(10.0));
    let t0 = Instant::now();
    budget.on_call(t0);
    for _ in 0..10 {
        budget.on_call(t0 + secs(0.9));
    }
    for _ in 0..5 {
        budget.on_call(t0 + secs(1.0));
    }
    assert_eq!(budget.balance(t0 + secs(9.999)), 3.2);
    assert_eq!(budget.balance(t0 + secs(10.0)), 1.0);
    assert_eq!(budget.balance(t0 + secs(11.0)), 0.0);
}

#[test]
fn withdrawals_expire_too_and_the_floor_comes_back() {
    let budget = RatioBudget::new(0.2, 10, secs(10.0));
    let t0 = Instant::now();
    assert_eq!(drain(&budget, RetryCause::Transient, t0, 1_000), 100);
    assert_eq!(budget.available_retries(t0 + secs(9.999)), 0);
    assert_eq!(budget.available_retries(t0 + secs(10.0)), 100);
}

#[test]
fn retries_can_outlive_the_credit_that_paid_for_them() {
    let budget = RatioBudget::new(0.2, 0, secs(10.0));
    let t0 = Instant::now();
    for _ in 0..100 {
        budget.on_call(t0);
    }
    assert_eq!(
        drain(&budget, RetryCause::Transient, t0 + secs(5.0), 100),
        20
    );
    // At 10 s the calls' credit has expired but the 20 retries (made at 5 s) still count.
    let t10 = t0 + secs(10.0);
    assert_eq!(budget.balance(t10), -20.0);
    for _ in 0..100 {
        budget.on_call(t10);
    }
    assert_eq!(budget.balance(t10), 0.0);
    assert!(budget.withdraw(RetryCause::Transient, t10).is_none());
    for _ in 0..5 {
        budget.on_call(t10);
    }
    assert_eq!(drain(&budget, RetryCause::Transient, t10, 100), 1);
    // At 15 s the retries made at 5 s have left the window too.
    assert_eq!(budget.balance(t0 + secs(15.0)), 20.0);
}

#[test]
fn every_cause_costs_one_retry_and_failures_and_successes_change_nothing() {
    let budget = RatioBudget::new(0.5, 0, secs(10.0));
    let now = Instant::now();
    for _ in 0..8 {
        budget.on_call(now);
    }
    for cause in CAUSES {
        budget.on_failure(cause, now);
        let w = budget.withdraw(cause, now);
        assert_eq!(w, Some(Withdrawal::new(1_000)), "{cause:?}");
        budget.on_success(w, now);
        budget.on_success(None, now);
    }
    assert_eq!(budget.balance(now), 0.0);
}

#[test]
fn percent_above_one_allows_several_retries_per_call_and_zero_allows_none() {
    for (percent, calls, expected) in [
        (2.0, 3, 6),
        (10.0, 1, 10),
        (0.0, 1_000, 0),
        (0.001, 1_000, 1),
    ] {
        let budget = RatioBudget::new(percent, 0, secs(10.0));
        let now = Instant::now();
        for _ in 0..calls {
            budget.on_call(now);
        }
        assert_eq!(
            drain(&budget, RetryCause::Transient, now, 100),
            expected,
            "{percent}"
        );
    }
}

#[test]
fn an_older_now_counts_in_the_newest_slot() {
    // Clocks of different threads may hand the budget instants out of order; an older one
    // never moves the window back.
    let budget = RatioBudget::new(0.2, 0, secs(10.0));
    let t0 = Instant::now();
    budget.on_call(t0);
    for _ in 0..5 {
        budget.on_call(t0 + secs(5.0));
    }
    for _ in 0..5 {
        budget.on_call(t0); // counted at 5 s
    }
    assert_eq!(budget.balance(t0 + secs(14.999)), 2.0);
}

#[test]
fn the_default_is_tower_and_finagle_20_percent_10_per_second_10_seconds() {
    let budget = RatioBudget::default();
    assert_eq!(
        (budget.percent(), budget.min_per_sec(), budget.ttl()),
        (0.2, 10, secs(10.0))
    );
    assert_eq!(
        format!("{budget:?}"),
        "RatioBudget { percent: 0.2, min_per_sec: 10, ttl: 10s, .. }"
    );
}

#[test]
fn ratio_parameters_are_checked_with_messages_naming_the_range() {
    let ten = secs(10.0);
    for (percent, ttl, message) in [
        (
            0.2,
            Duration::ZERO,
            "`ttl` must be from 1 s to 60 s, got 0ns",
        ),
        (
            0.2,
            secs(0.999),
            "`ttl` must be from 1 s to 60 s, got 999ms",
        ),
        (
            0.2,
            Duration::new(60, 1),
            "`ttl` must be from 1 s to 60 s, got 60.000000001s",
        ),
        (
            -0.1,
            ten,
            "`percent` must be from 0 to 10 (0 % to 1000 %), got -0.1",
        ),
        (
            10.001,
            ten,
            "`percent` must be from 0 to 10 (0 % to 1000 %), got 10.001",
        ),
        (
            f64::NAN,
            ten,
            "`percent` must be from 0 to 10 (0 % to 1000 %), got NaN",
        ),
        (
            f64::INFINITY,
            ten,
            "`percent` must be from 0 to 10 (0 % to 1000 %), got inf",
        ),
    ] {
        let err: BudgetError = RatioBudget::try_new(percent, 10, ttl).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(err.budget(), "RatioBudget");
        let panic = panic_message(move || {
            RatioBudget::new(percent, 10, ttl);
        });
        assert_eq!(panic, format!("persevere: RatioBudget: {message}"));
    }
    for (percent, ttl) in [(0.0, secs(1.0)), (10.0, secs(60.0)), (0.2, secs(10.0))] {
        assert!(RatioBudget::try_new(percent, u32::MAX, ttl).is_ok());
    }
}

// ---------------------------------------------------------------- AWS standard (2.0)

#[test]
fn aws_standard_holds_500_tokens_and_starts_full() {
    let bucket = TokenBucket::aws_standard();
    assert_eq!((bucket.tokens(), bucket.capacity()), (500.0, 500.0));
}

#[test]
fn aws_standard_retry_costs_5_and_10_after_a_timeout() {
    let now = Instant::now();
    for (cause, cost) in [
        (RetryCause::Transient, 5_000),
        (RetryCause::Timeout, 10_000),
        (RetryCause::Throttled, 5_000),
        (RetryCause::Hedge, 5_000),
    ] {
        let bucket = TokenBucket::aws_standard();
        bucket.on_failure(cause, now); // a failure alone costs nothing
        assert_eq!(
            bucket.withdraw(cause, now),
            Some(Withdrawal::new(cost)),
            "{cause:?}"
        );
        assert_eq!(bucket.tokens(), 500.0 - cost as f64 / 1e3, "{cause:?}");
    }
}

#[test]
fn aws_standard_a_first_attempt_success_refunds_1() {
    let now = Instant::now();
    // (retries spent first, first-attempt successes, tokens after)
    for (spent, successes, tokens) in [(0, 1, 500.0), (1, 1, 496.0), (2, 3, 493.0), (1, 9, 500.0)] {
        let bucket = TokenBucket::aws_standard();
        for _ in 0..spent {
            bucket.withdraw(RetryCause::Transient, now).unwrap();
        }
        for _ in 0..successes {
            bucket.on_success(None, now);
        }
        assert_eq!(
            bucket.tokens(),
            tokens,
            "{spent} spent, {successes} successes"
        );
    }
}

#[test]
fn aws_standard_a_success_after_a_retry_returns_that_retrys_cost() {
    let now = Instant::now();
    for (causes, tokens) in [
        (&[RetryCause::Transient][..], 500.0),
        (&[RetryCause::Timeout][..], 500.0),
        // Only the last retry's cost comes back: the earlier ones stay spent.
        (&[RetryCause::Transient, RetryCause::Timeout][..], 495.0),
        (&[RetryCause::Timeout, RetryCause::Transient][..], 490.0),
    ] {
        let bucket = TokenBucket::aws_standard();
        let mut last = None;
        for &cause in causes {
            last = Some(bucket.withdraw(cause, now).unwrap());
        }
        bucket.on_success(last, now);
        assert_eq!(bucket.tokens(), tokens, "{causes:?}");
    }
}

#[test]
fn aws_standard_refuses_a_retry_when_tokens_are_below_its_cost() {
    let now = Instant::now();
    // (tokens left before asking, cause, its cost, granted)
    for (left, cause, cost, granted) in [
        (5, RetryCause::Transient, 5, true),
        (4, RetryCause::Transient, 5, false),
        (10, RetryCause::Timeout, 10, true),
        (9, RetryCause::Timeout, 10, false),
        (9, RetryCause::Transient, 5, true),
        (0, RetryCause::Transient, 5, false),
    ] {
        let bucket = TokenBucket::aws_standard();
        // Down to `left`: retries of 5 tokens, then first-attempt successes of 1.
        let spent: u32 = 500 - left;
        let retries = spent.div_ceil(5);
        for _ in 0..retries {
            bucket.withdraw(RetryCause::Transient, now).unwrap();
        }
        for _ in 0..retries * 5 - spent {
            bucket.on_success(None, now);
        }
        assert_eq!(bucket.tokens(), f64::from(left));
        assert_eq!(
            bucket.withdraw(cause, now).is_some(),
            granted,
            "{left} {cause:?}"
        );
        let after = if granted { left - cost } else { left };
        assert_eq!(bucket.tokens(), f64::from(after), "{left} {cause:?}");
    }
}

#[test]
fn aws_standard_a_full_outage_allows_exactly_100_retries() {
    let bucket = TokenBucket::aws_standard();
    let now = Instant::now();
    assert_eq!(drain(&bucket, RetryCause::Transient, now, 1_000), 100);
    assert_eq!(bucket.tokens(), 0.0);
    let bucket = TokenBucket::aws_standard();
    assert_eq!(drain(&bucket, RetryCause::Timeout, now, 1_000), 50);
}

// ---------------------------------------------------------------- AWS retries 2.1 (2026)

#[test]
fn aws_2026_retry_costs_14_throttling_5_and_timeouts_are_not_special() {
    let now = Instant::now();
    for (cause, cost) in [
        (RetryCause::Transient, 14_000),
        (RetryCause::Timeout, 14_000),
        (RetryCause::Throttled, 5_000),
        (RetryCause::Hedge, 14_000),
    ] {
        let bucket = TokenBucket::aws_2026();
        assert_eq!(
            bucket.withdraw(cause, now),
            Some(Withdrawal::new(cost)),
            "{cause:?}"
        );
        assert_eq!(bucket.tokens(), 500.0 - cost as f64 / 1e3);
        bucket.on_success(Some(Withdrawal::new(cost)), now);
        assert_eq!(bucket.tokens(), 500.0, "{cause:?}: the cost comes back");
    }
}

#[test]
fn aws_2026_an_outage_exhausts_the_bucket_after_35_retries_and_throttling_after_100() {
    let now = Instant::now();
    let bucket = TokenBucket::aws_2026();
    assert_eq!(drain(&bucket, RetryCause::Transient, now, 1_000), 35); // 500 / 14
    assert_eq!(bucket.tokens(), 10.0);
    // 10 tokens still pay for two retries after throttling.
    assert_eq!(drain(&bucket, RetryCause::Throttled, now, 1_000), 2);
    let bucket = TokenBucket::aws_2026();
    assert_eq!(drain(&bucket, RetryCause::Throttled, now, 1_000), 100);
    bucket.on_success(None, now);
    assert_eq!(bucket.tokens(), 1.0);
}

// ---------------------------------------------------------------- gRPC retry throttling

#[test]
fn grpc_starts_at_max_tokens_and_each_failed_attempt_takes_one() {
    let now = Instant::now();
    for (failures, tokens) in [(0, 10.0), (1, 9.0), (4, 6.0), (10, 0.0), (25, 0.0)] {
        let bucket = TokenBucket::grpc(10.0, 0.1);
        for _ in 0..failures {
            bucket.on_failure(RetryCause::Transient, now);
        }
        assert_eq!(bucket.tokens(), tokens, "{failures} failures");
    }
}

#[test]
fn grpc_each_success_adds_token_ratio_up_to_max_tokens() {
    let now = Instant::now();
    // (failures first, successes, whether successes follow a retry, tokens after)
    for (failures, successes, after_retry, tokens) in [
        (1, 1, false, 9.1),
        (1, 1, true, 9.1),
        (2, 5, false, 8.5),
        (1, 20, false, 10.0),
        (0, 1, true, 10.0),
    ] {
        let bucket = TokenBucket::grpc(10.0, 0.1);
        for _ in 0..failures {
            bucket.on_failure(RetryCause::Transient, now);
        }
        let last = after_retry.then(|| bucket.withdraw(RetryCause::Transient, now).unwrap());
        for _ in 0..successes {
            bucket.on_success(last, now);
        }
        assert_eq!(
            bucket.tokens(),
            tokens,
            "{failures} {successes} {after_retry}"
        );
    }
}

#[test]
fn grpc_refuses_retries_and_hedges_while_tokens_are_at_or_below_half() {
    let now = Instant::now();
    // (failures, successes, granted): 10 - failures + 0.1 * successes against 5.
    for (failures, successes, granted) in [
        (4, 0, true),
        (5, 0, false),
        (5, 1, true),
        (6, 10, false),
        (6, 11, true),
    ] {
        for cause in CAUSES {
            let bucket = TokenBucket::grpc(10.0, 0.1);
            for _ in 0..failures {
                bucket.on_failure(RetryCause::Transient, now);
            }
            for _ in 0..successes {
                bucket.on_success(None, now);
            }
            let before = bucket.tokens();
            let w = bucket.withdraw(cause, now);
            assert_eq!(w.is_some(), granted, "{failures} {successes} {cause:?}");
            // A grant costs nothing more: the failure already paid.
            assert_eq!(w.map(Withdrawal::amount), granted.then_some(0));
            assert_eq!(bucket.tokens(), before);
        }
    }
}

#[test]
fn grpc_honours_three_decimal_places() {
    let now = Instant::now();
    for (max, ratio, tokens) in [
        (10.0, 0.123, 9.123),
        (10.0, 0.001, 9.001),
        (1000.0, 0.999, 999.999),
        (2.5, 1.0, 2.5),
    ] {
        let bucket = TokenBucket::grpc(max, ratio);
        bucket.on_failure(RetryCause::Transient, now);
        bucket.on_success(None, now);
        assert_eq!(bucket.tokens(), tokens, "{max} {ratio}");
    }
    // The threshold is half the thousandths, rounded down: 0.003 / 2 is 0.001.
    let bucket = TokenBucket::grpc(0.003, 0.001);
    assert!(bucket.withdraw(RetryCause::Transient, now).is_some());
}

#[test]
fn grpc_parameters_are_checked_as_a6_says() {
    for (max, ratio, message) in [
        (0.0, 0.1, "`max_tokens` must be from 0.001 to 1000, got 0.0"),
        (
            1000.001,
            0.1,
            "`max_tokens` must be from 0.001 to 1000, got 1000.001",
        ),
        (
            -1.0,
            0.1,
            "`max_tokens` must be from 0.001 to 1000, got -1.0",
        ),
        (
            f64::NAN,
            0.1,
            "`max_tokens` must be from 0.001 to 1000, got NaN",
        ),
        (
            10.0,
            0.0,
            "`token_ratio` must be a finite number of at least 0.001, got 0.0",
        ),
        (
            10.0,
            -0.5,
            "`token_ratio` must be a finite number of at least 0.001, got -0.5",
        ),
        (
            10.0,
            f64::INFINITY,
            "`token_ratio` must be a finite number of at least 0.001, got inf",
        ),
    ] {
        let err = TokenBucket::try_grpc(max, ratio).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(err.budget(), "TokenBucket::grpc");
        let panic = panic_message(move || {
            TokenBucket::grpc(max, ratio);
        });
        assert_eq!(panic, format!("persevere: TokenBucket::grpc: {message}"));
    }
    assert_eq!(TokenBucket::grpc(1000.0, 1e9).capacity(), 1000.0);
}

// ---------------------------------------------------------------- the general builder

#[test]
fn the_builder_defaults_are_brookers_adaptive_bucket() {
    let now = Instant::now();
    let bucket = TokenBucket::builder(10.0).build();
    assert_eq!(bucket.tokens(), 10.0);
    for cause in CAUSES {
        assert_eq!(bucket.withdraw(cause, now), Some(Withdrawal::new(1_000)));
    }
    bucket.on_failure(RetryCause::Transient, now);
    assert_eq!(bucket.tokens(), 6.0);
    bucket.on_success(Some(Withdrawal::new(1_000)), now); // no refund: the reward
    assert_eq!(bucket.tokens(), 6.1);
}

#[test]
fn the_builder_sets_each_rule() {
    let now = Instant::now();
    let bucket = TokenBucket::builder(20.0)
        .initial(12.0)
        .retry_cost(1.5)
        .timeout_cost(3.0)
        .throttling_cost(0.5)
        .hedge_cost(0.25)
        .failure_cost(0.75)
        .success_reward(2.0)
        .refund_retry_cost(true)
        .refuse_at_or_below(8.0)
        .build();
    /// What happens to the bucket, in order.
    enum Step {
        Withdraw(RetryCause, bool),
        Failure,
        Refund(u64),
        Success,
    }
    use Step::*;
    for (step, tokens) in [
        (Withdraw(RetryCause::Timeout, true), 9.0),
        (Withdraw(RetryCause::Throttled, true), 8.5),
        (Withdraw(RetryCause::Hedge, true), 8.25),
        (Withdraw(RetryCause::Transient, true), 6.75),
        (Withdraw(RetryCause::Hedge, false), 6.75), // at or below 8: refused
        (Failure, 6.0),
        (Refund(1_500), 7.5),
        (Success, 9.5),
    ] {
        match step {
            Withdraw(cause, granted) => {
                assert_eq!(bucket.withdraw(cause, now).is_some(), granted, "{cause:?}")
            }
            Failure => bucket.on_failure(RetryCause::Transient, now),
            Refund(amount) => bucket.on_success(Some(Withdrawal::new(amount)), now),
            Success => bucket.on_success(None, now),
        }
        assert_eq!(bucket.tokens(), tokens);
    }
    for _ in 0..10 {
        bucket.on_success(None, now);
    }
    assert_eq!(bucket.tokens(), 20.0);
}

#[test]
fn a_free_retry_without_threshold_is_always_granted_and_tokens_stop_at_zero() {
    let now = Instant::now();
    let bucket = TokenBucket::builder(1.0)
        .retry_cost(0.0)
        .failure_cost(0.4)
        .build();
    for _ in 0..5 {
        bucket.on_failure(RetryCause::Transient, now);
    }
    assert_eq!(bucket.tokens(), 0.0);
    assert_eq!(
        bucket.withdraw(RetryCause::Transient, now),
        Some(Withdrawal::new(0))
    );
}

#[test]
fn builder_rules_are_checked_with_messages_naming_the_range() {
    let b = || TokenBucket::builder(10.0);
    for (builder, message) in [
        (
            TokenBucket::builder(0.0),
            "`capacity` must be a finite number of at least 0.001, got 0.0",
        ),
        (
            TokenBucket::builder(0.0004),
            "`capacity` must be a finite number of at least 0.001, got 0.0004",
        ),
        (
            TokenBucket::builder(f64::NAN),
            "`capacity` must be a finite number of at least 0.001, got NaN",
        ),
        (
            b().retry_cost(-1.0),
            "`retry_cost` must be a finite number of at least 0, got -1.0",
        ),
        (
            b().timeout_cost(f64::NAN),
            "`timeout_cost` must be a finite number of at least 0, got NaN",
        ),
        (
            b().throttling_cost(-0.1),
            "`throttling_cost` must be a finite number of at least 0, got -0.1",
        ),
        (
            b().hedge_cost(f64::INFINITY),
            "`hedge_cost` must be a finite number of at least 0, got inf",
        ),
        (
            b().failure_cost(-2.0),
            "`failure_cost` must be a finite number of at least 0, got -2.0",
        ),
        (
            b().success_reward(-0.1),
            "`success_reward` must be a finite number of at least 0, got -0.1",
        ),
        (
            b().initial(10.5),
            "`initial` must be from 0 to the capacity, got 10.5",
        ),
        (
            b().initial(-1.0),
            "`initial` must be from 0 to the capacity, got -1.0",
        ),
        (
            b().refuse_at_or_below(11.0),
            "`refuse_at_or_below` must be from 0 to the capacity, got 11.0",
        ),
    ] {
        let err = builder.try_build().unwrap_err();
        assert_eq!(err.to_string(), message);
        let panic = panic_message(move || {
            builder.build();
        });
        assert_eq!(panic, format!("persevere: TokenBucket: {message}"));
    }
}

// ---------------------------------------------------------------- sharing

#[test]
fn references_arcs_and_boxes_are_budgets_of_the_same_state() {
    fn spend(budget: impl Budget, now: Instant) -> Option<Withdrawal> {
        budget.on_call(now);
        budget.on_failure(RetryCause::Transient, now);
        budget.withdraw(RetryCause::Transient, now)
    }
    let now = Instant::now();
    let bucket = TokenBucket::aws_standard();
    assert!(spend(&bucket, now).is_some());
    assert!(spend(Arc::new(bucket.clone()), now).is_some());
    let boxed: Box<dyn Budget> = Box::new(bucket.clone());
    assert!(spend(boxed, now).is_some());
    let shared: Arc<dyn Budget + Send + Sync> = Arc::new(bucket.clone());
    assert!(spend(&shared, now).is_some());
    assert_eq!(bucket.tokens(), 480.0);
}

// ---------------------------------------------------------------- 64 threads

const THREADS: usize = 64;

/// Runs `work(thread)` on 64 threads that start together.
fn hammer(work: impl Fn(usize) + Sync) {
    let start = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for thread in 0..THREADS {
            let (start, work) = (&start, &work);
            s.spawn(move || {
                start.wait();
                work(thread);
            });
        }
    });
}

#[test]
fn a_shared_bucket_loses_no_update_under_contention() {
    // Far from both bounds, so that every operation applies in full: the final count is
    // computable, and any lost update (a decrement or an increment) would change it.
    let bucket = TokenBucket::builder(1_000_000.0)
        .initial(500_000.0)
        .retry_cost(5.0)
        .failure_cost(1.0)
        .success_reward(1.0)
        .refund_retry_cost(true)
        .build();
    let now = Instant::now();
    hammer(|_| {
        for _ in 0..1_000 {
            bucket.on_failure(RetryCause::Transient, now); // -1
            bucket.on_failure(RetryCause::Transient, now); // -1
            let paid = bucket.withdraw(RetryCause::Transient, now); // -5
            assert!(paid.is_some());
            bucket.on_success(paid, now); // +5
            bucket.on_success(None, now); // +1
        }
    });
    assert_eq!(bucket.tokens(), 500_000.0 - (THREADS * 1_000) as f64);
}

#[test]
fn a_shared_aws_bucket_grants_exactly_capacity_over_cost() {
    let bucket = TokenBucket::aws_standard();
    let now = Instant::now();
    let granted = std::sync::atomic::AtomicUsize::new(0);
    hammer(|_| {
        let mine = drain(&bucket, RetryCause::Transient, now, 1_000);
        granted.fetch_add(mine, std::sync::atomic::Ordering::Relaxed);
        assert!(bucket.withdraw(RetryCause::Transient, now).is_none());
    });
    assert_eq!(granted.into_inner(), 100);
    assert_eq!(bucket.tokens(), 0.0);
}

#[test]
fn a_shared_aws_bucket_loses_no_refund_and_stays_within_its_bounds() {
    // Every granted retry is refunded by a success after it, and first-attempt successes are
    // mixed in. Tokens plus the costs not yet refunded never fall below 500 (a refund or a
    // reward can only be cut by the cap, when the bucket is full), so once every cost is back
    // the bucket must be exactly full: a lost refund would leave it short.
    let bucket = TokenBucket::aws_standard();
    let now = Instant::now();
    hammer(|thread| {
        for i in 0..2_000 {
            let cause = CAUSES[(thread + i) % 4];
            let paid = bucket.withdraw(cause, now);
            let tokens = bucket.tokens();
            assert!((0.0..=500.0).contains(&tokens), "{tokens}");
            bucket.on_success(None, now);
            if paid.is_some() {
                bucket.on_success(paid, now);
            }
            assert!(bucket.tokens() <= 500.0);
        }
    });
    assert_eq!(bucket.tokens(), 500.0);
}

#[test]
fn a_shared_grpc_bucket_counts_every_failure_and_success() {
    // Each thread fails before it succeeds, so the bucket never reaches its cap or zero:
    // 1000 - 64,000 * (1 - 0.999).
    let bucket = TokenBucket::grpc(1_000.0, 0.999);
    let now = Instant::now();
    hammer(|_| {
        for _ in 0..1_000 {
            bucket.on_failure(RetryCause::Transient, now);
            assert!(bucket.withdraw(RetryCause::Transient, now).is_some());
            bucket.on_success(None, now);
        }
    });
    assert_eq!(bucket.tokens(), 936.0);
}

#[test]
fn a_shared_ratio_budget_grants_exactly_what_the_calls_earned() {
    // Each thread makes 5 calls (one retry's credit) before each retry, at instants spread
    // over the window's ten slots (claimed concurrently), none expiring: every retry must be
    // granted, and the balance must come back to what the first call left.
    let budget = RatioBudget::new(0.2, 0, secs(10.0));
    let t0 = Instant::now();
    budget.on_call(t0); // fixes the window's origin at t0
    hammer(|thread| {
        for i in 0..200 {
            let now = t0 + Duration::from_secs(((thread + i) % 10) as u64);
            for _ in 0..5 {
                budget.on_call(now);
            }
            budget.on_failure(RetryCause::Transient, now);
            let paid = budget.withdraw(RetryCause::Transient, now);
            assert_eq!(paid, Some(Withdrawal::new(1_000)));
            budget.on_success(paid, now);
        }
    });
    assert_eq!(budget.balance(t0 + secs(9.0)), 0.2);
    assert!(
        budget
            .withdraw(RetryCause::Transient, t0 + secs(9.0))
            .is_none()
    );
    assert_eq!(budget.balance(t0 + secs(19.0)), 0.0);
}

#[test]
fn a_shared_ratio_budget_grants_each_credit_once() {
    // 64 threads race for 20 retries' credit and the floor's 100.
    let budget = RatioBudget::new(0.2, 10, secs(10.0));
    let now = Instant::now();
    for _ in 0..100 {
        budget.on_call(now);
    }
    let granted = std::sync::atomic::AtomicUsize::new(0);
    hammer(|_| {
        let mine = drain(&budget, RetryCause::Hedge, now, 10);
        granted.fetch_add(mine, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(granted.into_inner(), 120);
    assert_eq!(budget.balance(now), 0.0);
}

#[test]
fn one_policy_and_one_bucket_shared_by_64_threads_count_every_call_exactly() {
    // Each call fails (thread + i) % 4 times, then succeeds (max_tries 4). The bucket is far
    // from its bounds, so every retry is granted and every refund applies in full: each call
    // makes exactly its attempts, each handler runs once per event, and the bucket ends at
    // what the unrefunded retries cost (each success refunds its call's last retry).
    const CALLS: usize = 200;
    let bucket = TokenBucket::builder(1_000_000.0)
        .initial(500_000.0)
        .retry_cost(5.0)
        .failure_cost(0.0)
        .success_reward(0.0)
        .refund_retry_cost(true)
        .build();
    let backoffs = AtomicUsize::new(0);
    let successes = AtomicUsize::new(0);
    let policy = persevere::on_error(persevere::constant(Duration::ZERO))
        .max_tries(4)
        .budget(bucket.clone())
        .on_backoff(|_| {
            backoffs.fetch_add(1, Ordering::Relaxed);
        })
        .on_success(|_| {
            successes.fetch_add(1, Ordering::Relaxed);
        })
        .clock(persevere::testing::VirtualClock::new());
    let failures_of = |thread: usize, i: usize| (thread + i) % 4;
    hammer(|thread| {
        for i in 0..CALLS {
            let failures = failures_of(thread, i);
            let mut attempts = 0;
            let result: Result<usize, usize> = policy.retry(|| {
                attempts += 1;
                if attempts > failures {
                    Ok(attempts)
                } else {
                    Err(attempts)
                }
            });
            assert_eq!(result, Ok(failures + 1), "thread {thread}, call {i}");
        }
    });
    let all = || (0..THREADS).flat_map(|t| (0..CALLS).map(move |i| failures_of(t, i)));
    assert_eq!(backoffs.into_inner(), all().sum::<usize>());
    assert_eq!(successes.into_inner(), THREADS * CALLS);
    let unrefunded: usize = all().map(|f| f.saturating_sub(1)).sum();
    assert_eq!(bucket.tokens(), 500_000.0 - 5.0 * unrefunded as f64);
}

// ---------------------------------------------------------------- against simple models

mod models {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Call,
        Failure(RetryCause),
        Withdraw(RetryCause),
        /// A success; after the call's last withdrawal if `true`.
        Success(bool),
    }

    fn cause() -> impl Strategy<Value = RetryCause> {
        prop::sample::select(CAUSES.to_vec())
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Call),
            cause().prop_map(Op::Failure),
            cause().prop_map(Op::Withdraw),
            any::<bool>().prop_map(Op::Success),
        ]
    }

    /// The token bucket's rules written the plain way, in thousandths.
    struct Bucket {
        tokens: u64,
        capacity: u64,
        costs: [u64; 4],
        failure: u64,
        reward: u64,
        refund: bool,
        floor: Option<u64>,
    }

    impl Bucket {
        fn withdraw(&mut self, cause: RetryCause) -> Option<u64> {
            let cost = self.costs[CAUSES.iter().position(|&c| c == cause).unwrap()];
            let above = self.floor.is_none_or(|f| self.tokens > f);
            (above && self.tokens >= cost).then(|| {
                self.tokens -= cost;
                cost
            })
        }

        fn success(&mut self, last: Option<u64>) {
            let earned = match last {
                Some(cost) if self.refund => cost,
                _ => self.reward,
            };
            self.tokens = (self.tokens + earned).min(self.capacity);
        }
    }

    fn presets() -> [(TokenBucket, Bucket); 3] {
        let aws = |costs, tokens| Bucket {
            tokens,
            capacity: 500_000,
            costs,
            failure: 0,
            reward: 1_000,
            refund: true,
            floor: None,
        };
        [
            (
                TokenBucket::aws_standard(),
                aws([5_000, 10_000, 5_000, 5_000], 500_000),
            ),
            (
                TokenBucket::aws_2026(),
                aws([14_000, 14_000, 5_000, 14_000], 500_000),
            ),
            (
                TokenBucket::grpc(10.0, 0.3),
                Bucket {
                    tokens: 10_000,
                    capacity: 10_000,
                    costs: [0; 4],
                    failure: 1_000,
                    reward: 300,
                    refund: false,
                    floor: Some(5_000),
                },
            ),
        ]
    }

    proptest! {
        #[test]
        fn presets_follow_their_rules_step_by_step(ops in prop::collection::vec(op(), 0..400)) {
            let now = Instant::now();
            for (bucket, mut model) in presets() {
                let mut last = None;
                for &op in &ops {
                    match op {
                        Op::Call => bucket.on_call(now),
                        Op::Failure(cause) => {
                            bucket.on_failure(cause, now);
                            model.tokens = model.tokens.saturating_sub(model.failure);
                        }
                        Op::Withdraw(cause) => {
                            let got = bucket.withdraw(cause, now);
                            prop_assert_eq!(got.map(Withdrawal::amount), model.withdraw(cause));
                            last = got.or(last);
                        }
                        Op::Success(after_retry) => {
                            let paid = if after_retry { last.take() } else { None };
                            bucket.on_success(paid, now);
                            model.success(paid.map(Withdrawal::amount));
                        }
                    }
                    prop_assert_eq!(bucket.tokens(), model.tokens as f64 / 1e3);
                }
            }
        }

        #[test]
        fn a_ratio_budget_counts_the_last_ten_slots(
            ops in prop::collection::vec((0u64..40_000, prop::bool::weighted(0.7)), 1..300),
            reads in prop::collection::vec(0u64..60_000, 1..10),
        ) {
            // 20 %, 1 retry a second, 10 s: slots of 1 s from the first instant seen.
            let budget = RatioBudget::new(0.2, 1, secs(10.0));
            let t0 = Instant::now();
            let origin = ops[0].0;
            let mut latest = 0u64;
            let mut counts: Vec<(u64, i64)> = Vec::new(); // (slot, thousandths)
            let live = |counts: &[(u64, i64)], at: u64| -> i64 {
                counts.iter().filter(|&&(s, _)| s + 10 > at).map(|&(_, c)| c).sum::<i64>()
            };
            for &(ms, is_call) in &ops {
                let now = t0 + Duration::from_millis(ms);
                latest = latest.max(ms.saturating_sub(origin) / 1_000);
                if is_call {
                    budget.on_call(now);
                    counts.push((latest, 200));
                } else {
                    let granted = 10_000 + live(&counts, latest) >= 1_000;
                    prop_assert_eq!(budget.withdraw(RetryCause::Transient, now).is_some(), granted);
                    if granted {
                        counts.push((latest, -1_000));
                    }
                }
            }
            for ms in reads {
                let at = latest.max(ms.saturating_sub(origin) / 1_000);
                let expected = (10_000 + live(&counts, at)) as f64 / 1e3;
                prop_assert_eq!(budget.balance(t0 + Duration::from_millis(ms)), expected);
            }
        }
    }
}
