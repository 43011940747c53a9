//! The verdict on one scenario: its inline checks, then its trace against
//! the golden snapshot ([`judge`]), as a [`ScenarioResult`].
//!
//! This is the one place that decides a status. A per-rule option check
//! (whether an implementation's documented choice on an [impl-defined]
//! rule explains a difference) belongs here, next to `lenient`.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::execute::executor::Execution;
use crate::scenario::loader::LoadedScenario;
use crate::verdict::golden;

/// A scenario's outcome: the report's status, so a result and its report
/// cannot disagree.
pub use report::Status;

/// One scenario's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioResult {
    /// The scenario id.
    pub id: String,
    /// Its area (folder).
    pub area: String,
    /// Its title.
    pub title: String,
    /// The scenario file.
    pub path: PathBuf,
    /// The behaviour.md rule ids it checks.
    pub rules: Vec<String>,
    /// The rules among them that are [impl-defined].
    pub impl_defined: Vec<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// The outcome.
    pub status: Status,
    /// Wall time.
    #[serde(rename = "durationMs", serialize_with = "serialize_ms")]
    pub duration: Duration,
    /// Why it did not pass (the first failure), if it did not.
    pub message: Option<String>,
    /// The unified diff from the golden trace to this one, when they differ.
    pub golden_diff: Option<String>,
    /// The normalised trace.
    pub trace: Value,
    /// The adapter's log events.
    pub logs: Vec<String>,
    /// The adapter's stderr tail, when the scenario did not pass or the
    /// adapter failed (adapter processes only).
    pub stderr_tail: Option<String>,
    /// The adapter's own fault (gone, not protocol, hung), after which it
    /// was replaced.
    pub adapter_fault: Option<String>,
}

impl ScenarioResult {
    /// `<area>::<id>`.
    pub fn trial_name(&self) -> String {
        format!("{}::{}", self.area, self.id)
    }

    /// One line about what went wrong: the message's first line, else the
    /// golden diff's first difference.
    pub fn first_difference(&self) -> Option<String> {
        if let Some(m) = &self.message {
            return m.lines().next().map(str::to_string);
        }
        self.golden_diff.as_deref().map(golden::first_difference)
    }
}

impl ScenarioResult {
    /// The result of `scenario` before it is judged: its facts, `status`,
    /// and nothing recorded.
    pub fn new(scenario: &LoadedScenario, status: Status) -> ScenarioResult {
        let s = &scenario.scenario;
        ScenarioResult {
            id: s.id.clone(),
            area: scenario.area.clone(),
            title: s.title.clone(),
            path: scenario.path.clone(),
            rules: s.spec.iter().map(|r| r.as_str().to_string()).collect(),
            impl_defined: s
                .impl_defined
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
            tags: s.tags.clone(),
            status,
            duration: Duration::ZERO,
            message: None,
            golden_diff: None,
            trace: Value::Null,
            logs: Vec::new(),
            stderr_tail: None,
            adapter_fault: None,
        }
    }
}

/// Judges one execution: its inline checks, then its trace against the
/// golden snapshot. `strict`: a difference in an impl-defined scenario is a
/// failure (the reference implementation).
pub fn judge(scenario: &LoadedScenario, execution: &Execution, strict: bool) -> ScenarioResult {
    let mut result = ScenarioResult::new(scenario, Status::Pass);
    result.duration = execution.elapsed;
    result.adapter_fault = execution.adapter_fault.clone();
    result.logs = execution.trace.logs.clone();
    if let Some(reason) = &execution.not_applicable {
        result.status = Status::NotApplicable;
        result.message = Some(reason.clone());
        return result;
    }
    let trace = execution.normalised();
    let lenient =
        !strict && !scenario.scenario.impl_defined.is_empty() && execution.adapter_fault.is_none();
    let differs = if lenient {
        Status::DiffersImplDefined
    } else {
        Status::Fail
    };
    let golden = golden::read_golden(scenario);
    if let Ok(g) = &golden {
        result.golden_diff = golden::compare(g, &trace);
    }
    result.trace = trace;
    if let Some(f) = &execution.failure {
        let at = f.step.map(|s| format!("step {s}: ")).unwrap_or_default();
        result.status = differs;
        result.message = Some(format!("{at}{}", f.message));
        return result;
    }
    match golden {
        Err(e) => {
            result.status = Status::Error;
            result.message = Some(e.to_string());
        }
        Ok(_) => {
            if let Some(diff) = &result.golden_diff {
                result.status = differs;
                result.message = Some(format!(
                    "the trace differs from the golden snapshot {}: {}",
                    golden::snapshot_path(scenario).display(),
                    golden::first_difference(diff)
                ));
            }
        }
    }
    result
}

fn serialize_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
