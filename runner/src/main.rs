//! `connectsocket-conformance`: the conformance suite on the command line.
//! Glue over the `runner` library ([`runner::run_suite`]) and the `report`
//! crate (JUnit XML, JSON, Markdown, HTML, comparisons, baselines).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use adapter_protocol::error_chain;
use clap::{Args, Parser, Subcommand};
use report::{Format, RunReport};
use runner::{AdapterSpec, PlainReporter, ProgressBarReporter, SuiteOptions};

/// Where a run writes its four reports when no `--report` nor
/// `--report-dir` is given (relative to the current folder).
const DEFAULT_REPORT_DIR: &str = "target/conformance-report";

/// Checks an implementation of the mini-program socket API
/// (`my.connectSocket`) against the conformance scenarios.
///
/// With no arguments: every scenario against the bundled reference
/// implementation (in process) and the embedded mock server, the summary on
/// stdout, and the four reports (junit.xml, report.json, summary.md,
/// report.html) in target/conformance-report/.
#[derive(Debug, Parser)]
#[command(name = "connectsocket-conformance", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the scenarios, prints the compliance summary and writes the
    /// reports (exit 0: compliant, 1: failures, 2: usage or configuration
    /// error).
    Run(RunArgs),
    /// Puts several JSON reports side by side: one matrix of rule ids,
    /// error codes and scenarios against implementations (Markdown on
    /// stdout unless --md or --html is given).
    Compare(CompareArgs),
    /// Serves the reference implementation over the adapter protocol on
    /// stdin/stdout (an adapter process for `run --adapter`).
    ServeReference {
        /// A deliberately broken variant of the reference implementation.
        #[arg(long, value_name = "NAME")]
        mutant: Option<String>,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// `reference` (in process), or an adapter's command line, e.g.
    /// "node adapters/node/src/adapter.js".
    #[arg(long, default_value = "reference", value_name = "reference|COMMAND")]
    adapter: String,
    /// Runs a mutant of the reference implementation (with `--adapter reference`).
    #[arg(long, value_name = "NAME")]
    mutant: Option<String>,
    /// Only scenarios whose `<area>::<id>` contains this (repeatable).
    #[arg(long, value_name = "TEXT")]
    filter: Vec<String>,
    /// Scenarios at once (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// How long the adapter may take to answer one request, in ms.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    request_timeout_ms: u64,
    /// Lists the selected scenarios instead of running them.
    #[arg(long)]
    list: bool,
    /// Writes one report: FORMAT is junit, json, md or html (repeatable).
    /// With neither --report nor --report-dir, all four go to
    /// target/conformance-report/.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_spec)]
    reports: Vec<ReportSpec>,
    /// Writes all four reports into DIR (junit.xml, report.json,
    /// summary.md, report.html).
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,
    /// A baseline of expected failures: exit 1 only on new failures;
    /// baselined scenarios that now pass are reported.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Writes a baseline expecting exactly this run's failures.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// JSON reports (`--report json=PATH`), one column each.
    #[arg(required = true, value_name = "REPORT.json")]
    reports: Vec<PathBuf>,
    /// Writes the Markdown matrix here.
    #[arg(long, value_name = "PATH")]
    md: Option<PathBuf>,
    /// Writes the matrix as one self-contained HTML page here.
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
}

/// `--report FORMAT=PATH`.
#[derive(Debug, Clone)]
struct ReportSpec {
    format: Format,
    path: PathBuf,
    /// As given, for messages.
    text: String,
}

