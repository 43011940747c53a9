//! The executor against a scripted adapter and a fake session.

use std::collections::VecDeque;
use std::sync::Mutex;

use adapter_protocol::{call_result, EventType, Response};
use serde_json::json;

use super::*;
use crate::execute::session::ActError;
use crate::record::trace::ServerEventKind;
use crate::scenario::loader::parse_scenario;
use crate::scenario::model::ServerAction;
use crate::scenario::model::ServerPayload;
use adapter_host::BoxFuture;
use adapter_protocol::CallbackKind;
use adapter_protocol::Event;

type Handler = Box<dyn FnMut(&Request) -> Vec<AdapterMessage> + Send>;

struct Scripted {
    queue: VecDeque<AdapterMessage>,
    handler: Handler,
    seen: Vec<Request>,
}

impl Adapter for Scripted {
    fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        let out = (self.handler)(&request);
        self.seen.push(request);
        self.queue.extend(out);
        Ok(())
    }
    fn recv(&mut self, _deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
        let next = self.queue.pop_front().ok_or(AdapterError::Timeout);
        Box::pin(async move { next })
    }
}

#[derive(Default)]
struct FakeSession {
    events: Mutex<Vec<ServerEvent>>,
    actions: Mutex<Vec<(ActTarget, ServerAction)>>,
}

impl ServerSession for FakeSession {
    fn id(&self) -> String {
        "S1".into()
    }
    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String> {
        (listener == "ws").then(|| format!("ws://127.0.0.1:4000/s/S1/{behaviour}"))
    }
    fn base_url(&self, listener: &str) -> Option<String> {
        (listener == "ws").then(|| "ws://127.0.0.1:4000".to_string())
    }
    fn listeners(&self) -> Vec<(String, String)> {
        vec![("ws".into(), "ws://127.0.0.1:4000".into())]
    }
    fn recording(&self) -> Vec<ServerEvent> {
        self.events.lock().unwrap().clone()
    }
    fn wait_for<'a>(
        &'a self,
        pred: Box<dyn Fn(&ServerEvent) -> bool + Send + Sync + 'a>,
        _timeout: Duration,
    ) -> BoxFuture<'a, Option<ServerEvent>> {
        let found = self
            .events
            .lock()
            .unwrap()
            .iter()
            .find(|e| pred(e))
            .cloned();
        Box::pin(async move { found })
    }
    fn act<'a>(
        &'a self,
        conn: ActTarget,
        action: &'a ServerAction,
    ) -> BoxFuture<'a, Result<(), ActError>> {
        self.actions.lock().unwrap().push((conn, action.clone()));
        Box::pin(async { Ok(()) })
    }
}

fn ok(id: u64, result: Value) -> AdapterMessage {
    AdapterMessage::Response(Response::ok(id, result))
}

fn cb(call: u64, kind: CallbackKind, res: Value) -> AdapterMessage {
    AdapterMessage::Event(Event::Callback {
        call,
        kind,
        res,
        sync: false,
    })
}

fn listener(target: &str, name: &str, event_type: EventType, res: Value) -> AdapterMessage {
    AdapterMessage::Event(Event::Listener {
        target: target.into(),
        listener: name.into(),
        event_type,
        res,
    })
}

