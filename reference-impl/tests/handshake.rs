//! The outcome of the handshake: faults of the server's response, the
//! connect deadline, network failures and certificates.

mod support;

use reference_impl::{Config, ConnectSocketOptions, ErrorCode, My, ReadyState};
use serde_json::json;
use support::*;

/// Connects the global socket to a server answering `head` and expects the
/// handshake to fail with `code`.
async fn assert_handshake_fails(head: &'static str, protocols: Option<&str>, code: ErrorCode) {
    let mut server = Server::start(Behaviour::Respond(head)).await;
    let my = my();
    listen_on_my(&my);
    let options = ConnectSocketOptions {
        header: protocols.map(|p| json!({ "Sec-WebSocket-Protocol": p })),
        ..ConnectSocketOptions::url(server.url("/"))
    };
    my.connect_socket(1, Some(options));
    let mut want = ok(1);
    want.push(errored("my", "E", code));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
    assert_eq!(my.socket_ready_state(), Some(ReadyState::Closed));
    server.request().await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_status_other_than_101_fails_with_8() {
    assert_handshake_fails(
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        None,
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_missing_upgrade_header_fails_with_8() {
    assert_handshake_fails(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n",
        None,
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_wrong_upgrade_header_fails_with_8() {
    assert_handshake_fails(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n",
        None,
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_missing_connection_header_fails_with_8() {
    assert_handshake_fails(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n",
        None,
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_wrong_accept_key_fails_with_8() {
    assert_handshake_fails(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        None,
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_missing_accept_key_fails_with_8() {
    assert_handshake_fails(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        None,
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_subprotocol_that_was_not_offered_fails_with_8() {
    const HEAD: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: other\r\n\r\n";
    assert_handshake_fails(HEAD, Some("chat"), ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn no_subprotocol_although_one_was_offered_fails_with_8() {
    const HEAD: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n";
    assert_handshake_fails(HEAD, Some("chat"), ErrorCode::InvalidHandshake).await;
}

// rule: error.8.handshake
#[tokio::test]
async fn a_response_that_is_not_http_fails_with_8() {
    assert_handshake_fails(
        "SSH-2.0-OpenSSH_9.6\r\n\r\n",
        None,
        ErrorCode::InvalidHandshake,
    )
    .await;
}

// rule: error.9.protocol-unrequested
#[tokio::test]
async fn a_subprotocol_selected_although_none_was_requested_fails_with_9() {
    const HEAD: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: chat\r\n\r\n";
    assert_handshake_fails(HEAD, None, ErrorCode::ProtocolUnrequested).await;
}

// rule: connect.open
#[tokio::test]
async fn the_test_servers_valid_raw_response_opens() {
    // The same raw path as the faults, with nothing wrong in it.
    const HEAD: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n";
    let server = Server::start(Behaviour::Respond(HEAD)).await;
    let my = my();
    open_global(&my, &server.url("/"), 1).await;
}

// rule: error.6.timeout
#[tokio::test]
async fn a_server_that_never_answers_the_upgrade_fails_with_6_after_the_deadline() {
    let mut server = Server::start(Behaviour::Silent).await;
    let my = My::new(Config {
        connect_timeout_ms: 200,
        ..config()
    })
    .unwrap();
    listen_on_my(&my);
    let started = std::time::Instant::now();
    my.connect_socket(1, connect_options(&server.url("/")));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::ConnectTimeout));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    server.request().await;
    // The abandoned connection is dropped.
    assert_eq!(server.seen().await, Seen::Eof);
}

// rule: error.1.network
#[tokio::test]
async fn a_refused_connection_fails_with_1() {
    let port = refused_port().await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&format!("ws://127.0.0.1:{port}/")));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::Unknown));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: error.1.network
#[tokio::test]
async fn a_connection_closed_before_the_response_fails_with_1() {
    let mut server = Server::start(Behaviour::HangUp).await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.url("/")));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::Unknown));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    server.request().await;
}

// rule: error.7.cert
#[tokio::test]
async fn wss_succeeds_against_a_ca_from_the_config() {
    let pki = Pki::new();
    let mut server = Server::start_tls(Behaviour::Echo, pki.valid.clone()).await;
    let my = pki.my();
    open_global(&my, &server.wss_url("/secure"), 1).await;
    my.send_socket_message(
        2,
        Some(reference_impl::SendSocketMessageOptions::text("over tls")),
    );
    let mut want = ok(2);
    want.push(text("my", "M", "over tls"));
    expect(&my, want).await;
    assert_eq!(server.request().await.target, "/secure");
}

async fn assert_certificate_rejected(tls: std::sync::Arc<rustls::ServerConfig>, pki: &Pki) {
    let server = Server::start_tls(Behaviour::Echo, tls).await;
    let my = pki.my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.wss_url("/")));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::InvalidCertificate));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
    expect_quiet(&my).await;
}

// rule: error.7.cert
#[tokio::test]
async fn an_expired_certificate_fails_with_7() {
    let pki = Pki::new();
    assert_certificate_rejected(pki.expired.clone(), &pki).await;
}

// rule: error.7.cert
#[tokio::test]
async fn a_certificate_from_an_unknown_ca_fails_with_7() {
    let pki = Pki::new();
    assert_certificate_rejected(pki.unknown_ca.clone(), &pki).await;
}

// rule: error.7.cert
#[tokio::test]
async fn a_certificate_for_another_host_fails_with_7() {
    let pki = Pki::new();
    assert_certificate_rejected(pki.wrong_host.clone(), &pki).await;
}

// rule: error.7.cert
#[tokio::test]
async fn without_the_ca_in_the_config_a_valid_test_certificate_fails_with_7() {
    let pki = Pki::new();
    let server = Server::start_tls(Behaviour::Echo, pki.valid.clone()).await;
    let my = my();
    listen_on_my(&my);
    my.connect_socket(1, connect_options(&server.wss_url("/")));
    let mut want = ok(1);
    want.push(errored("my", "E", ErrorCode::InvalidCertificate));
    want.push(closed("my", "C", 1006, ""));
    expect(&my, want).await;
}

#[tokio::test]
async fn a_config_with_an_invalid_ca_bundle_is_refused() {
    let result = My::new(Config {
        ca_certificates_pem:
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n".into(),
        ..config()
    });
    assert!(result.is_err());
}
