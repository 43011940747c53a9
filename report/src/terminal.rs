//! The summary of a run for a terminal: what `run` prints when its last
//! scenario ends and what `merge` prints for the joined parts. One renderer
//! for both, a pure function of the report like every other format.

use std::fmt::Write as _;

use crate::baseline::BaselineVerdict;
use crate::model::{RunReport, Status, Verdict, UNKNOWN_IMPLEMENTATION};

/// How many root causes the summary names; the reports have them all.
const CAUSES_SHOWN: usize = 5;

/// The run for a terminal, plain text: one line about the run, the totals
/// per status, the options the traces showed (a rule with two options
/// marked), the largest root causes, each scenario that did not pass with
/// its file and why, the baseline's verdict when there is one, and the
/// result.
pub fn write_terminal_summary(report: &RunReport) -> String {
    let mut out = String::from("\n");
    let i = &report.implementation;
    let implementation = if i.name == UNKNOWN_IMPLEMENTATION && i.version.is_empty() {
        "unknown implementation".to_string()
    } else {
        report.implementation_label()
    };
    let _ = writeln!(
        out,
        "compliance summary: {implementation} via {}, profile {}, suite {}, {} in {:.1} s",
        i.adapter,
        report.profile,
        report.suite.version,
        count(report.scenarios.len(), "scenario", "scenarios"),
        report.duration_ms as f64 / 1000.0
    );
    for status in Status::ALL {
        let _ = writeln!(
            out,
            "  {:<20} {}",
            status.as_str(),
            report.totals.get(status)
        );
    }
    options(&mut out, report);
    root_causes(&mut out, report);
    let not_passed: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Pass)
        .collect();
    if !not_passed.is_empty() {
        out.push('\n');
        for s in not_passed {
            let file = s
                .path
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let under = s
                .broken_rule
                .as_deref()
                .map(|r| format!(" under {r}"))
                .unwrap_or_default();
            let _ = writeln!(out, "{} {}{under}{file}", s.status.as_str(), s.id);
            if let Some(headline) = s.headline() {
                let _ = writeln!(out, "    {}", shorten(headline, 300));
            }
        }
    }
    if let Some(verdict) = &report.baseline {
        baseline(&mut out, verdict);
    }
    out.push('\n');
    let result = match report.verdict() {
        Verdict::Compliant => "result: compliant",
        Verdict::NotCompliant if report.interrupted => {
            "result: NOT compliant (the run was interrupted: not every scenario ran)"
        }
        Verdict::NotCompliant => "result: NOT compliant",
        Verdict::Interrupted => {
            "result: interrupted (no verdict: the run was stopped; the reports hold the scenarios that ended)"
        }
    };
    let _ = writeln!(out, "{result}");
    if let Some(verdict) = &report.baseline {
        let _ = writeln!(
            out,
            "{}",
            if verdict.passed() {
                "baseline result: no new failure"
            } else {
                "baseline result: NEW failures"
            }
        );
    }
    out
}

/// The options the traces showed: each observed [impl-defined] rule, and a
/// rule with two options marked as breaking `options.consistent`.
fn options(out: &mut String, report: &RunReport) {
    let observed: Vec<_> = report
        .options
        .iter()
        .filter(|e| !e.observed.is_empty())
        .collect();
    if observed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "options ({} of {} [impl-defined] rules observed):",
        observed.len(),
        report.options.len()
    );
    for entry in observed {
        let mark = if entry.is_inconsistent() {
            "  FAIL options.consistent: "
        } else {
            "  "
        };
        let _ = writeln!(out, "{mark}{}", entry.describe());
    }
}

/// The largest root causes first: many failures often have one cause.
fn root_causes(out: &mut String, report: &RunReport) {
    if report.root_causes.is_empty() {
        return;
    }
    let _ = writeln!(out, "root causes (largest first):");
    for cause in report.root_causes.iter().take(CAUSES_SHOWN) {
        let _ = writeln!(
            out,
            "  {}: {}",
            count(cause.scenarios.len(), "scenario", "scenarios"),
            shorten(&cause.cause, 200)
        );
    }
    if report.root_causes.len() > CAUSES_SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more (see the reports)",
            report.root_causes.len() - CAUSES_SHOWN
        );
    }
}