/// A tiny fake of the API: empty URLs fail with 3; other URLs open; a
/// `$returned` onOpen inside success is honoured.
fn fake_api() -> Handler {
    Box::new(|request: &Request| match &request.op {
        Op::Hello { .. } => vec![ok(
            request.id,
            json!({"name": "fake", "version": "0", "protocol": 1, "unsupported": ["wssOnly"]}),
        )],
        Op::Shutdown | Op::Reset { .. } => vec![ok(request.id, json!({}))],
        Op::Call(call) if call.method == "connectSocket" => {
            let url = call
                .args
                .as_ref()
                .and_then(|a| a.get("url"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let multiple = call.args.as_ref().and_then(|a| a.get("multiple")) == Some(&json!(true));
            let mut out = vec![ok(request.id, call_result(multiple.then_some("t1")))];
            if url.is_empty() {
                let res = json!({"error": 3, "errorMessage": "URL empty"});
                out.push(cb(request.id, CallbackKind::Fail, res.clone()));
                out.push(cb(request.id, CallbackKind::Complete, res));
            } else {
                out.push(cb(request.id, CallbackKind::Success, json!({})));
                for nested in &call.within.success {
                    out.push(ok(nested.id, call_result(None)));
                }
                out.push(cb(request.id, CallbackKind::Complete, json!({})));
                let target = if multiple { "t1" } else { "my" };
                for nested in &call.within.success {
                    out.push(listener(
                        target,
                        nested.call.listener.as_deref().unwrap(),
                        EventType::Open,
                        json!({"extraField": 1}),
                    ));
                }
            }
            out
        }
        Op::Call(_) => vec![ok(request.id, call_result(None))],
    })
}

fn scenario(text: &str) -> Scenario {
    parse_scenario(std::path::Path::new("t.yaml"), text).unwrap()
}

async fn run(text: &str) -> (Execution, Vec<Request>) {
    let s = scenario(text);
    let mut adapter = Scripted {
        queue: VecDeque::new(),
        handler: fake_api(),
        seen: vec![],
    };
    let session = FakeSession::default();
    session.events.lock().unwrap().push(ServerEvent {
        seq: 1,
        conn: 9,
        kind: ServerEventKind::Handshake {
            path: "/s/S1/echo".into(),
            query: String::new(),
            headers: vec![],
            subprotocols: vec![],
        },
    });
    let execution = run_scenario(&s, &mut adapter, &session, "PEM").await;
    (execution, adapter.seen)
}

#[tokio::test]
async fn a_passing_scenario_records_named_events_and_templated_args() {
    let (execution, seen) = run(r#"
id: t
title: t
spec: [connect.open]
steps:
  - call:
      method: connectSocket
      args: { url: "{{ws:echo}}", multiple: true }
      as: sock
      within: { success: [ { target: $returned, method: onOpen, listener: O } ] }
  - await: [c1.complete, sock.open, server.handshake]
  - expect:
      - { event: sock.open, listener: O, res: {} }
      - { order: [c1.success, c1.complete, sock.open] }
      - { server: { path: /echo, connections: 1 } }
      - settle: 10
"#)
    .await;
    assert_eq!(execution.failure, None);
    let Op::Hello { config, .. } = &seen[0].op else {
        panic!()
    };
    assert_eq!(config.ca_certificates_pem, "PEM");
    let Op::Call(call) = &seen[1].op else {
        panic!()
    };
    assert_eq!(
        call.args.as_ref().unwrap()["url"],
        "ws://127.0.0.1:4000/s/S1/echo"
    );
    assert_eq!(call.within.success[0].call.target, "$returned");
    assert_eq!(
        execution.normalised(),
        json!({
            "client": {"sock": [
                {"c1": {"returned": "sock"}},
                {"c1.success": {}},
                {"c1-success1": "returned"},
                {"c1.complete": {}},
                {"sock.open@O": {"extra": {"extraField": 1}}},
            ]},
            "server": {"conn1": [{"handshake": {"path": "/s/<session>/echo"}}]}
        })
    );
}

#[tokio::test]
async fn a_failed_expectation_names_the_step_and_shows_the_lane() {
    let (execution, _) = run(r#"
id: t
title: t
spec: [connect.url.empty]
steps:
  - call: { method: connectSocket, args: { url: "" } }
  - await: c1.complete
  - expect:
      - { event: c1.fail, res: { error: 4 } }
"#)
    .await;
    let failure = execution.failure.unwrap();
    assert_eq!(failure.step, Some(3));
    assert!(
        failure.message.contains("c1.fail") && failure.message.contains("\"error\":3"),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains("client lane"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn an_await_that_never_comes_is_a_failure_not_a_hang() {
    let (execution, _) = run(r#"
id: t
title: t
spec: [connect.url.empty]
steps:
  - call: { method: connectSocket, args: { url: "" } }
  - await: { event: c1.success, withinMs: 50 }
"#)
    .await;
    let failure = execution.failure.unwrap();
    assert_eq!(failure.step, Some(2));
    assert!(
        failure.message.contains("c1.success") && failure.message.contains("not seen"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn an_event_is_consumed_by_the_await_that_matched_it() {
    let (execution, _) = run(r#"
id: t
title: t
spec: [connect.url.empty]
steps:
  - call: { method: connectSocket, args: { url: "" } }
  - await: c1.complete
  - await: { event: c1.complete, withinMs: 20 }
"#)
    .await;
    assert_eq!(execution.failure.unwrap().step, Some(3));
}

#[tokio::test]
async fn an_unsupported_config_key_makes_the_scenario_not_applicable() {
    let (execution, seen) = run(r#"
id: t
title: t
spec: [connect.wss-only]
config: { wssOnly: true }
steps:
  - call: { method: connectSocket, args: { url: "" } }
"#)
    .await;
    assert!(execution.not_applicable.unwrap().contains("wssOnly"));
    assert!(seen.iter().all(|r| !matches!(r.op, Op::Call(_))));
}

#[tokio::test]
async fn server_steps_address_connections_in_handshake_order() {
    let s = scenario(
        r#"
id: t
title: t
spec: [close.server]
steps:
  - server: { to: 1, close: { code: 4000, reason: bye } }
  - server: { text: hi }
  - server: { to: 2, drop: rst }
"#,
    );
    let mut adapter = Scripted {
        queue: VecDeque::new(),
        handler: fake_api(),
        seen: vec![],
    };
    let session = FakeSession::default();
    session.events.lock().unwrap().push(ServerEvent {
        seq: 1,
        conn: 1,
        kind: ServerEventKind::Handshake {
            path: "/".into(),
            query: String::new(),
            headers: vec![],
            subprotocols: vec![],
        },
    });
    let execution = run_scenario(&s, &mut adapter, &session, "").await;
    let actions = session.actions.lock().unwrap().clone();
    assert_eq!(
        actions,
        vec![
            (
                ActTarget::Conn(1),
                ServerAction::Close {
                    code: 4000,
                    reason: "bye".into()
                }
            ),
            (
                ActTarget::All,
                ServerAction::Send(ServerPayload::Text("hi".into()))
            ),
        ]
    );
    let failure = execution.failure.unwrap();
    assert_eq!(failure.step, Some(3));
    assert!(failure.message.contains("no connection #2"));
}

/// A template the session cannot serve (the fake session has only `ws`;
/// the loader accepts `wss.valid`, which the real mock server has) is the
/// suite's mistake: the scenario is `error`, never `fail`.
#[tokio::test]
async fn a_template_the_session_cannot_serve_is_the_suites_error_not_a_failure() {
    let (execution, _) = run(r#"
id: t
title: t
spec: [connect.open]
steps:
  - call: { method: connectSocket, args: { url: "{{wss.valid:echo}}" } }
"#)
    .await;
    let failure = execution.failure.clone().expect("the step fails");
    assert!(failure.suite_fault, "{failure:?}");
    assert!(
        failure.message.contains("the scenario's own mistake"),
        "{failure:?}"
    );
    let loaded = crate::scenario::loader::LoadedScenario {
        area: "url".into(),
        path: "t.yaml".into(),
        scenario: scenario(
            "id: t\ntitle: t\nspec: [connect.open]\nsteps:\n  - call: { method: connectSocket }\n",
        ),
    };
    let result = crate::verdict::judge::judge(&loaded, &execution);
    assert_eq!(result.status, crate::verdict::judge::Status::Error);
}

/// A connect that fails fast, then an error event after its close (a
/// connect timer left running), all queued at once.
fn late_error_api() -> Handler {
    Box::new(|request: &Request| match &request.op {
        Op::Hello { .. } => vec![ok(
            request.id,
            json!({"name": "fake", "version": "0", "protocol": 1}),
        )],
        Op::Call(call) if call.method == "connectSocket" => vec![
            ok(request.id, call_result(None)),
            cb(request.id, CallbackKind::Success, json!({})),
            cb(request.id, CallbackKind::Complete, json!({})),
            listener("my", "E", EventType::Error, json!({"error": 8})),
            listener("my", "C", EventType::Close, json!({"code": 1006})),
            listener("my", "E", EventType::Error, json!({"error": 6})),
        ],
        _ => vec![ok(request.id, json!({}))],
    })
}

async fn run_late_error(config: &str) -> Execution {
    let s = scenario(&format!(
        r#"
id: t
title: t
spec: [close.nothing-after]
{config}
steps:
  - call: {{ method: onSocketError, listener: E }}
  - call: {{ method: onSocketClose, listener: C }}
  - call: {{ method: connectSocket, args: {{ url: "{{{{ws:echo}}}}" }} }}
  - await: [c3.complete, my.close]
"#
    ));
    let mut adapter = Scripted {
        queue: VecDeque::new(),
        handler: late_error_api(),
        seen: vec![],
    };
    run_scenario(&s, &mut adapter, &FakeSession::default(), "PEM").await
}

#[tokio::test]
async fn a_closed_socket_is_watched_after_the_last_step_while_a_configured_timer_runs() {
    let watched = run_late_error("config: { connectTimeoutMs: 300 }").await;
    assert_eq!(watched.failure, None);
    assert_eq!(
        watched
            .trace
            .after_steps
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>(),
        ["my.error@E"]
    );
    assert_eq!(watched.trace.after_steps_sockets, ["my"]);
    // The lanes, and so the golden, are as without the watch.
    assert!(watched.trace.client.last().unwrap().label() == "my.close@C");
    // No timer configured: the defaults are not waited for.
    let unwatched = run_late_error("").await;
    assert!(unwatched.trace.after_steps.is_empty());
}
