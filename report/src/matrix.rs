//! The compatibility matrix's data: the plan of what it runs (which
//! implementations, through which adapter, under which profiles: a JSON
//! file such as `scripts/compatibility.json`), and the verdicts of one
//! matrix per scenario, kept beside it so that the next matrix can say
//! which scenarios changed verdict.
//!
//! The Markdown is [`crate::compatibility_matrix`]'s; this module only
//! reads, checks and compares data.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::ReportError;
use crate::model::{RunReport, Status, Suite};

/// The version of the verdicts file's schema.
pub const MATRIX_SCHEMA_VERSION: u32 = 1;

/// What a compatibility matrix runs: every implementation under each of its
/// profiles, one run each.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatrixPlan {
    /// Paragraphs (Markdown) that open the matrix: what was run and why.
    #[serde(default)]
    pub introduction: Vec<String>,
    /// The profiles of an implementation that names none.
    pub profiles: Vec<String>,
    /// The rows, in the matrix's order.
    pub implementations: Vec<PlannedImplementation>,
}

/// One implementation of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlannedImplementation {
    /// A short name (`taro-h5`): lower-case letters, digits and `-`; the
    /// reports of its runs go to `<id>-<profile>/`.
    pub id: String,
    /// Its name in the matrix (`Taro H5`).
    pub title: String,
    /// The runner's `--adapter`, from the repository root; a report is
    /// matched to its run by this and its profile.
    pub adapter: String,
    /// Where its code is (Markdown), for the matrix's sources.
    pub source: String,
    /// Its own profiles, instead of the plan's.
    #[serde(default)]
    pub profiles: Option<Vec<String>>,
}

/// One run of the plan: an implementation under a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedRun<'a> {
    /// The implementation.
    pub implementation: &'a PlannedImplementation,
    /// The profile.
    pub profile: &'a str,
}

impl PlannedRun<'_> {
    /// Whether `report` is this run's: the same adapter command line and
    /// profile.
    pub fn is_of(&self, report: &RunReport) -> bool {
        report.implementation.adapter == self.implementation.adapter
            && report.profile == self.profile
    }
}

impl MatrixPlan {
    /// Reads a plan, checking what its types cannot: ids unique and
    /// well-formed, every implementation with a profile, no run twice.
    pub fn read(json: &str) -> Result<MatrixPlan, ReportError> {
        let plan: MatrixPlan = serde_json::from_str(json).map_err(|source| ReportError::Json {
            what: "matrix plan",
            source,
        })?;
        let invalid = |problem: String| ReportError::Invalid {
            what: "matrix plan",
            problem,
        };
        if plan.implementations.is_empty() {
            return Err(invalid("`implementations` is empty".into()));
        }
        let mut ids: Vec<&str> = Vec::new();
        for (index, i) in plan.implementations.iter().enumerate() {
            let well_formed = !i.id.is_empty()
                && i.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !well_formed {
                return Err(invalid(format!(
                    "implementations[{index}]: id {:?} is not lower-case letters, digits and `-`",
                    i.id
                )));
            }
            if ids.contains(&i.id.as_str()) {
                return Err(invalid(format!(
                    "implementations[{index}]: id {:?} is given twice",
                    i.id
                )));
            }
            ids.push(&i.id);
            if i.adapter.trim().is_empty() {
                return Err(invalid(format!(
                    "implementations[{index}] ({}): `adapter` is empty",
                    i.id
                )));
            }
            if i.profiles.as_ref().unwrap_or(&plan.profiles).is_empty() {
                return Err(invalid(format!(
                    "implementations[{index}] ({}): no profile (give `profiles`, here or for the plan)",
                    i.id
                )));
            }
        }
        let runs = plan.runs();
        for (n, run) in runs.iter().enumerate() {
            if let Some(other) = runs[..n].iter().find(|o| {
                o.profile == run.profile && o.implementation.adapter == run.implementation.adapter
            }) {
                return Err(invalid(format!(
                    "{} and {} run the same adapter under {}: their reports could not be told apart",
                    other.implementation.id, run.implementation.id, run.profile
                )));
            }
        }
        Ok(plan)
    }

    /// Every run, implementation by implementation, each under its
    /// profiles in order.
    pub fn runs(&self) -> Vec<PlannedRun<'_>> {
        self.implementations
            .iter()
            .flat_map(|i| {
                i.profiles
                    .as_ref()
                    .unwrap_or(&self.profiles)
                    .iter()
                    .map(move |p| PlannedRun {
                        implementation: i,
                        profile: p,
                    })
            })
            .collect()
    }

    /// The runs as the script reads them: `id<TAB>profile<TAB>adapter`, one
    /// line each.
    pub fn runs_as_lines(&self) -> String {
        let mut out = String::new();
        for run in self.runs() {
            let _ = writeln!(
                out,
                "{}\t{}\t{}",
                run.implementation.id, run.profile, run.implementation.adapter
            );
        }
        out
    }
}

