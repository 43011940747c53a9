//! The report's data model: what one run of the suite against one
//! implementation produced, serialised as the JSON report (schema version
//! [`SCHEMA_VERSION`]).

use serde::{Deserialize, Serialize};

/// The version of the JSON schema written in `schemaVersion`. It changes
/// only when a field is removed or changes meaning; new optional fields keep
/// it.
pub const SCHEMA_VERSION: u32 = 2;

/// The status of one scenario against one implementation.
///
/// Ordered from best to worst by [`Status::severity`]: pass,
/// notApplicable, error, fail. (Schema 1 had `differsImplDefined`, which hid
/// differences; options replace it: see [`RunReport::profile`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Every expectation and the golden trace held.
    Pass,
    /// An expectation or the golden trace did not hold.
    Fail,
    /// The adapter cannot honour what the scenario needs.
    NotApplicable,
    /// The scenario could not run: the adapter crashed, timed out or broke
    /// its protocol.
    Error,
}

impl Status {
    /// Every status, from best to worst.
    pub const ALL: [Status; 4] = [
        Status::Pass,
        Status::NotApplicable,
        Status::Error,
        Status::Fail,
    ];

    /// The rank used to pick the worst of several statuses:
    /// fail > error > notApplicable > pass.
    pub fn severity(self) -> u8 {
        match self {
            Status::Pass => 0,
            Status::NotApplicable => 1,
            Status::Error => 2,
            Status::Fail => 3,
        }
    }

    /// The worst of `self` and `other`.
    pub fn worst(self, other: Status) -> Status {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// The name used in the JSON report (`notApplicable`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "notApplicable",
            Status::Error => "error",
        }
    }

    /// A short human label (`not applicable`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not applicable",
            Status::Error => "error",
        }
    }

    /// Whether this status fails a CI run: `fail` and `error`. A scenario
    /// that does not apply does not.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The suite that ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suite {
    /// The suite's name (`connectsocket-conformance`).
    pub name: String,
    /// The suite's version.
    pub version: String,
    /// The repository commit the suite was built from (`git rev-parse
    /// --short=12 HEAD` when its build script last ran, with `+changes`
    /// when tracked files differed from it), or nothing when it was built
    /// outside a git checkout.
    #[serde(default)]
    pub commit: Option<String>,
}

impl Suite {
    /// `name version`, with `, commit …` when the commit is known.
    pub fn label(&self) -> String {
        match &self.commit {
            Some(commit) => format!("{} {}, commit {commit}", self.name, self.version),
            None => format!("{} {}", self.name, self.version),
        }
    }
}

/// The implementation's name in a run that no adapter's `hello` answered.
pub const UNKNOWN_IMPLEMENTATION: &str = "unknown";

/// The implementation under test, as its adapter's `hello` named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Implementation {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// How it was reached: the adapter's command line, or
    /// `reference (in-process)`.
    pub adapter: String,
}

/// How many scenarios ended with each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Scenarios that passed.
    pub pass: usize,
    /// Scenarios that failed.
    pub fail: usize,
    /// Scenarios that do not apply to this implementation.
    pub not_applicable: usize,
    /// Scenarios that could not run.
    pub error: usize,
}

