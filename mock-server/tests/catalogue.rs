//! The load-time catalogue: listener names and behaviour paths, checked
//! without a server, against the scenarios and against a running server.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use mock_server::{check_behaviour, check_listener, listener_names};

/// Template keys that are not listeners (`{{bytes:N}}`, `{{base64:N}}`,
/// `{{session}}`).
const NOT_LISTENERS: &[&str] = &["bytes", "base64", "session"];

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// The inside of every `{{...}}` in a text, scanned by hand.
fn templates(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        found.push(&after[..end]);
        rest = &after[end + 2..];
    }
    found
}

#[test]
fn every_listener_and_behaviour_path_in_the_scenarios_passes_the_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    assert!(files.len() > 50, "the scenarios are found: {}", files.len());
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for inner in templates(&text) {
            // `{{listener:path|modifier}}`, `{{listener}}`.
            let inner = inner.split('|').next().unwrap();
            let (key, path) = match inner.split_once(':') {
                Some((key, path)) => (key, Some(path)),
                None => (inner, None),
            };
            if NOT_LISTENERS.contains(&key) {
                continue;
            }
            if let Err(e) = check_listener(key) {
                failures.push(format!("{}: {{{{{inner}}}}}: {e}", file.display()));
            }
            if let Some(path) = path {
                if let Err(e) = check_behaviour(path) {
                    failures.push(format!("{}: {{{{{inner}}}}}: {e}", file.display()));
                }
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked > 100, "templates checked: {checked}");
}

#[test]
fn an_unknown_listener_is_named_with_the_known_ones() {
    let e = check_listener("wss.vaild").unwrap_err().to_string();
    assert!(e.contains("\"wss.vaild\""), "{e}");
    assert!(e.contains("wss.valid") && e.contains("tcp.closed"), "{e}");
    assert!(
        check_listener("control").is_err(),
        "not a WebSocket listener"
    );
}

#[test]
fn a_misspelt_behaviour_path_is_named_with_what_is_allowed() {
    for (path, bad, allowed) in [
        ("ehco", "\"ehco\"", "echo"),
        ("fault/wrong-acept", "\"wrong-acept\"", "wrong-accept"),
        ("echo/delay=1500", "\"delay\"", "delay-ms"),
        ("echo/delay-ms=soon", "\"soon\"", "delay-ms"),
        ("close-on-open/40x2/going", "\"40x2\"", "close code"),
        ("broadcast", "broadcast", "a room name"),
        ("echo/extra", "\"extra\"", "key=value"),
        ("", "\"\"", "close-on-open-then-text"),
    ] {
        let e = check_behaviour(path).expect_err(path).to_string();
        assert!(e.contains(bad), "{path}: {e}");
        assert!(e.contains(allowed), "{path}: {e}");
    }
}

#[test]
fn a_query_and_a_leading_slash_are_not_part_of_the_behaviour() {
    check_behaviour("/echo/delay-ms=10?x=1&y=ehco").unwrap();
    check_behaviour("close-on-open/4002/going").unwrap();
    check_behaviour("echo/connection=keep-alive,%20Upgrade").unwrap();
}

#[tokio::test]
async fn the_catalogue_is_what_a_running_server_has_and_routes() {
    let server = start().await;
    let running: BTreeSet<String> = server.endpoints().listeners.keys().cloned().collect();
    let catalogue: BTreeSet<String> = listener_names().into_iter().collect();
    assert_eq!(running, catalogue);
    // The check and the server agree on a good and a misspelt path.
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    for (behaviour, good) in [("fault/status/403", true), ("fault/status/1234", false)] {
        assert_eq!(check_behaviour(behaviour).is_ok(), good, "{behaviour}");
        let path = format!("/s/{}/{behaviour}", s.id());
        let answer = raw_exchange(&addr, &upgrade_request(&addr, &path, ""), T).await;
        let expected: &[u8] = if good {
            b"HTTP/1.1 403 "
        } else {
            b"HTTP/1.1 400 "
        };
        assert!(answer.starts_with(expected), "{behaviour}: {answer:?}");
    }
}
