//! Mutants of what goes over the connection: messages, closes,
//! certificates, subprotocols, the URL.

use super::*;

/// Opens the global socket on `server` and collects what follows, until quiet.
async fn after_open(my: &My, url: &str) -> Vec<Event> {
    open_global(my, url, 1).await;
    quiet_events(my).await
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

// rule: close.nothing-after
#[tokio::test]
async fn close_fired_twice_runs_each_close_listener_twice() {
    let server = mock().await;
    let url = server.url("close-on-open/4001/bye");
    assert_eq!(
        after_open(&my(), &url).await,
        [closed("my", "C", 4001, "bye")]
    );
    let m = mutant(Mutant::CloseFiredTwice);
    assert_eq!(
        after_open(&m, &url).await,
        [
            closed("my", "C", 4001, "bye"),
            closed("my", "C", 4001, "bye")
        ]
    );
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
