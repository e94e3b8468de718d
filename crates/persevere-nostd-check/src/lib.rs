//! Uses every strategy and jitter of persevere-wait under `#![no_std]` (see Cargo.toml).
#![no_std]

use core::time::Duration;
use persevere_wait::{
    Jitter, Rng, Wait, constant, decay, decorrelated, expo, fibo, intervals, linear, next_wait,
};

/// The first wait of each strategy under each jitter, from a seeded random stream.
pub fn first_waits(seed: u64) -> [Option<Duration>; 30] {
    let mut rng = Rng::seeded(seed);
    let jitters = [
        Some(Jitter::None),
        Some(Jitter::Full),
        Some(Jitter::Equal),
        Some(Jitter::Random),
        Some(Jitter::Proportional(0.2)),
    ];
    let mut out = [None; 30];
    for (j, jitter) in jitters.into_iter().enumerate() {
        let waits = [
            first(&expo().max_value(Duration::from_secs(30)), jitter, &mut rng),
            first(&fibo(), jitter, &mut rng),
            first(&constant(Duration::from_millis(250)), jitter, &mut rng),
            first(
                &intervals([Duration::from_secs(1), Duration::from_secs(2)]),
                jitter,
                &mut rng,
            ),
            first(
                &linear(Duration::from_secs(1), Duration::from_secs(2)),
                jitter,
                &mut rng,
            ),
            first(&decay(Duration::from_secs(100), 3.0), jitter, &mut rng).max(first(
                &decorrelated(Duration::from_millis(5), Duration::from_secs(2)),
                jitter,
                &mut rng,
            )),
        ];
        out[j * 6..j * 6 + 6].copy_from_slice(&waits);
    }
    out
}

fn first<W: Wait<()>>(wait: &W, jitter: Option<Jitter>, rng: &mut Rng) -> Option<Duration> {
    let mut state = wait.start();
    next_wait(wait, &mut state, &(), jitter, rng)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
