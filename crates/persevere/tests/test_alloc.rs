//! Zero heap allocations per call: on the success path and per retry, blocking and async.
//!
//! One test in this binary, so that no other test allocates while it counts; the counter sees
//! every thread.

#![deny(clippy::undocumented_unsafe_blocks)]

use persevere::{Jitter, expo, on_error};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract holds exactly as it does for `System`; the counter is a relaxed
// atomic that touches no allocator state.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded as received (see the impl's comment).
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded as received.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_during(mut f: impl FnMut()) -> usize {
    f(); // warm-up: thread-locals, the executor's parker
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    f();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn calls_that_fail_twice_then_succeed_allocate_nothing() {
    // Sanity: the counter counts.
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 16]))) >= 1);

    let blocking = on_error(expo())
        .jitter(Jitter::Full)
        .max_tries(5)
        .sleeper(|_: Duration| {});
    let blocking_allocs = allocations_during(|| {
        let mut calls = 0;
        let r = blocking.retry(|| {
            calls += 1;
            if calls < 3 { Err("busy") } else { Ok(calls) }
        });
        assert_eq!(r, Ok(3));
    });
    assert_eq!(blocking_allocs, 0, "blocking call");

    let success_allocs =
        allocations_during(|| assert_eq!(blocking.retry(|| Ok::<_, &str>(1)), Ok(1)));
    assert_eq!(success_allocs, 0, "success path");

    let async_policy = on_error(expo())
        .jitter(Jitter::Full)
        .max_tries(5)
        .sleeper(|_: Duration| std::future::ready(()));
    let async_allocs = allocations_during(|| {
        let mut calls = 0;
        let r = futures_lite::future::block_on(async_policy.retry_async(|| {
            calls += 1;
            let n = calls;
            async move { if n < 3 { Err("busy") } else { Ok(n) } }
        }));
        assert_eq!(r, Ok(3));
    });
    assert_eq!(async_allocs, 0, "async call");

    // Parts that borrow local state (a filter, handlers, a limit closure, a custom jitter)
    // are part of the policy's type: building and running it allocates nothing either.
    let backoffs = std::cell::Cell::new(0);
    let transient = ["busy"];
    let tries = 5u32;
    let borrowing_allocs = allocations_during(|| {
        let policy = on_error(expo())
            .when(|e: &&str| transient.contains(e))
            .max_tries(|| tries)
            .jitter(Jitter::custom(|d, u| d.mul_f64(u)))
            .on_backoff(|_| backoffs.set(backoffs.get() + 1))
            .on_success(|d| assert!(d.tries() <= tries))
            .sleeper(|_: Duration| {});
        let mut calls = 0;
        let r = policy.retry(|| {
            calls += 1;
            if calls < 3 { Err("busy") } else { Ok(calls) }
        });
        assert_eq!(r, Ok(3));
    });
    assert_eq!(
        borrowing_allocs, 0,
        "borrowing parts, policy built in the measured call"
    );
    assert_eq!(backoffs.get(), 4, "two backoffs in each of the two runs");

    // A budget, an adaptive throttle and a circuit breaker in front of every attempt: each
    // decision asks them, and none allocates.
    #[derive(Debug, PartialEq)]
    enum Guarded {
        Busy,
        Refused,
    }
    impl From<persevere::Refused> for Guarded {
        fn from(_: persevere::Refused) -> Self {
            Guarded::Refused
        }
    }
    let guarded = on_error(expo())
        .jitter(Jitter::Full)
        .max_tries(5)
        .budget(persevere::budget::RatioBudget::default())
        .gate((
            persevere::budget::AdaptiveThrottle::default(),
            persevere::breaker::CircuitBreaker::default(),
        ))
        .sleeper(|_: Duration| {});
    // An empty throttle refuses retries until it has seen accepts (its cold start): ten
    // successes first, so that the two retries below stay under K = 2 times the accepts.
    for _ in 0..10 {
        assert_eq!(guarded.retry(|| Ok::<_, Guarded>(0)), Ok(0));
    }
    let guarded_allocs = allocations_during(|| {
        let mut calls = 0;
        let r = guarded.retry(|| {
            calls += 1;
            if calls < 3 {
                Err(Guarded::Busy)
            } else {
                Ok(calls)
            }
        });
        assert_eq!(r, Ok(3));
    });
    assert_eq!(guarded_allocs, 0, "budget, throttle and breaker");
}
