//! The conformance harness: every scenario of `scenarios/` under each
//! (adapter, profile) of [`table`], one trial each, named
//! `<adapter>@<profile>::<area>::<id>` (`reference@wechat::close::close-server`),
//! so that a failure says which implementation failed under which profile.
//! A scenario the row's profile does not cover is an ignored trial.
//!
//! The adapters:
//!
//! - `reference`: the reference implementation in process, against the
//!   golden snapshots ([`reference`]);
//! - `stdio`: the reference served over the adapter protocol on stdio
//!   (`connectsocket-conformance serve-reference`); each trial also runs
//!   the scenario in process and requires the identical normalised trace;
//! - `node`: the Node.js implementation (`adapters/node`; its `wx` face
//!   under `wechat`, its `tt` face under `douyin`); its packages are installed first (`npm ci`) when
//!   missing, and a missing `node` or `npm` fails every trial with the
//!   reason, never skips;
//! - `browser`: the browser build of the Node.js implementation on headless
//!   Chromium (`adapters/browser`), trusting the mock server's CA through
//!   the profile's NSS database. What a page cannot do is listed in
//!   `adapters/browser/baseline.json`: those trials pass while the scenario
//!   fails and fail once it passes. Without Debian's `chromium` (and
//!   `certutil`) every browser trial is ignored and one line says how to
//!   install them.
//! - `agent-node`, `agent-browser`: the agent (`agent/agent.js`) over HTTP
//!   through `run --adapter agent`'s endpoint, inside Node.js over the
//!   Node.js implementation (`agent/hosts/node.js`) and inside headless
//!   Chromium over the browser build (`agent/hosts/browser.js`, whose
//!   page has no DevTools host channel: what a page cannot do without one
//!   is `agent/hosts/browser-baseline.json`, taken as the browser row's).
//!
//! `cargo test -p runner --test conformance -- reference@` runs the
//! reference rows, `-- tls::` one area under every row, `-- --list` lists.
//! The environment variables of the reference rows (`CONFORMANCE_PROFILE`,
//! `CONFORMANCE_VARIANTS`, `CONFORMANCE_MUTANT`) are described in
//! [`reference`].

use libtest_mimic::{Arguments, Trial};
use runner::{load_dir, scenarios_dir, Profile};

mod process;
mod reference;

/// Which implementation a row runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Adapter {
    /// The reference implementation in process, checked against goldens.
    Reference,
    /// The reference over stdio, checked against the in-process trace.
    Stdio,
    /// The Node.js implementation.
    Node,
    /// The browser build of the Node.js implementation on Chromium.
    Browser,
    /// The agent inside Node.js, over the Node.js implementation.
    AgentNode,
    /// The agent inside headless Chromium, over the browser build.
    AgentBrowser,
}

impl Adapter {
    /// The adapter's part of a trial name.
    fn name(self) -> &'static str {
        match self {
            Adapter::Reference => "reference",
            Adapter::Stdio => "stdio",
            Adapter::Node => "node",
            Adapter::Browser => "browser",
            Adapter::AgentNode => "agent-node",
            Adapter::AgentBrowser => "agent-browser",
        }
    }
}

/// One (adapter, profile) the scenarios run under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    adapter: Adapter,
    profile: Profile,
}

impl Row {
    /// The prefix of the row's trial names: `<adapter>@<profile>`.
    fn prefix(self) -> String {
        format!("{}@{}", self.adapter.name(), self.profile)
    }
}

/// Every combination that runs: the reference under each profile, the
/// reference over stdio, node under every profile (its `wx` face under
/// `wechat`, its `tt` face under `douyin`), the browser under the default
/// profile. The first row's
/// profile is `CONFORMANCE_PROFILE`'s when it is set (a row it repeats is
/// then dropped).
fn table() -> Vec<Row> {
    let row = |adapter, profile| Row { adapter, profile };
    let rows = [
        row(Adapter::Reference, reference::profile_from_env()),
        row(Adapter::Reference, Profile::ALIPAY_CURRENT),
        row(Adapter::Reference, Profile::WECHAT),
        row(Adapter::Reference, Profile::DOUYIN),
        row(Adapter::Stdio, Profile::default()),
        row(Adapter::Node, Profile::default()),
        row(Adapter::Node, Profile::ALIPAY_CURRENT),
        row(Adapter::Node, Profile::WECHAT),
        row(Adapter::Node, Profile::DOUYIN),
        row(Adapter::Browser, Profile::default()),
        row(Adapter::AgentNode, Profile::default()),
        row(Adapter::AgentBrowser, Profile::default()),
    ];
    let mut table: Vec<Row> = Vec::new();
    for row in rows {
        if !table.contains(&row) {
            table.push(row);
        }
    }
    table
}

fn main() {
    if std::env::var_os("CI").is_some() && std::env::var_os("INSTA_UPDATE").is_none() {
        // CI never writes snapshots.
        std::env::set_var("INSTA_UPDATE", "no");
    }
    let args = Arguments::from_args();
    let scenarios = match load_dir(&scenarios_dir()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}", adapter_protocol::error_chain(&e));
            std::process::exit(101);
        }
    };
    let mut trials: Vec<Trial> = Vec::new();
    let mut processes = Vec::new();
    for row in table() {
        match row.adapter {
            Adapter::Reference => trials.extend(reference::trials(row, &scenarios)),
            Adapter::Stdio
            | Adapter::Node
            | Adapter::Browser
            | Adapter::AgentNode
            | Adapter::AgentBrowser => {
                let harness = process::Harness::new(row);
                trials.extend(harness.trials(&scenarios));
                processes.push(harness);
            }
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    for harness in &processes {
        // Every adapter process ends before the harness exits.
        harness.finish();
    }
    conclusion.exit();
}
