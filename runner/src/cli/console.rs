//! The command line's progress, consumers of [`SuiteEvent`]:
//!
//! - [`PlainReporter`]: one line when the run starts and one per scenario;
//! - [`ProgressBarReporter`]: a progress bar on a terminal (indicatif),
//!   with a line above it for each scenario that did not pass.
//!
//! The command line picks one with [`progress_wanted`]; the runner's
//! engine knows nothing of either. The summary at the end is the report's
//! (`report::write_terminal_summary`), the same for `run` and `merge`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use report::shorten;

use crate::execute::results::SuiteEvent;
use crate::verdict::judge::Status;

/// Whether to draw a progress bar: stderr is a terminal and the `CI`
/// environment variable is not set (to anything but `""`, `0` or `false`).
pub fn progress_wanted() -> bool {
    let ci = std::env::var("CI")
        .map(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
        .unwrap_or(false);
    !ci && std::io::stderr().is_terminal()
}

/// Writes progress lines to `out`.
#[derive(Debug)]
pub struct PlainReporter<W: Write> {
    out: W,
}

impl<W: Write> PlainReporter<W> {
    /// A reporter writing progress lines to `out`.
    pub fn new(out: W) -> Self {
        PlainReporter { out }
    }

    /// Consumes one event (write errors are ignored: the progress is best
    /// effort, the exit status is what counts).
    pub fn event(&mut self, event: &SuiteEvent) {
        let _ = self.write_event(event);
    }

    fn write_event(&mut self, event: &SuiteEvent) -> std::io::Result<()> {
        match event {
            SuiteEvent::Started {
                adapter,
                total,
                jobs,
            } => {
                let scenarios = if *total == 1 { "scenario" } else { "scenarios" };
                writeln!(
                    self.out,
                    "running {total} {scenarios} against {adapter} ({jobs} at once)"
                )
            }
            SuiteEvent::ScenarioStarted { .. } | SuiteEvent::Finished(_) => Ok(()),
            SuiteEvent::ScenarioFinished {
                done,
                total,
                result,
            } => {
                write!(
                    self.out,
                    "[{done:>3}/{total}] {:<18} {} ({} ms)",
                    result.status.as_str(),
                    result.id,
                    result.duration_ms
                )?;
                if result.status != Status::Pass {
                    if let Some(headline) = result.headline() {
                        write!(self.out, ": {}", shorten(headline, 160))?;
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
        }
    }
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
                        .headline()
                        .map(|f| format!(": {}", shorten(f, 140)))
                        .unwrap_or_default();
                    self.bar.println(format!(
                        "{:<18} {}{first}",
                        result.status.as_str(),
                        result.id
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

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> Vec<SuiteEvent> {
        let scenario = |id: &str, status| report::ScenarioReport {
            id: format!("url::{id}"),
            area: "url".into(),
            title: String::new(),
            rules: Vec::new(),
            tags: Vec::new(),
            status,
            duration_ms: 3,
            message: (status != Status::Pass).then(|| "step 1: wrong code\nmore".into()),
            first_difference: None,
            golden_diff: None,
            trace: serde_json::Value::Null,
            adapter_stderr: None,
            options: Vec::new(),
            path: None,
            adapter_fault: None,
            broken_rule: None,
        };
        let a = scenario("a", Status::Pass);
        let b = scenario("b", Status::Fail);
        let report = report::RunReport::new(
            report::Suite {
                name: "connectsocket-conformance".into(),
                version: "0.1.0".into(),
                commit: None,
            },
            report::Implementation {
                name: report::UNKNOWN_IMPLEMENTATION.into(),
                version: String::new(),
                adapter: "reference (in-process)".into(),
            },
            String::new(),
            String::new(),
            0,
            vec![a.clone(), b.clone()],
        );
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
            SuiteEvent::Finished(Box::new(report)),
        ]
    }

    #[test]
    fn a_line_per_scenario_and_why_it_did_not_pass() {
        let mut plain = PlainReporter::new(Vec::new());
        for e in events() {
            plain.event(&e);
        }
        let text = String::from_utf8(plain.out).unwrap();
        assert_eq!(
            text,
            "running 2 scenarios against reference (in-process) (1 at once)\n\
             [  1/2] pass               url::a (3 ms)\n\
             [  2/2] fail               url::b (3 ms): step 1: wrong code\n"
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
