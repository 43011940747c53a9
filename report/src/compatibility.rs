//! The compatibility matrix (`docs/compatibility.md`): the JSON reports of
//! the runs of a [`MatrixPlan`] as one document, and their verdicts per
//! scenario ([`MatrixVerdicts`]) for the next matrix to compare with.
//!
//! What it shows, for each run: the implementation's version (its
//! adapter's `hello`), totals, time, the verdicts changed since the
//! previous matrix, three counts read from every trace the same way (awaits
//! that timed out, callbacks inside their call, calls that threw), the
//! options the traces showed and the failures grouped by root cause (the
//! report's own `rootCauses`). A hand-written reading of the causes, with
//! the implementations' sources, closes it.

use std::fmt::Write as _;

use crate::error::ReportError;
use crate::matrix::{verdict_changes, MatrixColumn, MatrixPlan, MatrixVerdicts, PlannedRun};
use crate::model::{RunReport, Status};

/// How many groups of failures the matrix shows per run; the rest are
/// counted.
pub const GROUPS_SHOWN: usize = 6;

/// The matrix this one follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousMatrix {
    /// Its date (`YYYY-MM-DD`).
    pub date: String,
    /// Where it is kept, from the repository root
    /// (`docs/compatibility/2026-11-27.md`).
    pub file: String,
    /// Its verdicts, when it kept them (matrices before the verdicts file
    /// did not).
    pub verdicts: Option<MatrixVerdicts>,
}

/// What a matrix is made of.
#[derive(Debug, Clone, Copy)]
pub struct MatrixInput<'a> {
    /// What was to run.
    pub plan: &'a MatrixPlan,
    /// The JSON reports of the runs, in any order (a run without one is
    /// shown as not run).
    pub reports: &'a [RunReport],
    /// The matrix this one follows.
    pub previous: Option<&'a PreviousMatrix>,
    /// Lines about the machine and tools the runs used (`Chromium 156`,
    /// `Node.js v20.20.2`).
    pub about: &'a [String],
    /// The hand-written reading of the root causes (Markdown; its headings
    /// are nested under the matrix's section).
    pub notes: Option<&'a str>,
}

/// `notes` with every Markdown heading two levels deeper (`# A` becomes
/// `### A`), so that a notes file written as a document of its own nests
/// under the matrix's section. Lines inside code fences are left alone.
fn nested_headings(notes: &str) -> String {
    let mut fenced = false;
    let mut out = String::with_capacity(notes.len());
    for line in notes.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if !fenced && line.starts_with('#') {
            out.push_str("##");
        }
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

/// A rendered matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// The document.
    pub markdown: String,
    /// Its verdicts per scenario (written beside it).
    pub verdicts: MatrixVerdicts,
}

/// One row of the matrix: a planned run and its report, if it left one.
struct Row<'a> {
    run: PlannedRun<'a>,
    report: Option<&'a RunReport>,
    /// Its column in the verdicts, when it has a report.
    column: Option<usize>,
}

/// The matrix of `input`: an error when a report is of no planned run, or
/// two reports are of one.
pub fn compatibility_matrix(input: &MatrixInput<'_>) -> Result<Matrix, ReportError> {
    let runs = input.plan.runs();
    for r in input.reports {
        if !runs.iter().any(|run| run.is_of(r)) {
            return Err(ReportError::Matrix(format!(
                "the report of {} (adapter `{}`, profile {}) is of no run of the plan",
                r.implementation_label(),
                r.implementation.adapter,
                r.profile
            )));
        }
    }
    let mut rows = Vec::new();
    let mut columns = Vec::new();
    let mut ordered: Vec<&RunReport> = Vec::new();
    for run in runs {
        let mut reports = input.reports.iter().filter(|r| run.is_of(r));
        let report = reports.next();
        if reports.next().is_some() {
            return Err(ReportError::Matrix(format!(
                "two reports are of {} under {}: give one",
                run.implementation.id, run.profile
            )));
        }
        let column = report.map(|r| {
            columns.push(MatrixColumn {
                implementation: run.implementation.id.clone(),
                profile: run.profile.to_string(),
                version: r.implementation_label(),
            });
            ordered.push(r);
            columns.len() - 1
        });
        rows.push(Row {
            run,
            report,
            column,
        });
    }
    let verdicts = MatrixVerdicts::of(columns, &ordered);
    let mut md = String::new();
    header(&mut md, input, &verdicts);
    totals(&mut md, input, &rows, &verdicts);
    changes(&mut md, input.previous, &rows, &verdicts);
    wall_time(&mut md, &rows);
    options(&mut md, &rows);
    root_causes(&mut md, &rows);
    if let Some(notes) = input.notes {
        let _ = write!(
            md,
            "## Reading the root causes\n\n{}\n",
            nested_headings(notes.trim())
        );
    }
    Ok(Matrix {
        markdown: md,
        verdicts,
    })
}

