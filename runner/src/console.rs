//! The plain-text consumer of [`SuiteEvent`]: one progress line per
//! scenario, then the compliance summary (totals per status, and each
//! scenario that did not pass with its first difference).

use std::io::Write;

use crate::suite::{Status, SuiteEvent, SuiteResult};

/// Writes progress lines and the summary to `out`.
#[derive(Debug)]
pub struct PlainReporter<W: Write> {
    out: W,
}

impl<W: Write> PlainReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        PlainReporter { out }
    }

    /// Consumes one event (write errors are ignored: the report is best
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
                writeln!(
                    self.out,
                    "running {total} scenarios against {adapter} ({jobs} at once)"
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
                    result.status.name(),
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
        let counts = result.counts();
        let run = &result.run;
        writeln!(self.out)?;
        let implementation = run
            .implementation
            .as_ref()
            .map(|i| format!("{} {}", i.name, i.version))
            .unwrap_or_else(|| "unknown implementation".into());
        let elapsed = run.finished.duration_since(run.started).unwrap_or_default();
        writeln!(
            self.out,
            "compliance summary: {implementation} via {}, suite {}, {} scenarios in {:.1} s",
            run.adapter,
            run.suite_version,
            result.scenarios.len(),
            elapsed.as_secs_f64()
        )?;
        for status in Status::ALL {
            writeln!(self.out, "  {:<20} {}", status.name(), counts.get(status))?;
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
                    s.status.name(),
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
            if result.is_compliant() {
                "result: compliant"
            } else {
                "result: NOT compliant"
            }
        )
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
