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
