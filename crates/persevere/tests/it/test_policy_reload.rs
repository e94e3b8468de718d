//! `config::ReloadablePolicy`: policies replaced while calls run, each call under one policy
//! from its start to its end.
#![cfg(feature = "config")]

use persevere::Details;
use persevere::config::{PolicySpec, ReloadablePolicy};
use persevere::testing::VirtualClock;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// Policy `i` makes `i + 2` attempts and waits `i + 1` ms between them: a call's attempts and
/// waits say which policy ran it.
fn spec(i: u32) -> PolicySpec {
    PolicySpec::from_toml(&format!(
        "max-tries = {}\nwait = \"constant\"\ninterval = \"{}ms\"\njitter = \"none\"",
        i + 2,
        i + 1
    ))
    .unwrap()
}

thread_local! {
    /// The waits of the call running on this thread, told by the policy's own handler.
    static WAITS: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

/// 64 threads call while the policy is replaced between calls, and during them (the
/// operation itself replaces it at its first attempt): every call makes exactly the
/// attempts of one policy and waits that policy's waits, never a mix.
#[test]
fn each_call_runs_under_one_policy_while_64_threads_replace_it() {
    const THREADS: u32 = 64;
    const CALLS: u32 = 50;
    let clock = VirtualClock::new();
    let policy = ReloadablePolicy::with(spec(0), move |s| {
        s.build()
            .clock(clock.clone())
            .on_backoff(|d: &Details<'_, (), u32>| {
                WAITS.with(|w| w.borrow_mut().push(d.wait().unwrap_or_default()))
            })
    });
    let specs: Arc<Vec<PolicySpec>> = Arc::new((0..4).map(spec).collect());
    let seen = Arc::new([(); 4].map(|()| AtomicU32::new(0)));
    let start = Arc::new(Barrier::new(THREADS as usize));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (policy, specs, seen, start) =
                (policy.clone(), specs.clone(), seen.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for call in 0..CALLS {
                    WAITS.with(|w| w.borrow_mut().clear());
                    let mut attempts = 0u32;
                    let next = &specs[((t + call) % 4) as usize];
                    let r: Result<(), u32> = if call % 2 == 0 {
                        policy.retry(|| {
                            attempts += 1;
                            if attempts == 1 {
                                policy.replace(next.clone()).unwrap();
                            }
                            Err(attempts)
                        })
                    } else {
                        // A call of one's own: the policy loaded once, specialised here.
                        let current = policy.policy();
                        current.call().retry(|| {
                            attempts += 1;
                            if attempts == 1 {
                                policy.replace(next.clone()).unwrap();
                            }
                            Err(attempts)
                        })
                    };
                    assert_eq!(r, Err(attempts));
                    let i = attempts.checked_sub(2).filter(|i| *i < 4);
                    let i = i.unwrap_or_else(|| panic!("{attempts} attempts: no policy's"));
                    let waits = WAITS.with(|w| w.borrow().clone());
                    assert_eq!(
                        waits,
                        vec![Duration::from_millis(u64::from(i) + 1); (attempts - 1) as usize],
                        "a call of {attempts} attempts waited another policy's waits"
                    );
                    seen[i as usize].fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let seen: Vec<u32> = seen.iter().map(|n| n.load(Ordering::Relaxed)).collect();
    assert_eq!(seen.iter().sum::<u32>(), THREADS * CALLS);
    // Every policy ran some calls: the replacements did take effect.
    assert!(seen.iter().all(|n| *n > 0), "{seen:?}");
}

/// A call whose first attempt never answers and whose later ones answer at once: its
/// outcome, or `None` if it still waits after a minute.
async fn first_attempt_hangs(policy: &ReloadablePolicy) -> Option<Result<u32, &'static str>> {
    let attempts = AtomicU32::new(0);
    let call = policy.retry_async(|| {
        let n = attempts.fetch_add(1, Ordering::Relaxed) + 1;
        async move {
            if n == 1 {
                std::future::pending::<()>().await;
            }
            Ok(n)
        }
    });
    tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .ok()
}

/// The spec's hedging applies to async calls: a first attempt that hangs is hedged after the
/// spec's delay, and the hedge's answer wins; after a replace without hedging, it is not.
#[tokio::test(start_paused = true)]
async fn async_calls_are_hedged_as_the_spec_says() {
    let hedged =
        PolicySpec::from_toml("max-tries = 3\nhedge = { delay = \"50ms\", max-in-flight = 2 }")
            .unwrap();
    let policy = ReloadablePolicy::new(hedged).unwrap();
    let start = tokio::time::Instant::now();
    assert_eq!(first_attempt_hangs(&policy).await, Some(Ok(2)));
    assert_eq!(start.elapsed(), Duration::from_millis(50));

    policy.replace(spec(0)).unwrap();
    assert_eq!(first_attempt_hangs(&policy).await, None);
}

/// `new` refuses an attempt timeout it could not apply, and keeps the policy it has.
#[test]
fn new_refuses_an_attempt_timeout_rather_than_drop_it() {
    let timed = PolicySpec::from_toml("attempt-timeout = \"1s\"").unwrap();
    assert_eq!(
        ReloadablePolicy::new(timed.clone()).unwrap_err().path(),
        "attempt-timeout"
    );
    let policy = ReloadablePolicy::new(spec(1)).unwrap();
    assert!(policy.replace(timed).is_err());
    assert_eq!(*policy.spec(), spec(1));
}