fn header(md: &mut String, input: &MatrixInput<'_>, verdicts: &MatrixVerdicts) {
    md.push_str(
        "# Compatibility matrix\n\n<!-- Generated by scripts/compatibility.sh \
         (`connectsocket-conformance compare --matrix`); do not edit by hand. -->\n\n",
    );
    for paragraph in &input.plan.introduction {
        let _ = write!(md, "{}\n\n", paragraph.trim());
    }
    let _ = writeln!(
        md,
        "- Date: {} (the day the first run started, UTC)",
        verdicts.date
    );
    let suites: Vec<String> = verdicts.suites.iter().map(|s| s.label()).collect();
    let _ = writeln!(
        md,
        "- Suite: {}",
        if suites.is_empty() {
            "no run left a report".to_string()
        } else {
            suites.join("; ")
        }
    );
    let cores: Vec<String> = {
        let mut seen: Vec<usize> = cores_of(input.reports);
        seen.dedup();
        seen.iter().map(|c| format!("{c} cores")).collect()
    };
    let mut machine = cores.join(", ");
    for line in input.about {
        if !machine.is_empty() {
            machine.push_str("; ");
        }
        machine.push_str(line);
    }
    if !machine.is_empty() {
        let _ = writeln!(md, "- Machine: {machine}");
    }
    let _ = match input.previous {
        Some(p) => writeln!(md, "- Previous matrix: `{}` ({})", p.file, p.date),
        None => writeln!(md, "- Previous matrix: none kept"),
    };
    md.push_str(
        "- Verdicts: every scenario's in every run, in the `.json` file of the same name beside \
         this one, which the next matrix compares with\n\n",
    );
}

/// The cores of the machines the reports ran on, sorted.
fn cores_of(reports: &[RunReport]) -> Vec<usize> {
    let mut cores: Vec<usize> = reports
        .iter()
        .filter_map(|r| r.host.as_ref().map(|h| h.cores))
        .collect();
    cores.sort_unstable();
    cores
}

fn totals(md: &mut String, input: &MatrixInput<'_>, rows: &[Row<'_>], verdicts: &MatrixVerdicts) {
    let since = match input.previous {
        Some(p) => format!("changed since {}", p.date),
        None => "changed".to_string(),
    };
    let _ = write!(
        md,
        "## Matrix\n\n| implementation | version | profile | pass | fail | not applicable | error | time | {since} |\n\
         | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    );
    for row in rows {
        let title = &row.run.implementation.title;
        let Some(report) = row.report else {
            let _ = writeln!(
                md,
                "| {title} | – | {} | – | – | – | – | no report | – |",
                row.run.profile
            );
            continue;
        };
        let t = &report.totals;
        let changed = match (input.previous.and_then(|p| p.verdicts.as_ref()), row.column) {
            (Some(previous), Some(column)) => match verdict_changes(previous, verdicts, column) {
                Some(changes) => changes.len().to_string(),
                None => "new".to_string(),
            },
            _ => "–".to_string(),
        };
        let interrupted = if report.interrupted {
            " (interrupted)"
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "| {title} | {} | {} | {} | {} | {} | {} | {}{interrupted} | {changed} |",
            code(&report.implementation_label()),
            row.run.profile,
            t.pass,
            t.fail,
            t.not_applicable,
            t.error,
            seconds(report.duration_ms)
        );
    }
    let sources: Vec<String> = input
        .plan
        .implementations
        .iter()
        .map(|i| format!("{}: {}", i.title, i.source))
        .collect();
    let _ = write!(
        md,
        "\nThe version is the implementation's, as its adapter's `hello` names it; the time is \
         the run's, from its report. Sources: {}.\n\n",
        sources.join("; ")
    );
}

fn changes(
    md: &mut String,
    previous: Option<&PreviousMatrix>,
    rows: &[Row<'_>],
    verdicts: &MatrixVerdicts,
) {
    let Some(previous) = previous else { return };
    let _ = write!(md, "## Changes since {}\n\n", previous.date);
    let Some(before) = &previous.verdicts else {
        let _ = write!(
            md,
            "The previous matrix (`{}`) kept no verdicts per scenario (it predates \
             `compatibility.json`), so what changed cannot be told scenario by scenario; its \
             totals are in it. The next matrix compares with this one.\n\n",
            previous.file
        );
        return;
    };
    let _ = write!(
        md,
        "Per run, each scenario whose verdict differs from the previous matrix (`{}`), as \
         `before → now` (`not run`: the scenario was not in that run).\n\n",
        previous.file
    );
    for row in rows {
        let Some(column) = row.column else { continue };
        let label = format!("{}, {}", row.run.implementation.title, row.run.profile);
        let Some(changes) = verdict_changes(before, verdicts, column) else {
            let _ = writeln!(md, "- **{label}**: new in this matrix.");
            continue;
        };
        if changes.is_empty() {
            let _ = writeln!(md, "- **{label}**: no change.");
            continue;
        }
        // Grouped by transition, in the order first met.
        let mut groups: Vec<(Transition, Vec<&str>)> = Vec::new();
        for c in &changes {
            let key = (c.before, c.after);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, ids)) => ids.push(&c.scenario),
                None => groups.push((key, vec![&c.scenario])),
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|((before, after), ids)| {
                let ids: Vec<String> = ids.iter().map(|id| code(id)).collect();
                format!(
                    "{} → {} ({}): {}",
                    name(*before),
                    name(*after),
                    ids.len(),
                    ids.join(", ")
                )
            })
            .collect();
        let _ = writeln!(md, "- **{label}**: {}.", parts.join("; "));
    }
    for column in &before.columns {
        if verdicts
            .column(&column.implementation, &column.profile)
            .is_none()
        {
            let _ = writeln!(
                md,
                "- **{}, {}**: not in this matrix.",
                column.implementation, column.profile
            );
        }
    }
    md.push('\n');
}

