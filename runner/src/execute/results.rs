//! What a run produced and told while it ran: the report's own model
//! ([`report::RunReport`], built by [`run_report`]) and the [`SuiteEvent`]
//! stream that the console consumes.

use std::time::SystemTime;

use report::{Host, Implementation, RunReport, ScenarioReport, Suite};

pub use report::UNKNOWN_IMPLEMENTATION;

use crate::verdict::judge::millis;

/// The suite's name in reports.
pub const SUITE_NAME: &str = "connectsocket-conformance";

/// The commit the runner was built from (`runner/build.rs`), if it was
/// built in a git checkout.
pub const SUITE_COMMIT: Option<&str> = option_env!("CONNECTSOCKET_SUITE_COMMIT");

/// What a run knows about itself when it ends, beside its scenarios.
#[derive(Debug, Clone)]
pub(crate) struct RunFacts {
    /// The implementation: name and version from the adapter's `hello`
    /// ([`UNKNOWN_IMPLEMENTATION`] and no version when none answered), and
    /// the adapter as `AdapterSpec::describe` names it.
    pub implementation: Implementation,
    /// The edition of the API the run checked (`--profile`).
    pub profile: String,
    /// Scenarios at once.
    pub jobs: usize,
    /// When the run started.
    pub started: SystemTime,
    /// The machine's load when it started.
    pub load_at_start: Option<f64>,
    /// It was stopped before every selected scenario ended.
    pub interrupted: bool,
}

/// The report of one run, finished now: `scenarios` sorted by id, the
/// totals, options and root causes derived from them, times in RFC 3339
/// (UTC, milliseconds).
pub(crate) fn run_report(facts: RunFacts, mut scenarios: Vec<ScenarioReport>) -> RunReport {
    let finished = SystemTime::now();
    scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    let duration = finished.duration_since(facts.started).unwrap_or_default();
    let mut report = RunReport::new(
        Suite {
            name: SUITE_NAME.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            commit: SUITE_COMMIT.map(str::to_string),
        },
        facts.implementation,
        rfc3339(facts.started),
        rfc3339(finished),
        millis(duration),
        scenarios,
    );
    report.interrupted = facts.interrupted;
    report.profile = facts.profile;
    report.jobs = Some(facts.jobs);
    report.host = Some(Host {
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        load_at_start: facts.load_at_start,
        load_at_end: load_average(),
    });
    report
}

/// `time` as RFC 3339 in UTC with milliseconds (`2026-11-25T18:12:04.123Z`).
pub fn rfc3339(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The machine's load average over one minute, where the system tells it
/// (the first field of Linux's `/proc/loadavg`).
pub(crate) fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// What reporters consume, in order: `Started`, then per scenario
/// `ScenarioStarted` and `ScenarioFinished` (interleaved between
/// scenarios running at once), then `Finished`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SuiteEvent {
    /// The run begins.
    Started {
        /// What runs.
        adapter: String,
        /// How many scenarios.
        total: usize,
        /// Scenarios at once.
        jobs: usize,
    },
    /// A scenario begins.
    ScenarioStarted {
        /// `<area>::<id>`.
        trial: String,
    },
    /// A scenario ended.
    ScenarioFinished {
        /// How many have ended, this one included.
        done: usize,
        /// How many in all.
        total: usize,
        /// Its entry in the report.
        result: Box<ScenarioReport>,
    },
    /// An adapter process was replaced after a fault.
    AdapterRestarted {
        /// The scenario during which it failed.
        trial: String,
        /// The fault.
        reason: String,
    },
    /// The run ended: its report.
    Finished(Box<RunReport>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::execute::options::AdapterSpec;

    fn scenario(id: &str, status: report::Status) -> ScenarioReport {
        ScenarioReport {
            id: format!("url::{id}"),
            area: "url".into(),
            title: format!("title of {id}"),
            rules: vec!["connect.url.scheme".into()],
            tags: Vec::new(),
            status,
            duration_ms: 12,
            message: None,
            first_difference: None,
            golden_diff: None,
            trace: serde_json::Value::Null,
            adapter_stderr: None,
            options: Vec::new(),
            path: None,
            adapter_fault: None,
            broken_rule: None,
        }
    }

    #[test]
    fn a_run_becomes_a_report_sorted_by_id_with_its_facts() {
        let started = SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_094_324_123);
        let facts = RunFacts {
            implementation: Implementation {
                name: "example".into(),
                version: "1.2.3".into(),
                adapter: AdapterSpec::Command("node a.js".into()).describe(),
            },
            profile: "wechat".into(),
            jobs: 2,
            started,
            load_at_start: Some(0.5),
            interrupted: true,
        };
        let r = run_report(
            facts,
            vec![
                scenario("url-scheme-http", report::Status::Pass),
                scenario("url-scheme-ftp", report::Status::Fail),
            ],
        );
        assert_eq!(r.suite.name, SUITE_NAME);
        assert_eq!(r.suite.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(r.suite.commit.as_deref(), SUITE_COMMIT);
        assert_eq!(r.implementation_label(), "example 1.2.3");
        assert_eq!(r.implementation.adapter, "node a.js");
        assert_eq!(r.started_at, "2025-11-25T18:12:04.123Z");
        assert!(r.interrupted);
        assert_eq!((r.profile.as_str(), r.jobs), ("wechat", Some(2)));
        let ids: Vec<&str> = r.scenarios.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["url::url-scheme-ftp", "url::url-scheme-http"]);
        assert_eq!((r.totals.pass, r.totals.fail), (1, 1));
        assert_eq!(r.root_causes.len(), 1);
        let host = r.host.as_ref().unwrap();
        assert!(host.cores >= 1);
        assert_eq!(host.load_at_start, Some(0.5));
        // The JSON report reads back.
        assert_eq!(report::read_json(&report::write_json(&r)).unwrap(), r);
    }
}
