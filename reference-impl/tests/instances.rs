//! `reference-adapter --instances N`: one process, N independent instances
//! of the implementation (adapter-protocol.md, `instances`). Driven through
//! `adapter_host::SharedAdapter` as a runner drives it, and on the raw
//! wire where what is checked is the lines themselves.

mod support;

use std::process::Stdio;

use adapter_host::{Adapter, Instance, ProcessAdapter, SharedAdapter, SpawnOptions};
use adapter_protocol::{AdapterMessage, Call, Config, Op, Request};
use serde_json::{json, Value};
use support::{mock, Mock, WAIT};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::time::Instant;

// ------------------------------------------------------- through the host

/// A `reference-adapter` holding `instances`, introduced with `config`,
/// with a handle on each instance.
async fn shared(instances: u32, config: Config) -> (SharedAdapter, Vec<Instance>) {
    let command = format!(
        "'{}' --instances {instances}",
        env!("CARGO_BIN_EXE_reference-adapter")
    );
    let mut adapter =
        ProcessAdapter::spawn(&command, SpawnOptions::default()).expect("the adapter starts");
    let hello = adapter
        .hello(1, config, Instant::now() + WAIT)
        .await
        .expect("hello is answered");
    assert_eq!(hello.instances, instances);
    let shared = SharedAdapter::new(adapter);
    let handles = (0..instances)
        .map(|k| shared.instance(k).expect("a free instance"))
        .collect();
    (shared, handles)
}

fn call(
    id: u64,
    target: &str,
    method: &str,
    args: Option<Value>,
    listener: Option<&str>,
) -> Request {
    Request {
        id,
        op: Op::Call(Call {
            target: target.into(),
            method: method.into(),
            args,
            listener: listener.map(str::to_owned),
            ..Call::default()
        }),
    }
}

fn reset(id: u64, config: Option<Config>) -> Request {
    Request {
        id,
        op: Op::Reset { config },
    }
}

/// The messages of `instance` up to and including the first that `last`
/// accepts, as JSON.
async fn until(instance: &mut Instance, last: impl Fn(&Value) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    let mut got = Vec::new();
    loop {
        let message = instance
            .recv(deadline)
            .await
            .unwrap_or_else(|e| panic!("instance {}: {e} after {got:?}", instance.number()));
        let value = to_json(&message);
        let done = last(&value);
        got.push(value);
        if done {
            return got;
        }
    }
}

fn to_json(message: &AdapterMessage) -> Value {
    serde_json::to_value(message).expect("a message serialises")
}

fn is_response(id: u64) -> impl Fn(&Value) -> bool {
    move |m| m["id"] == id
}

fn is_callback(call: u64, kind: &'static str) -> impl Fn(&Value) -> bool {
    move |m| m["event"] == "callback" && m["call"] == call && m["kind"] == kind
}

/// `reset` on `instance` is answered by the very next message it gets:
/// nothing else (another instance's events) was routed to it before.
async fn next_is_the_reset_answer(instance: &mut Instance, id: u64) {
    instance.send(reset(id, None)).unwrap();
    let got = until(instance, |_| true).await;
    assert_eq!(
        got,
        vec![json!({"id": id, "ok": true, "result": {}})],
        "instance {}",
        instance.number()
    );
}

