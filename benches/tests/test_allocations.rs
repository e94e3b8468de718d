//! A retrying call allocates nothing: success or failure, blocking or async, with or without
//! `max_time` (counted by a global allocator that counts per thread).

use persevere_benches::alloc_count::{Counting, allocations};
use persevere_benches::allocations;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn persevere_calls_allocate_nothing() {
    let rows = allocations::persevere();
    assert_eq!(rows.len(), 8);
    for (scenario, implementation, per_call) in rows {
        assert_eq!(per_call, 0.0, "{implementation} allocates in {scenario}");
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Guards against a counter that always says zero.
    let before = allocations();
    let v = std::hint::black_box(vec![1u8; 64]);
    assert_eq!(allocations() - before, 1);
    drop(v);
}
