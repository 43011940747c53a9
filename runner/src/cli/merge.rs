//! `merge`: the JSON reports of the parts of a sharded run
//! (`run --partition K/N`) joined into one run, with all four reports.
//!
//! The parts must be of one run: the same implementation, suite and
//! everything else a report says about its run apart from its scenarios
//! and times; and no scenario may be in two parts.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use report::{Format, RunReport};

use crate::cli::args::MergeArgs;
use crate::cli::error::{CliError, MergeError};
use crate::cli::output::{read_baseline, read_report, say, say_raw, shown, write_text};
use crate::cli::outputs::DEFAULT_REPORT_DIR;

/// The fields of a report that vary between the parts of one run: its
/// scenarios and what is derived from them, its times, whether it was
/// interrupted, how many scenarios ran at once and on what machine, and
/// the verdict against a baseline (a merge judges the whole run again).
const PER_PART: [&str; 11] = [
    "scenarios",
    "totals",
    "options",
    "rootCauses",
    "startedAt",
    "finishedAt",
    "durationMs",
    "interrupted",
    "jobs",
    "host",
    "baseline",
];

/// What a report says about its run, without [`PER_PART`].
fn run_identity(report: &RunReport) -> BTreeMap<String, serde_json::Value> {
    match serde_json::to_value(report) {
        Ok(serde_json::Value::Object(fields)) => fields
            .into_iter()
            .filter(|(k, _)| !PER_PART.contains(&k.as_str()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The parts joined: every scenario sorted by id, the totals and the
/// options profile computed again from them, interrupted when a part was,
/// from the earliest start to the latest finish; jobs and host when every
/// part has the same; no baseline verdict (the merge's own is added after).
pub(crate) fn merge_reports(parts: &[(String, RunReport)]) -> Result<RunReport, MergeError> {
    let Some((first_name, first)) = parts.first() else {
        unreachable!("clap requires one report at least")
    };
    let identity = run_identity(first);
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, part) in parts {
        let other = run_identity(part);
        let keys = identity.keys().chain(other.keys());
        if let Some(field) = keys.into_iter().find(|k| identity.get(*k) != other.get(*k)) {
            let text = |v: Option<&serde_json::Value>| {
                v.map_or_else(|| "absent".into(), |v| v.to_string())
            };
            return Err(MergeError::DifferentRun {
                first: first_name.clone(),
                second: name.clone(),
                field: field.clone(),
                first_value: text(identity.get(field)),
                second_value: text(other.get(field)),
            });
        }
        for s in &part.scenarios {
            if let Some(earlier) = owner.insert(&s.id, name) {
                return Err(MergeError::Overlap {
                    id: s.id.clone(),
                    first: earlier.to_string(),
                    second: name.clone(),
                });
            }
        }
    }
    let mut merged = first.clone();
    merged.scenarios = parts
        .iter()
        .flat_map(|(_, p)| p.scenarios.iter().cloned())
        .collect();
    merged.scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    merged.totals = report::Totals::count(&merged.scenarios);
    // The options the whole run showed: one rule's two options in two
    // parts break `options.consistent` as in one run.
    merged.options = report::profile(
        merged
            .scenarios
            .iter()
            .map(|s| (s.id.as_str(), s.options.as_slice())),
    );
    merged.root_causes = report::root_causes(&merged.scenarios);
    merged.interrupted = parts.iter().any(|(_, p)| p.interrupted);
    merged.jobs = first
        .jobs
        .filter(|_| parts.iter().all(|(_, p)| p.jobs == first.jobs));
    merged.host = first
        .host
        .clone()
        .filter(|_| parts.iter().all(|(_, p)| p.host == first.host));
    merged.baseline = None;
    let earliest = parts
        .iter()
        .map(|(_, p)| &p.started_at)
        .min_by_key(|t| instant(t));
    let latest = parts
        .iter()
        .map(|(_, p)| &p.finished_at)
        .max_by_key(|t| instant(t));
    if let (Some(start), Some(end)) = (earliest, latest) {
        merged.started_at = start.clone();
        merged.finished_at = end.clone();
        merged.duration_ms = match (instant(start), instant(end)) {
            (Some(s), Some(e)) => u64::try_from((e - s).num_milliseconds()).unwrap_or(0),
            _ => parts.iter().map(|(_, p)| p.duration_ms).max().unwrap_or(0),
        };
    }
    Ok(merged)
}

fn instant(rfc3339: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok()
}

/// Reads the parts, merges them, prints the summary and writes the
/// reports; exit 0 when the merged run is compliant (no failure, one
/// option per [impl-defined] rule across all parts; with `--baseline`:
/// has no new failure), 1 when it is not, 2 when the parts or the baseline
/// cannot be read, the parts cannot be merged or a report cannot be
/// written.
pub(crate) fn merge(args: &MergeArgs) -> Result<ExitCode, CliError> {
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    let mut parts = Vec::with_capacity(args.inputs.len());
    for path in &args.inputs {
        parts.push((path.display().to_string(), read_report(path)?));
    }
    let mut merged = merge_reports(&parts)?;
    if let Some(baseline) = &baseline {
        merged.judge_against(baseline);
    }
    say(format_args!(
        "merged {} reports: {} via {}",
        parts.len(),
        merged.implementation_label(),
        merged.implementation.adapter
    ));
    say_raw(&report::write_terminal_summary(&merged));
    let mut status = u8::from(!merged.passed());
    let mut targets: Vec<(Format, PathBuf)> = args
        .reports
        .iter()
        .map(|r| (r.format, r.path.clone()))
        .collect();
    let dir = match (&args.report_dir, targets.is_empty()) {
        (Some(dir), _) => Some(dir.clone()),
        (None, true) => Some(PathBuf::from(DEFAULT_REPORT_DIR)),
        (None, false) => None,
    };
    if let Some(dir) = &dir {
        targets.extend(Format::ALL.map(|f| (f, dir.join(f.file_name()))));
    }
    say("");
    for (format, path) in &targets {
        match write_text(&path.display().to_string(), path, &format.render(&merged)) {
            Ok(()) => {
                say(format_args!("written: {}", shown(path)));
            }
            Err(e) => {
                e.print();
                status = e.exit_code();
            }
        }
    }
    Ok(ExitCode::from(status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use report::Status;

    fn part(ids: &[(&str, Status)], started: &str, finished: &str) -> RunReport {
        let scenarios = ids
            .iter()
            .map(|(id, status)| report::ScenarioReport {
                id: (*id).into(),
                area: id.split("::").next().unwrap_or_default().into(),
                title: format!("title of {id}"),
                rules: Vec::new(),
                tags: Vec::new(),
                status: *status,
                duration_ms: 5,
                message: None,
                first_difference: None,
                golden_diff: None,
                trace: serde_json::Value::Null,
                adapter_stderr: None,
                options: Vec::new(),
                path: None,
                adapter_fault: None,
                broken_rule: None,
            })
            .collect();
        RunReport::new(
            report::Suite {
                name: "connectsocket-conformance".into(),
                version: "0.1.0".into(),
                commit: None,
            },
            report::Implementation {
                name: "example".into(),
                version: "1.0".into(),
                adapter: "node a.js".into(),
            },
            started.into(),
            finished.into(),
            1000,
            scenarios,
        )
    }

    #[test]
    fn parts_join_sorted_with_totals_and_the_whole_span() {
        let a = part(
            &[("url::b", Status::Pass), ("url::d", Status::Fail)],
            "2026-01-01T00:00:01.000Z",
            "2026-01-01T00:00:02.000Z",
        );
        let b = part(
            &[("close::a", Status::Pass), ("url::c", Status::Pass)],
            "2026-01-01T00:00:00.500Z",
            "2026-01-01T00:00:01.900Z",
        );
        let merged = merge_reports(&[("a.json".into(), a), ("b.json".into(), b)]).unwrap();
        let ids: Vec<&str> = merged.scenarios.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["close::a", "url::b", "url::c", "url::d"]);
        assert_eq!((merged.totals.pass, merged.totals.fail), (3, 1));
        assert_eq!(merged.started_at, "2026-01-01T00:00:00.500Z");
        assert_eq!(merged.finished_at, "2026-01-01T00:00:02.000Z");
        assert_eq!(merged.duration_ms, 1500);
    }

    #[test]
    fn two_options_of_one_rule_in_two_parts_break_consistency_in_the_merge() {
        let t = "2026-01-01T00:00:00.000Z";
        let choice = |option: &str| report::OptionChoice {
            rule: "close.drop-error".into(),
            option: option.into(),
        };
        let mut a = part(&[("close::a", Status::Pass)], t, t);
        a.scenarios[0].options = vec![choice("error-then-close")];
        let mut b = part(&[("close::b", Status::Pass)], t, t);
        b.scenarios[0].options = vec![choice("close-only")];
        let (a, b) = (rebuilt(a), rebuilt(b));
        assert!(a.is_compliant() && b.is_compliant());
        let merged = merge_reports(&[("a.json".into(), a), ("b.json".into(), b)]).unwrap();
        assert!(!merged.is_compliant());
        let text = report::write_terminal_summary(&merged);
        assert!(
            text.contains("FAIL options.consistent: close.drop-error = error-then-close (close::a) and close-only (close::b)"),
            "{text}"
        );
        assert!(text.contains("result: NOT compliant"), "{text}");
    }

    /// The report with its derived fields computed from its scenarios.
    fn rebuilt(r: RunReport) -> RunReport {
        RunReport::new(
            r.suite,
            r.implementation,
            r.started_at,
            r.finished_at,
            r.duration_ms,
            r.scenarios,
        )
    }

    #[test]
    fn parts_of_different_runs_or_overlapping_parts_are_refused() {
        let t = "2026-01-01T00:00:00.000Z";
        let a = part(&[("url::a", Status::Pass)], t, t);
        let mut other = part(&[("url::b", Status::Pass)], t, t);
        other.implementation.name = "another".into();
        let e =
            merge_reports(&[("a.json".into(), a.clone()), ("o.json".into(), other)]).unwrap_err();
        assert!(
            matches!(&e, MergeError::DifferentRun { field, .. } if field == "implementation"),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("o.json and a.json are not parts of one run"),
            "{e}"
        );
        let mut newer = part(&[("url::b", Status::Pass)], t, t);
        newer.suite.version = "0.2.0".into();
        let e =
            merge_reports(&[("a.json".into(), a.clone()), ("n.json".into(), newer)]).unwrap_err();
        assert!(
            matches!(&e, MergeError::DifferentRun { field, .. } if field == "suite"),
            "{e}"
        );
        let e =
            merge_reports(&[("a.json".into(), a.clone()), ("again.json".into(), a)]).unwrap_err();
        assert_eq!(
            e,
            MergeError::Overlap {
                id: "url::a".into(),
                first: "a.json".into(),
                second: "again.json".into()
            }
        );
    }
}