#[tokio::test]
async fn interleaved_requests_and_events_stay_on_their_instance() {
    let server = mock().await;
    let (adapter, mut instances) = shared(2, Config::default()).await;
    let url = server.url("echo");
    // The same ids on both instances: ids are unique per instance.
    for (k, instance) in instances.iter_mut().enumerate() {
        let open = format!("open{k}");
        instance
            .send(call(2, "my", "onSocketOpen", None, Some(&open)))
            .unwrap();
    }
    for (k, instance) in instances.iter_mut().enumerate() {
        let message = format!("message{k}");
        instance
            .send(call(3, "my", "onSocketMessage", None, Some(&message)))
            .unwrap();
    }
    for instance in &mut instances {
        let args = json!({"url": url});
        instance
            .send(call(4, "my", "connectSocket", Some(args), None))
            .unwrap();
    }
    for (k, instance) in instances.iter_mut().enumerate() {
        let got = until(instance, |m| m["event"] == "listener").await;
        let open = format!("open{k}");
        assert_eq!(
            got,
            vec![
                json!({"id": 2, "ok": true, "result": {"returned": null}}),
                json!({"id": 3, "ok": true, "result": {"returned": null}}),
                json!({"id": 4, "ok": true, "result": {"returned": null}}),
                json!({"event": "callback", "call": 4, "kind": "success", "res": {}}),
                json!({"event": "callback", "call": 4, "kind": "complete", "res": {}}),
                json!({"event": "listener", "target": "my", "listener": open, "type": "open", "res": {}}),
            ],
            "instance {k}"
        );
    }
    // Each instance's socket echoes what that instance sent, to its own
    // listener.
    for (k, instance) in instances.iter_mut().enumerate() {
        let args = json!({"data": format!("from {k}")});
        instance
            .send(call(5, "my", "sendSocketMessage", Some(args), None))
            .unwrap();
    }
    for (k, instance) in instances.iter_mut().enumerate() {
        let got = until(instance, |m| m["event"] == "listener").await;
        let listener = got.last().unwrap();
        assert_eq!(listener["listener"], format!("message{k}"), "{got:?}");
        assert_eq!(listener["res"]["data"], format!("from {k}"), "{got:?}");
        assert!(
            got.iter().all(|m| m["call"].is_null() || m["call"] == 5),
            "instance {k}: {got:?}"
        );
    }
    // Both have had every event of their own; each next answers its reset
    // with nothing of the other's before it.
    next_is_the_reset_answer(&mut instances[0], 6).await;
    next_is_the_reset_answer(&mut instances[1], 6).await;
    assert_eq!(adapter.fault(), None);
    drop(instances);
    adapter.shutdown(Instant::now() + WAIT).await;
}

#[tokio::test]
async fn reset_config_on_one_instance_leaves_the_others_config_alone() {
    let server = mock().await;
    let (adapter, mut instances) = shared(2, Config::default()).await;
    let url = server.url("echo");
    let wss_only = Config {
        wss_only: true,
        ..Config::default()
    };
    instances[1].send(reset(2, Some(wss_only))).unwrap();
    until(&mut instances[1], is_response(2)).await;
    // A `reset` without config keeps each instance's own.
    instances[0].send(reset(2, None)).unwrap();
    instances[1].send(reset(3, None)).unwrap();
    until(&mut instances[0], is_response(2)).await;
    until(&mut instances[1], is_response(3)).await;
    for (k, id) in [(0, 3), (1, 4)] {
        let args = json!({"url": url});
        instances[k]
            .send(call(id, "my", "connectSocket", Some(args), None))
            .unwrap();
    }
    let zero = until(&mut instances[0], is_callback(3, "complete")).await;
    let one = until(&mut instances[1], is_callback(4, "complete")).await;
    assert!(zero.iter().any(is_callback(3, "success")), "{zero:?}");
    assert!(one.iter().any(is_callback(4, "fail")), "{one:?}");
    assert!(!one.iter().any(is_callback(4, "success")), "{one:?}");
    drop(instances);
    adapter.shutdown(Instant::now() + WAIT).await;
}

// ------------------------------------------------------------ on the wire

/// A `reference-adapter` spoken to line by line.
struct Wire {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Wire {
    fn start(args: &[&str]) -> Wire {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the adapter starts");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Wire {
            child,
            stdin,
            lines,
        }
    }

    async fn send(&mut self, line: Value) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(WAIT, self.lines.next_line())
            .await
            .expect("a line within 5 s")
            .unwrap()
            .expect("a line before the end of stdout");
        serde_json::from_str(&line).unwrap()
    }

    /// `shutdown` is answered, then the process exits with status 0.
    async fn shut_down(mut self, id: u64) {
        self.send(json!({"id": id, "op": "shutdown"})).await;
        assert_eq!(
            self.next().await,
            json!({"id": id, "ok": true, "result": {}})
        );
        let status = tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("the adapter exits within 5 s")
            .unwrap();
        assert!(status.success(), "{status}");
    }
}

fn hello() -> Value {
    json!({"id": 1, "op": "hello", "protocol": 1, "config": {}})
}

