//! `future_sizes`: the size of each library's retry future for the same operation (an async
//! closure whose future is ready at once, returning `Result<u32, Busy>`), with a ready
//! (zero-length) sleeper and with tokio's timer. Prints `implementation,sleeper,bytes`.

use persevere::Jitter;
use persevere_benches::{hand, on_backon, on_tokio_retry, with_persevere};
use std::mem::size_of_val;

fn main() {
    let policy = with_persevere::policy(Jitter::Full, None);
    let tokio_policy = with_persevere::tokio_policy(Jitter::Full);
    let builder = on_backon::builder(true, false);
    let rows: [(&str, &str, usize); 7] = [
        (
            "persevere",
            "ready",
            size_of_val(&with_persevere::call_async(&policy, 3)),
        ),
        (
            "persevere",
            "tokio",
            size_of_val(&with_persevere::call_tokio(&tokio_policy, 3)),
        ),
        (
            "hand",
            "ready",
            size_of_val(&hand::call_async(3, &Jitter::Full, None)),
        ),
        (
            "hand",
            "tokio",
            size_of_val(&hand::call_tokio(3, &Jitter::Full)),
        ),
        (
            "backon",
            "ready",
            size_of_val(&on_backon::call_async(3, builder)),
        ),
        (
            "backon",
            "tokio",
            size_of_val(&on_backon::call_tokio(3, builder)),
        ),
        (
            "tokio-retry",
            "tokio",
            size_of_val(&on_tokio_retry::call_async(3, true)),
        ),
    ];
    println!("implementation,sleeper,bytes");
    for (implementation, sleeper, bytes) in rows {
        println!("{implementation},{sleeper},{bytes}");
    }
    // The parts of persevere's future: the call's state and the strategy it clones into it.
    println!(
        "persevere call state (Retrying),-,{}",
        size_of_val(&policy.begin::<Result<u32, persevere_benches::Busy>>())
    );
    println!(
        "persevere strategy (Expo),-,{}",
        size_of_val(&persevere::expo())
    );
}
