//! The adapter protocol: in-process over channels, and the stdio binary.

mod support;

use std::process::Stdio;

use adapter_protocol::{AdapterMessage, Request, Response};
use reference_impl::{spawn_in_process, AdapterChannels, Behaviour, ErrorCode};
use serde_json::{json, Value};
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

struct Adapter(AdapterChannels);

impl Adapter {
    fn send(&self, request: Value) {
        let request: Request = serde_json::from_value(request).expect("a valid request");
        self.0.requests.send(request).unwrap();
    }

    async fn next(&mut self) -> Value {
        let message = tokio::time::timeout(WAIT, self.0.messages.recv())
            .await
            .expect("no message within 5 s")
            .expect("the adapter ended");
        serde_json::to_value(message).unwrap()
    }

    async fn expect(&mut self, expected: Vec<Value>) {
        for (i, want) in expected.into_iter().enumerate() {
            assert_eq!(self.next().await, want, "message #{i}");
        }
    }

    async fn hello(&mut self) {
        self.send(
            json!({"id": 1, "op": "hello", "protocol": 1, "config": {"closeTimeoutMs": 400}}),
        );
        self.expect(vec![json!({"id": 1, "ok": true, "result": {
            "name": "reference-impl", "version": env!("CARGO_PKG_VERSION"), "protocol": 1, "unsupported": []
        }})])
        .await;
    }
}

fn returned(id: u64, task: Option<&str>) -> Value {
    json!({"id": id, "ok": true, "result": {"returned": task.map(|t| json!({"task": t}))}})
}

fn cb(call: u64, kind: &str, res: Value) -> Value {
    json!({"event": "callback", "call": call, "kind": kind, "res": res})
}

fn ev(target: &str, listener: &str, kind: &str, res: Value) -> Value {
    json!({"event": "listener", "target": target, "listener": listener, "type": kind, "res": res})
}

// rule: connect.listener-in-success
// rule: task.api
#[tokio::test]
async fn the_bridge_runs_within_calls_inside_the_callback_and_then_calls_after_the_response() {
    let server = mock().await;
    let mut adapter = Adapter(spawn_in_process(Behaviour::default()));
    adapter.hello().await;
    adapter.send(json!({
        "id": 2, "op": "call", "target": "my", "method": "connectSocket",
        "args": {"url": server.url("echo"), "multiple": true},
        "then": [{"id": 3, "target": "$returned", "method": "onMessage", "listener": "M"}],
        "within": {"success": [{"id": 4, "target": "$returned", "method": "onOpen", "listener": "O"}]}
    }));
    adapter
        .expect(vec![
            returned(2, Some("t1")),
            returned(3, None),
            cb(2, "success", json!({})),
            returned(4, None),
            cb(2, "complete", json!({})),
            ev("t1", "O", "open", json!({})),
        ])
        .await;
    adapter.send(
        json!({"id": 5, "op": "call", "target": "t1", "method": "send", "args": {"data": "hi"}}),
    );
    adapter
        .expect(vec![
            returned(5, None),
            cb(5, "success", json!({})),
            cb(5, "complete", json!({})),
            ev(
                "t1",
                "M",
                "message",
                json!({"data": "hi", "isBuffer": false}),
            ),
        ])
        .await;
    adapter.send(json!({"id": 6, "op": "shutdown"}));
    adapter
        .expect(vec![json!({"id": 6, "ok": true, "result": {}})])
        .await;
    assert!(adapter.0.messages.recv().await.is_none());
    assert_eq!(
        server.message_in(1).await,
        (MessageKind::Text, 2, "hi".to_owned())
    );
}

// rule: connect.return
// rule: close.not-open
#[tokio::test]
async fn within_fail_and_complete_run_each_time_with_the_returned_task() {
    let mut adapter = Adapter(spawn_in_process(Behaviour::default()));
    adapter.hello().await;
    adapter.send(json!({
        "id": 2, "op": "call", "target": "my", "method": "connectSocket",
        "args": {"url": "", "multiple": true},
        "within": {
            "success": [{"id": 3, "target": "my", "method": "onSocketOpen", "listener": "never"}],
            "fail": [{"id": 4, "target": "$returned", "method": "close", "args": {"code": 1000}}],
            "complete": [{"id": 5, "target": "$returned", "method": "send", "noArgument": true}]
        }
    }));
    let fail3 = ErrorCode::UrlEmpty.payload();
    let fail10 = ErrorCode::NotOpen.payload();
    adapter
        .expect(vec![
            returned(2, Some("t1")),
            cb(2, "fail", fail3.clone()),
            returned(4, None),
            cb(2, "complete", fail3),
            returned(5, None),
            cb(4, "fail", fail10.clone()),
            cb(4, "complete", fail10),
        ])
        .await;
    // Calls with no argument and `on*` without a listener do nothing.
    adapter.send(json!({"id": 6, "op": "call", "target": "t1", "method": "onOpen"}));
    adapter.send(
        json!({"id": 7, "op": "call", "target": "my", "method": "closeSocket", "noArgument": true}),
    );
    adapter
        .expect(vec![returned(6, None), returned(7, None)])
        .await;
    adapter.send(json!({"id": 8, "op": "call", "target": "t1", "method": "close"}));
    adapter
        .expect(vec![
            returned(8, None),
            cb(8, "fail", ErrorCode::NotOpen.payload()),
            cb(8, "complete", ErrorCode::NotOpen.payload()),
        ])
        .await;
}