#[tokio::test]
async fn a_line_naming_an_instance_it_does_not_hold_is_answered_with_an_error_there() {
    let mut wire = Wire::start(&["--instances", "2"]);
    wire.send(hello()).await;
    assert_eq!(wire.next().await["result"]["instances"], 2);
    wire.send(
        json!({"id": 2, "op": "call", "target": "my", "method": "closeSocket", "instance": 2}),
    )
    .await;
    let answer = wire.next().await;
    assert_eq!(answer["id"], 2);
    assert_eq!(answer["instance"], 2);
    assert_eq!(answer["ok"], false);
    assert_eq!(
        answer["error"],
        "no instance 2: this adapter holds 2 (0 to 1)"
    );
    wire.send(json!({"id": 3, "op": "reset", "instance": -1}))
        .await;
    let answer = wire.next().await;
    assert_eq!((&answer["id"], &answer["ok"]), (&json!(3), &json!(false)));
    assert!(answer.get("instance").is_none(), "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(error.contains("not an unsigned integer"), "{error}");
    // `hello` concerns the whole process: instance 0 only.
    wire.send(json!({"id": 2, "op": "hello", "protocol": 1, "config": {}, "instance": 1}))
        .await;
    assert_eq!(
        wire.next().await,
        json!({"id": 2, "instance": 1, "ok": false, "error": "hello goes to instance 0 only"})
    );
    // The adapter goes on serving both instances.
    wire.send(json!({"id": 3, "op": "reset", "instance": 1}))
        .await;
    assert_eq!(
        wire.next().await,
        json!({"id": 3, "instance": 1, "ok": true, "result": {}})
    );
    wire.shut_down(4).await;
}

#[tokio::test]
async fn every_line_of_an_instance_carries_it_and_the_mutant_runs_on_every_one() {
    let mut wire = Wire::start(&["--instances", "3", "--mutant", "url-empty-code"]);
    wire.send(hello()).await;
    let hello = wire.next().await;
    assert_eq!(
        hello["result"]["name"],
        "reference-impl+mutant:url-empty-code"
    );
    let fail4 = reference_impl::ErrorCode::UrlFormat.payload();
    for instance in [0, 2] {
        let mut line = json!({"id": 2, "op": "call", "target": "my", "method": "connectSocket", "args": {"url": ""}});
        let mut expected = vec![
            json!({"id": 2, "ok": true, "result": {"returned": null}}),
            json!({"event": "callback", "call": 2, "kind": "fail", "res": fail4}),
            json!({"event": "callback", "call": 2, "kind": "complete", "res": fail4}),
        ];
        if instance != 0 {
            line["instance"] = json!(instance);
            for message in &mut expected {
                message["instance"] = json!(instance);
            }
        }
        wire.send(line).await;
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(wire.next().await);
        }
        assert_eq!(got, expected, "instance {instance}");
    }
    wire.shut_down(3).await;
}

#[tokio::test]
async fn instances_made_after_hello_serve_the_profile_it_named() {
    let mut wire = Wire::start(&["--instances", "2"]);
    wire.send(json!({"id": 1, "op": "hello", "protocol": 1, "config": {}, "profile": "wechat"}))
        .await;
    assert_eq!(wire.next().await["result"]["api"], "wx");
    wire.send(
        json!({"id": 1, "op": "call", "target": "my", "method": "closeSocket", "instance": 1}),
    )
    .await;
    let answer = wire.next().await;
    assert_eq!(
        (&answer["instance"], &answer["ok"]),
        (&json!(1), &json!(false))
    );
    wire.send(json!({"id": 2, "op": "call", "target": "wx", "method": "onSocketOpen", "listener": "L", "instance": 1}))
        .await;
    assert_eq!(
        wire.next().await,
        json!({"id": 2, "instance": 1, "ok": true, "result": {"returned": null}})
    );
    wire.shut_down(2).await;
}

#[tokio::test]
async fn one_instance_declares_none_and_refuses_instance_1() {
    let mut wire = Wire::start(&["--instances", "1"]);
    wire.send(hello()).await;
    let hello = wire.next().await;
    assert_eq!(hello["ok"], true);
    assert!(hello["result"].get("instances").is_none(), "{hello}");
    wire.send(json!({"id": 2, "op": "reset", "instance": 1}))
        .await;
    assert_eq!(
        wire.next().await,
        json!({"id": 2, "instance": 1, "ok": false, "error": "no instance 1: this adapter holds 1 (0 to 0)"})
    );
    wire.shut_down(3).await;
}

#[tokio::test]
async fn shutdown_ends_every_instance_and_their_sockets() {
    let server: Mock = mock().await;
    let mut wire = Wire::start(&["--instances", "2"]);
    wire.send(hello()).await;
    wire.next().await;
    let connect = json!({"id": 1, "op": "call", "target": "my", "method": "connectSocket", "args": {"url": server.url("echo")}, "instance": 1});
    wire.send(connect).await;
    while wire.next().await["kind"] != "complete" {}
    // `complete` comes when the call is accepted: the socket must have
    // reached the server before the shutdown for its end to be owed.
    server.request(1).await;
    wire.shut_down(2).await;
    server
        .wait(1, "the connection of instance 1 ends", |e| {
            matches!(e, support::Recorded::Ended { .. })
        })
        .await;
}
