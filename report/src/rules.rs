//! The views of a report per rule id of `docs/behaviour.md` and per error
//! code of the seed's table (the `spec` crate's [`rule_ids`] and
//! [`ERROR_CODES`]).

pub(crate) use spec::ERROR_CODES;
use spec::{rule_ids, ErrorCode};

use crate::model::{RunReport, Status, Totals};

/// A rule id and how the report's scenarios that name it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    /// The rule id.
    pub rule: String,
    /// The worst status of its scenarios; `None` when no scenario names it
    /// ("uncovered").
    pub status: Option<Status>,
    /// Its scenarios' statuses counted.
    pub counts: Totals,
    /// Whether the id is one of `spec`'s rule ids (a scenario may name an
    /// unknown id; it is listed after the known ones, never hidden).
    pub known: bool,
}

/// An error code and how the scenarios of its rules ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The code, its meaning and rules.
    pub code: ErrorCode,
    /// The worst status of the scenarios that name one of its rules; `None`
    /// when there is none ("uncovered").
    pub status: Option<Status>,
    /// Those scenarios' statuses counted (each scenario once).
    pub counts: Totals,
}

fn worst(counts: &Totals) -> Option<Status> {
    Status::ALL
        .iter()
        .rev()
        .copied()
        .find(|s| counts.get(*s) > 0)
}

/// One row per rule id of `spec`, in its order, then any other id the
/// scenarios name. A scenario counts under the rules it names, or, when it
/// failed under a rule checked on every trace, under that rule alone
/// ([`ScenarioReport::counted_rules`](crate::ScenarioReport::counted_rules)).
pub fn rule_rows(report: &RunReport) -> Vec<RuleRow> {
    let mut ids: Vec<(String, bool)> = rule_ids().iter().map(|r| (r.to_string(), true)).collect();
    for s in &report.scenarios {
        for r in s.counted_rules() {
            if !ids.iter().any(|(id, _)| id == r) {
                ids.push((r.to_string(), false));
            }
        }
    }
    ids.into_iter()
        .map(|(rule, known)| {
            let counts = Totals::count(
                report
                    .scenarios
                    .iter()
                    .filter(|s| s.counted_rules().contains(&rule.as_str())),
            );
            RuleRow {
                status: worst(&counts),
                rule,
                counts,
                known,
            }
        })
        .collect()
}

/// One row per error code 1–12.
pub fn code_rows(report: &RunReport) -> Vec<CodeRow> {
    ERROR_CODES
        .iter()
        .map(|code| {
            let counts = Totals::count(
                report
                    .scenarios
                    .iter()
                    .filter(|s| s.counted_rules().iter().any(|r| code.rules().contains(r))),
            );
            CodeRow {
                code: *code,
                status: worst(&counts),
                counts,
            }
        })
        .collect()
}

/// The label of a matrix cell: the status's, or `uncovered`.
pub fn cell_label(status: Option<Status>) -> &'static str {
    status.map_or("uncovered", Status::label)
}
