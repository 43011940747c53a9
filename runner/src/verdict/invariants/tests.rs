//! One trace per invariant that breaks it, reported under its id, and the
//! legal traces next to each that must not be.

use adapter_protocol::{CallbackKind, EventType};
use serde_json::json;

use super::*;
use crate::record::trace::{Message, ServerEvent};

fn scenario(yaml: &str) -> Scenario {
    crate::scenario::loader::parse_scenario(std::path::Path::new("x.yaml"), yaml)
        .expect("a valid scenario")
}

fn plain() -> Scenario {
    scenario("id: x\ntitle: x\nspec: [connect.open]\nsteps: []\n")
}

fn callback(call: &str, kind: CallbackKind, sync: bool) -> ClientRecord {
    ClientRecord::Callback {
        call: call.into(),
        kind,
        res: json!({}),
        sync,
    }
}

fn listener(target: &str, name: &str, event_type: EventType, res: Value) -> ClientRecord {
    ClientRecord::Listener {
        target: target.into(),
        listener: name.into(),
        event_type,
        res,
    }
}

fn returned(call: &str) -> ClientRecord {
    ClientRecord::Returned {
        call: call.into(),
        task: None,
    }
}

fn trace(records: Vec<(ClientRecord, &str)>) -> Trace {
    let (client, sockets): (Vec<_>, Vec<_>) =
        records.into_iter().map(|(r, s)| (r, s.to_string())).unzip();
    Trace {
        client,
        client_sockets: sockets,
        ..Trace::default()
    }
}

fn rule_of(scenario: &Scenario, trace: &Trace) -> Option<&'static str> {
    first_violation(scenario, trace).map(|v| v.rule)
}

#[test]
fn a_callback_inside_its_call_breaks_order_async() {
    let t = trace(vec![
        (callback("c1", CallbackKind::Success, true), "my"),
        (returned("c1"), "my"),
    ]);
    let v = first_violation(&plain(), &t).unwrap();
    assert_eq!(v.rule, "order.async");
    assert_eq!(
        v.to_string(),
        "breaks `order.async`: c1.success (sync) ran inside the call `c1`"
    );
    let fine = trace(vec![
        (returned("c1"), "my"),
        (callback("c1", CallbackKind::Success, false), "my"),
        (callback("c1", CallbackKind::Complete, false), "my"),
    ]);
    assert_eq!(rule_of(&plain(), &fine), None);
}

#[test]
fn success_and_fail_of_one_call_break_one_outcome() {
    let t = trace(vec![
        (returned("c1"), "my"),
        (callback("c1", CallbackKind::Success, false), "my"),
        (callback("c1", CallbackKind::Fail, false), "my"),
    ]);
    assert_eq!(rule_of(&plain(), &t), Some("callbacks.one-outcome"));
    let two_successes = trace(vec![
        (callback("c1", CallbackKind::Success, false), "my"),
        (callback("c1", CallbackKind::Success, false), "my"),
    ]);
    assert_eq!(
        rule_of(&plain(), &two_successes),
        Some("callbacks.one-outcome")
    );
    let two_calls = trace(vec![
        (callback("c1", CallbackKind::Success, false), "my"),
        (callback("c2", CallbackKind::Fail, false), "my"),
    ]);
    assert_eq!(rule_of(&plain(), &two_calls), None);
}

#[test]
fn complete_twice_or_before_the_outcome_breaks_complete_once() {
    let twice = trace(vec![
        (callback("c1", CallbackKind::Fail, false), "my"),
        (callback("c1", CallbackKind::Complete, false), "my"),
        (callback("c1", CallbackKind::Complete, false), "my"),
    ]);
    assert_eq!(rule_of(&plain(), &twice), Some("callbacks.complete-once"));
    let early = trace(vec![
        (callback("c1", CallbackKind::Complete, false), "my"),
        (callback("c1", CallbackKind::Success, false), "my"),
    ]);
    assert_eq!(rule_of(&plain(), &early), Some("callbacks.complete-once"));
}

#[test]
fn a_listener_after_the_close_event_breaks_nothing_after() {
    let late_error = trace(vec![
        (listener("t1", "C", EventType::Close, json!({})), "t1"),
        (listener("t1", "E", EventType::Error, json!({})), "t1"),
    ]);
    assert_eq!(rule_of(&plain(), &late_error), Some("close.nothing-after"));
    let second_close = trace(vec![
        (listener("t1", "C", EventType::Close, json!({})), "t1"),
        (listener("t1", "C", EventType::Close, json!({})), "t1"),
    ]);
    let v = first_violation(&plain(), &second_close).unwrap();
    assert_eq!(v.rule, "close.nothing-after");
    assert!(v.what.contains("second close event"), "{v}");
    // Another socket's events, and a close to each listener added, are fine.
    let fine = trace(vec![
        (listener("t1", "C", EventType::Close, json!({})), "t1"),
        (listener("t1", "D", EventType::Close, json!({})), "t1"),
        (listener("t2", "E", EventType::Error, json!({})), "t2"),
    ]);
    assert_eq!(rule_of(&plain(), &fine), None);
}

