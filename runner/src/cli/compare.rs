//! `compare`: several JSON reports side by side.

use std::process::ExitCode;

use adapter_protocol::error_chain;

use crate::cli::args::CompareArgs;
use crate::cli::output::{read_text, say, say_raw, write_text};

/// Reads the reports and writes (or prints) their comparison matrix.
pub(crate) fn compare(args: &CompareArgs) -> ExitCode {
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
