//! From a run to the compliance reports: [`run_report`] turns a
//! [`SuiteResult`] into the `report` crate's [`report::RunReport`], from
//! which every format (JUnit XML, JSON, Markdown, HTML), the comparisons
//! and the baselines are pure functions.

use std::time::SystemTime;

use crate::execute::results::SuiteResult;
use crate::verdict::golden;
use crate::verdict::judge::{ScenarioResult, Status};

/// The suite's name in reports.
pub const SUITE_NAME: &str = "connectsocket-conformance";

/// The report of one run.
///
/// The implementation is the run's (`unknown` when no `hello` answered);
/// times are RFC 3339 (UTC, milliseconds); scenarios keep the run's order
/// (sorted by id), with `area::id` as their id.
pub fn run_report(result: &SuiteResult) -> report::RunReport {
    let run = &result.run;
    let duration = run.finished.duration_since(run.started).unwrap_or_default();
    let mut report = report::RunReport::new(
        report::Suite {
            name: SUITE_NAME.into(),
            version: run.suite_version.clone(),
            commit: None,
        },
        run.implementation.clone(),
        rfc3339(run.started),
        rfc3339(run.finished),
        millis(duration),
        result.scenarios.iter().map(scenario_report).collect(),
    );
    report.interrupted = run.interrupted;
    report.profile = run.profile.clone();
    report
}

/// One scenario's entry in the report.
pub fn scenario_report(s: &ScenarioResult) -> report::ScenarioReport {
    let status = s.status;
    // Where the actual trace leaves the golden one; else (an inline
    // expectation, no snapshot) the first line of why it did not pass.
    let first_difference = if s.status == Status::Pass {
        None
    } else {
        s.golden_diff
            .as_deref()
            .map(golden::first_difference)
            .filter(|f| !f.is_empty())
            .or_else(|| s.first_difference())
    };
    let mut message = s.message.clone();
    if let Some(fault) = &s.adapter_fault {
        if !message
            .as_deref()
            .is_some_and(|m| m.contains(fault.as_str()))
        {
            let text = match message {
                Some(m) => format!("{m}\nadapter fault: {fault}"),
                None => format!("adapter fault: {fault}"),
            };
            message = Some(text);
        }
    }
    report::ScenarioReport {
        id: s.trial_name(),
        area: s.area.clone(),
        title: s.title.clone(),
        rules: s.rules.clone(),
        tags: s.tags.clone(),
        status,
        duration_ms: millis(s.duration),
        message,
        first_difference,
        golden_diff: s.golden_diff.clone(),
        trace: s.trace.clone(),
        adapter_stderr: s.stderr_tail.clone().filter(|t| !t.trim().is_empty()),
        options: s.options.clone(),
        path: Some(s.path.display().to_string()),
        adapter_fault: s.adapter_fault.clone(),
    }
}

/// `time` as RFC 3339 in UTC with milliseconds (`2026-11-25T18:12:04.123Z`).
pub fn rfc3339(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    use crate::execute::results::{RunInfo, UNKNOWN_IMPLEMENTATION};
    use crate::execute::suite::AdapterSpec;
    use report::Implementation;

    fn scenario(id: &str, status: Status) -> ScenarioResult {
        ScenarioResult {
            id: id.into(),
            area: "url".into(),
            title: format!("title of {id}"),
            path: PathBuf::from(format!("scenarios/url/{id}.yaml")),
            rules: vec!["connect.url.scheme".into()],
            option_rules: Vec::new(),
            options: Vec::new(),
            tags: vec!["fast".into()],
            status,
            duration: Duration::from_millis(12),
            message: None,
            golden_diff: None,
            trace: serde_json::json!({"client": [], "server": []}),
            logs: Vec::new(),
            stderr_tail: None,
            adapter_fault: None,
        }
    }

    #[test]
    fn a_result_converts_with_its_run_information_and_differences() {
        let started = SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_094_324_123);
        let mut failed = scenario("url-scheme-ftp", Status::Fail);
        failed.message = Some("the trace differs\nmore".into());
        failed.golden_diff = Some("--- golden\n+++ actual\n-  code: 5\n+  code: 4\n".into());
        failed.stderr_tail = Some("panic at adapter.js:12".into());
        let result = SuiteResult {
            run: RunInfo {
                implementation: Implementation {
                    name: "example".into(),
                    version: "1.2.3".into(),
                    adapter: AdapterSpec::Command("node a.js".into()).describe(),
                },
                suite_version: "0.1.0".into(),
                profile: "alipay-2022-09".into(),
                jobs: 2,
                started,
                finished: started + Duration::from_millis(2500),
                interrupted: false,
            },
            scenarios: vec![scenario("url-scheme-http", Status::Pass), failed],
        };
        let r = run_report(&result);
        assert_eq!(r.suite.name, SUITE_NAME);
        assert_eq!(r.suite.version, "0.1.0");
        assert_eq!(r.implementation_label(), "example 1.2.3");
        assert_eq!(r.implementation.adapter, "node a.js");
        assert_eq!(r.started_at, "2025-11-25T18:12:04.123Z");
        assert_eq!(r.finished_at, "2025-11-25T18:12:06.623Z");
        assert_eq!(r.duration_ms, 2500);
        assert_eq!((r.totals.pass, r.totals.fail), (1, 1));
        let pass = &r.scenarios[0];
        assert_eq!(pass.id, "url::url-scheme-http");
        assert_eq!(pass.first_difference, None);
        let fail = &r.scenarios[1];
        assert_eq!(fail.status, report::Status::Fail);
        assert_eq!(
            fail.first_difference.as_deref(),
            Some("-  code: 5 / +  code: 4")
        );
        assert_eq!(fail.golden_diff, result.scenarios[1].golden_diff);
        assert_eq!(
            fail.adapter_stderr.as_deref(),
            Some("panic at adapter.js:12")
        );
        assert_eq!(fail.trace, serde_json::json!({"client": [], "server": []}));
        // The JSON report reads back.
        let back = report::read_json(&report::write_json(&r)).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn without_hello_the_implementation_is_unknown() {
        let now = SystemTime::now();
        let mut no_diff = scenario("x", Status::Error);
        no_diff.message = Some("no golden snapshot".into());
        no_diff.adapter_fault = Some("the adapter exited".into());
        let result = SuiteResult {
            run: RunInfo {
                implementation: Implementation {
                    name: UNKNOWN_IMPLEMENTATION.into(),
                    version: String::new(),
                    adapter: AdapterSpec::reference().describe(),
                },
                suite_version: "0.1.0".into(),
                profile: "alipay-2022-09".into(),
                jobs: 1,
                started: now,
                finished: now,
                interrupted: true,
            },
            scenarios: vec![no_diff],
        };
        let r = run_report(&result);
        assert_eq!(r.implementation.name, "unknown");
        assert!(r.interrupted);
        assert_eq!(r.implementation.adapter, "reference (in-process)");
        let s = &r.scenarios[0];
        assert_eq!(s.first_difference.as_deref(), Some("no golden snapshot"));
        assert_eq!(
            s.message.as_deref(),
            Some("no golden snapshot\nadapter fault: the adapter exited")
        );
    }
}
