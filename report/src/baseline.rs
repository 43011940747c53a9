//! Baselines: a file of the scenarios expected not to pass, so CI fails
//! only on new failures and reports the ones that started passing.
//!
//! The file is JSON:
//!
//! ```json
//! {
//!   "schemaVersion": 1,
//!   "implementation": "example-socket 2.3.1",
//!   "expected": [
//!     { "id": "send::send-too-large", "status": "fail", "reason": "sends past maxMessageBytes" }
//!   ]
//! }
//! ```
//!
//! `implementation`, `status` and `reason` are informational; only `id`
//! decides. A scenario fails CI when its status is `fail` or `error` and its
//! id is not in `expected`.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::ReportError;
use crate::escape::md_cell;
use crate::model::{RunReport, Status};

/// The version of the baseline file's schema.
pub const BASELINE_SCHEMA_VERSION: u32 = 1;

/// A file of expected non-passing scenarios.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
    /// Always [`BASELINE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The implementation the baseline was taken from (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<String>,
    /// The scenarios expected not to pass.
    pub expected: Vec<BaselineEntry>,
}

/// One scenario expected not to pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineEntry {
    /// The scenario id.
    pub id: String,
    /// The status it had when the baseline was taken (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Why it is expected not to pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A baselined scenario that no longer fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnexpectedPass {
    /// The scenario id.
    pub id: String,
    /// Its status now (pass or notApplicable).
    pub status: Status,
    /// The baseline's reason, if it gave one.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A report judged against a baseline: the report's `baseline` once
/// [`RunReport::judge_against`] kept it there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineVerdict {
    /// Failing (`fail` or `error`) scenarios not in the baseline: these
    /// fail CI.
    pub new_failures: Vec<String>,
    /// Failing scenarios the baseline expects.
    pub expected_failures: Vec<String>,
    /// Baselined scenarios that no longer fail: remove them from the
    /// baseline.
    pub unexpected_passes: Vec<UnexpectedPass>,
    /// Baselined ids the report does not have (filtered out, renamed or
    /// removed).
    pub not_run: Vec<String>,
}

impl BaselineVerdict {
    /// Whether CI passes: no new failure.
    pub fn passed(&self) -> bool {
        self.new_failures.is_empty()
    }
}

/// Judges `report` against `baseline`.
pub fn apply_baseline(report: &RunReport, baseline: &Baseline) -> BaselineVerdict {
    let mut verdict = BaselineVerdict::default();
    for s in &report.scenarios {
        let entry = baseline.expected.iter().find(|e| e.id == s.id);
        match (s.status.is_failure(), entry) {
            (true, None) => verdict.new_failures.push(s.id.clone()),
            (true, Some(_)) => verdict.expected_failures.push(s.id.clone()),
            (false, Some(e)) => verdict.unexpected_passes.push(UnexpectedPass {
                id: s.id.clone(),
                status: s.status,
                reason: e.reason.clone(),
            }),
            (false, None) => {}
        }
    }
    for e in &baseline.expected {
        if !report.scenarios.iter().any(|s| s.id == e.id) && !verdict.not_run.contains(&e.id) {
            verdict.not_run.push(e.id.clone());
        }
    }
    verdict
}

/// A baseline expecting exactly the failing (`fail` or `error`) scenarios
/// of `report`, each with its status and its message's first line as the
/// reason.
pub fn baseline_from(report: &RunReport) -> Baseline {
    Baseline {
        schema_version: BASELINE_SCHEMA_VERSION,
        implementation: Some(report.implementation_label()),
        expected: report
            .scenarios
            .iter()
            .filter(|s| s.status.is_failure())
            .map(|s| BaselineEntry {
                id: s.id.clone(),
                status: Some(s.status),
                reason: s
                    .message
                    .as_deref()
                    .and_then(|m| m.lines().next())
                    .map(str::to_string),
            })
            .collect(),
    }
}

/// The baseline as pretty JSON, ending with a newline.
pub fn write_baseline(baseline: &Baseline) -> String {
    crate::json::write_versioned(baseline)
}

/// Reads a baseline file's text, refusing another schema version.
pub fn read_baseline(json: &str) -> Result<Baseline, ReportError> {
    crate::json::read_versioned(json, "baseline", BASELINE_SCHEMA_VERSION)
        .map_err(|e| bad_entry(json).unwrap_or(e))
}

/// The first entry of `expected` that is not a [`BaselineEntry`], as an
/// error naming it (serde's own error says what is wrong, not where).
fn bad_entry(json: &str) -> Option<ReportError> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let entries = value.get("expected")?.as_array()?;
    entries.iter().enumerate().find_map(|(index, entry)| {
        let source = serde_json::from_value::<BaselineEntry>(entry.clone()).err()?;
        let id = entry
            .get("id")
            .and_then(serde_json::Value::as_str)
            .map(|id| format!(" (id {id:?})"))
            .unwrap_or_default();
        Some(ReportError::JsonAt {
            what: "baseline",
            at: format!("expected[{index}]{id}"),
            source,
        })
    })
}

/// The verdict as a Markdown section (the end of [`crate::write_markdown`]
/// for a report judged against a baseline).
pub fn write_baseline_markdown(verdict: &BaselineVerdict) -> String {
    let mut md = String::from("## Baseline\n\n");
    let _ = writeln!(
        md,
        "{} · {} new failures · {} expected failures · {} unexpected passes · {} not run\n",
        if verdict.passed() {
            "✅ no new failure"
        } else {
            "❌ new failures"
        },
        verdict.new_failures.len(),
        verdict.expected_failures.len(),
        verdict.unexpected_passes.len(),
        verdict.not_run.len()
    );
    if !verdict.new_failures.is_empty() {
        md.push_str("New failures (not in the baseline):\n\n");
        for id in &verdict.new_failures {
            let _ = writeln!(md, "- `{}`", id.replace('`', "'"));
        }
        md.push('\n');
    }
    if !verdict.unexpected_passes.is_empty() {
        md.push_str("Unexpected passes (remove them from the baseline):\n\n");
        for p in &verdict.unexpected_passes {
            let reason = p
                .reason
                .as_deref()
                .map(|r| format!(" (was: {})", md_cell(r)))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "- `{}`: now {}{reason}",
                p.id.replace('`', "'"),
                p.status.label()
            );
        }
        md.push('\n');
    }
    if !verdict.not_run.is_empty() {
        md.push_str("Baselined but not run:\n\n");
        for id in &verdict.not_run {
            let _ = writeln!(md, "- `{}`", id.replace('`', "'"));
        }
        md.push('\n');
    }
    md
}
