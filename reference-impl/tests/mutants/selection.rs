//! How a mutant is named and chosen: `hello`, the names, the
//! `reference-adapter` binary.

use super::*;

#[tokio::test]
async fn hello_names_the_mutant_and_a_conforming_adapter_stays_reference_impl() {
    for (mutant, name) in [
        (None, "reference-impl".to_owned()),
        (
            Some(Mutant::NoError12),
            "reference-impl+mutant:no-error-12".to_owned(),
        ),
    ] {
        let mut adapter = spawn_in_process(Behaviour::mutant(mutant));
        let hello = json!({"id": 1, "op": "hello", "protocol": 1, "config": {}});
        adapter
            .requests
            .send(serde_json::from_value(hello).unwrap())
            .unwrap();
        let message = tokio::time::timeout(WAIT, adapter.messages.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            serde_json::to_value(message).unwrap()["result"]["name"],
            name
        );
    }
}

#[test]
fn every_mutant_has_a_distinct_kebab_case_name_and_a_known_rule() {
    let rules = [
        "order.async",
        "connect.url.empty",
        "connect.url.scheme",
        "connect.wss-only",
        "connect.multiple.limit",
        "connect.success",
        "connect.data",
        "error.7.cert",
        "error.9.protocol-unrequested",
        "send.too-large",
        "receive.binary",
        "error.12.memory",
        "close.invalid-code",
        "close.server",
        "listeners.twice",
        "listeners.off-one",
        "listeners.off-all",
        "listeners.scope",
        "task.limit",
        "task.api",
        "task.send-in-open",
        "connect.single.exists",
        "connect.domain",
        "close.nothing-after",
        "options.consistent",
        "connect.single.reopen",
        "connect.concurrency",
        "callbacks.complete-once",
    ];
    assert!(Mutant::ALL.len() >= 16);
    for m in Mutant::every() {
        let name = m.name();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}"
        );
        assert_eq!(name.parse::<Mutant>().unwrap(), m);
        assert_eq!(m.to_string(), name);
        assert!(rules.contains(&m.rule()), "{name}: {}", m.rule());
        assert!(!m.summary().is_empty());
    }
}

fn adapter_command(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the adapter runs")
}

#[test]
fn the_adapter_lists_every_mutant() {
    let out = adapter_command(&["--list-mutants"]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<&str> = stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let all: Vec<&str> = Mutant::every().map(|m| m.name()).collect();
    assert_eq!(listed, all);
}

#[test]
fn the_adapter_refuses_an_unknown_mutant_with_status_2() {
    for args in [
        &["--mutant", "bogus"][..],
        &["--mutant=bogus"],
        &["--mutant"],
    ] {
        let out = adapter_command(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("--list-mutants"), "{stderr}");
        if args.len() == 2 || args[0].contains('=') {
            assert!(stderr.contains("unknown mutant `bogus`"), "{stderr}");
        }
    }
    let out = adapter_command(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn the_stdio_adapter_runs_the_mutant_it_is_given() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
        .args(["--mutant", "url-empty-code"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the adapter starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let requests = [
        json!({"id": 1, "op": "hello", "protocol": 1, "config": {}}),
        json!({"id": 2, "op": "call", "target": "my", "method": "connectSocket", "args": {"url": ""}}),
        json!({"id": 3, "op": "shutdown"}),
    ];
    for request in requests {
        stdin
            .write_all(format!("{request}\n").as_bytes())
            .await
            .unwrap();
    }
    stdin.flush().await.unwrap();
    let mut got = Vec::new();
    while let Some(line) = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("no line within 5 s")
        .unwrap()
    {
        got.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    assert_eq!(
        got[0]["result"]["name"],
        "reference-impl+mutant:url-empty-code"
    );
    let fail4 = ErrorCode::UrlFormat.payload();
    assert_eq!(
        got[1..].to_vec(),
        vec![
            json!({"id": 2, "ok": true, "result": {"returned": null}}),
            json!({"event": "callback", "call": 2, "kind": "fail", "res": fail4}),
            json!({"event": "callback", "call": 2, "kind": "complete", "res": fail4}),
            json!({"id": 3, "ok": true, "result": {}}),
        ]
    );
    assert!(child.wait().await.unwrap().success());
}
