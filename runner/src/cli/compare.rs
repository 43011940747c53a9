//! `compare`: several JSON reports side by side, or, with `--plan`, the
//! compatibility matrix of a plan's runs (and the list of those runs, for
//! the script that makes them).

use std::path::Path;
use std::process::ExitCode;

use report::{MatrixPlan, MatrixVerdicts, PreviousMatrix, RunReport};

use crate::cli::args::CompareArgs;
use crate::cli::error::CliError;
use crate::cli::output::{read_parsed, read_report, read_text, say, say_raw, write_text};

/// Reads the reports and writes (or prints) their comparison matrix, or
/// the compatibility matrix of `--plan`.
pub(crate) fn compare(args: &CompareArgs) -> Result<ExitCode, CliError> {
    let plan = args
        .plan
        .as_deref()
        .map(|path| read_parsed(Some("--plan"), path, MatrixPlan::read))
        .transpose()?;
    if let (Some(plan), true) = (&plan, args.list_runs) {
        say_raw(&plan.runs_as_lines());
        return Ok(ExitCode::SUCCESS);
    }
    if plan.is_some() && args.matrix.is_none() {
        return Err(CliError::Usage(
            "--plan needs --matrix PATH.md (or --list-runs)".into(),
        ));
    }
    let reports = args
        .reports
        .iter()
        .map(|path| read_report(path))
        .collect::<Result<Vec<_>, _>>()?;
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
        let what = format!("{flag} {}", path.display());
        match write_text(&what, path, &render(&comparison)) {
            Ok(()) => {
                say(format_args!("comparison written to {}", path.display()));
            }
            Err(e) => {
                e.print();
                status = e.exit_code();
            }
        }
    }
    if !any {
        say_raw(&report::write_comparison_markdown(&comparison));
    }
    Ok(ExitCode::from(status))
}

/// Writes the compatibility matrix of `reports` to `out` and its verdicts
/// beside it (`out` with `.json`).
fn write_matrix(
    args: &CompareArgs,
    plan: &MatrixPlan,
    reports: &[RunReport],
    out: &Path,
) -> Result<ExitCode, CliError> {
    let previous = args.previous.as_deref().map(previous_matrix).transpose()?;
    let texts = args
        .notes
        .iter()
        .map(|path| read_text(Some("--notes"), path).map(|text| text.trim().to_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    let notes = (!texts.is_empty()).then(|| texts.join("\n\n"));
    let matrix = report::compatibility_matrix(&report::MatrixInput {
        plan,
        reports,
        previous: previous.as_ref(),
        about: &args.about,
        notes: notes.as_deref(),
    })
    .map_err(CliError::failed)?;
    let verdicts_path = out.with_extension("json");
    for (path, text) in [
        (out, &matrix.markdown),
        (verdicts_path.as_path(), &matrix.verdicts.to_json()),
    ] {
        write_text(&path.display().to_string(), path, text)?;
        say(format_args!("written: {}", path.display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// The matrix kept at `path` (`…/<date>.md`): its verdicts from the same
/// name with `.json` when they were kept, its date from them, else from its
/// `- Date:` line, else from its file name.
fn previous_matrix(path: &Path) -> Result<PreviousMatrix, CliError> {
    let shown = path.display().to_string();
    let text = read_text(Some("--previous"), path)?;
    let verdicts_path = path.with_extension("json");
    let verdicts = if verdicts_path.exists() {
        Some(read_parsed(
            Some("--previous"),
            &verdicts_path,
            MatrixVerdicts::read,
        )?)
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
