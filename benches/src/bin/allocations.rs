//! `allocations`: heap allocations per call of each scenario, with a counting global
//! allocator. Prints `scenario,implementation,allocations_per_call`.

use persevere_benches::alloc_count::Counting;
use persevere_benches::allocations;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let mut rows = allocations::persevere();
    rows.extend(allocations::others());
    println!("scenario,implementation,allocations_per_call");
    for (scenario, implementation, per_call) in rows {
        println!("{scenario},{implementation},{per_call}");
    }
}
