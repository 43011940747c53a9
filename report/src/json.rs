//! The JSON report: the model as is; and the versioned JSON files of the
//! crate (reports and baselines) in general.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ReportError;
use crate::model::{RunReport, SCHEMA_VERSION};

/// The report as pretty JSON (schema version [`SCHEMA_VERSION`]), ending
/// with a newline.
pub fn write_json(report: &RunReport) -> String {
    write_versioned(report)
}

/// Reads a JSON report, refusing a schema version other than
/// [`SCHEMA_VERSION`].
pub fn read_json(json: &str) -> Result<RunReport, ReportError> {
    read_versioned(json, "report", SCHEMA_VERSION)
}

/// A model as pretty JSON, ending with a newline.
pub(crate) fn write_versioned<T: Serialize>(value: &T) -> String {
    let mut json = serde_json::to_string_pretty(value).expect("the models always serialise");
    json.push('\n');
    json
}

/// Reads a JSON file whose top-level `schemaVersion` must be `expected`;
/// `what` names the kind of file in errors.
pub(crate) fn read_versioned<T: DeserializeOwned>(
    json: &str,
    what: &'static str,
    expected: u32,
) -> Result<T, ReportError> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|source| ReportError::Json { what, source })?;
    let Some(version) = value.get("schemaVersion") else {
        return Err(ReportError::NotVersioned { what });
    };
    let found = version.as_u64().unwrap_or(0);
    if found != u64::from(expected) {
        return Err(ReportError::SchemaVersion {
            what,
            found,
            expected,
        });
    }
    serde_json::from_value(value).map_err(|source| ReportError::Json { what, source })
}
