//! Every implementation of a scenario does the same work: success after up to four failures,
//! the last error after five (MAX_TRIES attempts, the first included).

use persevere::Jitter;
use persevere_benches::{
    Busy, MAX_TIME, MAX_TRIES, hand, on_backon, on_retry_crate, on_tokio_retry, poll,
    with_persevere,
};

fn expected(fails: u32) -> Result<u32, Busy> {
    if fails < MAX_TRIES { Ok(7) } else { Err(Busy) }
}

#[test]
fn blocking_implementations_agree() {
    for full in [false, true] {
        let jitter = if full { Jitter::Full } else { Jitter::None };
        for max_time in [None, Some(MAX_TIME)] {
            let policy = with_persevere::policy(jitter, max_time);
            let builder = on_backon::builder(full, max_time.is_some());
            for fails in 0..=6 {
                let want = expected(fails);
                assert_eq!(
                    with_persevere::call(&policy, fails),
                    want,
                    "persevere {fails}"
                );
                assert_eq!(hand::call(fails, &jitter, max_time), want, "hand {fails}");
                assert_eq!(on_backon::call(fails, builder), want, "backon {fails}");
                assert_eq!(on_retry_crate::call(fails, full), want, "retry {fails}");
            }
        }
    }
}

#[test]
fn async_implementations_agree() {
    for full in [false, true] {
        let jitter = if full { Jitter::Full } else { Jitter::None };
        let policy = with_persevere::policy(jitter, None);
        let builder = on_backon::builder(full, false);
        for fails in 0..=6 {
            let want = expected(fails);
            assert_eq!(poll::now(with_persevere::call_async(&policy, fails)), want);
            assert_eq!(poll::now(hand::call_async(fails, &jitter, None)), want);
            assert_eq!(poll::now(on_backon::call_async(fails, builder)), want);
        }
    }
}

#[test]
fn tokio_timer_implementations_agree() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let policy = with_persevere::tokio_policy(Jitter::Full);
    let builder = on_backon::builder(true, false);
    for fails in [0, 3, 5] {
        let want = expected(fails);
        assert_eq!(
            rt.block_on(with_persevere::call_tokio(&policy, fails)),
            want
        );
        assert_eq!(rt.block_on(hand::call_tokio(fails, &Jitter::Full)), want);
        assert_eq!(rt.block_on(on_backon::call_tokio(fails, builder)), want);
        assert_eq!(rt.block_on(on_tokio_retry::call_async(fails, true)), want);
    }
}

#[test]
fn one_delay_stays_under_the_cap() {
    let strategy = with_persevere::one_delay_strategy();
    let mut state = strategy;
    let mut rng = persevere::Rng::seeded(1);
    let cap = std::time::Duration::from_secs(60);
    for _ in 0..100 {
        let d = with_persevere::one_delay(&strategy, &mut state, &mut rng, &Jitter::Full).unwrap();
        assert!(d <= cap);
    }
}
