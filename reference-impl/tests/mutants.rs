//! The mutants: each deliberate bug changes the behaviour it names, and only
//! in the intended way. Every test runs the same steps against the
//! conforming implementation and against the mutant.

mod support;

use std::process::Stdio;

use adapter_protocol::Request;
use base64::Engine as _;
use reference_impl::{
    spawn_in_process_with, CloseSocketOptions, Config, ConnectSocketOptions, ErrorCode, Event,
    Mutant, My, ReadyState, SendSocketMessageOptions,
};
use serde_json::{json, Value};
use support::*;

/// A context running `mutant` with the test configuration.
fn mutant(mutant: Mutant) -> My {
    with_config(Some(mutant), config())
}

fn with_config(mutant: Option<Mutant>, config: Config) -> My {
    let my = My::with_mutant(config, mutant).expect("the test config is valid");
    assert_eq!(my.mutant(), mutant);
    my
}

/// `callback` with `sync: true`, as a mutant runs it inside the call.
fn sync(event: Event) -> Event {
    match event {
        Event::Callback {
            call, kind, res, ..
        } => Event::Callback {
            call,
            kind,
            res,
            sync: true,
        },
        other => other,
    }
}

/// The events of a connect with these options, until quiet (no listeners
/// but `listen_on_my`'s).
async fn connect_events(my: &My, options: ConnectSocketOptions) -> Vec<Event> {
    listen_on_my(my);
    my.connect_socket(1, Some(options));
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

fn opened_after(call: u64) -> Vec<Event> {
    let mut want = ok(call);
    want.push(opened("my", "O"));
    want
}

fn failed_handshake(code: ErrorCode) -> Vec<Event> {
    let mut want = ok(1);
    want.push(errored("my", "E", code));
    want.push(closed("my", "C", 1006, ""));
    want
}

// rule: connect.url.empty
#[tokio::test]
async fn url_empty_code_reports_an_empty_url_as_a_format_error() {
    let blank = ConnectSocketOptions::url("  ");
    assert_eq!(
        connect_events(&my(), blank.clone()).await,
        failed(1, ErrorCode::UrlEmpty)
    );
    let m = mutant(Mutant::UrlEmptyCode);
    assert_eq!(
        connect_events(&m, blank).await,
        failed(1, ErrorCode::UrlFormat)
    );
    // An absent URL is still 3: only the empty string reaches the parser.
    let m = mutant(Mutant::UrlEmptyCode);
    assert_eq!(
        connect_events(&m, ConnectSocketOptions::default()).await,
        failed(1, ErrorCode::UrlEmpty)
    );
}

// rule: connect.url.scheme
#[tokio::test]
async fn url_scheme_code_reports_a_wrong_scheme_as_a_format_error() {
    let http = ConnectSocketOptions::url("http://example.com/");
    assert_eq!(
        connect_events(&my(), http.clone()).await,
        failed(1, ErrorCode::UrlScheme)
    );
    let m = mutant(Mutant::UrlSchemeCode);
    assert_eq!(
        connect_events(&m, http).await,
        failed(1, ErrorCode::UrlFormat)
    );
}

// rule: connect.success
#[tokio::test]
async fn complete_before_success_runs_complete_first() {
    let server = mock().await;
    let options = ConnectSocketOptions::url(server.url("echo"));
    assert_eq!(
        connect_events(&my(), options.clone()).await,
        opened_after(1)
    );
    let m = mutant(Mutant::CompleteBeforeSuccess);
    assert_eq!(
        connect_events(&m, options).await,
        vec![complete(1), success(1), opened("my", "O")]
    );
    // fail too.
    let m = mutant(Mutant::CompleteBeforeSuccess);
    let mut want = failed(1, ErrorCode::UrlEmpty);
    want.reverse();
    assert_eq!(
        connect_events(&m, ConnectSocketOptions::url("")).await,
        want
    );
}

// rule: order.async
#[tokio::test]
async fn callback_inside_call_runs_callbacks_before_the_call_returns() {
    let server = mock().await;
    // Conforming: nothing is taken before the queue is, nothing is `sync`.
    let conforming = connect_events(&my(), ConnectSocketOptions::url(server.url("echo"))).await;
    assert_eq!(conforming, opened_after(1));
    let m = mutant(Mutant::CallbackInsideCall);
    listen_on_my(&m);
    m.connect_socket(1, connect_options(&server.url("echo")));
    // The callbacks already ran: they are there without waiting, `sync`.
    assert_eq!(drain(&m), ok(1).into_iter().map(sync).collect::<Vec<_>>());
    // The open event comes later, as always.
    expect(&m, vec![opened("my", "O")]).await;
    // A failing send, too; a send that waits for its write does not.
    m.send_socket_message(2, Some(SendSocketMessageOptions::default()));
    m.send_socket_message(3, Some(SendSocketMessageOptions::text("hi")));
    assert_eq!(
        drain(&m),
        failed(2, ErrorCode::SendFailed)
            .into_iter()
            .map(sync)
            .collect::<Vec<_>>()
    );
    let mut want = ok(3);
    want.push(text("my", "M", "hi"));
    expect(&m, want).await;
}

// rule: order.async
#[tokio::test]
async fn callback_inside_call_is_written_before_the_response_with_sync_through_the_adapter() {
    let mut adapter = spawn_in_process_with(Some(Mutant::CallbackInsideCall));
    let requests = [
        json!({"id": 1, "op": "hello", "protocol": 1, "config": {}}),
        json!({"id": 2, "op": "call", "target": "my", "method": "connectSocket",
               "args": {"url": ""},
               "within": {"fail": [{"id": 3, "target": "my", "method": "onSocketOpen", "listener": "L"}]}}),
    ];
    for request in requests {
        let request: Request = serde_json::from_value(request).unwrap();
        adapter.requests.send(request).unwrap();
    }
    let fail3 = ErrorCode::UrlEmpty.payload();
    let mut got = Vec::new();
    for _ in 0..5 {
        let message = tokio::time::timeout(WAIT, adapter.messages.recv())
            .await
            .expect("no message within 5 s")
            .expect("the adapter ended");
        got.push(serde_json::to_value(message).unwrap());
    }
    assert_eq!(
        got[0]["result"]["name"],
        "reference-impl+mutant:callback-inside-call"
    );
    assert_eq!(
        got[1..].to_vec(),
        vec![
            json!({"event": "callback", "call": 2, "kind": "fail", "res": fail3, "sync": true}),
            json!({"id": 3, "ok": true, "result": {"returned": null}}),
            json!({"event": "callback", "call": 2, "kind": "complete", "res": fail3, "sync": true}),
            json!({"id": 2, "ok": true, "result": {"returned": null}}),
        ]
    );
}

// rule: connect.success
#[tokio::test]
async fn success_after_open_reports_success_once_the_socket_is_open() {
    let server = mock().await;
    let options = ConnectSocketOptions::url(server.url("echo"));
    assert_eq!(
        connect_events(&my(), options.clone()).await,
        opened_after(1)
    );
    let m = mutant(Mutant::SuccessAfterOpen);
    assert_eq!(
        connect_events(&m, options).await,
        vec![opened("my", "O"), success(1), complete(1)]
    );
    // A failed handshake still reports success first: the bug is the wait.
    let m = mutant(Mutant::SuccessAfterOpen);
    let refused = ConnectSocketOptions::url(server.refused_url());
    assert_eq!(
        connect_events(&m, refused).await,
        failed_handshake(ErrorCode::Unknown)
    );
}

fn multiple(url: &str) -> Option<ConnectSocketOptions> {
    Some(ConnectSocketOptions::url(url).multiple())
}

/// Opens six tasks at once; the handles of those that opened.
async fn open_six(my: &My, url: &str) -> Vec<String> {
    let tasks: Vec<_> = (1..=6)
        .map(|call| {
            let task = my.connect_socket(call, multiple(url)).unwrap();
            task.on_open("o");
            task
        })
        .collect();
    let mut opened = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        if let Event::Listener { target, .. } = event {
            opened.push(target);
        }
    }
    drop(tasks);
    opened.sort();
    opened
}

