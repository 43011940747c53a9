//! `spec/spec.json` is what `spec::spec_json` renders now.

use std::path::Path;

#[test]
fn the_committed_spec_json_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(spec::SPEC_JSON_PATH);
    let fresh = spec::spec_json();
    if std::env::var_os("UPDATE_SPEC_JSON").is_some_and(|v| v != "0" && !v.is_empty()) {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: regenerate with `UPDATE_SPEC_JSON=1 cargo test -p spec --test spec_json`",
        spec::SPEC_JSON_PATH
    );
}

#[test]
fn spec_json_parses_and_names_its_version() {
    let value: serde_json::Value = serde_json::from_str(&spec::spec_json()).unwrap();
    assert_eq!(value["specJsonVersion"], spec::SPEC_JSON_VERSION);
}
