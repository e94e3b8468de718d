//! One wave of calls: `calls` requests start within the same millisecond while the server fails
//! every attempt, each retried by its own policy, all sharing one budget. How much a budget
//! lets through depends on the shape of the load: [`crate::outage`] is sustained load through
//! an outage, this is a single burst with no credit saved before it.

use crate::Strategy;
use crate::budgets::BudgetKind;
use crate::outage::{self, Setup};
use crate::report::OutageRow;

/// The calls of the published wave.
pub const CALLS: usize = 200;

/// The wave as an outage scenario: `calls` clients start one request each in the first
/// millisecond (requests stop starting after one interval), and the server fails every
/// attempt for an hour, longer than any request retries. Amplification is then attempts per
/// call; peak load and drain time mean nothing here.
///
/// ```
/// use persevere_sim::{budgets::BudgetKind, outage, wave, Strategy};
///
/// let o = outage::run(&wave::setup(10, 3, BudgetKind::None), Strategy::FullJitter, 1);
/// assert_eq!(o.amplification, 3.0); // every call fails three times
/// assert_eq!(o.gave_up, 10.0);
/// ```
pub fn setup(calls: usize, max_tries: u32, budget: BudgetKind) -> Setup {
    Setup {
        clients: calls,
        interval_ms: 1.0,
        capacity: 2.0,
        outage_start_ms: 0.0,
        outage_ms: 3_600_000.0,
        horizon_ms: 1.0,
        max_tries,
        budget,
    }
}

/// The published rows: [`CALLS`] calls, full jitter, every budget, `max_tries` 3 and 5, means
/// of `runs` seeded runs.
pub fn rows(runs: u32, seed: u64) -> Vec<OutageRow> {
    let mut rows = Vec::new();
    for max_tries in [3, 5] {
        for budget in BudgetKind::ALL {
            let strategy = Strategy::FullJitter;
            rows.push(OutageRow {
                strategy,
                max_tries,
                budget,
                outcome: outage::mean(&setup(CALLS, max_tries, budget), strategy, runs, seed),
            });
        }
    }
    rows
}
