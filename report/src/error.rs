//! The crate's error.

use std::path::PathBuf;

/// What can go wrong reading or writing a report or a baseline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A JSON report or baseline is not valid JSON for its schema.
    #[error("invalid {what}: {source}")]
    Json {
        /// `report` or `baseline`.
        what: &'static str,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// One entry of a JSON report or baseline is not valid for its schema.
    #[error("invalid {what}: {at}: {source}")]
    JsonAt {
        /// `report` or `baseline`.
        what: &'static str,
        /// Which entry, e.g. `expected[2] (id "url::x")`.
        at: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A file of a valid format whose content is not: two things that must
    /// differ are the same, a value out of its range.
    #[error("invalid {what}: {problem}")]
    Invalid {
        /// `matrix plan`, ...
        what: &'static str,
        /// What is wrong, and where.
        problem: String,
    },
    /// A compatibility matrix cannot be made from the reports given.
    #[error("compatibility matrix: {0}")]
    Matrix(String),
    /// A JSON file that is not a report or baseline at all: no top-level
    /// `schemaVersion`.
    #[error(
        "not a {what}: no top-level \"schemaVersion\" (expected a {what} written by this suite)"
    )]
    NotVersioned {
        /// `report` or `baseline`.
        what: &'static str,
    },
    /// A JSON report or baseline has a schema version this crate does not
    /// read.
    #[error("unsupported {what} schemaVersion {found} (this build reads {expected})")]
    SchemaVersion {
        /// `report` or `baseline`.
        what: &'static str,
        /// The version in the file.
        found: u64,
        /// The version this build reads.
        expected: u32,
    },
}
