//! `cargo bench -p persevere-benches`: each scenario for persevere, a hand-written loop, backon,
//! tokio-retry (async) and the `retry` crate (blocking), in one run. Groups are named
//! `<scenario>` and functions `<implementation>`; `scripts/bench.sh` reads their estimates from
//! `target/criterion/<scenario>/<implementation>/new/estimates.json`.

use backon::BackoffBuilder;
use criterion::{Criterion, criterion_group, criterion_main};
use persevere::{Jitter, Rng};
use persevere_benches::{
    FAILS, FIRST_WAIT, MAX_TIME, default_sleepers, hand, on_backon, on_retry_crate, on_tokio_retry,
    poll, with_persevere,
};
use std::hint::black_box;
use std::time::Duration;

fn jitter_of(full: bool) -> Jitter {
    if full { Jitter::Full } else { Jitter::None }
}

/// (a) success at the first try, and (b)/(c) three failures then success, blocking.
fn blocking(c: &mut Criterion, scenario: &str, fails: u32, full: bool, max_time: bool) {
    let mut g = c.benchmark_group(scenario);
    let jitter = jitter_of(full);
    let deadline = max_time.then_some(MAX_TIME);
    let policy = with_persevere::policy(jitter, deadline);
    g.bench_function("persevere", |b| {
        b.iter(|| with_persevere::call(&policy, black_box(fails)))
    });
    g.bench_function("hand", |b| {
        b.iter(|| hand::call(black_box(fails), &jitter, deadline))
    });
    let builder = on_backon::builder(full, max_time);
    g.bench_function("backon", |b| {
        b.iter(|| on_backon::call(black_box(fails), black_box(builder)))
    });
    if !max_time {
        g.bench_function("retry", |b| {
            b.iter(|| on_retry_crate::call(black_box(fails), full))
        });
    }
    g.finish();
}

/// The same, async, with a zero-length sleeper whose futures are ready at once.
fn not_blocking(c: &mut Criterion, scenario: &str, fails: u32, full: bool, max_time: bool) {
    let mut g = c.benchmark_group(scenario);
    let jitter = jitter_of(full);
    let deadline = max_time.then_some(MAX_TIME);
    let policy = with_persevere::policy(jitter, deadline);
    g.bench_function("persevere", |b| {
        b.iter(|| poll::now(with_persevere::call_async(&policy, black_box(fails))))
    });
    g.bench_function("hand", |b| {
        b.iter(|| poll::now(hand::call_async(black_box(fails), &jitter, deadline)))
    });
    let builder = on_backon::builder(full, max_time);
    g.bench_function("backon", |b| {
        b.iter(|| poll::now(on_backon::call_async(black_box(fails), black_box(builder))))
    });
    if fails == 0 && !max_time {
        // No retry, so no sleep: tokio-retry's future needs no runtime here.
        g.bench_function("tokio-retry", |b| {
            b.iter(|| poll::now(on_tokio_retry::call_async(black_box(fails), full)))
        });
    }
    g.finish();
}

/// Full jitter on tokio's timer (a paused current-thread runtime, `block_on` included in each
/// call), where tokio-retry can take part: it has no custom sleeper. `success_async_tokio_timer`
/// is a call that succeeds at once, `fail3_async_full_tokio_timer` three failures first.
fn on_tokio_timer(c: &mut Criterion, scenario: &str, fails: u32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a tokio runtime");
    let mut g = c.benchmark_group(scenario);
    let policy = with_persevere::tokio_policy(Jitter::Full);
    g.bench_function("persevere", |b| {
        b.iter(|| rt.block_on(with_persevere::call_tokio(&policy, black_box(fails))))
    });
    g.bench_function("hand", |b| {
        b.iter(|| rt.block_on(hand::call_tokio(black_box(fails), &Jitter::Full)))
    });
    let builder = on_backon::builder(true, false);
    g.bench_function("backon", |b| {
        b.iter(|| rt.block_on(on_backon::call_tokio(black_box(fails), builder)))
    });
    g.bench_function("tokio-retry", |b| {
        b.iter(|| rt.block_on(on_tokio_retry::call_async(black_box(fails), true)))
    });
    g.finish();
}

/// (d) One delay computed with full jitter, in the strategies' steady state (at the cap).
fn one_delay(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_delay_full");
    let strategy = with_persevere::one_delay_strategy();
    let mut state = strategy;
    let mut rng = Rng::seeded(1);
    g.bench_function("persevere", |b| {
        b.iter(|| with_persevere::one_delay(&strategy, &mut state, &mut rng, &Jitter::Full))
    });
    let mut delay = FIRST_WAIT;
    let mut rng = Rng::seeded(1);
    g.bench_function("hand", |b| {
        b.iter(|| hand::one_delay(&mut delay, &mut rng, &Jitter::Full))
    });
    let mut backoff = backon::ExponentialBuilder::new()
        .with_jitter()
        .without_max_times()
        .build();
    g.bench_function("backon", |b| b.iter(|| backoff.next()));
    let mut tokio_retry = on_tokio_retry::one_delay_strategy();
    g.bench_function("tokio-retry", |b| {
        b.iter(|| on_tokio_retry::one_delay(&mut tokio_retry))
    });
    let mut retry = on_retry_crate::one_delay_strategy();
    g.bench_function("retry", |b| {
        b.iter(|| on_retry_crate::one_delay(&mut retry))
    });
    g.finish();
}

/// Three failures of a zero constant wait, each library with its default blocking sleeper.
fn default_sleeper(c: &mut Criterion) {
    let mut g = c.benchmark_group("fail3_zero_default_sleeper");
    let policy = default_sleepers::policy();
    g.bench_function("persevere", |b| {
        b.iter(|| default_sleepers::persevere_default(&policy, black_box(FAILS)))
    });
    let noop = default_sleepers::policy().sleeper(|d: Duration| {
        black_box(d);
    });
    g.bench_function("persevere_noop_sleeper", |b| {
        b.iter(|| noop.retry(persevere_benches::flaky(black_box(FAILS))))
    });
    g.bench_function("hand", |b| {
        b.iter(|| default_sleepers::hand(black_box(FAILS)))
    });
    g.bench_function("backon", |b| {
        b.iter(|| default_sleepers::backon_default(black_box(FAILS)))
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    blocking(c, "success_blocking", 0, true, false);
    not_blocking(c, "success_async", 0, true, false);
    for full in [false, true] {
        let j = if full { "full" } else { "nojitter" };
        blocking(c, &format!("fail3_blocking_{j}"), FAILS, full, false);
        not_blocking(c, &format!("fail3_async_{j}"), FAILS, full, false);
        blocking(
            c,
            &format!("fail3_max_time_blocking_{j}"),
            FAILS,
            full,
            true,
        );
        not_blocking(c, &format!("fail3_max_time_async_{j}"), FAILS, full, true);
    }
    on_tokio_timer(c, "success_async_tokio_timer", 0);
    on_tokio_timer(c, "fail3_async_full_tokio_timer", FAILS);
    one_delay(c);
    default_sleeper(c);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = all
}
criterion_main!(benches);