/// One column of a matrix's verdicts: a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixColumn {
    /// The implementation's id in the plan.
    pub implementation: String,
    /// The profile.
    pub profile: String,
    /// The implementation as its adapter's `hello` named it (`name
    /// version`).
    pub version: String,
}

/// The verdict of every scenario in every run of one matrix: the file kept
/// beside it (`docs/compatibility.json`), which the next matrix compares
/// with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixVerdicts {
    /// Always [`MATRIX_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The matrix's date (`YYYY-MM-DD`, UTC): the day its first run started.
    pub date: String,
    /// The suites that ran (one, unless the runs were of several builds).
    pub suites: Vec<Suite>,
    /// The runs, in the matrix's order.
    pub columns: Vec<MatrixColumn>,
    /// Per scenario id, its status in each column (null: not run there).
    pub verdicts: BTreeMap<String, Vec<Option<Status>>>,
}

impl MatrixVerdicts {
    /// The verdicts of `reports` (one per column, in order), dated by the
    /// earliest start among them.
    pub fn of(columns: Vec<MatrixColumn>, reports: &[&RunReport]) -> MatrixVerdicts {
        let owned: Vec<RunReport> = reports.iter().map(|r| (*r).clone()).collect();
        let comparison = crate::compare(&owned);
        let mut suites: Vec<Suite> = Vec::new();
        for r in reports {
            if !suites.contains(&r.suite) {
                suites.push(r.suite.clone());
            }
        }
        MatrixVerdicts {
            schema_version: MATRIX_SCHEMA_VERSION,
            date: matrix_date(reports),
            suites,
            columns,
            verdicts: comparison
                .scenarios
                .into_iter()
                .map(|row| (row.key, row.cells))
                .collect(),
        }
    }

    /// The column of `implementation` under `profile`, if this matrix ran it.
    pub fn column(&self, implementation: &str, profile: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.implementation == implementation && c.profile == profile)
    }

    /// The file's text: JSON, one line per column and per scenario, so that
    /// a change of verdict is a one-line diff.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let _ = writeln!(out, "  \"schemaVersion\": {},", self.schema_version);
        let _ = writeln!(out, "  \"date\": {},", compact(&self.date));
        let suites: Vec<String> = self.suites.iter().map(compact).collect();
        let _ = writeln!(out, "  \"suites\": [{}],", suites.join(", "));
        out.push_str("  \"columns\": [\n");
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("    {}", compact(c)))
            .collect();
        out.push_str(&columns.join(",\n"));
        out.push_str("\n  ],\n  \"verdicts\": {\n");
        let rows: Vec<String> = self
            .verdicts
            .iter()
            .map(|(id, cells)| format!("    {}: {}", compact(id), compact(cells)))
            .collect();
        out.push_str(&rows.join(",\n"));
        out.push_str("\n  }\n}\n");
        out
    }

    /// Reads a verdicts file, refusing another schema version.
    pub fn read(json: &str) -> Result<MatrixVerdicts, ReportError> {
        crate::json::read_versioned(json, "matrix verdicts", MATRIX_SCHEMA_VERSION)
    }
}

/// A value as JSON on one line.
fn compact<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("the matrix's values always serialise")
}

/// The day (`YYYY-MM-DD`) of the earliest start among `reports`, or
/// `unknown`.
pub(crate) fn matrix_date(reports: &[&RunReport]) -> String {
    reports
        .iter()
        .map(|r| r.started_at.as_str())
        .filter(|t| t.len() >= 10)
        .min()
        .map_or_else(|| "unknown".to_string(), |t| t[..10].to_string())
}

/// One scenario whose verdict changed in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictChange {
    /// The scenario id.
    pub scenario: String,
    /// Its status in the previous matrix (none: not run there).
    pub before: Option<Status>,
    /// Its status now (none: not run now).
    pub after: Option<Status>,
}

