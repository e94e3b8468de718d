//! Property tests over every wait strategy and jitter with extreme parameters: never a panic,
//! never a wrap-around; capped values never exceed the cap (except the documented `Random` and
//! `Proportional` jitters); expo, fibo and linear never decrease; full jitter stays in [0, d].

use persevere_wait::{
    Jitter, Rng, Wait, constant, decay, decorrelated, expo, fibo, linear, next_wait,
};
use proptest::prelude::*;
use std::time::Duration;

/// Durations from zero to `Duration::MAX`, weighted towards the edges.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        Just(Duration::new(u64::MAX, 0)),
        Just(Duration::from_nanos(1)),
        (0u64..=u64::MAX, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..1_000_000, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
    ]
}

/// Bases from 1 to 1e300.
fn base() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(1.0),
        Just(2.0),
        Just(1e300),
        1.0f64..1e300,
        1.0f64..10.0
    ]
}

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        Just(Jitter::Full),
        Just(Jitter::None),
        Just(Jitter::Equal),
        Just(Jitter::Random),
        (0.0f64..=1.0).prop_map(Jitter::Proportional),
    ]
}

/// The first `n` values of an iterator strategy.
fn values(it: impl Iterator<Item = Duration>, n: usize) -> Vec<Duration> {
    it.take(n).collect()
}

