//! `compare`: several JSON reports side by side, or, with `--plan`, the
//! compatibility matrix of a plan's runs (and the list of those runs, for
//! the script that makes them).

use std::path::Path;
use std::process::ExitCode;

use adapter_protocol::error_chain;
use report::{MatrixPlan, MatrixVerdicts, PreviousMatrix, RunReport};

use crate::cli::args::CompareArgs;
use crate::cli::output::{read_text, say, say_raw, write_text};

/// Reads the reports and writes (or prints) their comparison matrix, or
/// the compatibility matrix of `--plan`.
pub(crate) fn compare(args: &CompareArgs) -> ExitCode {
    let plan = match &args.plan {
        None => None,
        Some(path) => match read_text(path)
            .and_then(|text| MatrixPlan::read(&text).map_err(|e| error_chain(&e)))
        {
            Ok(plan) => Some(plan),
            Err(e) => {
                eprintln!("error: --plan {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    if let (Some(plan), true) = (&plan, args.list_runs) {
        say_raw(&plan.runs_as_lines());
        return ExitCode::SUCCESS;
    }
    if plan.is_some() && args.matrix.is_none() {
        eprintln!("error: --plan needs --matrix PATH.md (or --list-runs)");
        return ExitCode::from(2);
    }
    let mut reports = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        match read_text(path).and_then(|text| report::read_json(&text).map_err(|e| error_chain(&e)))
        {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    if let (Some(plan), Some(out)) = (&plan, &args.matrix) {
        return write_matrix(args, plan, &reports, out);
    }
    let comparison = report::compare(&reports);
    let mut status = 0;
    let outputs = [
        (
            &args.md,
            "--md",
            report::write_comparison_markdown as fn(_) -> _,
        ),
        (&args.html, "--html", report::write_comparison_html),
    ];
    let mut any = false;
    for (path, flag, render) in outputs {
        let Some(path) = path else { continue };
        any = true;
        match write_text(path, &render(&comparison)) {
            Ok(()) => {
                say(format_args!("comparison written to {}", path.display()));
            }
            Err(e) => {
                eprintln!("error: {flag} {}: {e}", path.display());
                status = 2;
            }
        }
    }
    if !any {
        say_raw(&report::write_comparison_markdown(&comparison));
    }
    ExitCode::from(status)
}

/// Writes the compatibility matrix of `reports` to `out` and its verdicts
/// beside it (`out` with `.json`).
fn write_matrix(
    args: &CompareArgs,
    plan: &MatrixPlan,
    reports: &[RunReport],
    out: &Path,
) -> ExitCode {
    let previous = match args.previous.as_deref().map(previous_matrix).transpose() {
        Ok(previous) => previous,
        Err(e) => {
            eprintln!("error: --previous {e}");
            return ExitCode::from(2);
        }
    };
    let mut texts = Vec::with_capacity(args.notes.len());
    for path in &args.notes {
        match read_text(path) {
            Ok(text) => texts.push(text.trim().to_owned()),
            Err(e) => {
                eprintln!("error: --notes {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let notes = (!texts.is_empty()).then(|| texts.join("\n\n"));
    let matrix = match report::compatibility_matrix(&report::MatrixInput {
        plan,
        reports,
        previous: previous.as_ref(),
        about: &args.about,
        notes: notes.as_deref(),
    }) {
        Ok(matrix) => matrix,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            return ExitCode::from(2);
        }
    };
    let verdicts_path = out.with_extension("json");
    for (path, text) in [
        (out, &matrix.markdown),
        (verdicts_path.as_path(), &matrix.verdicts.to_json()),
    ] {
        if let Err(e) = write_text(path, text) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
        say(format_args!("written: {}", path.display()));
    }
    ExitCode::SUCCESS
}

/// The matrix kept at `path` (`…/<date>.md`): its verdicts from the same
/// name with `.json` when they were kept, its date from them, else from its
/// `- Date:` line, else from its file name.
fn previous_matrix(path: &Path) -> Result<PreviousMatrix, String> {
    let shown = path.display().to_string();
    let text = read_text(path).map_err(|e| format!("{shown}: {e}"))?;
    let verdicts_path = path.with_extension("json");
    let verdicts = if verdicts_path.exists() {
        let json =
            read_text(&verdicts_path).map_err(|e| format!("{}: {e}", verdicts_path.display()))?;
        Some(
            MatrixVerdicts::read(&json)
                .map_err(|e| format!("{}: {}", verdicts_path.display(), error_chain(&e)))?,
        )
    } else {
        None
    };
    let date = verdicts
        .as_ref()
        .map(|v| v.date.clone())
        .or_else(|| {
            text.lines()
                .find_map(|l| l.strip_prefix("- Date: "))
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_string)
        })
        .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    Ok(PreviousMatrix {
        date,
        file: shown,
        verdicts,
    })
}
