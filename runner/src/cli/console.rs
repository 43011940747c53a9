//! The command line's consumers of [`SuiteEvent`]:
//!
//! - [`PlainReporter`]: one progress line per scenario (unless built with
//!   [`PlainReporter::summary_only`]), then the compliance summary (totals
//!   per status, and each scenario that did not pass with its first
//!   difference);
//! - [`ProgressBarReporter`]: a progress bar on a terminal (indicatif),
//!   with a line above it for each scenario that did not pass.
//!
//! The command line picks them with [`progress_wanted`]; the runner's
//! engine knows nothing of either.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::execute::results::{SuiteEvent, SuiteResult, UNKNOWN_IMPLEMENTATION};
use crate::verdict::judge::Status;

/// Whether to draw a progress bar: stderr is a terminal and the `CI`
/// environment variable is not set (to anything but `""`, `0` or `false`).
pub fn progress_wanted() -> bool {
    let ci = std::env::var("CI")
        .map(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
        .unwrap_or(false);
    !ci && std::io::stderr().is_terminal()
}

/// Writes progress lines and the summary to `out`.
#[derive(Debug)]
pub struct PlainReporter<W: Write> {
    out: W,
    progress: bool,
}

impl<W: Write> PlainReporter<W> {
    /// A reporter writing progress lines and the summary to `out`.
    pub fn new(out: W) -> Self {
        PlainReporter {
            out,
            progress: true,
        }
    }

    /// A reporter writing only the summary to `out` (the progress is
    /// another consumer's, e.g. a [`ProgressBarReporter`]).
    pub fn summary_only(out: W) -> Self {
        PlainReporter {
            out,
            progress: false,
        }
    }

    /// Consumes one event (write errors are ignored: the report is best
    /// effort, the exit status is what counts).
    pub fn event(&mut self, event: &SuiteEvent) {
        let _ = self.write_event(event);
    }

    fn write_event(&mut self, event: &SuiteEvent) -> std::io::Result<()> {
        if !self.progress {
            return match event {
                SuiteEvent::Finished(result) => self.summary(result),
                _ => Ok(()),
            };
        }
        match event {
            SuiteEvent::Started {
                adapter,
                total,
                jobs,
            } => {
                writeln!(
                    self.out,
                    "running {} against {adapter} ({jobs} at once)",
                    count(*total, "scenario", "scenarios")
                )
            }
            SuiteEvent::ScenarioStarted { .. } => Ok(()),
            SuiteEvent::ScenarioFinished {
                done,
                total,
                result,
            } => {
                let ms = result.duration.as_millis();
                write!(
                    self.out,
                    "[{done:>3}/{total}] {:<18} {} ({ms} ms)",
                    result.status.as_str(),
                    result.trial_name()
                )?;
                if result.status != Status::Pass {
                    if let Some(first) = result.first_difference() {
                        write!(self.out, ": {}", shorten(&first, 160))?;
                    }
                }
                writeln!(self.out)
            }
            SuiteEvent::AdapterRestarted { trial, reason } => {
                writeln!(
                    self.out,
                    "      adapter restarted after {trial}: {}",
                    shorten(reason, 160)
                )
            }
            SuiteEvent::Finished(result) => self.summary(result),
        }
    }

    fn summary(&mut self, result: &SuiteResult) -> std::io::Result<()> {
        let totals = result.totals();
        let run = &result.run;
        writeln!(self.out)?;
        let implementation = match &run.implementation {
            i if i.name == UNKNOWN_IMPLEMENTATION && i.version.is_empty() => {
                "unknown implementation".to_string()
            }
            i => format!("{} {}", i.name, i.version),
        };
        let elapsed = run.finished.duration_since(run.started).unwrap_or_default();
        writeln!(
            self.out,
            "compliance summary: {implementation} via {}, profile {}, suite {}, {} in {:.1} s",
            run.implementation.adapter,
            run.profile,
            run.suite_version,
            count(result.scenarios.len(), "scenario", "scenarios"),
            elapsed.as_secs_f64()
        )?;
        for status in Status::ALL {
            writeln!(self.out, "  {:<20} {}", status.as_str(), totals.get(status))?;
        }
        // The implementation's profile: the options its traces showed.
        let profile = result.profile();
        let observed: Vec<_> = profile.iter().filter(|e| !e.observed.is_empty()).collect();
        if !observed.is_empty() {
            writeln!(
                self.out,
                "options ({} of {} [impl-defined] rules observed):",
                observed.len(),
                profile.len()
            )?;
            for entry in observed {
                let mark = if entry.is_inconsistent() {
                    "  FAIL options.consistent: "
                } else {
                    "  "
                };
                writeln!(self.out, "{mark}{}", entry.describe())?;
            }
        }
        // Root causes first: many failures often have one cause.
        let report = crate::cli::reporting::run_report(result);
        if !report.root_causes.is_empty() {
            writeln!(self.out, "root causes (largest first):")?;
            for cause in report.root_causes.iter().take(5) {
                writeln!(
                    self.out,
                    "  {}: {}",
                    count(cause.scenarios.len(), "scenario", "scenarios"),
                    shorten(&cause.cause, 200)
                )?;
            }
            if report.root_causes.len() > 5 {
                writeln!(
                    self.out,
                    "  … and {} more (see the reports)",
                    report.root_causes.len() - 5
                )?;
            }
        }
        let not_passed: Vec<_> = result
            .scenarios
            .iter()
            .filter(|s| s.status != Status::Pass)
            .collect();
        if !not_passed.is_empty() {
            writeln!(self.out)?;
            for s in not_passed {
                writeln!(
                    self.out,
                    "{} {} ({})",
                    s.status.as_str(),
                    s.trial_name(),
                    s.path.display()
                )?;
                if let Some(first) = s.first_difference() {
                    writeln!(self.out, "    {}", shorten(&first, 300))?;
                }
            }
        }
        writeln!(self.out)?;
        writeln!(
            self.out,
            "{}",
            if run.interrupted {
                "result: interrupted (no verdict: the run was stopped; the reports hold the scenarios that ended)"
            } else if result.is_compliant() {
                "result: compliant"
            } else {
                "result: NOT compliant"
            }
        )
    }
}

/// `n` with the singular or plural noun: `1 scenario`, `2 scenarios`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A progress bar (on stderr by default): scenarios done of the total,
/// elapsed time, the last scenario started; each scenario that did not
/// pass, and each adapter restart, is printed above the bar. The bar is
/// cleared when the run ends, before the summary.
#[derive(Debug)]
pub struct ProgressBarReporter {
    bar: ProgressBar,
}

impl Default for ProgressBarReporter {
    fn default() -> Self {
        Self::new()
    }
}

impl ProgressBarReporter {
    /// A bar drawn on stderr.
    pub fn new() -> Self {
        Self::with_target(ProgressDrawTarget::stderr())
    }

    /// A bar drawn on `target` (`ProgressDrawTarget::hidden()` in tests).
    pub fn with_target(target: ProgressDrawTarget) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), target);
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        ProgressBarReporter { bar }
    }

    /// How many scenarios have ended, of how many.
    pub fn position(&self) -> (u64, Option<u64>) {
        (self.bar.position(), self.bar.length())
    }

    /// Consumes one event.
    pub fn event(&mut self, event: &SuiteEvent) {
        match event {
            SuiteEvent::Started {
                adapter,
                total,
                jobs,
            } => {
                self.bar.set_length(*total as u64);
                self.bar.set_position(0);
                self.bar
                    .set_message(format!("against {adapter} ({jobs} at once)"));
                self.bar.enable_steady_tick(Duration::from_millis(120));
            }
            SuiteEvent::ScenarioStarted { trial } => self.bar.set_message(trial.clone()),
            SuiteEvent::ScenarioFinished { done, result, .. } => {
                self.bar.set_position(*done as u64);
                if result.status != Status::Pass {
                    let first = result
                        .first_difference()
                        .map(|f| format!(": {}", shorten(&f, 140)))
                        .unwrap_or_default();
                    self.bar.println(format!(
                        "{:<18} {}{first}",
                        result.status.as_str(),
                        result.trial_name()
                    ));
                }
            }
            SuiteEvent::AdapterRestarted { trial, reason } => self.bar.println(format!(
                "adapter restarted after {trial}: {}",
                shorten(reason, 140)
            )),
            SuiteEvent::Finished(_) => self.bar.finish_and_clear(),
        }
    }
}

