//! The JSON report: the model as is.

use crate::error::ReportError;
use crate::model::{RunReport, SCHEMA_VERSION};

/// The report as pretty JSON (schema version [`SCHEMA_VERSION`]), ending
/// with a newline.
pub fn write_json(report: &RunReport) -> String {
    let mut json = serde_json::to_string_pretty(report).expect("a report always serialises");
    json.push('\n');
    json
}

/// Reads a JSON report, refusing a schema version other than
/// [`SCHEMA_VERSION`].
pub fn read_json(json: &str) -> Result<RunReport, ReportError> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|source| ReportError::Json {
            what: "report",
            source,
        })?;
    let found = value
        .get("schemaVersion")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if found != u64::from(SCHEMA_VERSION) {
        return Err(ReportError::SchemaVersion {
            what: "report",
            found,
            expected: SCHEMA_VERSION,
        });
    }
    serde_json::from_value(value).map_err(|source| ReportError::Json {
        what: "report",
        source,
    })
}
