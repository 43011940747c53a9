//! Several implementations side by side: one matrix whose rows are the
//! rule ids, the error codes, then the scenarios, and whose columns are the
//! reports.

use std::fmt::Write as _;

use crate::escape::{html as esc, md_cell};
use crate::html::{badge as html_badge, page_start};
use crate::markdown::badge as md_badge;
use crate::model::{RunReport, Status};
use crate::rules::{code_rows, rule_rows};

/// What a comparison row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A rule id; a missing cell means no scenario covers it ("uncovered").
    Rule,
    /// An error code 1–12; a missing cell means no scenario covers it.
    ErrorCode,
    /// A scenario id; a missing cell means the report does not have it
    /// ("not run").
    Scenario,
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonRow {
    /// What the row is about.
    pub kind: RowKind,
    /// The rule id, the code (`1`..`12`) or the scenario id.
    pub key: String,
    /// A short description: the code's meaning or the scenario's title
    /// (empty for rules).
    pub description: String,
    /// One cell per report, in the reports' order.
    pub cells: Vec<Option<Status>>,
}

impl ComparisonRow {
    /// Whether the reports disagree on this row.
    pub fn differs(&self) -> bool {
        self.cells.windows(2).any(|w| w[0] != w[1])
    }
}

/// The matrix of several reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// One label per report (`name version`), in the order given.
    pub implementations: Vec<String>,
    /// One row per rule id (`spec`'s order, then unknown ids).
    pub rules: Vec<ComparisonRow>,
    /// One row per error code 1–12.
    pub error_codes: Vec<ComparisonRow>,
    /// One row per scenario id, in order of first appearance.
    pub scenarios: Vec<ComparisonRow>,
}

impl Comparison {
    /// Every row: rules, then error codes, then scenarios.
    pub fn rows(&self) -> impl Iterator<Item = &ComparisonRow> {
        self.rules
            .iter()
            .chain(&self.error_codes)
            .chain(&self.scenarios)
    }
}

/// Puts `reports` side by side.
pub fn compare(reports: &[RunReport]) -> Comparison {
    let mut implementations: Vec<String> = Vec::new();
    for r in reports {
        // Each column names its profile when the runs checked different
        // editions of the API: their verdicts are not the same question.
        let mut label = r.implementation_label();
        if reports.iter().any(|o| o.profile != r.profile) {
            label = format!("{label} [{}]", r.profile);
        }
        if implementations.contains(&label) {
            // Two runs of one implementation: tell the columns apart.
            label = format!("{label} ({})", r.started_at);
        }
        implementations.push(label);
    }

    let per_report_rules: Vec<_> = reports.iter().map(rule_rows).collect();
    let mut rule_keys: Vec<String> = Vec::new();
    for rows in &per_report_rules {
        for row in rows {
            if !rule_keys.contains(&row.rule) {
                rule_keys.push(row.rule.clone());
            }
        }
    }
    let rules = rule_keys
        .into_iter()
        .map(|key| ComparisonRow {
            kind: RowKind::Rule,
            cells: per_report_rules
                .iter()
                .map(|rows| rows.iter().find(|r| r.rule == key).and_then(|r| r.status))
                .collect(),
            description: String::new(),
            key,
        })
        .collect();

    let per_report_codes: Vec<_> = reports.iter().map(code_rows).collect();
    let error_codes = crate::rules::ERROR_CODES
        .iter()
        .enumerate()
        .map(|(i, code)| ComparisonRow {
            kind: RowKind::ErrorCode,
            key: code.code().to_string(),
            description: code.meaning().to_string(),
            cells: per_report_codes.iter().map(|rows| rows[i].status).collect(),
        })
        .collect();

    let mut scenarios: Vec<ComparisonRow> = Vec::new();
    for r in reports {
        for s in &r.scenarios {
            if scenarios.iter().any(|row| row.key == s.id) {
                continue;
            }
            scenarios.push(ComparisonRow {
                kind: RowKind::Scenario,
                key: s.id.clone(),
                description: s.title.clone(),
                cells: reports
                    .iter()
                    .map(|other| {
                        other
                            .scenarios
                            .iter()
                            .find(|o| o.id == s.id)
                            .map(|o| o.status)
                    })
                    .collect(),
            });
        }
    }

    Comparison {
        implementations,
        rules,
        error_codes,
        scenarios,
    }
}