/// A change of verdict: before, now.
type Transition = (Option<Status>, Option<Status>);

/// A status as the changes name it.
fn name(status: Option<Status>) -> &'static str {
    status.map_or("not run", Status::as_str)
}

fn wall_time(md: &mut String, rows: &[Row<'_>]) {
    md.push_str(
        "## Wall time\n\nEach run's time is its report's, from its start to its last scenario \
         (`docs/performance.md` has each run's whole time, adapter start-up included). A \
         scenario waits for the events it expects; against an implementation that never sends \
         one, each such await ends after its timeout (5 s), so a run against a broken \
         implementation is slower than one against a working one. Once a kind of event has not \
         come in one scenario's whole timeout (and has come in none), or a listener's target \
         (`my`, a task) has delivered no event at all and one of its types was awaited in vain, \
         the runner gives the kind up: awaits that need it end after 500 ms, including those \
         already under way, so a missing kind costs about one timeout per run, not one per \
         scenario. What remains is the scenarios' own work (in Chromium, 16 pages on the \
         machine's cores) and awaits for a kind that comes in other scenarios but not in this \
         one, each a whole timeout.\n\n\
         The load average (1 minute) at the start and end of each run says how busy the \
         machine was: other work on it slows every run.\n\n\
         | implementation | profile | time | jobs | load average | scenarios failing on an await \
         that timed out | with a callback inside its call (`(sync)`) | failing on a call that \
         threw or does not exist |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for row in rows {
        let Some(report) = row.report else { continue };
        let signals = Signals::of(report);
        let load = report
            .host
            .as_ref()
            .and_then(|h| Some(format!("{:.1} → {:.1}", h.load_at_start?, h.load_at_end?)))
            .unwrap_or_else(|| "–".to_string());
        let jobs = report
            .jobs
            .map_or_else(|| "–".to_string(), |j| j.to_string());
        let _ = writeln!(
            md,
            "| {} | {} | {} | {jobs} | {load} | {} | {} | {} |",
            row.run.implementation.title,
            row.run.profile,
            seconds(report.duration_ms),
            signals.timed_out,
            signals.sync_callback,
            signals.call_refused
        );
    }
    md.push('\n');
}

/// Counts that explain a run at a glance, read the same way for every
/// implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signals {
    /// Scenarios that did not pass on an await that timed out (each costs
    /// the await's whole timeout).
    pub timed_out: usize,
    /// Scenarios whose trace has a callback run inside the call that caused
    /// it (`(sync)`, rule order.async).
    pub sync_callback: usize,
    /// Scenarios that did not pass on a call the implementation threw on or
    /// lacked.
    pub call_refused: usize,
}