#[test]
fn a_listener_added_twice_may_run_one_close_twice() {
    let added_twice = scenario(
        "id: x\ntitle: x\nspec: [listeners.twice]\nsteps:\n  - call: { method: onSocketClose, listener: A }\n  - call: { method: onSocketClose, listener: A }\n",
    );
    let t = trace(vec![
        (listener("my", "A", EventType::Close, json!({})), "my"),
        (listener("my", "A", EventType::Close, json!({})), "my"),
    ]);
    assert_eq!(rule_of(&added_twice, &t), None);
    assert_eq!(rule_of(&plain(), &t), Some("close.nothing-after"));
}

#[test]
fn the_global_socket_starts_afresh_after_a_new_call() {
    let reopened = trace(vec![
        (listener("my", "C", EventType::Close, json!({})), "my"),
        (returned("c5"), "my"),
        (listener("my", "O", EventType::Open, json!({})), "my"),
        (listener("my", "C", EventType::Close, json!({})), "my"),
    ]);
    assert_eq!(rule_of(&plain(), &reopened), None);
}

fn sent(conn: u32, seq: u64, data: &str) -> ServerEvent {
    ServerEvent {
        seq,
        conn,
        kind: ServerEventKind::MessageOut(Message {
            binary: false,
            data: data.into(),
            len: data.len(),
        }),
    }
}

#[test]
fn messages_out_of_the_servers_order_break_receive_order() {
    let mut t = trace(vec![
        (
            listener("t1", "M", EventType::Message, json!({"data": "b"})),
            "t1",
        ),
        (
            listener("t1", "M", EventType::Message, json!({"data": "a"})),
            "t1",
        ),
    ]);
    t.server = vec![sent(1, 1, "a"), sent(1, 2, "b")];
    assert_eq!(rule_of(&plain(), &t), Some("receive.order"));
    t.client.reverse();
    assert_eq!(rule_of(&plain(), &t), None, "in order");
    // A message the server never sent as such is the goldens' to judge.
    let mut altered = trace(vec![(
        listener("t1", "M", EventType::Message, json!({"data": "zz"})),
        "t1",
    )]);
    altered.server = vec![sent(1, 1, "a")];
    assert_eq!(rule_of(&plain(), &altered), None);
}

#[test]
fn every_trace_rule_is_a_rule_of_the_spec() {
    for rule in TRACE_RULES {
        assert!(spec::is_rule_id(rule), "{rule}");
    }
}

fn server(conn: u32, seq: u64, kind: ServerEventKind) -> ServerEvent {
    ServerEvent { seq, conn, kind }
}

fn text(data: &str) -> Message {
    Message {
        binary: false,
        data: data.into(),
        len: data.len(),
    }
}

#[test]
fn a_close_event_before_its_close_calls_success_breaks_callbacks_first() {
    let closing = scenario(
        "id: x\ntitle: x\nspec: [close.open]\nsteps:\n  - call: { method: connectSocket, args: { url: \"{{ws:echo}}\" } }\n  - call: { method: closeSocket, args: { code: 4000 } }\n",
    );
    let handshake = ServerEventKind::Handshake {
        path: "/".into(),
        query: String::new(),
        headers: Vec::new(),
        subprotocols: Vec::new(),
    };
    let close_in = |code| ServerEventKind::CloseIn {
        code: Some(code),
        reason: String::new(),
    };
    let mut t = trace(vec![
        (returned("c2"), "my"),
        (
            listener("my", "C", EventType::Close, json!({"code": 4000})),
            "my",
        ),
        (callback("c2", CallbackKind::Success, false), "my"),
    ]);
    t.server = vec![
        server(1, 1, handshake.clone()),
        server(1, 2, close_in(4000)),
    ];
    let v = first_violation(&closing, &t).unwrap();
    assert_eq!(v.rule, "order.callbacks-first", "{v}");
    // The other order keeps the rule.
    let mut fine = t.clone();
    fine.client.swap(1, 2);
    assert_eq!(rule_of(&closing, &fine), None);
    // A close frame with another code (the client closing on its own, 1009)
    // or a server that closed first: the event is not the call's effect.
    let mut other_code = t.clone();
    other_code.server = vec![
        server(1, 1, handshake.clone()),
        server(1, 2, close_in(1009)),
    ];
    assert_eq!(rule_of(&closing, &other_code), None);
    let mut server_first = t.clone();
    server_first.server = vec![
        server(1, 1, handshake),
        server(
            1,
            2,
            ServerEventKind::CloseOut {
                code: Some(4000),
                reason: String::new(),
            },
        ),
        server(1, 3, close_in(4000)),
    ];
    assert_eq!(rule_of(&closing, &server_first), None);
}

