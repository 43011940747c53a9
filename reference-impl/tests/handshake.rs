//! The outcome of the handshake: faults of the server's response, the
//! connect deadline, network failures and certificates.

mod support;

use reference_impl::{Behaviour, Config, ConnectSocketOptions, ErrorCode, My, ReadyState};
use serde_json::json;
use support::*;

/// Connects the global socket to the mock server's handshake fault `fault`
/// (offering `protocols` in a header, if any) and expects the handshake to
/// fail with `code`.
async fn assert_handshake_fails(fault: &str, protocols: Option<&str>, code: ErrorCode) {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    let options = ConnectSocketOptions {
        header: protocols.map(|p| json!({ "Sec-WebSocket-Protocol": p })),
        ..ConnectSocketOptions::url(server.url(&format!("fault/{fault}")))
    };
    my.connect_socket(1, Some(options));
    let mut want = ok(1);
    want.push(errored("my", "E", code));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Closed));
    let request = server.request(1).await;
    assert_eq!(request.path, server.path(&format!("fault/{fault}")));
    let (_, _, answered) = server.response(1).await;
    assert_eq!(answered.as_deref(), Some(fault));
    // After a faulty 101 the server waits for the client to fail the
    // connection; after another status it closes it itself.
    let how = server.ended(1).await;
    if fault.starts_with("status/") || fault == "not-http" {
        assert_eq!(how, EndReason::ServerClosed);
    } else {
        assert_eq!(how, EndReason::PeerEof);
    }
}

// rule: error.8.handshake
#[tokio::test]
async fn a_status_other_than_101_fails_with_8() {
    assert_handshake_fails("status/200", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_missing_upgrade_header_fails_with_8() {
    assert_handshake_fails("no-upgrade", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_wrong_upgrade_header_fails_with_8() {
    assert_handshake_fails("wrong-upgrade", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_missing_connection_header_fails_with_8() {
    assert_handshake_fails("no-connection", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_wrong_connection_header_fails_with_8() {
    assert_handshake_fails("wrong-connection", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_wrong_accept_key_fails_with_8() {
    assert_handshake_fails("wrong-accept", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_missing_accept_key_fails_with_8() {
    assert_handshake_fails("missing-accept", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_subprotocol_that_was_not_offered_fails_with_8() {
    assert_handshake_fails(
        "protocol-not-offered",
        Some("chat"),
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn no_subprotocol_although_one_was_offered_fails_with_8() {
    assert_handshake_fails(
        "protocol-missing",
        Some("chat"),
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_response_that_is_not_http_fails_with_8() {
    assert_handshake_fails("not-http", None, ErrorCode::InvalidHandshake).await;
}

// rule: error.9.protocol-unrequested
#[tokio::test]
async fn a_subprotocol_selected_although_none_was_requested_fails_with_9() {
    assert_handshake_fails("protocol-unrequested", None, ErrorCode::ProtocolUnrequested).await;
}

// rule: connect.open
#[tokio::test]
async fn the_test_servers_valid_raw_response_opens() {
    // The mock server writes its good 101 by hand, the same way as the
    // faults above, with nothing wrong in it.
    let server = mock().await;
    let my = my();
    open_global(&my, &server.url("echo"), 1).await;
    assert_eq!(server.response(1).await, (101, None, None));
}

// rule: error.6.timeout
#[tokio::test]
async fn a_server_that_never_answers_the_upgrade_fails_with_6_after_the_deadline() {
    let server = mock().await;
    let my = my_with(Config {
        connect_timeout_ms: 200,
        ..config()
    });
    listen_on_my(&my);
    let started = std::time::Instant::now();
    my.connect_socket(1, connect_options(&server.url("fault/never-answer")));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::ConnectTimeout));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    server
        .wait(1, "no response", |e| {
            matches!(e, Recorded::NoResponse { .. })
        })
        .await;
    // The abandoned connection is dropped.
    assert_eq!(server.ended(1).await, EndReason::PeerEof);
}

// rule: error.1.network
#[tokio::test]
async fn a_refused_connection_fails_with_1() {
    let server = mock().await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.refused_url()));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::Unknown));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: error.1.network
#[tokio::test]
async fn a_connection_closed_before_the_response_fails_with_1() {
    // On the local server: every mock-server fault answers something or
    // holds the connection; none closes it unanswered.
    let mut server = HangUp::start().await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&format!("ws://{}/hang-up", server.addr)));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::Unknown));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    assert_eq!(server.request_target().await, "/hang-up");
}

// rule: error.7.cert
#[tokio::test]
async fn wss_succeeds_against_a_ca_from_the_config() {
    let server = mock().await;
    let my = server.my_trusting_its_ca();
    open_global(&my, &server.url_on("wss.valid", "echo"), 1).await;
    my.send_socket_message(
        2,
        Some(reference_impl::SendSocketMessageOptions::text("over tls")),
    );
    let mut want = ok(2);
    want.push(text("my", "M", "over tls"));
    expect(&my, want).await;
    assert_eq!(server.request(1).await.path, server.path("echo"));
    assert!(matches!(
        &server.events(1)[0],
        Recorded::Accepted { listener, .. } if listener == "wss.valid"
    ));
    assert_eq!(
        server.message_in(1).await,
        (MessageKind::Text, 8, "over tls".to_owned())
    );
}

/// Connects to the mock server's `listener` trusting its test CA (or
/// nothing but the webpki roots): error 7, and the server saw the client
/// abort the TLS handshake.
async fn assert_certificate_rejected(listener: &str, trust_the_test_ca: bool) {
    let server = mock().await;
    let my = if trust_the_test_ca {
        server.my_trusting_its_ca()
    } else {
        my()
    };
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url_on(listener, "echo")));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::InvalidCertificate));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
    // No request reached the session: the TLS handshake failed.
    server.tls_failed().await;
    assert_eq!(server.session.recording(), vec![]);
}

// rule: error.7.cert
#[tokio::test]
async fn an_expired_certificate_fails_with_7() {
    assert_certificate_rejected("wss.expired", true).await;
}

// rule: error.7.cert
#[tokio::test]
async fn a_certificate_that_is_not_yet_valid_fails_with_7() {
    assert_certificate_rejected("wss.not-yet-valid", true).await;
}

// rule: error.7.cert
#[tokio::test]
async fn a_certificate_from_an_unknown_ca_fails_with_7() {
    assert_certificate_rejected("wss.unknown-ca", true).await;
}

// rule: error.7.cert
#[tokio::test]
async fn a_self_signed_certificate_fails_with_7() {
    assert_certificate_rejected("wss.self-signed", true).await;
}

// rule: error.7.cert
#[tokio::test]
async fn a_certificate_for_another_host_fails_with_7() {
    assert_certificate_rejected("wss.wrong-host", true).await;
}

// rule: error.7.cert
#[tokio::test]
async fn without_the_ca_in_the_config_a_valid_test_certificate_fails_with_7() {
    assert_certificate_rejected("wss.valid", false).await;
}

#[tokio::test]
async fn a_config_with_an_invalid_ca_bundle_is_refused() {
    let result = My::new(
        Config {
            ca_certificates_pem:
                "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n".into(),
            ..config()
        },
        Behaviour::default(),
    );
    assert!(result.is_err());
}
