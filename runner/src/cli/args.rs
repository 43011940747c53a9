//! The command line's arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use report::Format;

use crate::cli::scenario_args::{ScenarioSetArgs, ScenariosCommand};

/// Checks an implementation of the mini-program socket API
/// (`my.connectSocket`) against the conformance scenarios.
///
/// With no arguments: every scenario against the bundled reference
/// implementation (in process) and the embedded mock server, the summary on
/// stdout, and the four reports (junit.xml, report.json, summary.md,
/// report.html) in target/conformance-report/.
#[derive(Debug, Parser)]
#[command(name = "connectsocket-conformance", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Runs the scenarios, prints the compliance summary and writes the
    /// reports (exit 0: compliant, 1: failures, 2: usage or configuration
    /// error).
    Run(RunArgs),
    /// Puts several JSON reports side by side: one matrix of rule ids,
    /// error codes and scenarios against implementations (Markdown on
    /// stdout unless --md or --html is given), or, with --plan and
    /// --matrix, the compatibility matrix of the plan's runs.
    Compare(CompareArgs),
    /// Joins the JSON reports of the parts of a sharded run
    /// (`run --partition K/N`) into one run and writes its four reports
    /// (exit 0: compliant, 1: failures, 2: the reports are not parts of one
    /// run, overlap, or cannot be read or written).
    Merge(MergeArgs),
    /// The scenarios built into the binary.
    Scenarios {
        #[command(subcommand)]
        command: ScenariosCommand,
    },
    /// Serves the reference implementation over the adapter protocol on
    /// stdin/stdout (an adapter process for `run --adapter`).
    ServeReference {
        /// A deliberately broken variant of the reference implementation.
        #[arg(long, value_name = "NAME")]
        mutant: Option<String>,
        /// Independent instances of the implementation in the process (the
        /// `instances` of its `hello` result): a runner runs up to N
        /// scenarios at once over it; 1 serves one, as before instances.
        #[arg(long, value_name = "N", default_value_t = reference_impl::DEFAULT_INSTANCES,
              value_parser = clap::value_parser!(u32).range(1..))]
        instances: u32,
    },
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// `reference` (in process), an adapter's command line, e.g.
    /// "node adapters/node/src/adapter.js", or `agent[:IP:PORT]`: serve
    /// the endpoint an agent (agent/agent.js) joins over HTTP, on
    /// 127.0.0.1 and an ephemeral port unless given, and wait for it.
    #[arg(
        long,
        default_value = "reference",
        value_name = "reference|COMMAND|agent[:ADDR]"
    )]
    pub(crate) adapter: String,
    /// With `--adapter agent`: the host name or address the printed agent
    /// URL names (one the device can reach; default: the address listened
    /// on). The run's mock server goes there too: it binds HOST if it is
    /// an IP address (one of this machine's), every IPv4 interface if it
    /// is a name, and its URLs and good certificates name HOST.
    #[arg(long, value_name = "HOST")]
    pub(crate) advertise_host: Option<String>,
    /// Runs a mutant of the reference implementation (with `--adapter reference`).
    #[arg(long, value_name = "NAME")]
    pub(crate) mutant: Option<String>,
    /// Runs the reference implementation with another conforming option of
    /// an [impl-defined] rule, e.g. `connect.outcome=settled` (repeatable;
    /// with `--adapter reference`; the options are listed in
    /// docs/behaviour.md).
    #[arg(long, value_name = "RULE=OPTION")]
    pub(crate) variant: Vec<String>,
    /// The profile the run checks: alipay-2022-09 (the default),
    /// alipay-current (the vendor's revision of 2022-11-24), wechat
    /// (wx.connectSocket) or douyin (tt.connectSocket); docs/profiles.md.
    #[arg(long, value_name = "NAME", default_value = "alipay-2022-09", value_parser = profile_parser())]
    pub(crate) profile: adapter_protocol::Profile,
    /// Only scenarios whose `<area>::<id>` contains this (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub(crate) filter: Vec<String>,
    /// Scenarios at once, at most 128 (default: 128 in process, where
    /// scenarios mostly wait; through adapter processes 4 per core, at
    /// most 16).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = parse_jobs)]
    pub(crate) jobs: usize,
    /// Which scenarios: the tree, and the part of it.
    #[command(flatten)]
    pub(crate) set: ScenarioSetArgs,
    /// How long the adapter may take to answer one request, in ms (500 to
    /// 3600000).
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = parse_request_timeout)]
    pub(crate) request_timeout_ms: u64,
    /// How long a new adapter process may take to start and answer
    /// `hello`, in ms (100 to 3600000; default 30000). Processes start one
    /// at a time; one that misses it is started once more, then its
    /// scenarios are `error`, never `fail`.
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_HELLO_TIMEOUT_MS,
          value_parser = parse_hello_timeout)]
    pub(crate) hello_timeout_ms: u64,
    /// Lists the selected scenarios instead of running them.
    #[arg(long)]
    pub(crate) list: bool,
    /// Writes one report: FORMAT is junit, json, md or html (repeatable).
    /// With neither --report nor --report-dir, all four go to
    /// target/conformance-report/.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_spec)]
    pub(crate) reports: Vec<ReportSpec>,
    /// Writes all four reports into DIR (junit.xml, report.json,
    /// summary.md, report.html).
    #[arg(long, value_name = "DIR")]
    pub(crate) report_dir: Option<PathBuf>,
    /// A baseline of expected failures: exit 1 only on new failures;
    /// baselined scenarios that now pass are reported.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Writes a baseline expecting exactly this run's failures.
    #[arg(long, value_name = "FILE")]
    pub(crate) write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// JSON reports (`--report json=PATH`), one column each.
    #[arg(required_unless_present = "list_runs", value_name = "REPORT.json")]
    pub(crate) reports: Vec<PathBuf>,
    /// Writes the Markdown matrix here.
    #[arg(long, value_name = "PATH")]
    pub(crate) md: Option<PathBuf>,
    /// Writes the matrix as one self-contained HTML page here.
    #[arg(long, value_name = "PATH")]
    pub(crate) html: Option<PathBuf>,
    /// The compatibility matrix's plan (scripts/compatibility.json): which
    /// implementations run, through which adapter, under which profiles.
    #[arg(long, value_name = "PLAN.json", help_heading = "Compatibility matrix")]
    pub(crate) plan: Option<PathBuf>,
    /// Prints the plan's runs, `id<TAB>profile<TAB>adapter` a line, and
    /// reads no report (for scripts/compatibility.sh).
    #[arg(long, requires = "plan", conflicts_with_all = ["md", "html", "matrix"],
          help_heading = "Compatibility matrix")]
    pub(crate) list_runs: bool,
    /// Writes the reports, runs of --plan, as the compatibility matrix here
    /// (Markdown), and its verdicts per scenario beside it (the same name
    /// with .json), for the next matrix to compare with.
    #[arg(long, value_name = "PATH.md", requires = "plan", conflicts_with_all = ["md", "html"],
          help_heading = "Compatibility matrix")]
    pub(crate) matrix: Option<PathBuf>,
    /// The matrix this one follows (`docs/compatibility/<date>.md`): its
    /// verdicts (the same name with .json) are compared with.
    #[arg(
        long,
        value_name = "PATH.md",
        requires = "matrix",
        help_heading = "Compatibility matrix"
    )]
    pub(crate) previous: Option<PathBuf>,
    /// The hand-written reading of the root causes, closing the matrix
    /// (repeatable: the files follow each other, their headings nested
    /// under the matrix's section).
    #[arg(
        long,
        value_name = "PATH.md",
        requires = "matrix",
        help_heading = "Compatibility matrix"
    )]
    pub(crate) notes: Vec<PathBuf>,
    /// A line about the machine or tools of the runs (repeatable), e.g.
    /// "Chromium 156.0", "Node.js v20.20.2".
    #[arg(
        long,
        value_name = "TEXT",
        requires = "matrix",
        help_heading = "Compatibility matrix"
    )]
    pub(crate) about: Vec<String>,
}

