//! The verdict on one scenario: its inline checks, then its trace against
//! the golden snapshot ([`judge`]), as a [`ScenarioResult`].
//!
//! This is the one place that decides a status. A scenario that names
//! [impl-defined] rules in `options` has one golden trace per combination of
//! their options: a trace that matches any of them passes and names the
//! options it showed; a trace that matches none fails, as any difference
//! does. No marking hides a difference.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::execute::executor::Execution;
use crate::scenario::loader::LoadedScenario;
use report::OptionChoice;

use crate::verdict::golden::{self, GoldenVerdict};

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
    /// The [impl-defined] rules whose option its trace shows.
    pub option_rules: Vec<String>,
    /// The options its trace showed (empty when it did not pass, or when
    /// its goldens did not tell the options apart).
    pub options: Vec<OptionChoice>,
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
            option_rules: s.options.iter().map(|r| r.as_str().to_string()).collect(),
            options: Vec::new(),
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
/// golden trace of every combination of its options.
pub fn judge(scenario: &LoadedScenario, execution: &Execution) -> ScenarioResult {
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
    let goldens = golden::read_goldens_in(scenario, execution.profile);
    let verdict = goldens
        .as_ref()
        .ok()
        .map(|g| golden::judge_trace(g, &trace));
    result.trace = trace;
    match &verdict {
        Some(GoldenVerdict::Differs { diff, .. }) => result.golden_diff = Some(diff.clone()),
        Some(GoldenVerdict::Matches(matched)) => {
            result.options = golden::observed_options(matched);
        }
        None => {}
    }
    if let Some(f) = &execution.failure {
        let at = f.step.map(|s| format!("step {s}: ")).unwrap_or_default();
        // The suite's own mistake is never counted against the implementation.
        result.status = if f.suite_fault {
            Status::Error
        } else {
            Status::Fail
        };
        result.message = Some(format!("{at}{}", f.message));
        result.options.clear();
        return result;
    }
    match (goldens, verdict) {
        (Err(e), _) => {
            result.status = Status::Error;
            result.message = Some(e.to_string());
        }
        (
            Ok(goldens),
            Some(GoldenVerdict::Differs {
                combination,
                path,
                diff,
            }),
        ) => {
            result.status = Status::Fail;
            let closest = if goldens.len() == 1 {
                String::new()
            } else {
                let names: Vec<String> = combination.iter().map(ToString::to_string).collect();
                format!(
                    " (it matches none of the {} golden traces of its options; closest: {})",
                    goldens.len(),
                    names.join(", ")
                )
            };
            result.message = Some(format!(
                "the trace differs from the golden snapshot {}{closest}: {}",
                path.display(),
                golden::first_difference(&diff)
            ));
        }
        (Ok(_), _) => {}
    }
    result
}

fn serialize_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