fn md_cell_of(kind: RowKind, status: Option<Status>) -> &'static str {
    match (kind, status) {
        (RowKind::Scenario, None) => "– not run",
        (_, status) => md_badge(status),
    }
}

/// The comparison as Markdown: a header row of implementations, then a
/// table each for rule ids, error codes and scenarios. A row where the
/// implementations disagree is marked with ◆.
pub fn write_comparison_markdown(comparison: &Comparison) -> String {
    let mut md = String::from("# Conformance comparison\n\n");
    let _ = writeln!(
        md,
        "{} implementations · rows marked ◆ differ between them\n",
        comparison.implementations.len()
    );
    let header: Vec<String> = comparison
        .implementations
        .iter()
        .map(|i| md_cell(i))
        .collect();
    let aligns = " :---: |".repeat(header.len());
    for (title, first, rows) in [
        ("Rules", "rule", &comparison.rules),
        ("Error codes", "code", &comparison.error_codes),
        ("Scenarios", "scenario", &comparison.scenarios),
    ] {
        let _ = writeln!(
            md,
            "## {title}\n\n| {first} | {} |\n| --- |{aligns}",
            header.join(" | ")
        );
        for row in rows {
            let key = match row.kind {
                RowKind::ErrorCode => format!("{} {}", row.key, md_cell(&row.description)),
                _ => format!("`{}`", row.key.replace('`', "'")),
            };
            let mark = if row.differs() { " ◆" } else { "" };
            let cells: Vec<&str> = row.cells.iter().map(|c| md_cell_of(row.kind, *c)).collect();
            let _ = writeln!(md, "| {key}{mark} | {} |", cells.join(" | "));
        }
        md.push('\n');
    }
    md
}

/// The comparison as one self-contained HTML page: one table, rules, error
/// codes and scenarios as row groups, a coloured badge per cell, rows where
/// implementations disagree marked.
pub fn write_comparison_html(comparison: &Comparison) -> String {
    let mut out = page_start("Conformance comparison");
    let _ = write!(
        out,
        "<header class=\"top\"><div class=\"inner\"><div><h1>Conformance comparison</h1>\
         <div class=\"sub\">{} implementations side by side · rows where they differ are marked ◆</div></div></div></header>\n<main>\n",
        comparison.implementations.len()
    );
    out.push_str(&crate::html::legend());
    out.push_str("<table class=\"cmp\">\n<thead><tr><th></th>");
    for i in &comparison.implementations {
        let _ = write!(out, "<th>{}</th>", esc(i));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let span = comparison.implementations.len() + 1;
    for (title, rows) in [
        ("Rules", &comparison.rules),
        ("Error codes", &comparison.error_codes),
        ("Scenarios", &comparison.scenarios),
    ] {
        let _ = writeln!(
            out,
            "<tr class=\"group\"><th colspan=\"{span}\">{title}</th></tr>"
        );
        for row in rows {
            let differ = if row.differs() {
                " class=\"differ\""
            } else {
                ""
            };
            let mark = if row.differs() { " ◆" } else { "" };
            let key = match row.kind {
                RowKind::ErrorCode => format!("<b>{}</b> {}", esc(&row.key), esc(&row.description)),
                RowKind::Rule => format!("<code>{}</code>", esc(&row.key)),
                RowKind::Scenario => {
                    format!(
                        "<code title=\"{}\">{}</code>",
                        esc(&row.description),
                        esc(&row.key)
                    )
                }
            };
            let _ = write!(out, "<tr{differ}><td>{key}{mark}</td>");
            for cell in &row.cells {
                let badge = match (row.kind, cell) {
                    (RowKind::Scenario, None) => {
                        "<span class=\"badge uncovered\">not run</span>".to_string()
                    }
                    (_, c) => html_badge(*c),
                };
                let _ = write!(out, "<td class=\"c\">{badge}</td>");
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n<footer>a self-contained page: it loads nothing</footer>\n</main>\n</body>\n</html>\n");
    out
}
