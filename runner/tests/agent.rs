//! The agent (`agent/agent.js`) and the runner's endpoint for it, under
//! faults: a wrong token is refused and nothing runs, a second agent is
//! refused, an agent that disappears mid-run leaves its scenarios `error`
//! and the run ends with nothing left running; and agent.js's own tests
//! (ES5, its faces, a request the runtime throws on). The whole suite
//! through the agent is the `agent-node` and `agent-browser` rows of the
//! conformance harness.

use std::time::Duration;

use adapter_host::{AdapterError, AgentOptions, AgentServer};
use runner::{AdapterSpec, Status, SuiteEvent, SuiteOptions};
use testkit::repo_root;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// POSTs `body` to `url` (`http://127.0.0.1:PORT/...`) over a plain
/// HTTP/1.1 connection: (status, body).
async fn post(url: &str, body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut stream = TcpStream::connect(authority).await.expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let status = answer[9..12].parse().expect("a status");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

async fn server(gone_after: Duration) -> AgentServer {
    AgentServer::start(AgentOptions {
        gone_after,
        ..AgentOptions::default()
    })
    .await
    .expect("the endpoint starts")
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_nothing_runs() {
    let agent = server(Duration::from_secs(5)).await;
    let (status, body) = post(&format!("{}/join", agent.url()), r#"{"token":"nope"}"#).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("wrong token"), "{body}");
    // Polling without having joined is refused too.
    let (status, _) = post(&format!("{}/poll", agent.url()), r#"{"session":"x"}"#).await;
    assert_eq!(status, 403);
    // And the run does not start: no agent ever joined.
    let options = SuiteOptions::new(AdapterSpec::Agent(agent.clone()))
        .with_filter(vec!["close::close-server".into()])
        .with_agent_join_timeout(Some(Duration::from_millis(300)));
    let mut started = 0;
    let error = runner::run_suite(options, |event| {
        if matches!(event, SuiteEvent::ScenarioStarted { .. }) {
            started += 1;
        }
    })
    .await
    .expect_err("no agent, no run");
    assert!(error.to_string().contains("no agent joined"), "{error}");
    assert_eq!(started, 0);
}

#[tokio::test]
async fn a_second_agent_is_refused() {
    let agent = server(Duration::from_secs(5)).await;
    let join = format!(r#"{{"token":"{}"}}"#, agent.token());
    let (status, body) = post(&format!("{}/join", agent.url()), &join).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(&format!("{}/join", agent.url()), &join).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("another agent is running"), "{body}");
    // The first is the run's.
    assert!(agent
        .accept(Some(tokio::time::Instant::now() + Duration::from_secs(1)))
        .await
        .is_ok());
    // There is one adapter per agent.
    assert!(matches!(
        agent.accept(None).await,
        Err(AdapterError::Gone(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_disappears_leaves_its_scenarios_in_error_and_the_run_ends() {
    let root = repo_root();
    adapter_host::ensure_adapter_packages(&root).expect("the adapters' packages install");
    let agent = server(Duration::from_millis(500)).await;
    let mut host = tokio::process::Command::new("node")
        .arg(root.join("agent/hosts/node.js"))
        .arg(agent.url())
        .arg(agent.token())
        .process_group(0)
        .kill_on_drop(true)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("node starts");
    let pid = host.id().expect("a pid");
    let options = SuiteOptions::new(AdapterSpec::Agent(agent))
        .with_filter(vec!["close::".into()])
        .with_agent_join_timeout(Some(Duration::from_secs(30)));
    let started = std::time::Instant::now();
    let mut finished = 0;
    let report = runner::run_suite(options, |event| {
        if let SuiteEvent::ScenarioFinished { .. } = event {
            finished += 1;
            if finished == 2 {
                // The agent disappears (its process group, at once).
                adapter_host::kill_process_group(pid);
            }
        }
    })
    .await
    .expect("the run ends");
    let statuses: Vec<Status> = report.scenarios.iter().map(|s| s.status).collect();
    assert!(statuses.len() > 5, "{statuses:?}");
    // The two before the agent went pass; the one running when it went
    // may still have passed; from the first `error` on, every one is.
    assert!(
        statuses[..2].iter().all(|s| *s == Status::Pass),
        "{statuses:?}"
    );
    let first_error = statuses
        .iter()
        .position(|s| *s == Status::Error)
        .expect("scenarios in error");
    assert!(first_error <= 3, "{statuses:?}");
    assert!(
        statuses[first_error..].iter().all(|s| *s == Status::Error),
        "{statuses:?}"
    );
    let last = report.scenarios.last().unwrap();
    assert!(
        last.message.as_deref().unwrap_or("").contains("the agent"),
        "{:?}",
        last.message
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    // Nothing is left running.
    let status = tokio::time::timeout(Duration::from_secs(5), host.wait())
        .await
        .expect("the host has ended")
        .expect("its status");
    assert!(!status.success());
}

#[test]
fn agent_js_passes_its_own_tests() {
    let root = repo_root();
    adapter_host::ensure_adapter_packages(&root).expect("the adapters' packages install");
    let output = std::process::Command::new("node")
        .arg("--test")
        .arg(root.join("agent/test/"))
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `run --adapter agent --advertise-host 127.0.0.2` with the Node agent
/// host: the mock server listens on 127.0.0.2 (loopback on Linux: all of
/// 127.0.0.0/8 routes to `lo`), the scenarios' URLs name it, and its good
/// certificate verifies for it while the bad ones stay bad, so the TLS
/// scenarios and an open pass as they do on 127.0.0.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_advertised_host_the_scenarios_run_against_a_mock_server_there() {
    use tokio::io::AsyncBufReadExt;

    let root = repo_root();
    adapter_host::ensure_adapter_packages(&root).expect("the adapters' packages install");
    let dir = tempfile::tempdir().unwrap();
    let mut run = tokio::process::Command::new(env!("CARGO_BIN_EXE_connectsocket-conformance"))
        .args([
            "run",
            "--adapter",
            "agent:127.0.0.2:0",
            "--advertise-host",
            "127.0.0.2",
            "--filter",
            "tls::",
            "--filter",
            "connect::connect-open",
            "--filter",
            "url::url-wss-only",
            "--report-dir",
        ])
        .arg(dir.path())
        .current_dir(dir.path())
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the runner starts");
    let mut lines = tokio::io::BufReader::new(run.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let (mut url, mut token) = (None, None);
    while url.is_none() || token.is_none() {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the runner prints the agent's URL and token in time")
            .expect("stdout reads")
            .unwrap_or_else(|| panic!("the runner ended before printing them: {printed}"));
        printed.push_str(&line);
        printed.push('\n');
        if let Some(u) = line.trim().strip_prefix("url:") {
            url = Some(u.trim().to_string());
        }
        if let Some(t) = line.trim().strip_prefix("token:") {
            token = Some(t.trim().to_string());
        }
    }
    let url = url.unwrap();
    assert!(url.starts_with("http://127.0.0.2:"), "{url}");
    // Before the agent joins, the run's mock server is listening on
    // 127.0.0.2: its `ws`, `wss.*` and `wss.hang` listeners, besides the
    // agent's endpoint. (The runner prints nothing when the mock server is
    // up, so this looks, with a deadline, at the kernel's socket table.)
    let wanted = 1 + 1 + mock_server::CERT_CASES.len() + 1;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let found = listeners_on_127_0_0_2();
        if found >= wanted {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{found} listeners on 127.0.0.2, {wanted} wanted: {printed}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut host = tokio::process::Command::new("node")
        .arg(root.join("agent/hosts/node.js"))
        .arg(&url)
        .arg(token.unwrap())
        .process_group(0)
        .kill_on_drop(true)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("node starts");
    while let Some(line) = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .expect("the run ends in time")
        .expect("stdout reads")
    {
        printed.push_str(&line);
        printed.push('\n');
    }
    let status = tokio::time::timeout(Duration::from_secs(10), run.wait())
        .await
        .expect("the runner exits")
        .expect("its status");
    assert_eq!(status.code(), Some(0), "{printed}");
    assert!(printed.contains("result: compliant"), "{printed}");
    for id in [
        "tls-intermediate-chain-opens",
        "tls-wrong-host",
        "tls-expired",
        "connect-open-ws",
        "url-wss-only",
    ] {
        assert!(printed.contains(id), "{id} ran: {printed}");
    }
    let status = tokio::time::timeout(Duration::from_secs(10), host.wait())
        .await
        .expect("the agent host ends with the run")
        .expect("its status");
    assert!(status.success());
    // The URLs name 127.0.0.2: the mock server listens there only, so a
    // URL naming 127.0.0.1 would be refused and its scenario would not pass.
}

/// How many TCP sockets listen on 127.0.0.2 (Linux's /proc/net/tcp: local
/// address `0200007F:PORT`, state `0A`).
fn listeners_on_127_0_0_2() -> usize {
    std::fs::read_to_string("/proc/net/tcp")
        .expect("/proc/net/tcp reads")
        .lines()
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.len() > 3 && fields[1].starts_with("0200007F:") && fields[3] == "0A"
        })
        .count()
}