#[test]
fn an_echo_before_its_send_calls_success_breaks_callbacks_first() {
    let sending = scenario(
        "id: x\ntitle: x\nspec: [send.text]\nsteps:\n  - call: { method: sendSocketMessage, args: { data: hello } }\n",
    );
    let mut t = trace(vec![
        (returned("c1"), "my"),
        (
            listener("my", "M", EventType::Message, json!({"data": "hello"})),
            "my",
        ),
        (callback("c1", CallbackKind::Success, false), "my"),
    ]);
    t.server = vec![
        server(1, 1, ServerEventKind::MessageIn(text("hello"))),
        server(1, 2, ServerEventKind::MessageOut(text("hello"))),
    ];
    assert_eq!(rule_of(&sending, &t), Some("order.callbacks-first"));
    let mut fine = t.clone();
    fine.client.swap(1, 2);
    assert_eq!(rule_of(&sending, &fine), None);
    // Sent twice by the server: which one came first is not known.
    let mut twice = t.clone();
    twice
        .server
        .push(server(1, 3, ServerEventKind::MessageOut(text("hello"))));
    assert_eq!(rule_of(&sending, &twice), None);
}

#[test]
fn an_event_after_the_last_step_on_a_closed_socket_breaks_nothing_after() {
    let mut t = trace(vec![
        (
            listener("my", "E", EventType::Error, json!({"error": 8})),
            "my",
        ),
        (listener("my", "C", EventType::Close, json!({})), "my"),
    ]);
    assert_eq!(rule_of(&plain(), &t), None);
    // A forgotten connect timer: error 6 half a second after the close.
    t.after_steps = vec![listener("my", "E", EventType::Error, json!({"error": 6}))];
    t.after_steps_sockets = vec!["my".into()];
    let v = first_violation(&plain(), &t).unwrap();
    assert_eq!(
        v.to_string(),
        "breaks `close.nothing-after`: my.error@E ran after `my`'s close event"
    );
    // Late events of a socket still open are no one's business here.
    t.after_steps_sockets = vec!["t1".into()];
    assert_eq!(rule_of(&plain(), &t), None);
}

#[test]
fn a_message_the_server_sent_behind_its_close_frame_breaks_nothing_after() {
    let close_out = ServerEventKind::CloseOut {
        code: Some(1000),
        reason: String::new(),
    };
    let mut t = trace(vec![
        (
            listener("my", "M", EventType::Message, json!({"data": "late"})),
            "my",
        ),
        (listener("my", "C", EventType::Close, json!({})), "my"),
    ]);
    t.server = vec![server(1, 1, close_out.clone()), sent(1, 2, "late")];
    let v = first_violation(&plain(), &t).unwrap();
    assert_eq!(v.rule, "close.nothing-after");
    assert!(v.what.contains("behind its close frame"), "{v}");
    // Sent before the close frame too (or on another connection): it may be
    // that copy.
    t.server = vec![
        sent(1, 1, "late"),
        server(1, 2, close_out),
        sent(1, 3, "late"),
    ];
    assert_eq!(rule_of(&plain(), &t), None);
}

#[test]
fn complete_without_an_outcome_before_it_breaks_complete_once() {
    // The outcome was still to come when the trace ended.
    let alone = trace(vec![
        (returned("c1"), "my"),
        (callback("c1", CallbackKind::Complete, false), "my"),
    ]);
    let v = first_violation(&plain(), &alone).unwrap();
    assert_eq!(
        v.to_string(),
        "breaks `callbacks.complete-once`: `c1` ran `complete` before its `success` or `fail`"
    );
}

#[test]
fn a_listener_name_added_once_on_each_of_two_tasks_runs_once_per_close() {
    let two_tasks = scenario(concat!(
        "id: x\ntitle: x\nspec: [task.api]\nsteps:\n",
        "  - call:\n      method: connectSocket\n      args: { url: \"{{ws:echo}}\", multiple: true }\n      as: t1\n",
        "      then:\n        - { target: $returned, method: onClose, listener: B }\n",
        "  - call:\n      method: connectSocket\n      args: { url: \"{{ws:echo}}\", multiple: true }\n      as: t2\n",
        "      then:\n        - { target: $returned, method: onClose, listener: B }\n",
    ));
    let once_each = trace(vec![
        (listener("t1", "B", EventType::Close, json!({})), "t1"),
        (listener("t2", "B", EventType::Close, json!({})), "t2"),
    ]);
    assert_eq!(rule_of(&two_tasks, &once_each), None);
    let twice_on_t1 = trace(vec![
        (listener("t1", "B", EventType::Close, json!({})), "t1"),
        (listener("t1", "B", EventType::Close, json!({})), "t1"),
    ]);
    assert_eq!(
        rule_of(&two_tasks, &twice_on_t1),
        Some("close.nothing-after")
    );
}
