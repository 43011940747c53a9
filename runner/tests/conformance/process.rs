//! The rows of adapters that run as processes (`stdio`, `node`,
//! `browser`): one trial per scenario that runs it through a [`Suite`]
//! and requires it to pass.

use std::sync::{Arc, OnceLock};

use libtest_mimic::{Failed, Trial};
use runner::scenario::profile::not_applicable;
use runner::{AdapterSpec, LoadedScenario, ScenarioReport, Status, Suite, SuiteOptions};
use testkit::{quote, repo_root};

use crate::{Adapter, Row};

/// One runtime and the suites of a row, started by the first trial that
/// needs them (so `--list` starts nothing).
struct Env {
    runtime: tokio::runtime::Runtime,
    suite: Suite,
    /// The in-process reference, to compare traces with (`stdio`).
    reference: Option<Suite>,
    /// The agent's host process (`agent-*` rows), killed with its group at the end.
    agent_host: Option<tokio::process::Child>,
}

/// A process row: its adapter, what it knows fails, why it is skipped.
pub(crate) struct Harness {
    row: Row,
    /// Trial names `<area>::<id>` of documented failures: such a trial
    /// passes when its scenario fails, and fails when it passes (the list
    /// must shrink).
    known_failures: Arc<Vec<String>>,
    /// Why every trial of the row is ignored, in one line.
    skip: Option<String>,
    env: Arc<OnceLock<Result<Env, String>>>,
}

impl Harness {
    /// The row's harness; prints its one skip line when it cannot run.
    pub(crate) fn new(row: Row) -> Harness {
        let (known_failures, skip) = match row.adapter {
            Adapter::Browser => (
                browser_known_failures("adapters/browser/baseline.json"),
                browser_skip(),
            ),
            Adapter::AgentBrowser => (
                browser_known_failures("agent/hosts/browser-baseline.json"),
                browser_skip(),
            ),
            _ => (Vec::new(), None),
        };
        if let Some(why) = &skip {
            eprintln!("{}: skipped: {why}", row.adapter.name());
        }
        Harness {
            row,
            known_failures: Arc::new(known_failures),
            skip,
            env: Arc::new(OnceLock::new()),
        }
    }

    /// One trial per scenario under the row's profile.
    pub(crate) fn trials(&self, scenarios: &[LoadedScenario]) -> Vec<Trial> {
        let prefix = self.row.prefix();
        scenarios
            .iter()
            .map(|s| {
                let ignored =
                    self.skip.is_some() || not_applicable(&s.scenario, self.row.profile).is_some();
                let known = self.known_failures.contains(&s.trial_name());
                let (env, row, s) = (self.env.clone(), self.row, s.clone());
                Trial::test(format!("{prefix}::{}", s.trial_name()), move || {
                    let env = env
                        .get_or_init(|| start(row))
                        .as_ref()
                        .map_err(|e| Failed::from(e.clone()))?;
                    run(env, &s, known)
                })
                .with_ignored_flag(ignored)
            })
            .collect()
    }

    /// Ends the row's adapter processes, if it started any.
    pub(crate) fn finish(&self) {
        if let Some(Ok(env)) = self.env.get() {
            env.runtime.block_on(env.suite.finish());
            if let Some(pid) = env.agent_host.as_ref().and_then(tokio::process::Child::id) {
                adapter_host::kill_process_group(pid);
            }
        }
    }
}

/// The command line that starts the row's adapter (installing its npm
/// packages first when missing).
fn command(adapter: Adapter) -> Result<String, String> {
    let root = repo_root();
    match adapter {
        Adapter::Stdio => Ok(format!(
            "{} serve-reference",
            quote(env!("CARGO_BIN_EXE_connectsocket-conformance"))
        )),
        Adapter::Node => {
            let script = adapter_host::ensure_node_adapter(&root).map_err(|e| {
                format!(
                    "the node adapter cannot run: {}",
                    adapter_protocol::error_chain(&e)
                )
            })?;
            Ok(format!("node {}", quote(&script.to_string_lossy())))
        }
        Adapter::Browser => {
            // The page's scripts are bundled with esbuild, from the adapters' npm workspaces.
            adapter_host::ensure_adapter_packages(&root)
                .map_err(|e| format!("the browser adapter cannot run: {e}"))?;
            let adapter = root.join("adapters/browser/src/adapter.js");
            let bundle = root.join("adapters/browser/impl/my-browser.js");
            Ok(format!(
                "node {} --impl {}",
                quote(&adapter.to_string_lossy()),
                quote(&bundle.to_string_lossy())
            ))
        }
        Adapter::AgentNode | Adapter::AgentBrowser => {
            adapter_host::ensure_adapter_packages(&root)
                .map_err(|e| format!("the agent's host cannot run: {e}"))?;
            let host = if adapter == Adapter::AgentNode {
                "node"
            } else {
                "browser"
            };
            let script = root.join(format!("agent/hosts/{host}.js"));
            Ok(format!("node {}", quote(&script.to_string_lossy())))
        }
        Adapter::Reference => Err("the reference rows run in process".into()),
    }
}

