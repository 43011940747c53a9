//! The profiles: each difference of `alipay-current` and of `wechat` from
//! the default profile, the default's answer and the profile's side by
//! side, against the mock server.

mod support;

use std::time::Duration;

use reference_impl::{
    spawn_in_process, Behaviour, CallbackKind, CloseSocketOptions, Config, ConnectSocketOptions,
    ErrorCode, Event, EventType, My, Profile, SendSocketMessageOptions, SocketTask, Variant,
    Variants,
};
use serde_json::{json, Value};
use support::*;

fn serving(profile: Profile, config: Config) -> My {
    let behaviour = Behaviour::reference().with_profile(profile);
    let my = My::new(config, behaviour.clone()).expect("the test config is valid");
    assert_eq!(my.behaviour(), behaviour);
    my
}

fn current() -> My {
    serving(Profile::ALIPAY_CURRENT, config())
}

fn wechat() -> My {
    serving(Profile::WECHAT, config())
}

fn args(value: Value) -> Option<ConnectSocketOptions> {
    Some(ConnectSocketOptions::from_args(&value))
}

// ------------------------------------------------------------ alipay-current

// rule: connect.single.exists (alipay-current: code 3)
#[tokio::test]
async fn current_refuses_a_second_single_connection_with_3() {
    let server = mock().await;
    for (my, code) in [
        (my(), ErrorCode::AlreadyConnected),
        (current(), ErrorCode::SocketExists),
    ] {
        open_global(&my, &server.url("echo"), 1).await;
        my.connect_socket(2, connect_options(&server.url("echo")));
        expect(&my, failed(2, code)).await;
    }
    assert_eq!(ErrorCode::SocketExists.code(), 3);
    assert_eq!(ErrorCode::AlreadyConnected.code(), 2);
}

// rule: connect.url.format (alipay-current: a wrong type is 2)
#[tokio::test]
async fn current_fails_a_url_of_the_wrong_type_with_2() {
    for (my, code) in [
        (my(), ErrorCode::UrlFormat),
        (current(), ErrorCode::InvalidArgument),
    ] {
        my.connect_socket(1, args(json!({"url": 42})));
        expect(&my, failed(1, code)).await;
    }
    assert_eq!(ErrorCode::InvalidArgument.code(), 2);
}

// rule: connect.wss-only (alipay-current: code 20)
#[tokio::test]
async fn current_refuses_ws_under_wss_only_with_20() {
    let server = mock().await;
    let wss_only = Config {
        wss_only: true,
        ..config()
    };
    for (my, code) in [
        (my_with(wss_only.clone()), ErrorCode::InvalidHandshake),
        (
            serving(Profile::ALIPAY_CURRENT, wss_only),
            ErrorCode::WssRequired,
        ),
    ] {
        my.connect_socket(1, connect_options(&server.url("echo")));
        expect(&my, failed(1, code)).await;
    }
    assert_eq!(server.requests_so_far(), 0);
}

// rule: connect.protocols (alipay-current: honoured, whatever the variant)
#[tokio::test]
async fn current_honours_protocols_where_the_default_may_ignore_them() {
    let server = mock().await;
    let ignored = Variants::new([Variant::ConnectProtocolsIgnored]).unwrap();
    let options = args(json!({"url": server.url("echo"), "protocols": ["chat"]}));
    let default = My::new(
        config(),
        Behaviour::reference().with_variants(ignored.clone()),
    )
    .unwrap();
    default.connect_socket(1, options.clone());
    assert!(server.request(1).await.protocols.is_empty());
    drop(default);
    let current = My::new(
        config(),
        Behaviour::reference()
            .with_variants(ignored)
            .with_profile(Profile::ALIPAY_CURRENT),
    )
    .unwrap();
    current.connect_socket(2, options);
    assert_eq!(server.request(2).await.protocols, ["chat"]);
}

