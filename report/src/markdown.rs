//! Markdown for CI step summaries (GitHub's `$GITHUB_STEP_SUMMARY`, GitLab
//! and others render it).

use std::fmt::Write as _;

use crate::baseline::write_baseline_markdown;
use crate::escape::{md_cell, md_fence, truncate};
use crate::model::{RunReport, Status, Totals, Verdict};
use crate::rules::{code_rows, rule_rows};

/// The most text one failure shows (first difference and diff each); a step
/// summary is limited to 1 MiB.
const MAX_DETAIL: usize = 4000;

/// A status as an icon and a label, for tables.
pub(crate) fn badge(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Pass) => "✅ pass",
        Some(Status::Fail) => "❌ fail",
        Some(Status::Error) => "💥 error",
        Some(Status::NotApplicable) => "⏭️ not applicable",
        None => "⬜ uncovered",
    }
}

/// `3 pass, 1 fail` for the statuses present in `counts`, worst first.
pub(crate) fn breakdown(counts: &Totals) -> String {
    let parts: Vec<String> = Status::ALL
        .iter()
        .rev()
        .filter(|s| counts.get(**s) > 0)
        .map(|s| format!("{} {}", counts.get(*s), s.label()))
        .collect();
    if parts.is_empty() {
        "–".to_string()
    } else {
        parts.join(", ")
    }
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

/// The root causes: the scenarios that did not pass, grouped by their
/// normalised first difference, largest group first (at most ten).
fn root_cause_list(report: &RunReport) -> String {
    let mut md = String::new();
    if report.root_causes.is_empty() {
        return md;
    }
    md.push_str("## Root causes\n\n");
    for cause in report.root_causes.iter().take(10) {
        let n = cause.scenarios.len();
        let _ = writeln!(
            md,
            "- **{n} {}**: `{}`",
            if n == 1 { "scenario" } else { "scenarios" },
            cause.cause.replace('`', "'")
        );
    }
    if report.root_causes.len() > 10 {
        let _ = writeln!(md, "- … and {} more causes", report.root_causes.len() - 10);
    }
    md.push('\n');
    md
}

/// The implementation's profile as a table: each [impl-defined] rule with
/// the option the run showed, "not observed", or the two options that
/// break `options.consistent`.
fn profile_table(report: &RunReport) -> String {
    let mut md = String::new();
    if report.options.is_empty() {
        return md;
    }
    md.push_str(
        "## Implementation profile\n\n| rule | option | scenarios |\n| --- | --- | --- |\n",
    );
    for entry in &report.options {
        let (option, scenarios) = match entry.observed.as_slice() {
            [] => ("not observed".to_string(), String::new()),
            [one] => (format!("`{}`", one.option), one.scenarios.len().to_string()),
            many => (
                format!(
                    "❌ {}",
                    many.iter()
                        .map(|o| format!("`{}`", o.option))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
                many.iter()
                    .map(|o| format!("{}: {}", o.option, o.scenarios.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        let _ = writeln!(
            md,
            "| `{}` | {option} | {} |",
            entry.rule,
            md_cell(&scenarios)
        );
    }
    md.push('\n');
    md
}

/// The report as Markdown: run information, totals, a table of error codes
/// 1–12 and one of rule ids with their status, then every scenario that did
/// not pass with its first difference (collapsed in `<details>`), and the
/// baseline's verdict when the run was judged against one.
pub fn write_markdown(report: &RunReport) -> String {
    let mut md = String::new();
    let t = &report.totals;
    let verdict = match report.verdict() {
        Verdict::NotCompliant => "❌ non-conforming",
        Verdict::Interrupted => "⏸️ interrupted",
        Verdict::Compliant => "✅ conforming",
    };
    let _ = writeln!(
        md,
        "# Conformance: {} — {verdict}\n",
        md_cell(&report.implementation_label())
    );
    let _ = writeln!(
        md,
        "{} · profile `{}` · adapter `{}` · started {} · {}\n",
        md_cell(&report.suite.label()),
        report.profile.replace('`', "'"),
        report.implementation.adapter.replace('`', "'"),
        md_cell(&report.started_at),
        seconds(report.duration_ms)
    );
    if report.interrupted {
        let _ = writeln!(
            md,
            "> **Interrupted**: the run was stopped before every scenario ended; \
             this report holds the {} that did.\n",
            t.total()
        );
    }

    md.push_str("| ✅ pass | ❌ fail | 💥 error | ⏭️ not applicable | total |\n");
    md.push_str("| ---: | ---: | ---: | ---: | ---: |\n");
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} |\n",
        t.pass,
        t.fail,
        t.error,
        t.not_applicable,
        t.total()
    );
    md.push_str(&root_cause_list(report));
    md.push_str(&profile_table(report));

    md.push_str(
        "## Error codes\n\n| code | meaning | status | scenarios |\n| ---: | --- | --- | --- |\n",
    );
    for row in code_rows(report) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            row.code.code(),
            md_cell(row.code.meaning()),
            badge(row.status),
            breakdown(&row.counts)
        );
    }

    md.push_str("\n## Rules\n\n| rule | status | scenarios |\n| --- | --- | --- |\n");
    for row in rule_rows(report) {
        let unknown = if row.known {
            ""
        } else {
            " (not in behaviour.md)"
        };
        let _ = writeln!(
            md,
            "| `{}`{unknown} | {} | {} |",
            row.rule.replace('`', "'"),
            badge(row.status),
            breakdown(&row.counts)
        );
    }

    let not_passed: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Pass)
        .collect();
    if !not_passed.is_empty() {
        md.push_str("\n## Scenarios that did not pass\n");
        for status in Status::ALL.iter().rev().filter(|s| **s != Status::Pass) {
            let group: Vec<_> = not_passed.iter().filter(|s| s.status == *status).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(md, "\n### {} ({})\n", badge(Some(*status)), group.len());
            for s in group {
                let message = s
                    .message
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("");
                let _ = writeln!(
                    md,
                    "<details><summary><code>{}</code>: {}</summary>\n",
                    md_cell(&s.id),
                    md_cell(message)
                );
                let _ = writeln!(
                    md,
                    "{}  \nrules: {}{}\n",
                    md_cell(&s.title),
                    rule_list(&s.rules),
                    s.broken_rule
                        .as_deref()
                        .map(|r| format!("  \nfails under: `{}`", md_cell(r)))
                        .unwrap_or_default()
                );
                if let Some(first) = &s.first_difference {
                    md.push_str("First difference:\n\n");
                    md.push_str(&md_fence("text", &truncate(first, MAX_DETAIL)));
                    md.push('\n');
                }
                if let Some(diff) = &s.golden_diff {
                    md.push_str("Golden trace (-expected +actual):\n\n");
                    md.push_str(&md_fence("diff", &truncate(diff, MAX_DETAIL)));
                    md.push('\n');
                }
                md.push_str("</details>\n");
            }
        }
    }
    if let Some(verdict) = &report.baseline {
        if !md.ends_with("\n\n") {
            md.push('\n');
        }
        md.push_str(&write_baseline_markdown(verdict));
    }
    md
}

fn rule_list(rules: &[String]) -> String {
    if rules.is_empty() {
        return "–".to_string();
    }
    rules
        .iter()
        .map(|r| format!("`{}`", r.replace('`', "'")))
        .collect::<Vec<_>>()
        .join(", ")
}