/// Why the browser rows cannot run here (no chromium or certutil), if so.
fn browser_skip() -> Option<String> {
    adapter_host::browser_adapter_missing()
        .map(|reason| format!("{reason} to run the browser adapter's conformance tests"))
}

/// What a page cannot do: the scenarios of the baseline at `path` (from
/// the repository's root).
fn browser_known_failures(path: &str) -> Vec<String> {
    let baseline = repo_root().join(path);
    std::fs::read_to_string(&baseline)
        .map_err(|e| e.to_string())
        .and_then(|text| report::read_baseline(&text).map_err(|e| e.to_string()))
        .map(|b| b.expected.into_iter().map(|e| e.id).collect())
        .unwrap_or_else(|e| panic!("{}: {e}", baseline.display()))
}

/// Starts the row's runtime and suites; `stdio` also gets the in-process
/// reference to compare with.
fn start(row: Row) -> Result<Env, String> {
    let command = command(row.adapter)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (adapter, agent_host) = match row.adapter {
        Adapter::AgentNode | Adapter::AgentBrowser => {
            let (server, host) = runtime.block_on(start_agent(&command))?;
            (AdapterSpec::Agent(server), Some(host))
        }
        _ => (AdapterSpec::Command(command), None),
    };
    let options = SuiteOptions::new(adapter)
        .with_profile(row.profile)
        .with_agent_join_timeout(Some(std::time::Duration::from_secs(60)));
    let suite = runtime
        .block_on(Suite::start(options))
        .map_err(|e| format!("{e}"))?;
    let reference = if row.adapter == Adapter::Stdio {
        let options = SuiteOptions::new(AdapterSpec::reference()).with_profile(row.profile);
        Some(
            runtime
                .block_on(Suite::start(options))
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    Ok(Env {
        runtime,
        suite,
        reference,
        agent_host,
    })
}

/// Serves an agent endpoint on loopback and starts the agent's host
/// (`command URL TOKEN`) in a process group of its own.
async fn start_agent(
    command: &str,
) -> Result<(adapter_host::AgentServer, tokio::process::Child), String> {
    let server = adapter_host::AgentServer::start(adapter_host::AgentOptions::default())
        .await
        .map_err(|e| adapter_protocol::error_chain(&e))?;
    let words = adapter_host::split_command_line(command).map_err(|e| e.to_string())?;
    let host = tokio::process::Command::new(&words[0])
        .args(&words[1..])
        .arg(server.url())
        .arg(server.token())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start `{command}`: {e}"))?;
    Ok((server, host))
}

/// Runs one scenario; `known_failure`: it is expected to fail.
fn run(env: &Env, s: &LoadedScenario, known_failure: bool) -> Result<(), Failed> {
    let result = env.runtime.block_on(env.suite.run_one(s));
    if known_failure {
        return match result.status {
            Status::Pass => Err(format!(
                "{}: listed as a known failure, but it passes now: remove it from the list",
                s.trial_name()
            )
            .into()),
            _ => Ok(()),
        };
    }
    if !matches!(result.status, Status::Pass) {
        return Err(describe(&result).into());
    }
    if let Some(reference) = &env.reference {
        let in_process = env.runtime.block_on(reference.run_one(s));
        if in_process.trace != result.trace {
            let diff = runner::verdict::golden::compare(&in_process.trace, &result.trace)
                .unwrap_or_default();
            return Err(format!(
                "{}: the trace over stdio differs from the in-process trace (in-process {}):\n{diff}",
                s.path.display(),
                in_process.status
            )
            .into());
        }
    }
    Ok(())
}

/// A failed trial's text: why, the golden difference, the trace and the
/// adapter's stderr tail.
fn describe(r: &ScenarioReport) -> String {
    let file = r.path.as_deref().unwrap_or(&r.id);
    let mut text = format!("{file}: {} — {}\n", r.title, r.status);
    if let Some(m) = &r.message {
        text.push_str(&format!("\n{m}\n"));
    }
    if let Some(d) = &r.golden_diff {
        text.push_str(&format!("\ngolden difference:\n{d}\n"));
    }
    text.push_str(&format!(
        "\ntrace (normalised):\n{}",
        runner::verdict::golden::render(&r.trace)
    ));
    if let Some(t) = &r.adapter_stderr {
        text.push_str(&format!("\nadapter stderr (tail):\n{t}\n"));
    }
    text
}