// rule: connect.url.empty
#[tokio::test]
async fn protocol_problems_are_error_responses_and_api_failures_go_through_fail() {
    let mut adapter = Adapter(spawn_in_process(Behaviour::default()));
    adapter.hello().await;
    adapter.send(json!({"id": 2, "op": "call", "target": "my", "method": "connect"}));
    adapter.send(json!({"id": 3, "op": "call", "target": "t9", "method": "send"}));
    adapter.send(json!({"id": 4, "op": "call", "target": "$returned", "method": "send"}));
    adapter.send(json!({"id": 5, "op": "call", "target": "my", "method": "connectSocket", "args": {"url": ""}}));
    let fail = ErrorCode::UrlEmpty.payload();
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(adapter.next().await);
    }
    assert_eq!(got[0]["id"], 2);
    assert_eq!(got[0]["ok"], false);
    assert!(got[0]["error"].as_str().unwrap().contains("connect"));
    assert_eq!(got[1]["ok"], false);
    assert!(got[1]["error"].as_str().unwrap().contains("t9"));
    assert_eq!(got[2]["ok"], false);
    assert_eq!(
        got[3..].to_vec(),
        vec![
            returned(5, None),
            cb(5, "fail", fail.clone()),
            cb(5, "complete", fail)
        ]
    );
}

// rule: listeners.during-dispatch
// rule: listeners.off-one
#[tokio::test]
async fn the_bridge_writes_every_listener_of_one_event_before_the_next_request() {
    let server = mock().await;
    let mut adapter = Adapter(spawn_in_process(Behaviour::default()));
    adapter.hello().await;
    for (id, name) in [(2, "A"), (3, "B")] {
        adapter.send(json!({"id": id, "op": "call", "target": "my", "method": "onSocketOpen", "listener": name}));
    }
    adapter.send(
        json!({"id": 4, "op": "call", "target": "my", "method": "connectSocket",
        "args": {"url": server.url("echo")}, "noArgument": false}),
    );
    adapter
        .expect(vec![
            returned(2, None),
            returned(3, None),
            returned(4, None),
            cb(4, "success", json!({})),
            cb(4, "complete", json!({})),
            ev("my", "A", "open", json!({})),
            ev("my", "B", "open", json!({})),
        ])
        .await;
    adapter.send(
        json!({"id": 5, "op": "call", "target": "my", "method": "offSocketOpen", "listener": "A"}),
    );
    adapter.expect(vec![returned(5, None)]).await;
}

#[tokio::test]
async fn reset_drops_tasks_and_restarts_handles() {
    let server = mock().await;
    let mut adapter = Adapter(spawn_in_process(Behaviour::default()));
    adapter.hello().await;
    let connect = |id: u64| {
        json!({"id": id, "op": "call", "target": "my", "method": "connectSocket",
        "args": {"url": server.url("fault/never-answer"), "multiple": true}})
    };
    adapter.send(connect(2));
    adapter
        .expect(vec![
            returned(2, Some("t1")),
            cb(2, "success", json!({})),
            cb(2, "complete", json!({})),
        ])
        .await;
    // The request is at the server, which never answers it.
    server
        .wait(1, "no response", |e| {
            matches!(e, Recorded::NoResponse { .. })
        })
        .await;
    adapter.send(json!({"id": 3, "op": "reset"}));
    adapter
        .expect(vec![json!({"id": 3, "ok": true, "result": {}})])
        .await;
    adapter.send(json!({"id": 4, "op": "call", "target": "t1", "method": "close"}));
    let response = adapter.next().await;
    assert_eq!(
        (response["id"].clone(), response["ok"].clone()),
        (json!(4), json!(false))
    );
    // The reset dropped the connection the server never answered.
    assert_eq!(server.ended(1).await, EndReason::PeerEof);
    adapter.send(connect(5));
    adapter
        .expect(vec![
            returned(5, Some("t1")),
            cb(5, "success", json!({})),
            cb(5, "complete", json!({})),
        ])
        .await;
}

