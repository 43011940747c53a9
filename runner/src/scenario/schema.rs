//! The JSON Schema of the scenario format, generated from the Rust types.

use crate::scenario::model::Scenario;

/// The schema as pretty JSON with a trailing newline, as committed in
/// `scenarios/scenario.schema.json`.
pub fn scenario_schema_json() -> String {
    let mut schema = schemars::schema_for!(Scenario);
    schema.insert("title".into(), "connectSocket conformance scenario".into());
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}