/// The verdict against the baseline: the counts, then each new failure,
/// unexpected pass and baselined scenario that did not run.
fn baseline(out: &mut String, v: &BaselineVerdict) {
    let _ = writeln!(
        out,
        "\nbaseline: {} new failures, {} expected failures, {} unexpected passes, {} not run",
        v.new_failures.len(),
        v.expected_failures.len(),
        v.unexpected_passes.len(),
        v.not_run.len()
    );
    for id in &v.new_failures {
        let _ = writeln!(out, "  new failure: {id}");
    }
    for p in &v.unexpected_passes {
        let _ = writeln!(
            out,
            "  unexpected pass: {} (now {}; remove it from the baseline)",
            p.id, p.status
        );
    }
    for id in &v.not_run {
        let _ = writeln!(out, "  not run: {id}");
    }
}

/// `n` with the singular or plural noun: `1 scenario`, `2 scenarios`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The first line of `text`, cut to `max` bytes (at a character boundary)
/// with `…` when longer.
pub fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.len() <= max {
        return line.to_string();
    }
    let mut end = max;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{sample_report, Baseline, BaselineEntry};

    #[test]
    fn the_summary_has_totals_causes_what_did_not_pass_and_the_result() {
        let text = write_terminal_summary(&sample_report());
        assert!(
            text.contains(
                "compliance summary: example-socket 2.3.1 via node adapters/example/adapter.js"
            ),
            "{text}"
        );
        assert!(text.contains("  fail                 2\n"), "{text}");
        assert!(text.contains("root causes (largest first):"), "{text}");
        assert!(
            text.contains(
                "\nfail send::send-too-large (scenarios/send/send-too-large.yaml)\n    step 3: "
            ),
            "{text}"
        );
        assert!(text.ends_with("result: NOT compliant\n"), "{text}");
    }

    #[test]
    fn a_baseline_adds_its_verdict_after_the_result() {
        let mut report = sample_report();
        let failing: Vec<String> = report
            .scenarios
            .iter()
            .filter(|s| s.status.is_failure())
            .map(|s| s.id.clone())
            .collect();
        let baseline = Baseline {
            schema_version: crate::BASELINE_SCHEMA_VERSION,
            implementation: None,
            expected: failing
                .iter()
                .map(|id| BaselineEntry {
                    id: id.clone(),
                    status: None,
                    reason: None,
                })
                .chain([BaselineEntry {
                    id: "gone::gone".into(),
                    status: None,
                    reason: None,
                }])
                .collect(),
        };
        report.judge_against(&baseline);
        assert!(report.passed() && !report.is_compliant());
        let text = write_terminal_summary(&report);
        assert!(
            text.contains(
                "baseline: 0 new failures, 3 expected failures, 0 unexpected passes, 1 not run"
            ),
            "{text}"
        );
        assert!(text.contains("  not run: gone::gone"), "{text}");
        assert!(
            text.ends_with("result: NOT compliant\nbaseline result: no new failure\n"),
            "{text}"
        );
    }

    #[test]
    fn an_interrupted_run_without_failures_has_no_verdict() {
        let mut report = sample_report();
        report.scenarios.retain(|s| !s.status.is_failure());
        report.totals = crate::Totals::count(&report.scenarios);
        report.options.clear();
        report.root_causes.clear();
        assert_eq!(report.verdict(), Verdict::Compliant);
        report.interrupted = true;
        assert_eq!(report.verdict(), Verdict::Interrupted);
        let text = write_terminal_summary(&report);
        assert!(text.contains("result: interrupted (no verdict"), "{text}");
        // Failures found before the stop are real.
        let mut failed = sample_report();
        failed.interrupted = true;
        assert_eq!(failed.verdict(), Verdict::NotCompliant);
        assert!(write_terminal_summary(&failed)
            .contains("result: NOT compliant (the run was interrupted"));
    }

    #[test]
    fn long_lines_are_cut_at_a_character_boundary() {
        assert_eq!(shorten("ab\ncd", 10), "ab");
        assert_eq!(shorten("ééé", 3), "é…");
    }
}