fn non_decreasing(v: &[Duration]) -> bool {
    v.windows(2).all(|w| w[0] <= w[1])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn expo_never_decreases_and_stays_under_its_cap(
        base in base(), factor in duration(), cap in proptest::option::of(duration()), n in 1usize..2_000
    ) {
        let strategy = match cap {
            Some(cap) => expo().base(base).factor(factor).max_value(cap),
            None => expo().base(base).factor(factor),
        };
        let v = values(strategy, n);
        prop_assert!(non_decreasing(&v), "{v:?}");
        if let Some(cap) = cap {
            prop_assert!(v.iter().all(|d| *d <= cap));
        }
    }

    #[test]
    fn fibo_never_decreases_and_stays_under_its_cap(
        factor in duration(), cap in proptest::option::of(duration()), n in 1usize..2_000
    ) {
        let strategy = match cap {
            Some(cap) => fibo().factor(factor).max_value(cap),
            None => fibo().factor(factor),
        };
        let v = values(strategy, n);
        prop_assert!(non_decreasing(&v));
        if let Some(cap) = cap {
            prop_assert!(v.iter().all(|d| *d <= cap));
        }
    }

    #[test]
    fn linear_never_decreases_and_stays_under_its_cap(
        start in duration(), step in duration(), cap in proptest::option::of(duration()), n in 1usize..2_000
    ) {
        let strategy = match cap {
            Some(cap) => linear(start, step).max_value(cap),
            None => linear(start, step),
        };
        let v = values(strategy, n);
        prop_assert!(non_decreasing(&v));
        if let Some(cap) = cap {
            prop_assert!(v.iter().all(|d| *d <= cap));
        }
    }

    #[test]
    fn decay_never_increases_and_stays_above_its_floor(
        initial in duration(), rate in prop_oneof![Just(0.0), 0.0f64..1e300, 0.0f64..10.0],
        floor in proptest::option::of(duration()), n in 1usize..2_000
    ) {
        let strategy = match floor {
            Some(floor) => decay(initial, rate).min_value(floor),
            None => decay(initial, rate),
        };
        let v = values(strategy, n);
        if floor.is_none_or(|f| f <= initial) {
            prop_assert!(v.windows(2).all(|w| w[0] >= w[1]), "{v:?}");
        }
        if let Some(floor) = floor {
            prop_assert!(v.iter().all(|d| *d >= floor));
        }
    }

    #[test]
    fn constant_is_constant(interval in duration(), n in 1usize..500) {
        prop_assert!(values(constant(interval), n).iter().all(|d| *d == interval));
    }

    #[test]
    fn decorrelated_stays_between_its_base_and_cap(
        base in duration().prop_filter("a base above zero", |d| !d.is_zero()),
        extra in duration(), seed in any::<u64>(), n in 1usize..2_000
    ) {
        let cap = base.saturating_add(extra);
        let strategy = decorrelated(base, cap);
        let mut state = Wait::<()>::start(&strategy);
        let mut rng = Rng::seeded(seed);
        for _ in 0..n {
            let d = strategy.next_delay(&mut state, &(), &mut rng).unwrap().duration;
            prop_assert!(d >= base && d <= cap, "{d:?} outside [{base:?}, {cap:?}]");
        }
    }

    #[test]
    fn every_jitter_keeps_its_documented_range(d in duration(), jitter in jitter(), seed in any::<u64>()) {
        let mut rng = Rng::seeded(seed);
        let j = jitter.apply(d, &mut rng);
        match jitter {
            Jitter::Full => prop_assert!(j <= d),
            Jitter::None => prop_assert_eq!(j, d),
            Jitter::Equal => prop_assert!(j >= d / 2 && j <= d),
            Jitter::Random => {
                prop_assert!(j >= d);
                prop_assert!(j <= d.saturating_add(Duration::from_secs(1)));
            }
            Jitter::Proportional(f) => {
                // d * U[1 - f, 1 + f], saturating; float rounding allows a nanosecond or so.
                let lo = d.as_secs_f64() * (1.0 - f);
                let hi = d.as_secs_f64() * (1.0 + f);
                let x = j.as_secs_f64();
                prop_assert!(x >= lo * (1.0 - 1e-9) - 1e-9, "{x} < {lo}");
                prop_assert!(j == Duration::MAX || x <= hi * (1.0 + 1e-9) + 1e-9, "{x} > {hi}");
            }
            _ => unreachable!("the generator makes only these"),
        }
    }

    #[test]
    fn the_next_wait_step_never_panics(
        base in base(), factor in duration(), cap in duration(), jitter in proptest::option::of(jitter()),
        seed in any::<u64>(), n in 1usize..300
    ) {
        let strategy = expo().base(base).factor(factor).max_value(cap);
        let mut state = Wait::<()>::start(&strategy);
        let mut rng = Rng::seeded(seed);
        for _ in 0..n {
            let wait = next_wait(&strategy, &mut state, &(), jitter, &mut rng).unwrap();
            if matches!(jitter, None | Some(Jitter::Full | Jitter::None | Jitter::Equal)) {
                prop_assert!(wait <= cap);
            }
        }
    }
}

/// A million steps of each strategy at the extremes: no panic, the values saturate.
#[test]
fn a_million_steps_saturate_without_panic() {
    const STEPS: usize = 1_000_000;
    assert_eq!(expo().base(1e300).nth(STEPS), Some(Duration::MAX));
    assert_eq!(expo().factor(Duration::MAX).nth(STEPS), Some(Duration::MAX));
    assert_eq!(fibo().nth(STEPS), Some(Duration::MAX));
    assert_eq!(
        linear(Duration::MAX, Duration::MAX).nth(STEPS),
        Some(Duration::MAX)
    );
    assert_eq!(
        linear(Duration::from_nanos(1), Duration::from_secs(u64::MAX / 4)).nth(STEPS),
        Some(Duration::MAX)
    );
    assert_eq!(decay(Duration::MAX, 1e300).nth(STEPS), Some(Duration::ZERO));
    assert_eq!(decay(Duration::MAX, 0.0).nth(STEPS), Some(Duration::MAX));
    let d = decorrelated(Duration::from_nanos(1), Duration::MAX);
    let mut state = Wait::<()>::start(&d);
    let mut rng = Rng::seeded(1);
    for _ in 0..STEPS {
        d.next_delay(&mut state, &(), &mut rng).unwrap();
    }
}