// rule: error.6.timeout (alipay-current: the `timeout` argument)
#[tokio::test]
async fn current_gives_error_6_after_the_timeout_argument() {
    let server = mock().await;
    let options = args(json!({"url": server.url("fault/never-answer"), "timeout": 200}));
    // The default profile has no such argument: connectTimeoutMs (5 s) stands.
    let default = my();
    listen_on_my(&default);
    default.connect_socket(1, options.clone());
    expect(&default, ok(1)).await;
    let quiet = tokio::time::timeout(Duration::from_millis(600), default.next_event()).await;
    assert!(
        quiet.is_err(),
        "no error 6 before connectTimeoutMs: {quiet:?}"
    );
    drop(default);
    let current = current();
    listen_on_my(&current);
    current.connect_socket(2, options);
    let mut want = ok(2);
    want.push(errored("my", "E", ErrorCode::ConnectTimeout));
    want.push(closed("my", "C", 1006, ""));
    let started = std::time::Instant::now();
    expect(&current, want).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

// rule: connect.url.format (alipay-current: a `timeout` of the wrong type is 2)
#[tokio::test]
async fn current_fails_a_timeout_of_the_wrong_type_with_2_and_the_default_ignores_it() {
    let server = mock().await;
    let options = args(json!({"url": server.url("echo"), "timeout": "soon"}));
    let current = current();
    current.connect_socket(1, options.clone());
    expect(&current, failed(1, ErrorCode::InvalidArgument)).await;
    let default = my();
    listen_on_my(&default);
    default.connect_socket(2, options);
    let mut want = ok(2);
    want.push(opened("my", "O"));
    expect(&default, want).await;
}

// -------------------------------------------------------------------- wechat

fn wx_callbacks(call: u64, err_msg: &str, kind: CallbackKind) -> Vec<Event> {
    [kind, CallbackKind::Complete]
        .into_iter()
        .map(|kind| Event::Callback {
            call,
            kind,
            res: json!({ "errMsg": err_msg }),
            sync: false,
        })
        .collect()
}

fn wx_ok(call: u64, method: &str) -> Vec<Event> {
    wx_callbacks(call, &format!("{method}:ok"), CallbackKind::Success)
}

/// The `fail` and `complete` of `call`, checked for the form
/// `"<method>:fail <reason>"` (the reason is informational).
async fn expect_wx_fail(my: &My, call: u64, method: &str) -> String {
    let mut messages = Vec::new();
    for kind in [CallbackKind::Fail, CallbackKind::Complete] {
        match next(my).await {
            Event::Callback {
                call: c,
                kind: k,
                res,
                sync: false,
            } if c == call && k == kind => {
                assert_eq!(res.as_object().map(|o| o.len()), Some(1), "{res}");
                messages.push(res["errMsg"].as_str().unwrap_or_default().to_owned());
            }
            other => panic!("expected {kind:?} of call {call}, got {other:?}"),
        }
    }
    assert_eq!(messages[0], messages[1]);
    let prefix = format!("{method}:fail ");
    assert!(messages[0].starts_with(&prefix), "{}", messages[0]);
    assert!(
        messages[0].len() > prefix.len(),
        "a reason: {}",
        messages[0]
    );
    messages.remove(0)
}

fn listen_on_task(task: &SocketTask) {
    task.on_open("O");
    task.on_message("M");
    task.on_error("E");
    task.on_close("C");
}

fn wx_opened(target: &str) -> Event {
    listener(target, "O", EventType::Open, json!({}))
}

fn wx_message(target: &str, data: Value) -> Event {
    listener(target, "M", EventType::Message, json!({ "data": data }))
}

/// Connects with `wx.connectSocket` (call `call`) and awaits the task open.
async fn open_task(my: &My, url: &str, call: u64) -> SocketTask {
    let task = my
        .connect_socket(call, connect_options(url))
        .expect("wx.connectSocket returns a SocketTask");
    listen_on_task(&task);
    let mut want = wx_ok(call, "connectSocket");
    want.push(wx_opened(task.handle()));
    expect(my, want).await;
    task
}

// rules: connect.return, connect.success (wechat: always a task, errMsg)
#[tokio::test]
async fn wechat_connect_always_returns_a_task_and_succeeds_with_err_msg_ok() {
    let server = mock().await;
    let default = my();
    assert!(default
        .connect_socket(1, connect_options(&server.url("echo")))
        .is_none());
    drop(default);
    let wx = wechat();
    let task = open_task(&wx, &server.url("echo"), 2).await;
    assert_eq!(task.handle(), "t1");
    // A connect that fails its checks returns a CLOSED task too.
    let failed = wx.connect_socket(3, connect_options(""));
    assert!(failed.is_some_and(|t| t.handle() == "t2"));
    expect_wx_fail(&wx, 3, "connectSocket").await;
}

// rules: send.text, send.binary, receive.text, receive.binary (wechat forms)
#[tokio::test]
async fn wechat_messages_are_data_only_with_binary_as_array_buffer() {
    let server = mock().await;
    let wx = wechat();
    let task = open_task(&wx, &server.url("echo"), 1).await;
    let t = task.handle().to_owned();
    task.send(2, Some(SendSocketMessageOptions::text("hi")));
    let mut want = wx_ok(2, "sendSocketMessage");
    want.push(wx_message(&t, json!("hi")));
    expect(&wx, want).await;
    let buffer = SendSocketMessageOptions {
        data: Some(json!({"$binary": "AP8="})),
        is_buffer: None,
    };
    task.send(3, Some(buffer));
    let mut want = wx_ok(3, "sendSocketMessage");
    want.push(wx_message(&t, json!({"$binary": "AP8="})));
    expect(&wx, want).await;
    // No isBuffer: base64 text stays text.
    task.send(4, Some(SendSocketMessageOptions::base64("AP8=")));
    let mut want = wx_ok(4, "sendSocketMessage");
    want.push(wx_message(&t, json!("AP8=")));
    expect(&wx, want).await;
}

// rules: send.not-open, error.1.network, close.open (wechat forms)
#[tokio::test]
async fn wechat_failures_are_err_msg_strings_and_close_reports_code_and_reason() {
    let server = mock().await;
    let wx = wechat();
    // A task whose handshake fails: onError({errMsg}), then onClose 1006.
    let refused = wx
        .connect_socket(1, connect_options(&server.refused_url()))
        .unwrap();
    listen_on_task(&refused);
    refused.send(2, Some(SendSocketMessageOptions::text("early")));
    let mut first = Vec::new();
    for _ in 0..4 {
        first.push(next(&wx).await);
    }
    assert_eq!(first[..2], wx_ok(1, "connectSocket")[..]);
    assert_eq!(
        first[2..],
        wx_callbacks(
            2,
            "sendSocketMessage:fail WebSocket is not connected",
            CallbackKind::Fail
        )[..]
    );
    match next(&wx).await {
        Event::Listener {
            target,
            event_type: EventType::Error,
            res,
            ..
        } => {
            assert_eq!(target, "t1");
            assert!(
                res["errMsg"].as_str().is_some_and(|m| !m.is_empty()),
                "{res}"
            );
            assert_eq!(res.as_object().map(|o| o.len()), Some(1), "{res}");
        }
        other => panic!("expected onError, got {other:?}"),
    }
    expect(&wx, vec![closed("t1", "C", 1006, "")]).await;
    // An open task closes with its code and reason.
    let task = open_task(&wx, &server.url("echo"), 3).await;
    task.close(4, Some(CloseSocketOptions::with(4000, "bye")));
    let mut want = wx_ok(4, "closeSocket");
    want.push(closed("t2", "C", 4000, "bye"));
    expect(&wx, want).await;
    // A closed task's close fails.
    task.close(5, Some(CloseSocketOptions::default()));
    expect_wx_fail(&wx, 5, "closeSocket").await;
}

// rule: connect.multiple.limit (wechat: at most 5 connections)
#[tokio::test]
async fn wechat_allows_five_connections_and_fails_the_sixth() {
    let server = mock().await;
    let wx = wechat();
    for call in 1..=5 {
        open_task(&wx, &server.url("echo"), call).await;
    }
    let sixth = wx.connect_socket(6, connect_options(&server.url("echo")));
    assert!(sixth.is_some());
    expect_wx_fail(&wx, 6, "connectSocket").await;
    expect_quiet(&wx).await;
    assert_eq!(server.requests_so_far(), 5);
}

// rule: connect.data (wechat has no `data` argument)
#[tokio::test]
async fn wechat_ignores_data_and_multiple() {
    let server = mock().await;
    let wx = wechat();
    let options = args(json!({"url": server.url("echo"), "data": {"a": 1}, "multiple": false}));
    let task = wx
        .connect_socket(1, options)
        .expect("a task, `multiple` or not");
    listen_on_task(&task);
    let mut want = wx_ok(1, "connectSocket");
    want.push(wx_opened("t1"));
    expect(&wx, want).await;
    assert_eq!(server.request(1).await.query, None);
}

// rule: listeners.scope (wechat: wx.* follow the newest connection)
#[tokio::test]
async fn wechat_global_calls_and_listeners_follow_the_newest_task() {
    let server = mock().await;
    let wx = wechat();
    wx.on_socket_open("G");
    wx.on_socket_message("GM");
    let task = wx
        .connect_socket(1, connect_options(&server.url("echo")))
        .unwrap();
    task.on_open("O");
    let mut want = wx_ok(1, "connectSocket");
    want.push(listener("t1", "O", EventType::Open, json!({})));
    want.push(listener("wx", "G", EventType::Open, json!({})));
    expect(&wx, want).await;
    wx.send_socket_message(2, Some(SendSocketMessageOptions::text("via wx")));
    let mut want = wx_ok(2, "sendSocketMessage");
    want.push(listener(
        "wx",
        "GM",
        EventType::Message,
        json!({"data": "via wx"}),
    ));
    expect(&wx, want).await;
    wx.close_socket(3, Some(CloseSocketOptions::default()));
    expect(&wx, wx_ok(3, "closeSocket")).await;
}

// rule: connect.several.global-target (wechat: the newest, or the oldest)
#[tokio::test]
async fn wechat_global_listeners_and_calls_follow_the_newest_or_the_oldest_connection() {
    let server = mock().await;
    let oldest = Behaviour::reference()
        .with_profile(Profile::WECHAT)
        .with_variants(Variants::new([Variant::ConnectSeveralGlobalTargetOldest]).unwrap());
    let oldest = My::new(config(), oldest).expect("the test config is valid");
    for (wx, second_heard_by_g) in [(wechat(), true), (oldest, false)] {
        wx.on_socket_open("G");
        wx.on_socket_message("GM");
        let first = wx
            .connect_socket(1, connect_options(&server.url("echo")))
            .unwrap();
        first.on_open("O");
        let mut want = wx_ok(1, "connectSocket");
        want.push(listener("t1", "O", EventType::Open, json!({})));
        want.push(listener("wx", "G", EventType::Open, json!({})));
        expect(&wx, want).await;
        let second = wx
            .connect_socket(2, connect_options(&server.url("echo")))
            .unwrap();
        second.on_open("O");
        second.on_message("M");
        let mut want = wx_ok(2, "connectSocket");
        want.push(listener("t2", "O", EventType::Open, json!({})));
        if second_heard_by_g {
            want.push(listener("wx", "G", EventType::Open, json!({})));
        }
        expect(&wx, want).await;
        // wx.sendSocketMessage goes to the same connection: the echo comes
        // back to t2 (newest) or to t1, which has no message listener (oldest).
        wx.send_socket_message(3, Some(SendSocketMessageOptions::text("via wx")));
        let mut want = wx_ok(3, "sendSocketMessage");
        if second_heard_by_g {
            want.push(listener(
                "t2",
                "M",
                EventType::Message,
                json!({"data": "via wx"}),
            ));
        }
        want.push(listener(
            "wx",
            "GM",
            EventType::Message,
            json!({"data": "via wx"}),
        ));
        expect(&wx, want).await;
        // wx.closeSocket closes that connection, whose onClose the global
        // listeners still hear; then the oldest has handed over to t2, and
        // the newest (t2) is closed.
        wx.on_socket_close("GC");
        wx.close_socket(4, Some(CloseSocketOptions::default()));
        let mut want = wx_ok(4, "closeSocket");
        want.push(listener(
            "wx",
            "GC",
            EventType::Close,
            json!({"code": 1000, "reason": ""}),
        ));
        expect(&wx, want).await;
        wx.send_socket_message(5, Some(SendSocketMessageOptions::text("again")));
        if second_heard_by_g {
            expect_wx_fail(&wx, 5, "sendSocketMessage").await;
        } else {
            let mut want = wx_ok(5, "sendSocketMessage");
            want.push(listener(
                "t2",
                "M",
                EventType::Message,
                json!({"data": "again"}),
            ));
            want.push(listener(
                "wx",
                "GM",
                EventType::Message,
                json!({"data": "again"}),
            ));
            expect(&wx, want).await;
        }
        expect_quiet(&wx).await;
    }
}

// ------------------------------------------------------------ the bridge

struct Bridge(reference_impl::AdapterChannels);

impl Bridge {
    fn send(&self, request: Value) {
        self.0
            .requests
            .send(serde_json::from_value(request).unwrap())
            .unwrap();
    }

    async fn next(&mut self) -> Value {
        let message = tokio::time::timeout(WAIT, self.0.messages.recv())
            .await
            .expect("no message within 5 s")
            .expect("the adapter ended");
        serde_json::to_value(message).unwrap()
    }
}

#[tokio::test]
async fn hello_profile_selects_the_profile_and_the_wx_face() {
    let server = mock().await;
    let mut bridge = Bridge(spawn_in_process(Behaviour::default()));
    bridge.send(json!({"id": 1, "op": "hello", "protocol": 1, "config": {}, "profile": "wechat"}));
    let hello = bridge.next().await;
    assert_eq!(hello["result"]["name"], "reference-impl+profile:wechat");
    assert_eq!(hello["result"]["api"], "wx");
    // `my` is no target of the wx face; `off*` are no methods of it.
    bridge.send(
        json!({"id": 2, "op": "call", "target": "my", "method": "onSocketOpen", "listener": "L"}),
    );
    assert_eq!(bridge.next().await["ok"], false);
    bridge.send(json!({"id": 3, "op": "call", "target": "wx", "method": "offSocketOpen"}));
    assert_eq!(bridge.next().await["ok"], false);
    bridge.send(
        json!({"id": 4, "op": "call", "target": "wx", "method": "connectSocket",
        "args": {"url": server.url("echo")},
        "then": [{"id": 5, "target": "$returned", "method": "onOpen", "listener": "O"},
                 {"id": 6, "target": "$returned", "method": "offOpen", "listener": "O"}]}),
    );
    let want = [
        json!({"id": 4, "ok": true, "result": {"returned": {"task": "t1"}}}),
        json!({"id": 5, "ok": true, "result": {"returned": null}}),
    ];
    for want in want {
        assert_eq!(bridge.next().await, want);
    }
    assert_eq!(bridge.next().await["ok"], false, "offOpen on a wx task");
    let want = [
        json!({"event": "callback", "call": 4, "kind": "success", "res": {"errMsg": "connectSocket:ok"}}),
        json!({"event": "callback", "call": 4, "kind": "complete", "res": {"errMsg": "connectSocket:ok"}}),
        json!({"event": "listener", "target": "t1", "listener": "O", "type": "open", "res": {}}),
    ];
    for want in want {
        assert_eq!(bridge.next().await, want);
    }
}

#[tokio::test]
async fn hello_names_the_profile_and_refuses_an_unknown_one() {
    let mut bridge = Bridge(spawn_in_process(
        Behaviour::reference().with_profile(Profile::ALIPAY_CURRENT),
    ));
    bridge.send(json!({"id": 1, "op": "hello", "protocol": 1, "config": {}}));
    let hello = bridge.next().await;
    assert_eq!(
        hello["result"]["name"],
        "reference-impl+profile:alipay-current"
    );
    assert!(hello["result"].get("api").is_none(), "my is not written");
    bridge.send(json!({"id": 2, "op": "hello", "protocol": 1, "config": {}, "profile": "tt"}));
    let refused = bridge.next().await;
    assert_eq!(refused["ok"], false);
    assert!(
        refused["error"].as_str().unwrap().contains("wechat"),
        "{refused}"
    );
    // The profile named in hello wins over the one given at start.
    bridge.send(
        json!({"id": 3, "op": "hello", "protocol": 1, "config": {}, "profile": "alipay-2022-09"}),
    );
    assert_eq!(bridge.next().await["result"]["name"], "reference-impl");
}

#[test]
fn the_adapter_takes_a_profile_flag() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
        .args(["--profile", "wechat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(
        stdin,
        "{}",
        json!({"id": 1, "op": "hello", "protocol": 1, "config": {}})
    )
    .unwrap();
    writeln!(stdin, "{}", json!({"id": 2, "op": "shutdown"})).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let first: Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["result"]["name"], "reference-impl+profile:wechat");
    assert_eq!(first["result"]["api"], "wx");
    let bad = Command::new(env!("CARGO_BIN_EXE_reference-adapter"))
        .args(["--profile", "tt"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