fn shorten(text: &str, max: usize) -> String {
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
    use std::path::PathBuf;
    use std::time::SystemTime;

    use super::*;
    use crate::execute::results::RunInfo;
    use crate::verdict::judge::ScenarioResult;

    fn events() -> Vec<SuiteEvent> {
        let scenario = |id: &str, status| ScenarioResult {
            id: id.into(),
            area: "url".into(),
            title: String::new(),
            path: PathBuf::from("x.yaml"),
            rules: Vec::new(),
            option_rules: Vec::new(),
            options: Vec::new(),
            tags: Vec::new(),
            status,
            duration: Duration::from_millis(3),
            message: (status != Status::Pass).then(|| "step 1: wrong code".into()),
            golden_diff: None,
            trace: serde_json::Value::Null,
            logs: Vec::new(),
            stderr_tail: None,
            adapter_fault: None,
        };
        let a = scenario("a", Status::Pass);
        let b = scenario("b", Status::Fail);
        let now = SystemTime::now();
        let result = SuiteResult {
            run: RunInfo {
                implementation: report::Implementation {
                    name: UNKNOWN_IMPLEMENTATION.into(),
                    version: String::new(),
                    adapter: "reference (in-process)".into(),
                },
                suite_version: "0.1.0".into(),
                profile: "alipay-2022-09".into(),
                jobs: 1,
                started: now,
                finished: now,
                interrupted: false,
            },
            scenarios: vec![a.clone(), b.clone()],
        };
        vec![
            SuiteEvent::Started {
                adapter: "reference (in-process)".into(),
                total: 2,
                jobs: 1,
            },
            SuiteEvent::ScenarioStarted {
                trial: "url::a".into(),
            },
            SuiteEvent::ScenarioFinished {
                done: 1,
                total: 2,
                result: Box::new(a),
            },
            SuiteEvent::ScenarioStarted {
                trial: "url::b".into(),
            },
            SuiteEvent::ScenarioFinished {
                done: 2,
                total: 2,
                result: Box::new(b),
            },
            SuiteEvent::Finished(Box::new(result)),
        ]
    }

    #[test]
    fn plain_lines_or_the_summary_only() {
        let mut full = PlainReporter::new(Vec::new());
        let mut summary = PlainReporter::summary_only(Vec::new());
        for e in events() {
            full.event(&e);
            summary.event(&e);
        }
        let full = String::from_utf8(full.out).unwrap();
        let summary = String::from_utf8(summary.out).unwrap();
        assert!(full.contains("[  2/2] fail"), "{full}");
        assert!(!summary.contains("[  2/2]"), "{summary}");
        assert!(summary.contains("fail url::b") && summary.contains("result: NOT compliant"));
        assert!(
            full.ends_with(&summary),
            "the same summary:\n{full}\n---\n{summary}"
        );
    }

    #[test]
    fn the_bar_follows_the_scenarios() {
        let mut bar = ProgressBarReporter::with_target(ProgressDrawTarget::hidden());
        let events = events();
        for e in &events[..3] {
            bar.event(e);
        }
        assert_eq!(bar.position(), (1, Some(2)));
        for e in &events[3..] {
            bar.event(e);
        }
        assert_eq!(bar.position(), (2, Some(2)));
    }
}
