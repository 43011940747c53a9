//! The golden check: a scenario's normalised trace against its snapshot
//! `scenarios/<area>/snapshots/<id>.snap`, the oracle for every
//! implementation.
//!
//! A snapshot is insta's format: a header block between two `---` lines,
//! then the trace as YAML. Both sides are compared as data (so quoting
//! and layout do not matter) and, when they differ, shown as a unified
//! diff of their YAML renderings.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::scenario::loader::LoadedScenario;

/// Why a snapshot could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GoldenError {
    /// There is no snapshot (a new scenario: accept one with insta).
    #[error("{path}: no golden snapshot; write one with `INSTA_UPDATE=always cargo test -p runner --test conformance -- --exact {trial}` and review it")]
    Missing {
        /// Where it should be.
        path: PathBuf,
        /// The in-process trial that writes it.
        trial: String,
    },
    /// The file could not be read.
    #[error("{path}: cannot read the golden snapshot")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an insta snapshot of YAML.
    #[error("{path}: not a golden snapshot: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The snapshot file of a scenario.
pub fn snapshot_path(scenario: &LoadedScenario) -> PathBuf {
    scenario
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join("snapshots")
        .join(format!("{}.snap", scenario.scenario.id))
}

/// The golden trace of a scenario, as data.
pub fn read_golden(scenario: &LoadedScenario) -> Result<Value, GoldenError> {
    let path = snapshot_path(scenario);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(GoldenError::Missing {
                path,
                trial: scenario.trial_name(),
            })
        }
        Err(source) => return Err(GoldenError::Io { path, source }),
    };
    parse_snapshot(&text).map_err(|message| GoldenError::Malformed { path, message })
}

/// The content of an insta snapshot (after its `---` header block), as data.
pub fn parse_snapshot(text: &str) -> Result<Value, String> {
    let body = match text.strip_prefix("---\n") {
        Some(rest) => match rest.find("\n---\n") {
            Some(end) => &rest[end + 5..],
            None => return Err("the header block has no closing `---`".into()),
        },
        None => text,
    };
    serde_yaml::from_str(body).map_err(|e| format!("the trace is not YAML: {e}"))
}

/// The trace as the harness serialises it (YAML).
pub fn render(trace: &Value) -> String {
    serde_yaml::to_string(trace).unwrap_or_else(|e| format!("<unserialisable trace: {e}>"))
}

/// `None` when `actual` is the golden trace; otherwise a unified diff from
/// the golden (`-`) to the actual (`+`) trace.
pub fn compare(golden: &Value, actual: &Value) -> Option<String> {
    // Compare as YAML data, as the snapshot holds it.
    let actual: Value = serde_yaml::from_str(&render(actual)).unwrap_or_else(|_| actual.clone());
    if golden == &actual {
        return None;
    }
    let (expected, got) = (render(golden), render(&actual));
    let diff = similar::TextDiff::from_lines(&expected, &got);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header("golden", "actual")
            .to_string(),
    )
}

/// The first changed lines of a diff (for one-line summaries).
pub fn first_difference(diff: &str) -> String {
    let mut lines = diff.lines().filter(|l| {
        (l.starts_with('-') || l.starts_with('+')) && !l.starts_with("---") && !l.starts_with("+++")
    });
    let first: Vec<&str> = lines.by_ref().take(2).collect();
    first.join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_header_is_skipped_and_its_trace_read_as_data() {
        let text =
            "---\nsource: x\ndescription: \"a: b\"\n---\nclient:\n  my:\n    - c1: returned\n";
        let v = parse_snapshot(text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"client": {"my": [{"c1": "returned"}]}})
        );
    }

    #[test]
    fn a_difference_is_a_unified_diff() {
        let golden = serde_json::json!({"client": {"my": [{"c1": "returned"}, {"my.close@C": {"code": 4000}}]}});
        let actual = serde_json::json!({"client": {"my": [{"c1": "returned"}, {"my.close@C": {"code": 1006}}]}});
        assert_eq!(compare(&golden, &golden), None);
        let diff = compare(&golden, &actual).unwrap();
        assert!(
            diff.contains("-      code: 4000") && diff.contains("+      code: 1006"),
            "{diff}"
        );
        assert_eq!(
            first_difference(&diff),
            "-      code: 4000 / +      code: 1006"
        );
    }
}
