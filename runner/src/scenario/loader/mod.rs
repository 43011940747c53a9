//! Reads scenario files: YAML to a typed [`Scenario`], or an error that
//! names the file, the line and column, the scenario and what was expected.
//!
//! [`checks`] holds what the types cannot check (names, targets, methods,
//! patterns) and what would otherwise only fail at run time (templates,
//! deadlines); [`tests`] pins the text of every loading error.

mod checks;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::scenario::embedded;
use crate::scenario::model::Scenario;

pub use checks::MIN_SCENARIO_DEADLINE_MS;
use checks::{check_runnable, validate};
/// A scenario with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The folder under the scenarios root (`connect`, `tls`, …).
    pub area: String,
    /// The file.
    pub path: PathBuf,
    /// The scenario.
    pub scenario: Scenario,
}

impl LoadedScenario {
    /// `<area>::<id>`, the trial name.
    pub fn trial_name(&self) -> String {
        format!("{}::{}", self.area, self.scenario.id)
    }
}

/// Why scenarios could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file or folder could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The YAML does not match the scenario format.
    #[error("{path}:{line}:{column}: {scenario}{message}", scenario = scenario_prefix(.scenario))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// The scenario id, when it could be read.
        scenario: Option<String>,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The scenario parsed but is inconsistent (unknown call name, method, …).
    #[error("{path}: {scenario}{at}: {message}", scenario = scenario_prefix(&Some(.scenario.clone())))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The scenario id.
        scenario: String,
        /// Where in the scenario (`steps[3].call`).
        at: String,
        /// What was wrong.
        message: String,
    },
    /// Several files do not load: each error, in path order.
    #[error("{} scenario files do not load:\n  {}", .0.len(), list_errors(.0))]
    Several(Vec<LoadError>),
    /// Two files use the same id.
    #[error("{second}: scenario `{id}`: duplicate id, already used by {first}")]
    DuplicateId {
        /// The id.
        id: String,
        /// The file that used it first.
        first: PathBuf,
        /// The file that used it again.
        second: PathBuf,
    },
}

fn list_errors(errors: &[LoadError]) -> String {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| e.to_string().replace('\n', "\n    "))
        .collect();
    lines.join("\n  ")
}

fn scenario_prefix(scenario: &Option<String>) -> String {
    match scenario {
        Some(id) => format!("scenario `{id}`: "),
        None => String::new(),
    }
}

/// The workspace's `scenarios/` folder.
pub fn scenarios_dir() -> std::path::PathBuf {
    let runner = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    runner.parent().unwrap_or(runner).join("scenarios")
}

/// Parses one scenario from YAML text; `path` is used in errors.
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, LoadError> {
    // Steps are single-key maps (`- call: {...}`), not YAML tags.
    let de = serde_yaml::Deserializer::from_str(text);
    let scenario: Scenario =
        serde_yaml::with::singleton_map_recursive::deserialize(de).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            LoadError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                scenario: peek_id(text),
                message: strip_location(&e.to_string()),
            }
        })?;
    validate(&scenario).map_err(|(at, message)| LoadError::Invalid {
        path: path.to_path_buf(),
        scenario: scenario.id.clone(),
        at,
        message,
    })?;
    check_runnable(&scenario).map_err(|(needle, message)| {
        let (line, column) = locate(text, &needle);
        LoadError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            scenario: Some(scenario.id.clone()),
            message,
        }
    })?;
    Ok(scenario)
}

/// 1-based line and column of the first `needle` in `text` ((0, 0) when
/// it is not there verbatim).
fn locate(text: &str, needle: &str) -> (usize, usize) {
    let Some(at) = text.find(needle) else {
        return (0, 0);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// The error text without yaml_serde's own " at line L column C" suffix.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn peek_id(text: &str) -> Option<String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    value.get("id")?.as_str().map(str::to_string)
}

/// Loads every `*.yaml` under `root` (one folder level: `root/<area>/*.yaml`
/// and deeper; the embedded set when `root` is `embedded::root()`), sorted
/// by path; ids must be unique. Every file is read even
/// after a bad one, so that the error names all of them at once
/// ([`LoadError::Several`] when there is more than one).
pub fn load_dir(root: &Path) -> Result<Vec<LoadedScenario>, LoadError> {
    let mut files = Vec::new();
    collect_yaml(root, &mut files)?;
    files.sort();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let loaded = embedded::read_to_string(&path)
            .map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })
            .and_then(|text| parse_scenario(&path, &text));
        let scenario = match loaded {
            Ok(scenario) => scenario,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(first) = seen.get(&scenario.id) {
            errors.push(LoadError::DuplicateId {
                id: scenario.id.clone(),
                first: first.clone(),
                second: path,
            });
            continue;
        }
        seen.insert(scenario.id.clone(), path.clone());
        let area = path
            .strip_prefix(root)
            .ok()
            .and_then(|rel| rel.components().next())
            .filter(|_| path.parent() != Some(root))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".into());
        out.push(LoadedScenario {
            area,
            path,
            scenario,
        });
    }
    match errors.len() {
        0 => Ok(out),
        1 => Err(errors.remove(0)),
        _ => Err(LoadError::Several(errors)),
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    if dir == embedded::root() {
        out.extend(embedded::yaml_paths());
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "snapshots") {
                continue;
            }
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}
