//! The verdict on one scenario: its inline checks, then its trace against
//! the golden snapshot ([`judge`]), as the scenario's entry in the report
//! ([`ScenarioReport`]): the runner produces the report's model directly.
//!
//! This is the one place that decides a status. Before anything else, the
//! trace is checked against the rules every trace keeps
//! ([`invariants`](crate::verdict::invariants)): a trace that breaks one
//! fails under that rule's id (`broken_rule`), with where as its first
//! difference, ahead of its inline checks and its golden diff, which the
//! message still gives after it. A scenario that names
//! [impl-defined] rules in `options` has one golden trace per combination of
//! their options: a trace that matches any of them passes and names the
//! options it showed; a trace that matches none fails, as any difference
//! does. No marking hides a difference.

use std::time::Duration;

use serde_json::Value;

use crate::record::execution::Execution;
use crate::scenario::loader::LoadedScenario;

use crate::verdict::golden::{self, GoldenVerdict};
use crate::verdict::invariants;

/// A scenario's outcome and its entry in the report: the report's own
/// types, so a result and its report cannot disagree.
pub use report::{ScenarioReport, Status};

/// The entry of `scenario` before it is judged: its facts (id
/// `<area>::<id>`, title, rules, tags, file), `status`, and nothing
/// recorded.
pub fn scenario_report(scenario: &LoadedScenario, status: Status) -> ScenarioReport {
    let s = &scenario.scenario;
    ScenarioReport {
        id: scenario.trial_name(),
        area: scenario.area.clone(),
        title: s.title.clone(),
        rules: s.spec.iter().map(|r| r.as_str().to_string()).collect(),
        tags: s.tags.clone(),
        status,
        duration_ms: 0,
        message: None,
        first_difference: None,
        golden_diff: None,
        trace: Value::Null,
        adapter_stderr: None,
        options: Vec::new(),
        path: Some(scenario.path.display().to_string()),
        adapter_fault: None,
        broken_rule: None,
    }
}

/// The entry of a scenario that could not run because its adapter did not
/// start (or could not take the scenario's config): a failure, and the
/// adapter's fault.
pub fn adapter_did_not_start(scenario: &LoadedScenario, fault: String) -> ScenarioReport {
    let mut report = scenario_report(scenario, Status::Fail);
    report.message = Some(format!("the adapter does not start: {fault}"));
    report.adapter_fault = Some(fault);
    with_first_difference(report)
}

/// `d` in whole milliseconds, as the report counts time.
pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Judges one execution: its inline checks, then its trace against the
/// golden trace of every combination of its options.
pub fn judge(scenario: &LoadedScenario, execution: &Execution) -> ScenarioReport {
    let mut result = decide(scenario, execution);
    result.duration_ms = millis(execution.elapsed);
    if let Some(fault) = &execution.adapter_fault {
        result = with_adapter_fault(result, fault);
    }
    with_first_difference(result)
}

/// `report` with the adapter's own fault, which is part of why the scenario
/// did not pass: its message says it too (unless it already does).
fn with_adapter_fault(mut report: ScenarioReport, fault: &str) -> ScenarioReport {
    report.adapter_fault = Some(fault.to_string());
    report.message = Some(match report.message.take() {
        Some(m) if m.contains(fault) => m,
        Some(m) => format!("{m}\nadapter fault: {fault}"),
        None => format!("adapter fault: {fault}"),
    });
    report
}

/// The status, message, trace, golden diff and options of one execution.
fn decide(scenario: &LoadedScenario, execution: &Execution) -> ScenarioReport {
    let mut result = scenario_report(scenario, Status::Pass);
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
    if let Some(violation) = invariants::first_violation(&scenario.scenario, &execution.trace) {
        result.status = Status::Fail;
        result.broken_rule = Some(violation.rule.to_string());
        result.options.clear();
        let mut message = violation.to_string();
        if let Some(f) = &execution.failure {
            let at = f.step.map(|s| format!("step {s}: ")).unwrap_or_default();
            message.push_str(&format!("\nand {at}{}", f.message));
        } else if let Some(GoldenVerdict::Differs { path, diff, .. }) = &verdict {
            message.push_str(&format!(
                "\nand the trace differs from the golden snapshot {}: {}",
                path.display(),
                golden::first_difference(diff)
            ));
        }
        result.message = Some(message);
        return result;
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

/// `report` with its first difference: the rule every trace keeps that it
/// broke, and where; else where the actual trace leaves the golden one,
/// else (an inline expectation, no snapshot) the first line of why it did
/// not pass; nothing for a pass.
fn with_first_difference(mut report: ScenarioReport) -> ScenarioReport {
    report.first_difference = if report.status == Status::Pass {
        None
    } else if report.broken_rule.is_some() {
        report.headline().map(str::to_string)
    } else {
        report
            .golden_diff
            .as_deref()
            .map(golden::first_difference)
            .filter(|f| !f.is_empty())
            .or_else(|| report.headline().map(str::to_string))
    };
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: Status) -> ScenarioReport {
        ScenarioReport {
            id: "url::x".into(),
            area: "url".into(),
            title: String::new(),
            rules: Vec::new(),
            tags: Vec::new(),
            status,
            duration_ms: 0,
            message: None,
            first_difference: None,
            golden_diff: None,
            trace: Value::Null,
            adapter_stderr: None,
            options: Vec::new(),
            path: None,
            adapter_fault: None,
            broken_rule: None,
        }
    }

    #[test]
    fn the_first_difference_is_the_goldens_else_the_messages_first_line() {
        let mut failed = entry(Status::Fail);
        failed.message = Some("step 3: expected c1.fail\nmore".into());
        failed.golden_diff = Some("--- golden\n+++ actual\n-  code: 5\n+  code: 4\n".into());
        let failed = with_first_difference(failed);
        assert_eq!(
            failed.first_difference.as_deref(),
            Some("-  code: 5 / +  code: 4")
        );
        assert_eq!(failed.headline(), Some("step 3: expected c1.fail"));
        let mut no_diff = entry(Status::Error);
        no_diff.message = Some("no golden snapshot\nat <path>".into());
        assert_eq!(
            with_first_difference(no_diff).first_difference.as_deref(),
            Some("no golden snapshot")
        );
        let mut passed = entry(Status::Pass);
        passed.golden_diff = Some("-  a\n+  b\n".into());
        assert_eq!(with_first_difference(passed).first_difference, None);
    }

    #[test]
    fn an_adapter_fault_is_kept_and_said_once_in_the_message() {
        let mut said = entry(Status::Fail);
        said.message = Some("the adapter exited (code 1)".into());
        let said = with_adapter_fault(said, "the adapter exited (code 1)");
        assert_eq!(said.message.as_deref(), Some("the adapter exited (code 1)"));
        assert_eq!(
            said.adapter_fault.as_deref(),
            Some("the adapter exited (code 1)")
        );
        let mut other = entry(Status::Fail);
        other.message = Some("step 2: not seen".into());
        let other = with_adapter_fault(other, "hung");
        assert_eq!(
            other.message.as_deref(),
            Some("step 2: not seen\nadapter fault: hung")
        );
        let none = with_first_difference(with_adapter_fault(entry(Status::Fail), "gone"));
        assert_eq!(
            none.first_difference.as_deref(),
            Some("adapter fault: gone")
        );
    }
}