// rule: connect.multiple.limit
#[tokio::test]
async fn no_task_limit_opens_a_sixth_socket() {
    let server = mock().await;
    let url = server.url("echo");
    assert_eq!(open_six(&my(), &url).await, ["t1", "t2", "t3", "t4", "t5"]);
    let m = mutant(Mutant::NoTaskLimit);
    assert_eq!(
        open_six(&m, &url).await,
        ["t1", "t2", "t3", "t4", "t5", "t6"]
    );
}

/// Opens five tasks, closes the first and waits for its close event, then
/// connects once more: that connect's events.
async fn reuse_a_freed_place(my: &My, url: &str) -> Vec<Event> {
    let mut tasks = Vec::new();
    for call in 1..=5 {
        let task = my.connect_socket(call, multiple(url)).unwrap();
        task.on_open("o");
        task.on_close("c");
        tasks.push(task);
    }
    for _ in 0..15 {
        next(my).await;
    }
    tasks[0].close(6, None);
    expect(my, vec![closed("t1", "c", 1000, "")]).await;
    assert_eq!(tasks[0].ready_state(), ReadyState::Closed);
    let task = my.connect_socket(7, multiple(url)).unwrap();
    task.on_open("o");
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

// rule: task.limit
#[tokio::test]
async fn task_place_not_freed_refuses_a_task_after_one_closed() {
    let server = mock().await;
    let url = server.url("echo");
    let mut want = ok(7);
    want.push(opened("t6", "o"));
    assert_eq!(reuse_a_freed_place(&my(), &url).await, want);
    let m = mutant(Mutant::TaskPlaceNotFreed);
    assert_eq!(
        reuse_a_freed_place(&m, &url).await,
        failed(7, ErrorCode::Unknown)
    );
}

/// Adds `A` and `B` as open listeners, lets `remove` act, connects: who heard the open.
async fn heard_open(my: &My, url: &str, remove: impl Fn(&My)) -> Vec<Event> {
    my.on_socket_open("A");
    my.on_socket_open("B");
    my.on_socket_open("A");
    remove(my);
    my.connect_socket(1, connect_options(url));
    expect(my, ok(1)).await;
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

// rule: listeners.off-one
#[tokio::test]
async fn off_fn_not_removing_leaves_the_listener_in_place() {
    let server = mock().await;
    let url = server.url("echo");
    let off_a = |my: &My| my.off_socket_open(Some("A"));
    assert_eq!(heard_open(&my(), &url, off_a).await, [opened("my", "B")]);
    let m = mutant(Mutant::OffFnNotRemoving);
    assert_eq!(
        heard_open(&m, &url, off_a).await,
        [opened("my", "A"), opened("my", "B"), opened("my", "A")]
    );
}

// rule: listeners.off-all
#[tokio::test]
async fn off_all_removes_one_removes_only_the_first_listener() {
    let server = mock().await;
    let url = server.url("echo");
    let off_all = |my: &My| my.off_socket_open(None);
    assert_eq!(heard_open(&my(), &url, off_all).await, []);
    let m = mutant(Mutant::OffAllRemovesOne);
    assert_eq!(
        heard_open(&m, &url, off_all).await,
        [opened("my", "B"), opened("my", "A")]
    );
}

// rule: listeners.twice
#[tokio::test]
async fn listener_added_once_ignores_the_second_registration() {
    let server = mock().await;
    let url = server.url("echo");
    let nothing = |_: &My| {};
    assert_eq!(
        heard_open(&my(), &url, nothing).await,
        [opened("my", "A"), opened("my", "B"), opened("my", "A")]
    );
    let m = mutant(Mutant::ListenerAddedOnce);
    assert_eq!(
        heard_open(&m, &url, nothing).await,
        [opened("my", "A"), opened("my", "B")]
    );
}

/// Opens the global socket on `server` and collects what follows, until quiet.
async fn after_open(my: &My, url: &str) -> Vec<Event> {
    open_global(my, url, 1).await;
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

// rule: receive.binary
#[tokio::test]
async fn binary_without_isbuffer_delivers_binary_without_the_flag() {
    let server = mock().await;
    let url = server.url(&format!("send-on-open/binary/{}", sevens(3)));
    let data = base64::engine::general_purpose::STANDARD.encode([7u8; 3]);
    assert_eq!(after_open(&my(), &url).await, [binary("my", "M", &data)]);
    let m = mutant(Mutant::BinaryWithoutIsBuffer);
    assert_eq!(
        after_open(&m, &url).await,
        [listener(
            "my",
            "M",
            reference_impl::EventType::Message,
            json!({"data": data})
        )]
    );
}

// rule: close.server
#[tokio::test]
async fn close_code_1006_reports_1006_instead_of_the_servers_code() {
    let server = mock().await;
    let url = server.url("close-on-open/4001/bye");
    assert_eq!(
        after_open(&my(), &url).await,
        [closed("my", "C", 4001, "bye")]
    );
    let m = mutant(Mutant::CloseCode1006);
    assert_eq!(after_open(&m, &url).await, [closed("my", "C", 1006, "bye")]);
    // Both answered the server's close with its own code.
    for conn in [1, 2] {
        assert_eq!(
            server.close_in(conn).await,
            (Some(4001), "bye".to_owned(), false)
        );
    }
}

// rule: error.12.memory
#[tokio::test]
async fn no_error_12_delivers_an_oversize_message() {
    let server = mock().await;
    let url = server.url(&format!("send-on-open/binary/{}", sevens(2000)));
    assert_eq!(
        after_open(&my(), &url).await,
        [
            errored("my", "E", ErrorCode::OutOfMemory),
            closed("my", "C", 1009, "")
        ]
    );
    let m = mutant(Mutant::NoError12);
    let data = base64::engine::general_purpose::STANDARD.encode([7u8; 2000]);
    assert_eq!(after_open(&m, &url).await, [binary("my", "M", &data)]);
    assert_eq!(m.socket_ready_state(), Some(ReadyState::Open));
}

/// The events of an expired-certificate connect, and of two certificates
/// that are expired and wrong in another way too.
///
/// The expired one is the mock server's `wss.expired`: the mutant verifies
/// it again as of its notAfter, when the mock server's CA (a trust anchor,
/// whose dates webpki does not check anyway) is valid too. The other two
/// are on the local TLS listener: the mock server's catalogue has one
/// fault per certificate, and these have two.
async fn expired_certificates(mutant: Option<Mutant>) -> [Vec<Event>; 3] {
    let server = mock().await;
    let (ca_cert, ca) = make_ca("mutant test CA");
    let (other_cert, other) = make_ca("an untrusted CA");
    let names = ["127.0.0.1", "localhost"];
    let untrusted = TlsOnly::start(leaf(&names, &other, &other_cert, true)).await;
    let wrong_host = TlsOnly::start(leaf(&["127.0.0.2"], &ca, &ca_cert, true)).await;
    let config = Config {
        ca_certificates_pem: format!("{}{}", server.server.ca_pem(), ca_cert.pem()),
        ..config()
    };
    let urls = [
        server.url_on("wss.expired", "echo"),
        untrusted.wss_url("/"),
        wrong_host.wss_url("/"),
    ];
    let connects = urls.map(|url| {
        let config = config.clone();
        async move {
            let my = with_config(mutant, config);
            connect_events(&my, ConnectSocketOptions::url(url)).await
        }
    });
    let [a, b, c] = connects;
    let (a, b, c) = tokio::join!(a, b, c);
    // The mutant opened `wss.expired` and echoes on it; the conforming
    // client failed the TLS handshake.
    if a == opened_after(1) {
        assert_eq!(server.response(1).await, (101, None, None));
    } else {
        server.tls_failed().await;
        assert_eq!(server.session.recording(), vec![]);
    }
    [a, b, c]
}

// rule: error.7.cert
#[tokio::test]
async fn expired_cert_accepted_opens_on_an_expired_certificate_but_checks_chain_and_name() {
    let rejected = failed_handshake(ErrorCode::InvalidCertificate);
    let (conforming, mutated) = tokio::join!(
        expired_certificates(None),
        expired_certificates(Some(Mutant::ExpiredCertAccepted))
    );
    let [expired, untrusted, wrong_host] = conforming;
    assert_eq!(expired, rejected);
    assert_eq!(untrusted, rejected);
    assert_eq!(wrong_host, rejected);
    let [expired, untrusted, wrong_host] = mutated;
    assert_eq!(expired, opened_after(1));
    assert_eq!(untrusted, rejected);
    assert_eq!(wrong_host, rejected);
}

// rule: error.9.protocol-unrequested
#[tokio::test]
async fn unrequested_subprotocol_accepted_opens_and_the_socket_works() {
    // A good 101 that selects chat, offered or not.
    let server = mock().await;
    let options = ConnectSocketOptions::url(server.url("echo/protocol=chat"));
    assert_eq!(
        connect_events(&my(), options.clone()).await,
        failed_handshake(ErrorCode::ProtocolUnrequested)
    );
    let m = mutant(Mutant::UnrequestedSubprotocolAccepted);
    assert_eq!(connect_events(&m, options).await, opened_after(1));
    m.send_socket_message(2, Some(SendSocketMessageOptions::text("still framed")));
    let mut want = ok(2);
    want.push(text("my", "M", "still framed"));
    expect(&m, want).await;
    // A subprotocol that was offered is still checked (error 8).
    let m = mutant(Mutant::UnrequestedSubprotocolAccepted);
    let offered = ConnectSocketOptions {
        protocols: Some(json!(["other"])),
        ..ConnectSocketOptions::url(server.url("echo/protocol=chat"))
    };
    assert_eq!(
        connect_events(&m, offered).await,
        failed_handshake(ErrorCode::InvalidHandshake)
    );
}

/// Opens the global socket, closes it with `code` and `reason`: the close
/// call's events and the close frame the server saw, if any.
async fn close_with(my: &My, code: u16, reason: &str) -> (Vec<Event>, Option<(u16, String)>) {
    let server = mock().await;
    open_global(my, &server.url("echo"), 1).await;
    my.close_socket(2, Some(CloseSocketOptions::with(code, reason)));
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    let frame = match events.first() {
        Some(event) if *event == success(2) => match server.close_in(1).await {
            (Some(code), reason, _) => Some((code, reason)),
            (None, ..) => panic!("a close frame without a code"),
        },
        _ => {
            assert_eq!(server.frames_in(), []);
            None
        }
    };
    (events, frame)
}

// rule: close.invalid-code
#[tokio::test]
async fn close_code_not_validated_sends_a_reserved_code() {
    let (events, frame) = close_with(&my(), 1001, "away").await;
    assert_eq!(events, failed(2, ErrorCode::Unknown));
    assert_eq!(frame, None);
    let m = mutant(Mutant::CloseCodeNotValidated);
    let (events, frame) = close_with(&m, 1001, "away").await;
    let mut want = ok(2);
    want.push(closed("my", "C", 1001, "away"));
    assert_eq!(events, want);
    assert_eq!(frame, Some((1001, "away".to_owned())));
}

/// The query string of a connect with `data`, as the server saw it.
async fn query_with_data(my: &My) -> Option<String> {
    let server = mock().await;
    let options = ConnectSocketOptions {
        data: Some(json!({"a": "b c"})),
        ..ConnectSocketOptions::url(server.url("echo"))
    };
    assert_eq!(connect_events(my, options).await, opened_after(1));
    let request = server.request(1).await;
    assert_eq!(request.path, server.path("echo"));
    request.query
}

// rule: connect.data
#[tokio::test]
async fn data_not_on_query_leaves_the_url_as_it_is() {
    assert_eq!(query_with_data(&my()).await.as_deref(), Some("a=b%20c"));
    assert_eq!(query_with_data(&mutant(Mutant::DataNotOnQuery)).await, None);
}

// rule: connect.wss-only
#[tokio::test]
async fn wss_only_ignored_connects_over_ws() {
    let server = mock().await;
    let wss_only = Config {
        wss_only: true,
        ..config()
    };
    let options = ConnectSocketOptions::url(server.url("echo"));
    assert_eq!(
        connect_events(&with_config(None, wss_only.clone()), options.clone()).await,
        failed(1, ErrorCode::InvalidHandshake)
    );
    let m = with_config(Some(Mutant::WssOnlyIgnored), wss_only);
    assert_eq!(connect_events(&m, options).await, opened_after(1));
}

/// A task opens while `my` has an open listener too: who heard it.
async fn task_open_heard_by(my: &My, url: &str) -> Vec<Event> {
    my.on_socket_open("G");
    let task = my.connect_socket(1, multiple(url)).unwrap();
    task.on_open("T");
    expect(my, ok(1)).await;
    let mut events = Vec::new();
    while let Ok(event) = tokio::time::timeout(QUIET * 2, my.next_event()).await {
        events.push(event);
    }
    events
}

// rule: listeners.scope
#[tokio::test]
async fn listener_scope_leak_lets_my_listeners_hear_tasks() {
    let server = mock().await;
    let url = server.url("echo");
    assert_eq!(task_open_heard_by(&my(), &url).await, [opened("t1", "T")]);
    let m = mutant(Mutant::ListenerScopeLeak);
    assert_eq!(
        task_open_heard_by(&m, &url).await,
        [opened("t1", "T"), opened("my", "G")]
    );
}

// rule: send.too-large
#[tokio::test]
async fn send_size_not_checked_sends_an_oversize_message() {
    let big = "x".repeat(1025);
    for (my, sent) in [(my(), false), (mutant(Mutant::SendSizeNotChecked), true)] {
        let server = mock().await;
        open_global(&my, &server.url("echo"), 1).await;
        server.request(1).await;
        my.send_socket_message(2, Some(SendSocketMessageOptions::text(big.clone())));
        if sent {
            // Written; its echo is then over the inbound limit (error 12).
            expect(&my, ok(2)).await;
            assert_eq!(
                server.message_in(1).await,
                (MessageKind::Text, 1025, big.clone())
            );
        } else {
            expect(&my, failed(2, ErrorCode::SendFailed)).await;
            expect_quiet(&my).await;
            assert_eq!(server.frames_in(), []);
        }
    }
}

// ---------------------------------------------------------------- selection

#[tokio::test]
async fn hello_names_the_mutant_and_a_conforming_adapter_stays_reference_impl() {
    for (mutant, name) in [
        (None, "reference-impl".to_owned()),
        (
            Some(Mutant::NoError12),
            "reference-impl+mutant:no-error-12".to_owned(),
        ),
    ] {
        let mut adapter = spawn_in_process_with(mutant);
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