/// `merge`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The parts' JSON reports (`run --partition K/N --report json=PATH`).
    #[arg(required = true, value_name = "REPORT.json")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Writes all four reports of the merged run into DIR (junit.xml,
    /// report.json, summary.md, report.html). With neither --report nor
    /// --report-dir: target/conformance-report/.
    #[arg(long, value_name = "DIR")]
    pub(crate) report_dir: Option<PathBuf>,
    /// Writes one report of the merged run: FORMAT is junit, json, md or
    /// html (repeatable).
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_spec)]
    pub(crate) reports: Vec<ReportSpec>,
    /// A baseline of expected failures, as for `run`: exit 1 only on new
    /// failures, and summary.md ends with the baseline's verdict.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
}

/// `--report FORMAT=PATH`.
#[derive(Debug, Clone)]
pub(crate) struct ReportSpec {
    pub(crate) format: Format,
    pub(crate) path: PathBuf,
    /// As given, for messages.
    pub(crate) text: String,
}

/// Parses `--report FORMAT=PATH`.
pub(crate) fn parse_report_spec(text: &str) -> Result<ReportSpec, String> {
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

/// The shortest `--request-timeout-ms`: below it even the reference
/// implementation misses answers that wait on the network.
pub(crate) const MIN_REQUEST_TIMEOUT_MS: u64 = 500;
/// The longest `--request-timeout-ms` (one hour).
pub(crate) const MAX_REQUEST_TIMEOUT_MS: u64 = 3_600_000;
/// The default `--hello-timeout-ms`: `SuiteOptions`' default.
pub(crate) const DEFAULT_HELLO_TIMEOUT_MS: u64 =
    crate::execute::options::DEFAULT_HELLO_TIMEOUT.as_millis() as u64;
/// The shortest `--hello-timeout-ms`: no process starts and answers in less.
pub(crate) const MIN_HELLO_TIMEOUT_MS: u64 = 100;
/// The most scenarios at once (`--jobs`): each has its own adapter.
pub(crate) const MAX_JOBS: usize = 128;

/// Parses `--request-timeout-ms`: a whole number of milliseconds within
/// [`MIN_REQUEST_TIMEOUT_MS`]..=[`MAX_REQUEST_TIMEOUT_MS`].
pub(crate) fn parse_request_timeout(text: &str) -> Result<u64, String> {
    parse_millis(
        text,
        MIN_REQUEST_TIMEOUT_MS,
        "or even a conforming implementation fails scenarios that wait for the network",
    )
}

/// Parses `--hello-timeout-ms`: a whole number of milliseconds within
/// [`MIN_HELLO_TIMEOUT_MS`]..=[`MAX_REQUEST_TIMEOUT_MS`].
pub(crate) fn parse_hello_timeout(text: &str) -> Result<u64, String> {
    parse_millis(
        text,
        MIN_HELLO_TIMEOUT_MS,
        "or no adapter process starts in time",
    )
}

/// A whole number of milliseconds from `min` to [`MAX_REQUEST_TIMEOUT_MS`];
/// `why_min` says what a shorter one would do.
fn parse_millis(text: &str, min: u64, why_min: &str) -> Result<u64, String> {
    let ms: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of milliseconds"))?;
    if ms < min {
        return Err(format!(
            "{ms} ms is too short: at least {min} ms, {why_min}"
        ));
    }
    if ms > MAX_REQUEST_TIMEOUT_MS {
        return Err(format!(
            "{ms} ms is too long: at most {MAX_REQUEST_TIMEOUT_MS} ms (one hour)"
        ));
    }
    Ok(ms)
}

/// Parses `--jobs`: 0 (the default for the adapter) to [`MAX_JOBS`].
pub(crate) fn parse_jobs(text: &str) -> Result<usize, String> {
    let jobs: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of scenarios"))?;
    if jobs > MAX_JOBS {
        return Err(format!(
            "{jobs} at once is too many: at most {MAX_JOBS} (each scenario runs its own adapter), \
             or 0 for the default"
        ));
    }
    Ok(jobs)
}

/// A profile name, one of [`adapter_protocol::Profile::ALL`] (which the
/// help lists as the possible values).
fn profile_parser() -> impl clap::builder::TypedValueParser<Value = adapter_protocol::Profile> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(adapter_protocol::Profile::ALL.map(|p| p.name()))
        .try_map(|name| name.parse::<adapter_protocol::Profile>())
}