/// What changed in column `column` of `current` since `previous`: `None`
/// when the previous matrix did not run that implementation under that
/// profile, else every scenario whose status differs (in id order).
pub fn verdict_changes(
    previous: &MatrixVerdicts,
    current: &MatrixVerdicts,
    column: usize,
) -> Option<Vec<VerdictChange>> {
    let c = current.columns.get(column)?;
    let before_column = previous.column(&c.implementation, &c.profile)?;
    let ids: std::collections::BTreeSet<&String> = previous
        .verdicts
        .keys()
        .chain(current.verdicts.keys())
        .collect();
    let status = |v: &MatrixVerdicts, id: &str, col: usize| {
        v.verdicts
            .get(id)
            .and_then(|cells| cells.get(col).copied().flatten())
    };
    Some(
        ids.into_iter()
            .filter_map(|id| {
                let before = status(previous, id, before_column);
                let after = status(current, id, column);
                (before != after).then(|| VerdictChange {
                    scenario: id.clone(),
                    before,
                    after,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"{
      "introduction": ["Two implementations."],
      "profiles": ["alipay-2022-09", "wechat"],
      "implementations": [
        {"id": "node", "title": "Node", "adapter": "node a.js", "source": "`a.js`"},
        {"id": "web", "title": "Web", "adapter": "node b.js", "source": "`b.js`", "profiles": ["wechat"]}
      ]
    }"#;

    #[test]
    fn a_plan_lists_its_runs_in_order() {
        let plan = MatrixPlan::read(PLAN).unwrap();
        assert_eq!(
            plan.runs_as_lines(),
            "node\talipay-2022-09\tnode a.js\nnode\twechat\tnode a.js\nweb\twechat\tnode b.js\n"
        );
    }

    #[test]
    fn a_bad_plan_says_what_is_wrong() {
        let cases = [
            (
                PLAN.replace("\"id\": \"web\"", "\"id\": \"node\""),
                "id \"node\" is given twice",
            ),
            (
                PLAN.replace("\"id\": \"web\"", "\"id\": \"Web H5\""),
                "is not lower-case letters",
            ),
            (
                PLAN.replace("node b.js", "node a.js"),
                "node and web run the same adapter under wechat",
            ),
            (
                PLAN.replace("[\"wechat\"]", "[]"),
                "implementations[1] (web): no profile",
            ),
            (
                PLAN.replace("\"title\": \"Web\"", "\"tilte\": \"Web\""),
                "unknown field `tilte`",
            ),
        ];
        for (json, expected) in cases {
            let e = MatrixPlan::read(&json).unwrap_err().to_string();
            assert!(e.contains(expected), "{expected}: {e}");
        }
    }

    fn verdicts(columns: &[(&str, &str)], rows: &[(&str, &[Option<Status>])]) -> MatrixVerdicts {
        MatrixVerdicts {
            schema_version: MATRIX_SCHEMA_VERSION,
            date: "2026-01-01".into(),
            suites: Vec::new(),
            columns: columns
                .iter()
                .map(|(i, p)| MatrixColumn {
                    implementation: (*i).into(),
                    profile: (*p).into(),
                    version: "x 1".into(),
                })
                .collect(),
            verdicts: rows
                .iter()
                .map(|(id, cells)| ((*id).to_string(), cells.to_vec()))
                .collect(),
        }
    }

    #[test]
    fn changes_are_per_implementation_and_profile_whatever_the_column_order() {
        use Status::*;
        let before = verdicts(
            &[("web", "wechat"), ("node", "wechat")],
            &[
                ("a::1", &[Some(Fail), Some(Pass)]),
                ("a::2", &[Some(Fail), Some(Pass)]),
            ],
        );
        let now = verdicts(
            &[("node", "wechat"), ("web", "wechat"), ("new", "wechat")],
            &[
                ("a::1", &[Some(Pass), Some(Pass), Some(Pass)]),
                ("a::3", &[Some(Pass), Some(Fail), None]),
            ],
        );
        assert_eq!(
            verdict_changes(&before, &now, 0).unwrap(),
            [
                VerdictChange {
                    scenario: "a::2".into(),
                    before: Some(Pass),
                    after: None
                },
                VerdictChange {
                    scenario: "a::3".into(),
                    before: None,
                    after: Some(Pass)
                },
            ]
        );
        let web = verdict_changes(&before, &now, 1).unwrap();
        assert_eq!(
            web.iter()
                .map(|c| (c.scenario.as_str(), c.before, c.after))
                .collect::<Vec<_>>(),
            [
                ("a::1", Some(Fail), Some(Pass)),
                ("a::2", Some(Fail), None),
                ("a::3", None, Some(Fail))
            ]
        );
        assert_eq!(verdict_changes(&before, &now, 2), None, "a new column");
    }

    #[test]
    fn the_verdicts_file_reads_back_with_a_line_per_scenario() {
        let v = verdicts(
            &[("node", "wechat")],
            &[("a::1", &[Some(Status::NotApplicable)]), ("a::2", &[None])],
        );
        let text = v.to_json();
        assert!(
            text.contains("\n    \"a::1\": [\"notApplicable\"],\n    \"a::2\": [null]\n"),
            "{text}"
        );
        assert_eq!(MatrixVerdicts::read(&text).unwrap(), v);
        let other = text.replace("\"schemaVersion\": 1", "\"schemaVersion\": 9");
        assert!(MatrixVerdicts::read(&other)
            .unwrap_err()
            .to_string()
            .contains("schemaVersion 9"));
    }
}
