//! What a run produced and told while it ran: the [`SuiteResult`] and
//! the [`SuiteEvent`] stream that reporters consume.

use std::time::SystemTime;

use report::{Implementation, ProfileEntry, Totals};
use serde::Serialize;

use crate::verdict::judge::ScenarioResult;

/// The implementation's name in a run that no adapter's `hello` answered.
pub const UNKNOWN_IMPLEMENTATION: &str = "unknown";

/// About the run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    /// The implementation: name and version from the adapter's `hello`
    /// ([`UNKNOWN_IMPLEMENTATION`] and no version when none answered), and
    /// the adapter as [`AdapterSpec::describe`] names it.
    pub implementation: Implementation,
    /// The suite's version.
    pub suite_version: String,
    /// The edition of the API the run checked (`--profile`).
    pub profile: String,
    /// Scenarios at once.
    pub jobs: usize,
    /// When the run started.
    #[serde(rename = "startedUnixMs", serialize_with = "serialize_unix_ms")]
    pub started: SystemTime,
    /// When it ended.
    #[serde(rename = "finishedUnixMs", serialize_with = "serialize_unix_ms")]
    pub finished: SystemTime,
    /// It was stopped before every selected scenario ended (see
    /// [`run_suite_until`](crate::execute::suite::run_suite_until)): the
    /// result holds only the scenarios that did.
    pub interrupted: bool,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteResult {
    /// About the run.
    pub run: RunInfo,
    /// Every scenario, sorted by trial name.
    pub scenarios: Vec<ScenarioResult>,
}

impl SuiteResult {
    /// Totals per status.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for s in &self.scenarios {
            totals.add(s.status);
        }
        totals
    }

    /// The implementation's profile: for each [impl-defined] rule, the
    /// option the scenarios showed, "not observed", or two options
    /// (`options.consistent` broken).
    pub fn profile(&self) -> Vec<ProfileEntry> {
        report::profile(
            self.scenarios
                .iter()
                .map(|s| (s.id.as_str(), s.options.as_slice())),
        )
    }

    /// Every scenario passed (or is not applicable), the implementation
    /// kept to one option per [impl-defined] rule, and the run was not
    /// interrupted.
    pub fn is_compliant(&self) -> bool {
        !self.run.interrupted
            && self.scenarios.iter().all(|s| !s.status.is_failure())
            && self.profile().iter().all(|e| !e.is_inconsistent())
    }

    /// The command line's exit status: 0 compliant, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.is_compliant() {
            0
        } else {
            1
        }
    }
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
        /// Its result.
        result: Box<ScenarioResult>,
    },
    /// An adapter process was replaced after a fault.
    AdapterRestarted {
        /// The scenario during which it failed.
        trial: String,
        /// The fault.
        reason: String,
    },
    /// The run ended.
    Finished(Box<SuiteResult>),
}

fn serialize_unix_ms<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let ms = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    s.serialize_u64(u64::try_from(ms).unwrap_or(u64::MAX))
}