impl Totals {
    /// Counts the statuses of `scenarios`.
    pub fn count<'a>(scenarios: impl IntoIterator<Item = &'a ScenarioReport>) -> Totals {
        let mut totals = Totals::default();
        for scenario in scenarios {
            totals.add(scenario.status);
        }
        totals
    }

    /// Counts one more scenario with `status`.
    pub fn add(&mut self, status: Status) {
        *self.get_mut(status) += 1;
    }

    /// The count for `status`.
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::NotApplicable => self.not_applicable,
            Status::Error => self.error,
        }
    }

    fn get_mut(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Error => &mut self.error,
        }
    }

    /// The number of scenarios counted.
    pub fn total(&self) -> usize {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }

    /// Whether any scenario failed or errored (the run fails CI).
    pub fn has_failures(&self) -> bool {
        self.fail + self.error > 0
    }
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioReport {
    /// The scenario id, `area::name` (`close::close-drop-fin`).
    pub id: String,
    /// Its area (the folder under `scenarios/`: `close`, `handshake`, ...).
    pub area: String,
    /// Its one-line title.
    pub title: String,
    /// The rule ids of `behaviour.md` it covers.
    pub rules: Vec<String>,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// How it ended.
    pub status: Status,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// Why it did not pass (or, for a pass, nothing).
    #[serde(default)]
    pub message: Option<String>,
    /// The first point where the actual trace leaves the expected one.
    #[serde(default)]
    pub first_difference: Option<String>,
    /// The golden trace against the actual one, as a unified diff.
    #[serde(default)]
    pub golden_diff: Option<String>,
    /// The normalised trace (`client` and `server` lanes), as in the golden
    /// snapshot.
    #[serde(default)]
    pub trace: serde_json::Value,
    /// What the adapter wrote on its standard error, if anything.
    #[serde(default)]
    pub adapter_stderr: Option<String>,
    /// The options of [impl-defined] rules its trace showed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<crate::OptionChoice>,
    /// The scenario file, as the run read it (`scenarios/url/url-empty.yaml`,
    /// `<embedded>/url/url-empty.yaml`).
    #[serde(default)]
    pub path: Option<String>,
    /// The adapter's own fault during this scenario (it exited, broke the
    /// protocol or hung), after which it was replaced; the message says it
    /// too.
    #[serde(default)]
    pub adapter_fault: Option<String>,
    /// The rule of `behaviour.md` a failure is reported under when the
    /// trace broke one of the rules checked on every trace (`order.async`,
    /// `close.nothing-after`, …), whatever rules the scenario names: its
    /// message and first difference then begin with ``breaks `rule`: ``.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_rule: Option<String>,
}

impl ScenarioReport {
    /// The rules the scenario's status counts under in the views per rule
    /// and per error code: the rule it broke when it failed under one
    /// ([`ScenarioReport::broken_rule`]), else the rules it names.
    pub fn counted_rules(&self) -> Vec<&str> {
        match (&self.broken_rule, self.status) {
            (Some(rule), Status::Fail) => vec![rule.as_str()],
            _ => self.rules.iter().map(String::as_str).collect(),
        }
    }

    /// One line on why it did not pass: the message's first line, else the
    /// first difference (nothing for a pass).
    pub fn headline(&self) -> Option<&str> {
        self.message
            .as_deref()
            .and_then(|m| m.lines().next())
            .or(self.first_difference.as_deref())
    }
}

/// What a run says about the implementation: decided here, once, for the
/// exit status and every format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every scenario that ran passed or did not apply, one option per
    /// [impl-defined] rule, and every selected scenario ran.
    Compliant,
    /// A scenario failed or errored, or a rule showed two options: true
    /// even of an interrupted run, whose failures are real.
    NotCompliant,
    /// Nothing failed, but the run was stopped before every selected
    /// scenario ended: no verdict.
    Interrupted,
}

/// The machine a run ran on, to read its times by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// Its cores (the parallelism the operating system offers).
    pub cores: usize,
    /// The load average over one minute when the run started, where the
    /// system tells it (`/proc/loadavg`).
    #[serde(default)]
    pub load_at_start: Option<f64>,
    /// The same when the run finished.
    #[serde(default)]
    pub load_at_end: Option<f64>,
}

/// The default edition of the API, for reports written before profiles.
pub(crate) fn default_profile() -> String {
    "alipay-2022-09".to_string()
}