#[tokio::test]
async fn the_stdio_adapter_serves_json_lines_and_exits_0_on_shutdown() {
    let server = mock().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the adapter starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let requests = [
        json!({"id": 1, "op": "hello", "protocol": 1, "config": {}}).to_string(),
        "this is not json".to_owned(),
        r#"{"id": 2, "op": "nonsense"}"#.to_owned(),
        json!({"id": 3, "op": "call", "target": "my", "method": "onSocketOpen", "listener": "L1"}).to_string(),
        json!({"id": 4, "op": "call", "target": "my", "method": "connectSocket", "args": {"url": server.url("echo")}}).to_string(),
    ];
    for request in requests {
        stdin
            .write_all(format!("{request}\n").as_bytes())
            .await
            .unwrap();
    }
    stdin.flush().await.unwrap();
    // Bad lines are answered as soon as they are read, so their answers
    // may come before earlier requests' responses: take them out first.
    let mut got = Vec::new();
    while got.last() != Some(&ev("my", "L1", "open", json!({}))) {
        got.push(read_json(&mut lines).await);
    }
    let (bad, good): (Vec<Value>, Vec<Value>) = got
        .into_iter()
        .partition(|m| m["event"] == "log" || m["id"] == 2);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad.iter().any(|m| m["event"] == "log"), "{bad:?}");
    assert!(
        bad.iter().any(|m| m["id"] == 2 && m["ok"] == false),
        "{bad:?}"
    );
    assert_eq!(good[0]["result"]["name"], "reference-impl");
    assert_eq!(
        good[1..].to_vec(),
        vec![
            returned(3, None),
            returned(4, None),
            cb(4, "success", json!({})),
            cb(4, "complete", json!({})),
            ev("my", "L1", "open", json!({})),
        ]
    );
    stdin
        .write_all(b"{\"id\": 5, \"op\": \"shutdown\"}\n")
        .await
        .unwrap();
    stdin.flush().await.unwrap();
    assert_eq!(
        read_json(&mut lines).await,
        json!({"id": 5, "ok": true, "result": {}})
    );
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("the adapter exits within 5 s")
        .unwrap();
    assert!(status.success(), "{status}");
    assert_eq!(server.request(1).await.path, server.path("echo"));
}

async fn read_json(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>) -> Value {
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("no line within 5 s")
        .unwrap()
        .expect("stdout ended");
    serde_json::from_str::<Value>(&line).expect("each line is JSON")
}

#[tokio::test]
async fn hello_refuses_another_protocol_version_and_a_bad_ca_bundle() {
    let mut adapter = Adapter(spawn_in_process(Behaviour::default()));
    adapter.send(json!({"id": 1, "op": "call", "target": "my", "method": "offSocketOpen"}));
    adapter.send(json!({"id": 2, "op": "hello", "protocol": 2, "config": {}}));
    adapter.send(json!({"id": 3, "op": "hello", "protocol": 1,
        "config": {"caCertificatesPem": "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"}}));
    for id in 1..=3 {
        let response = adapter.next().await;
        assert_eq!(
            (response["id"].clone(), response["ok"].clone()),
            (json!(id), json!(false)),
            "{response}"
        );
    }
    adapter.hello().await;
}

#[test]
fn responses_serialise_as_the_protocol_says() {
    let response = AdapterMessage::Response(Response::error(3, "unknown task handle `t9`"));
    assert_eq!(
        serde_json::to_value(response).unwrap(),
        json!({"id": 3, "ok": false, "error": "unknown task handle `t9`"})
    );
}

// rule: listeners.during-dispatch
#[tokio::test]
async fn calls_inside_a_listener_take_effect_from_the_next_event() {
    let server = mock().await;
    let mut adapter = Adapter(spawn_in_process(Behaviour::default()));
    adapter.hello().await;
    adapter.send(json!({
        "id": 2, "op": "call", "target": "my", "method": "onSocketOpen", "listener": "O1",
        "within": {"listener": [
            {"id": 3, "target": "my", "method": "offSocketOpen", "listener": "O2"},
            {"id": 4, "target": "my", "method": "onSocketOpen", "listener": "O3"}
        ]}
    }));
    adapter.send(
        json!({"id": 5, "op": "call", "target": "my", "method": "onSocketOpen", "listener": "O2"}),
    );
    adapter.send(
        json!({"id": 6, "op": "call", "target": "my", "method": "onSocketClose", "listener": "C"}),
    );
    adapter.send(json!({
        "id": 7, "op": "call", "target": "my", "method": "connectSocket", "args": {"url": server.url("echo")}
    }));
    adapter
        .expect(vec![
            returned(2, None),
            returned(5, None),
            returned(6, None),
            returned(7, None),
            cb(7, "success", json!({})),
            cb(7, "complete", json!({})),
            // O2 was removed and O3 added while the open event was being
            // dispatched: O2 still hears this event, O3 does not.
            ev("my", "O1", "open", json!({})),
            returned(3, None),
            returned(4, None),
            ev("my", "O2", "open", json!({})),
        ])
        .await;
    adapter.send(json!({"id": 8, "op": "call", "target": "my", "method": "closeSocket"}));
    adapter
        .expect(vec![
            returned(8, None),
            cb(8, "success", json!({})),
            cb(8, "complete", json!({})),
            ev("my", "C", "close", json!({"code": 1000, "reason": ""})),
        ])
        .await;
    // The next open event: the listener body ran once, O2 is gone, O3 hears it.
    adapter.send(json!({
        "id": 9, "op": "call", "target": "my", "method": "connectSocket", "args": {"url": server.url("echo")}
    }));
    adapter
        .expect(vec![
            returned(9, None),
            cb(9, "success", json!({})),
            cb(9, "complete", json!({})),
            ev("my", "O1", "open", json!({})),
            ev("my", "O3", "open", json!({})),
        ])
        .await;
}
