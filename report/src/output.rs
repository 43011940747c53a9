//! Writing reports to files.

use std::path::{Path, PathBuf};

use crate::error::ReportError;
use crate::model::RunReport;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JUnit XML ([`crate::write_junit`]).
    Junit,
    /// JSON ([`crate::write_json`]).
    Json,
    /// Markdown ([`crate::write_markdown`]).
    Markdown,
    /// Self-contained HTML ([`crate::write_html`]).
    Html,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Junit, Format::Json, Format::Markdown, Format::Html];

    /// The format named `junit`, `json`, `md` (or `markdown`) or `html`,
    /// as in `--report md=PATH` (case-insensitive; `xml` is not a name:
    /// JUnit is one XML format among others).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "junit" => Some(Format::Junit),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            _ => None,
        }
    }

    /// The file name [`write_all`] uses: `junit.xml`, `report.json`,
    /// `summary.md`, `report.html`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Junit => "junit.xml",
            Format::Json => "report.json",
            Format::Markdown => "summary.md",
            Format::Html => "report.html",
        }
    }

    /// The report in this format.
    pub fn render(self, report: &RunReport) -> String {
        match self {
            Format::Junit => crate::junit::write_junit(report),
            Format::Json => crate::json::write_json(report),
            Format::Markdown => crate::markdown::write_markdown(report),
            Format::Html => crate::html::write_html(report),
        }
    }
}

/// Writes `report` in `format` to `path`, creating its parent folders.
pub fn write_report(report: &RunReport, format: Format, path: &Path) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, format.render(report)).map_err(io)
}

/// Writes every format into `dir` (created if missing) under
/// [`Format::file_name`], and returns the paths written, in
/// [`Format::ALL`]'s order.
pub fn write_all(report: &RunReport, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    Format::ALL
        .iter()
        .map(|format| {
            let path = dir.join(format.file_name());
            write_report(report, *format, &path).map(|()| path)
        })
        .collect()
}