/// One run of the suite against one implementation: the JSON report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// Always [`SCHEMA_VERSION`] when written by this crate.
    pub schema_version: u32,
    /// The suite that ran.
    pub suite: Suite,
    /// The implementation under test.
    pub implementation: Implementation,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// When the run finished (RFC 3339).
    pub finished_at: String,
    /// The run's wall-clock duration, in milliseconds.
    pub duration_ms: u64,
    /// The run was stopped (Ctrl-C, SIGTERM) before every selected scenario
    /// ended: [`scenarios`](Self::scenarios) holds only those that did.
    #[serde(default)]
    pub interrupted: bool,
    /// The scenarios' statuses counted.
    pub totals: Totals,
    /// Every scenario that ran, in run order.
    pub scenarios: Vec<ScenarioReport>,
    /// The edition of the API the run checked (`--profile`:
    /// `alipay-2022-09`, `alipay-current`, `wechat`).
    #[serde(default = "default_profile")]
    pub profile: String,
    /// The implementation's options: for each [impl-defined] rule, the
    /// option its scenarios showed (or "not observed"); two options of one
    /// rule break `options.consistent`.
    #[serde(default)]
    pub options: Vec<crate::ProfileEntry>,
    /// The scenarios that did not pass, grouped by their normalised first
    /// difference, largest group first.
    #[serde(default)]
    pub root_causes: Vec<crate::RootCause>,
    /// Scenarios run at once (`--jobs`, or the runner's choice).
    #[serde(default)]
    pub jobs: Option<usize>,
    /// The machine it ran on.
    #[serde(default)]
    pub host: Option<Host>,
    /// The run judged against a baseline of expected failures
    /// (`--baseline`): what decides CI when there is one.
    #[serde(default)]
    pub baseline: Option<crate::BaselineVerdict>,
}

impl RunReport {
    /// A report of `scenarios` with [`SCHEMA_VERSION`] and the totals
    /// counted from them (not interrupted: see
    /// [`interrupted`](Self::interrupted)).
    pub fn new(
        suite: Suite,
        implementation: Implementation,
        started_at: String,
        finished_at: String,
        duration_ms: u64,
        scenarios: Vec<ScenarioReport>,
    ) -> RunReport {
        RunReport {
            schema_version: SCHEMA_VERSION,
            suite,
            implementation,
            started_at,
            finished_at,
            duration_ms,
            interrupted: false,
            totals: Totals::count(&scenarios),
            profile: default_profile(),
            root_causes: crate::root_causes(&scenarios),
            options: crate::profile(
                scenarios
                    .iter()
                    .map(|s| (s.id.as_str(), s.options.as_slice())),
            ),
            scenarios,
            jobs: None,
            host: None,
            baseline: None,
        }
    }

    /// The [impl-defined] rules for which two scenarios showed two options
    /// (`options.consistent` broken).
    pub fn inconsistent_rules(&self) -> Vec<&crate::ProfileEntry> {
        self.options
            .iter()
            .filter(|e| e.is_inconsistent())
            .collect()
    }

    /// The run's verdict: not compliant when a scenario failed or errored
    /// or a rule showed two options (even if the run was interrupted),
    /// else interrupted when it was, else compliant.
    pub fn verdict(&self) -> Verdict {
        if self.totals.has_failures() || !self.inconsistent_rules().is_empty() {
            Verdict::NotCompliant
        } else if self.interrupted {
            Verdict::Interrupted
        } else {
            Verdict::Compliant
        }
    }

    /// Whether the verdict is [`Verdict::Compliant`].
    pub fn is_compliant(&self) -> bool {
        self.verdict() == Verdict::Compliant
    }

    /// Whether the run passes CI: with a [`baseline`](Self::baseline),
    /// when there is no new failure; without one, when it is compliant.
    pub fn passed(&self) -> bool {
        match &self.baseline {
            Some(baseline) => baseline.passed(),
            None => self.is_compliant(),
        }
    }

    /// Judges the run against `baseline` and keeps the verdict in
    /// [`baseline`](Self::baseline), where every format shows it.
    pub fn judge_against(&mut self, baseline: &crate::Baseline) {
        self.baseline = Some(crate::apply_baseline(self, baseline));
    }

    /// `name version` of the implementation, for titles and columns.
    pub fn implementation_label(&self) -> String {
        let i = &self.implementation;
        if i.version.is_empty() {
            i.name.clone()
        } else {
            format!("{} {}", i.name, i.version)
        }
    }

    /// The areas of the scenarios, in order of first appearance.
    pub fn areas(&self) -> Vec<&str> {
        let mut areas: Vec<&str> = Vec::new();
        for s in &self.scenarios {
            if !areas.contains(&s.area.as_str()) {
                areas.push(&s.area);
            }
        }
        areas
    }
}