fn parse_report_spec(text: &str) -> Result<ReportSpec, String> {
    const FORMATS: &str = "junit, json, md or html";
    let Some((name, path)) = text.split_once('=') else {
        return Err(format!("expected FORMAT=PATH, FORMAT one of {FORMATS}"));
    };
    let Some(format) = Format::from_name(name) else {
        return Err(format!(
            "unknown report format `{name}` (expected {FORMATS})"
        ));
    };
    if path.is_empty() {
        return Err(format!("no PATH after `{name}=`"));
    }
    Ok(ReportSpec {
        format,
        path: PathBuf::from(path),
        text: text.to_string(),
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or_else(|| {
        // No arguments: `run` with its defaults.
        match Cli::parse_from(["connectsocket-conformance", "run"]).command {
            Some(command) => command,
            None => unreachable!("`run` parses as a command"),
        }
    });
    if let Command::Compare(args) = command {
        return compare(&args);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    match command {
        Command::ServeReference { mutant } => {
            let mutant = match mutant
                .map(|m| m.parse::<runner::execute::reference::Mutant>())
                .transpose()
            {
                Ok(m) => m,
                Err(e) => return fail(&e),
            };
            let served = runtime.block_on(reference_impl::serve_stdio(mutant));
            // Stdin may still be blocked in a read: exit rather than wait
            // for the runtime.
            std::process::exit(if served.is_ok() { 0 } else { 1 });
        }
        Command::Run(args) => run(&runtime, args),
        Command::Compare(_) => unreachable!("handled above"),
    }
}

fn run(runtime: &tokio::runtime::Runtime, args: RunArgs) -> ExitCode {
    let adapter = match (args.adapter.as_str(), args.mutant) {
        ("reference", mutant) => AdapterSpec::Reference { mutant },
        (_, Some(_)) => {
            eprintln!("error: --mutant works with --adapter reference only");
            return ExitCode::from(2);
        }
        (command, None) => AdapterSpec::Command(command.to_string()),
    };
    // Read the baseline before running: a bad one is a usage error, not a
    // run's worth of waiting.
    let baseline = match &args.baseline {
        None => None,
        Some(path) => match read_text(path)
            .and_then(|text| report::read_baseline(&text).map_err(|e| error_chain(&e)))
        {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("error: --baseline {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    let options = SuiteOptions::new(adapter)
        .with_filter(args.filter)
        .with_jobs(args.jobs)
        .with_request_timeout(Duration::from_millis(args.request_timeout_ms));
    if args.list {
        return match runner::select(&options) {
            Ok(scenarios) => {
                for s in scenarios {
                    println!("{}: {}", s.trial_name(), s.scenario.title);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }

    // Two consumers of the one event stream: the progress (a bar on a
    // terminal, else plain lines) and the summary.
    let mut bar = runner::progress_wanted().then(ProgressBarReporter::new);
    let mut console = if bar.is_some() {
        PlainReporter::summary_only(std::io::stdout())
    } else {
        PlainReporter::new(std::io::stdout())
    };
    let result = match runtime.block_on(runner::run_suite(options, |event| {
        if let Some(bar) = &mut bar {
            bar.event(event);
        }
        console.event(event);
    })) {
        Ok(result) => result,
        Err(e) => return fail(&e),
    };

    let report = runner::run_report(&result);
    let verdict = baseline
        .as_ref()
        .map(|b| report::apply_baseline(&report, b));
    let baseline_md = verdict.as_ref().map(report::write_baseline_markdown);
    let mut status = match &verdict {
        Some(v) => u8::from(!v.passed()),
        None => u8::from(!result.is_compliant()),
    };

    // The reports.
    let mut targets: Vec<(Format, PathBuf, String)> = args
        .reports
        .iter()
        .map(|r| (r.format, r.path.clone(), format!("--report {}", r.text)))
        .collect();
    let dir = match (&args.report_dir, targets.is_empty()) {
        (Some(dir), _) => Some((dir.clone(), "--report-dir")),
        (None, true) => Some((PathBuf::from(DEFAULT_REPORT_DIR), "the report folder")),
        (None, false) => None,
    };
    if let Some((dir, what)) = &dir {
        for format in Format::ALL {
            targets.push((
                format,
                dir.join(format.file_name()),
                format!("{what} {}", dir.display()),
            ));
        }
    }
    let mut written = Vec::new();
    for (format, path, what) in &targets {
        match write_one(&report, *format, path, baseline_md.as_deref()) {
            Ok(()) => written.push(path.clone()),
            Err(e) => {
                eprintln!("error: {what}: {e}");
                status = 2;
            }
        }
    }
    if !written.is_empty() {
        println!();
        match &dir {
            Some((dir, _)) if written.len() == 4 && args.reports.is_empty() => {
                println!("reports written to {}:", shown(dir));
            }
            _ => println!("reports written:"),
        }
        for path in &written {
            println!("  {}", path.display());
        }
    }

    if let Some(path) = &args.write_baseline {
        let new = report::baseline_from(&report);
        match write_text(path, &report::write_baseline(&new)) {
            Ok(()) => println!(
                "baseline written to {} ({} expected failures)",
                path.display(),
                new.expected.len()
            ),
            Err(e) => {
                eprintln!("error: --write-baseline {}: {e}", path.display());
                status = 2;
            }
        }
    }

    if let (Some(v), Some(path)) = (&verdict, &args.baseline) {
        print!("{}", baseline_summary(v, path));
    }
    ExitCode::from(status)
}

/// The verdict against a baseline, for the terminal.
fn baseline_summary(v: &report::BaselineVerdict, path: &Path) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\nbaseline {}: {} new failures, {} expected failures, {} unexpected passes, {} not run",
        path.display(),
        v.new_failures.len(),
        v.expected_failures.len(),
        v.unexpected_passes.len(),
        v.not_run.len()
    );
    for id in &v.new_failures {
        let _ = writeln!(text, "  new failure: {id}");
    }
    for p in &v.unexpected_passes {
        let _ = writeln!(
            text,
            "  unexpected pass: {} (now {}; remove it from the baseline)",
            p.id, p.status
        );
    }
    for id in &v.not_run {
        let _ = writeln!(text, "  not run: {id}");
    }
    let _ = writeln!(
        text,
        "{}",
        if v.passed() {
            "baseline result: no new failure"
        } else {
            "baseline result: NEW failures"
        }
    );
    text
}

/// Writes one report; the Markdown gets the baseline's section when there
/// is one.
fn write_one(
    report: &RunReport,
    format: Format,
    path: &Path,
    baseline_md: Option<&str>,
) -> Result<(), String> {
    let mut text = format.render(report);
    if let (Format::Markdown, Some(md)) = (format, baseline_md) {
        if !text.ends_with("\n\n") {
            text.push('\n');
        }
        text.push_str(md);
    }
    write_text(path, &text)
}

fn compare(args: &CompareArgs) -> ExitCode {
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
            Ok(()) => println!("comparison written to {}", path.display()),
            Err(e) => {
                eprintln!("error: {flag} {}: {e}", path.display());
                status = 2;
            }
        }
    }
    if !any {
        print!("{}", report::write_comparison_markdown(&comparison));
    }
    ExitCode::from(status)
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))
}

/// Writes `text` to `path`, creating its parent folders.
fn write_text(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write: {e}"))
}

/// A folder as the user can find it: absolute when it can be made so.
fn shown(dir: &Path) -> String {
    std::path::absolute(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string()
}

/// Prints an error with its causes; exit status 2.
fn fail(e: &(dyn std::error::Error + 'static)) -> ExitCode {
    eprintln!("error: {}", error_chain(e));
    ExitCode::from(2)
}
