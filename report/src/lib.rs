//! Compliance reports for the connectSocket conformance suite.
//!
//! The runner converts its results into one [`RunReport`] (the data model,
//! serialised as the versioned JSON report); every format is a pure
//! function of it, so adding a format adds a consumer, never a branch in
//! the runner:
//!
//! - [`write_junit`]: JUnit XML for CI test tabs (one testsuite per area);
//! - [`write_json`] / [`read_json`]: the model as is (`schemaVersion` 2);
//! - [`write_markdown`]: a summary for CI step summaries;
//! - [`write_html`]: one self-contained page (no network) with a compliance
//!   matrix, status filters and each scenario's trace and golden diff;
//! - [`write_terminal_summary`]: the plain text `run` and `merge` print.
//!
//! The run's [`Verdict`] is decided once, by [`RunReport::verdict`];
//! [`apply_baseline`] tells new failures from expected ones so CI fails only
//! on regressions, and [`RunReport::judge_against`] keeps that verdict in the
//! report, where every format shows it. [`compare`] puts several reports
//! side by side, and [`compatibility_matrix`] renders the runs of a
//! [`MatrixPlan`] as the compatibility matrix, with the verdicts changed
//! since the previous one.
//!
//! It does not run scenarios, nor print progress: that is the runner's.

mod baseline;
mod compare;
mod compatibility;
mod error;
mod escape;
mod html;
mod json;
mod junit;
mod markdown;
mod matrix;
mod model;
mod options;
mod output;
mod rules;
mod sample;
mod terminal;
mod triage;

pub use baseline::{
    apply_baseline, baseline_from, read_baseline, write_baseline, write_baseline_markdown,
    Baseline, BaselineEntry, BaselineVerdict, UnexpectedPass, BASELINE_SCHEMA_VERSION,
};
pub use compare::{
    compare, write_comparison_html, write_comparison_markdown, Comparison, ComparisonRow, RowKind,
};
pub use compatibility::{
    compatibility_matrix, Matrix, MatrixInput, PreviousMatrix, Signals, GROUPS_SHOWN,
};
pub use error::ReportError;
pub use html::write_html;
pub use json::{read_json, write_json};
pub use junit::write_junit;
pub use markdown::write_markdown;
pub use matrix::{
    verdict_changes, MatrixColumn, MatrixPlan, MatrixVerdicts, PlannedImplementation, PlannedRun,
    VerdictChange, MATRIX_SCHEMA_VERSION,
};
pub use model::{
    Host, Implementation, RunReport, ScenarioReport, Status, Suite, Totals, Verdict,
    SCHEMA_VERSION, UNKNOWN_IMPLEMENTATION,
};
pub use options::{profile, ObservedOption, OptionChoice, ProfileEntry};
pub use output::{write_all, write_report, Format};
pub use rules::{cell_label, code_rows, rule_rows, CodeRow, RuleRow};
pub use sample::sample_report;
pub use terminal::{shorten, write_terminal_summary};
pub use triage::{normalise_cause, root_causes, RootCause};