impl Signals {
    /// The counts of `report`.
    pub fn of(report: &RunReport) -> Signals {
        let not_passed = || report.scenarios.iter().filter(|s| s.status != Status::Pass);
        let message = |s: &crate::ScenarioReport| s.message.clone().unwrap_or_default();
        Signals {
            timed_out: not_passed().filter(|s| timed_out(&message(s))).count(),
            sync_callback: report
                .scenarios
                .iter()
                .filter(|s| s.trace.to_string().contains("(sync)"))
                .count(),
            call_refused: not_passed()
                .filter(|s| message(s).contains("the adapter refused call"))
                .count(),
        }
    }
}

/// Whether `message` tells of an await that timed out: `not seen within
/// <digits> ms`.
fn timed_out(message: &str) -> bool {
    message
        .match_indices("not seen within ")
        .any(|(at, found)| {
            let rest = &message[at + found.len()..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && rest[digits..].starts_with(" ms")
        })
}

fn options(md: &mut String, rows: &[Row<'_>]) {
    md.push_str(
        "## Observed options\n\nFor each `[impl-defined]` rule (`behaviour.md`), the option the \
         run's scenarios showed (the JSON report's `options`). A rule no passing scenario showed \
         is \"not observed\".\n\n",
    );
    for row in rows {
        let Some(report) = row.report else { continue };
        let mut shown = Vec::new();
        let mut not_observed = 0;
        for entry in &report.options {
            let options: Vec<&str> = entry.observed.iter().map(|o| o.option.as_str()).collect();
            match options.len() {
                0 => not_observed += 1,
                1 => shown.push(format!("`{}={}`", entry.rule, options[0])),
                _ => shown.push(format!(
                    "`{}={}` (**two options**)",
                    entry.rule,
                    options.join(" and ")
                )),
            }
        }
        let shown = if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(", ")
        };
        let rest = if not_observed > 0 {
            format!(
                "; {not_observed} of {} rules not observed",
                report.options.len()
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            md,
            "- **{}**, {}: {shown}{rest}.",
            row.run.implementation.title, row.run.profile
        );
    }
    md.push('\n');
}

fn root_causes(md: &mut String, rows: &[Row<'_>]) {
    let _ = write!(
        md,
        "## Root causes\n\nFailing and erroring scenarios of each run, grouped by their first \
         difference with what varies between scenarios taken out (the JSON report's \
         `rootCauses`: call names become `<call>`, task names `<task>`, numbers `N`, paths \
         `<path>`), largest group first; at most {GROUPS_SHOWN} groups each, with up to three \
         example scenarios and the first line of the first example's message. `-` lines are \
         what the golden trace has and the implementation did not do; `+` lines what it did \
         instead.\n\n"
    );
    for row in rows {
        let Some(report) = row.report else { continue };
        let _ = write!(
            md,
            "### {}, {}\n\n",
            row.run.implementation.title, row.run.profile
        );
        if report.root_causes.is_empty() {
            md.push_str("No failures.\n\n");
            continue;
        }
        md.push_str(
            "| scenarios | first difference (normalised) | examples |\n| ---: | --- | --- |\n",
        );
        for cause in report.root_causes.iter().take(GROUPS_SHOWN) {
            let examples: Vec<String> = cause.scenarios.iter().take(3).map(|id| code(id)).collect();
            let message = cause
                .scenarios
                .first()
                .and_then(|id| report.scenarios.iter().find(|s| &s.id == id))
                .and_then(|s| s.message.as_deref())
                .and_then(|m| m.lines().next())
                .map(|m| format!("<br>{}", code(&crate::shorten(m, 300))))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "| {} | {} | {}{message} |",
                cause.scenarios.len(),
                code(&cause.cause),
                examples.join(", ")
            );
        }
        let rest = &report.root_causes[report.root_causes.len().min(GROUPS_SHOWN)..];
        if !rest.is_empty() {
            let count: usize = rest.iter().map(|c| c.scenarios.len()).sum();
            let _ = writeln!(md, "| {count} | {} smaller groups | |", rest.len());
        }
        md.push('\n');
    }
}

/// `text` as a code span in a table cell: one line, backticks turned into
/// `'`, pipes escaped (GitHub splits cells on them even in code).
fn code(text: &str) -> String {
    let line = text.replace(['\r', '\n'], " ").replace('`', "'");
    format!("`{}`", line.replace('|', "\\|"))
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests;
