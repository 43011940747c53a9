//! JUnit XML, written with quick-junit.
//!
//! One `<testsuite>` per area (in order of first appearance), one
//! `<testcase>` per scenario with `name` = scenario id and `classname` =
//! area. Statuses map to what every JUnit consumer understands:
//!
//! | status | JUnit |
//! | --- | --- |
//! | pass | passed |
//! | fail | `<failure>`: message, then the first difference and the golden diff in its text; the trace in `<system-out>` |
//! | error | `<error>`, laid out as a failure |
//! | notApplicable | `<skipped>` with the reason |
//!
//! A scenario of an `[impl-defined]` rule passes on the golden trace of any
//! of its options; one more testcase, `options.consistent`, fails when two
//! scenarios showed two options of one rule.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::model::{RunReport, ScenarioReport, Status};

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn timestamp(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok()
}

fn pretty_trace(scenario: &ScenarioReport) -> Option<String> {
    if scenario.trace.is_null() {
        None
    } else {
        serde_json::to_string_pretty(&scenario.trace).ok()
    }
}

/// The difference shown with a failure: the first difference, then the
/// golden diff.
fn difference(scenario: &ScenarioReport) -> String {
    let mut text = String::new();
    if let Some(first) = &scenario.first_difference {
        text.push_str("First difference:\n");
        text.push_str(first.trim_end());
        text.push('\n');
    }
    if let Some(diff) = &scenario.golden_diff {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str("Golden trace (-expected +actual):\n");
        text.push_str(diff.trim_end());
        text.push('\n');
    }
    text
}

fn test_case(scenario: &ScenarioReport) -> TestCase {
    let message = scenario
        .message
        .clone()
        .unwrap_or_else(|| scenario.status.label().to_string());
    let status = match scenario.status {
        Status::Pass => TestCaseStatus::success(),
        Status::NotApplicable => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("not applicable: {message}"));
            status
        }
        Status::Fail | Status::Error => {
            let kind = if scenario.status == Status::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(message.clone());
            status.set_type(scenario.status.as_str());
            let diff = difference(scenario);
            status.set_description(if diff.is_empty() {
                message
            } else {
                format!("{message}\n\n{diff}")
            });
            status
        }
    };
    let mut case = TestCase::new(scenario.id.as_str(), status);
    case.set_classname(scenario.area.as_str());
    case.set_time(millis(scenario.duration_ms));
    let mut out = String::new();
    if !scenario.options.is_empty() {
        let options: Vec<String> = scenario.options.iter().map(ToString::to_string).collect();
        out.push_str(&format!("options: {}\n", options.join(", ")));
    }
    if !scenario.rules.is_empty() {
        out.push_str(&format!("rules: {}\n", scenario.rules.join(", ")));
    }
    if let Some(rule) = &scenario.broken_rule {
        out.push_str(&format!("fails under: {rule}\n"));
    }
    if scenario.status != Status::Pass {
        if let Some(trace) = pretty_trace(scenario) {
            out.push_str("trace:\n");
            out.push_str(&trace);
            out.push('\n');
        }
    }
    if !out.is_empty() {
        case.set_system_out(out);
    }
    if let Some(stderr) = scenario.adapter_stderr.as_deref().filter(|s| !s.is_empty()) {
        case.set_system_err(stderr);
    }
    case
}

/// The report as JUnit XML.
pub fn write_junit(report: &RunReport) -> String {
    let mut junit = Report::new(format!("{} {}", report.suite.name, report.suite.version));
    if let Some(at) = timestamp(&report.started_at) {
        junit.set_timestamp(at);
    }
    junit.set_time(millis(report.duration_ms));
    let mut areas = report.areas();
    if report.interrupted && areas.is_empty() {
        // No scenario ended: one empty suite still carries the mark.
        areas.push("interrupted");
    }
    for area in areas {
        let mut suite = TestSuite::new(area);
        if let Some(at) = timestamp(&report.started_at) {
            suite.set_timestamp(at);
        }
        suite.add_properties([
            Property::new("implementation", report.implementation.name.as_str()),
            Property::new(
                "implementation.version",
                report.implementation.version.as_str(),
            ),
            Property::new("adapter", report.implementation.adapter.as_str()),
            Property::new("suite.version", report.suite.version.as_str()),
            Property::new("profile", report.profile.as_str()),
        ]);
        suite.add_properties(
            report
                .root_causes
                .iter()
                .take(10)
                .enumerate()
                .map(|(k, c)| {
                    Property::new(
                        format!("root-cause.{}", k + 1),
                        format!("{} scenarios: {}", c.scenarios.len(), c.cause),
                    )
                }),
        );
        if report.interrupted {
            suite.add_property(Property::new("interrupted", "true"));
        }
        suite.add_properties(
            report
                .options
                .iter()
                .map(|e| Property::new(format!("option.{}", e.rule), profile_value(e))),
        );
        let scenarios: Vec<&ScenarioReport> =
            report.scenarios.iter().filter(|s| s.area == area).collect();
        suite.set_time(millis(scenarios.iter().map(|s| s.duration_ms).sum()));
        suite.add_test_cases(scenarios.into_iter().map(test_case));
        junit.add_test_suite(suite);
    }
    if !report.options.is_empty() {
        // `options.consistent` is checked over the whole run: one test case.
        let mut suite = TestSuite::new("options");
        let inconsistent = report.inconsistent_rules();
        let status = if inconsistent.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let lines: Vec<String> = inconsistent.iter().map(|e| e.describe()).collect();
            status.set_message(format!(
                "two options of one [impl-defined] rule: {}",
                lines.join("; ")
            ));
            status.set_type("fail");
            status
        };
        let mut case = TestCase::new("options.consistent", status);
        case.set_classname("options");
        let profile: Vec<String> = report.options.iter().map(|e| e.describe()).collect();
        case.set_system_out(profile.join("\n"));
        suite.add_test_case(case);
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .expect("quick-junit writes to a String without I/O errors")
}

/// A profile entry as a property value: the option, `not observed`, or
/// `inconsistent: a (s1) and b (s2)`.
fn profile_value(entry: &crate::ProfileEntry) -> String {
    match entry.option() {
        Some(option) => option.to_string(),
        None if entry.observed.is_empty() => "not observed".to_string(),
        None => format!(
            "inconsistent: {}",
            entry.describe().split_once(" = ").map_or("", |(_, v)| v)
        ),
    }
}
