//! The page's section on one wave of calls against retry budgets, written from the rows just
//! computed.

use crate::budgets::BudgetKind;
use crate::report::OutageRow;
use crate::wave;
use std::fmt::Write;

/// The section: the setup, a table per budget and `max_tries`, and what it shows;
/// `outage_runs` runs per row.
pub fn section(rows: &[OutageRow], outage_runs: u32) -> String {
    let mut md = format!(
        "\n## One wave of calls with a retry budget\n\n\
         The budgets' bound above holds for sustained load: 5 s of normal load before the \
         outage paid for the retries during it. A burst is another shape. Here {} calls start \
         within the same millisecond while the server fails every attempt (the outage lasts \
         longer than any call retries), with full jitter and one budget shared by all the calls \
         (`persevere_sim::wave`; the rows are in `docs/simulation/wave.csv`). Amplification is \
         attempts per call; means of {} runs.\n\n\
         | budget | max_tries | amplification | calls that gave up | retries refused |\n\
         |---|---:|---:|---:|---:|\n",
        wave::CALLS,
        outage_runs
    );
    for r in rows {
        let o = r.outcome;
        let _ = writeln!(
            md,
            "| {} | {} | {:.3} | {:.0} | {:.0} |",
            r.budget, r.max_tries, o.amplification, o.gave_up, o.refused
        );
    }
    let at = |budget, max_tries| {
        rows.iter()
            .find(|r| r.budget == budget && r.max_tries == max_tries)
            .map(|r| r.outcome.amplification)
    };
    if let (Some(ratio), Some(aws), Some(grpc3), Some(grpc5)) = (
        at(BudgetKind::Ratio, 3),
        at(BudgetKind::AwsStandard, 3),
        at(BudgetKind::Grpc, 3),
        at(BudgetKind::Grpc, 5),
    ) {
        let calls = wave::CALLS;
        let _ = write!(
            md,
            "\nWhat it shows: in a wave a budget grants what it holds when the wave comes, and \
             the wave's own calls add little. **ratio** gives {ratio:.2} whatever `max_tries`: \
             its floor of 10 retries a second over the 10 s window is 100 retries available at \
             once, and each of the {calls} calls earns a fifth of a retry ({}), so ({calls} + 100 \
             + {}) / {calls} = {:.2}; the smaller the wave, the more that floor weighs. Under \
             sustained load the same budget stays at or below 1.21, because there the floor is \
             spread over 10,000 requests. **aws_standard** gives {aws:.2}: its 500 tokens pay \
             for 100 retries. **grpc** refuses nothing until failed attempts have taken the \
             bucket down to 500 of its 1000 tokens: with `max_tries` 3 the wave makes only 600 \
             attempts, so every retry is allowed ({grpc3:.2}); with 5 about 500 failed attempts \
             are retried, then none ({grpc5:.2}).\n",
            calls / 5,
            calls / 5,
            (calls as f64 * 1.2 + 100.0) / calls as f64,
        );
    }
    md
}
