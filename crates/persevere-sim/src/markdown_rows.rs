//! Reading the metastable results for the markdown: one row's outcome, and how its recovery
//! reads in a sentence. Shared by the scenario's sections (`markdown_metastable`,
//! `markdown_anchors`, `markdown_findings`).

use crate::metastable::Trigger;
use crate::metastable_measure::Outcome;
use crate::report_metastable::Row;

pub(crate) fn find(rows: &[Row], trigger: Trigger, name: &str) -> Option<Outcome> {
    rows.iter()
        .find(|r| r.trigger == trigger && r.policy.name == name)
        .map(|r| r.outcome)
}

/// "back after N s" or "not back within the run", for sentences.
pub(crate) fn back(o: &Outcome) -> String {
    o.recovery_s.map_or_else(
        || "not back within the run".to_string(),
        |s| format!("back after {s:.0} s"),
    )
}

pub(crate) fn recovery(o: &Outcome) -> String {
    o.recovery_s
        .map_or_else(|| "**stays down**".to_string(), |s| format!("{s:.0} s"))
}
