//! Handshake faults, checked byte for byte with a raw TCP client, then with
//! tungstenite's client to show the exact failure a client reports; and the
//! server's robustness against slow, malformed and oversize requests.

mod common;

use std::time::{Duration, Instant};

use common::*;
use mock_server::{accept_key, EndReason, Event, Options, NOT_HTTP};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::Error as WsError;

fn response(lines: &[&str]) -> Vec<u8> {
    let mut s = String::from("HTTP/1.1 101 Switching Protocols\r\n");
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s.into_bytes()
}

async fn fault_bytes(server: &mock_server::MockServer, path: &str, extra: &str) -> Vec<u8> {
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    let mut tcp = TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(&upgrade_request(
        &addr,
        &format!("/s/{}/{path}", s.id()),
        extra,
    ))
    .await
    .unwrap();
    let head = read_head(&mut tcp, T).await;
    let ev = s
        .wait_for(|e| matches!(e.event, Event::HandshakeResponse { .. }), T)
        .await
        .unwrap();
    assert!(
        matches!(ev.event, Event::HandshakeResponse { fault: Some(_), .. }),
        "{ev:?}"
    );
    head
}

#[tokio::test]
async fn each_faulty_101_is_exactly_one_step_off_a_good_one() {
    let server = start().await;
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let wrong = format!(
        "Sec-WebSocket-Accept: {}",
        accept_key(&format!("{KEY}wrong"))
    );
    let up = "Upgrade: websocket";
    let conn = "Connection: Upgrade";
    let offer = "Sec-WebSocket-Protocol: chat, other\r\n";
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "fault/protocol-unrequested",
            "",
            response(&[up, conn, &accept, "Sec-WebSocket-Protocol: x-unrequested"]),
        ),
        (
            "fault/protocol-not-offered",
            offer,
            response(&[up, conn, &accept, "Sec-WebSocket-Protocol: x-not-offered"]),
        ),
        (
            "fault/protocol-missing",
            offer,
            response(&[up, conn, &accept]),
        ),
        (
            "fault/wrong-accept",
            offer,
            response(&[up, conn, &wrong, "Sec-WebSocket-Protocol: chat"]),
        ),
        ("fault/missing-accept", "", response(&[up, conn])),
        ("fault/no-upgrade", "", response(&[conn, &accept])),
        (
            "fault/wrong-upgrade",
            "",
            response(&["Upgrade: h2c", conn, &accept]),
        ),
        ("fault/no-connection", "", response(&[up, &accept])),
        (
            "fault/wrong-connection",
            "",
            response(&[up, "Connection: keep-alive", &accept]),
        ),
    ];
    for (path, extra, expected) in cases {
        let got = fault_bytes(&server, path, extra).await;
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{path}"
        );
    }
    assert_ne!(wrong, accept);
}

#[tokio::test]
async fn a_status_fault_answers_that_status_and_closes() {
    let server = start().await;
    for (code, line) in [
        (403, "403 Forbidden"),
        (500, "500 Internal Server Error"),
        (404, "404 Not Found"),
    ] {
        let s = server.create_session();
        let addr = server.addr("ws").unwrap().to_string();
        let raw = raw_exchange(
            &addr,
            &upgrade_request(&addr, &format!("/s/{}/fault/status/{code}", s.id()), ""),
            T,
        )
        .await;
        let body = format!("fault status/{code}\n");
        let expected = format!(
            "HTTP/1.1 {line}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(String::from_utf8(raw).unwrap(), expected);
        let ev = ended(&s, 1).await;
        assert_eq!(
            ev.event,
            Event::Ended {
                how: EndReason::ServerClosed,
                detail: None
            }
        );
        assert!(events(&s, 1).contains(&Event::HandshakeResponse {
            status: code,
            protocol: None,
            fault: Some(format!("status/{code}")),
            error: None
        }));
    }
}

#[tokio::test]
async fn not_http_writes_bytes_that_are_not_an_http_response() {
    let server = start().await;
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    let raw = raw_exchange(
        &addr,
        &upgrade_request(&addr, &format!("/s/{}/fault/not-http", s.id()), ""),
        T,
    )
    .await;
    assert_eq!(raw, NOT_HTTP);
}

#[tokio::test]
async fn never_answer_writes_nothing_and_holds_until_the_client_goes() {
    let server = start().await;
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    let mut tcp = TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(&upgrade_request(
        &addr,
        &format!("/s/{}/fault/never-answer", s.id()),
        "",
    ))
    .await
    .unwrap();
    wait(&s, 1, |e| matches!(e, Event::NoResponse { .. })).await;
    let got = read_head(&mut tcp, Duration::from_millis(300)).await;
    assert!(got.is_empty(), "{got:?}");
    drop(tcp);
    assert_ended(&s, 1, EndReason::PeerEof).await;
}

#[tokio::test]
async fn delay_ms_answers_the_upgrade_no_sooner_than_asked() {
    let server = start().await;
    let s = server.create_session();
    let started = Instant::now();
    let _ws = connect(&server, &s.url("ws", "echo/delay-ms=250"), &[]).await;
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn faults_work_the_same_over_tls() {
    let server = start().await;
    let s = server.create_session();
    let url = s.url("wss.valid", "fault/wrong-accept");
    let io = transport(&url, server.ca_pem()).await.unwrap();
    let Err(err) = tokio_tungstenite::client_async(url.as_str(), io).await else {
        panic!("the handshake must fail")
    };
    assert!(
        matches!(
            err,
            WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn tungstenites_client_reports_the_failure_each_fault_targets() {
    let server = start().await;
    type Check = fn(&WsError) -> bool;
    let cases: Vec<(&str, &[&str], Check)> = vec![
        ("fault/protocol-unrequested", &[], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(
                    SubProtocolError::ServerSentSubProtocolNoneRequested
                ))
            )
        }),
        ("fault/protocol-not-offered", &["chat"], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(
                    SubProtocolError::InvalidSubProtocol
                ))
            )
        }),
        ("fault/protocol-missing", &["chat"], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(
                    SubProtocolError::NoSubProtocol
                ))
            )
        }),
        ("fault/wrong-accept", &[], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch)
            )
        }),
        ("fault/missing-accept", &[], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch)
            )
        }),
        ("fault/no-upgrade", &[], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::MissingUpgradeWebSocketHeader)
            )
        }),
        ("fault/wrong-upgrade", &[], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::MissingUpgradeWebSocketHeader)
            )
        }),
        ("fault/no-connection", &[], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::MissingConnectionUpgradeHeader)
            )
        }),
        ("fault/wrong-connection", &[], |e| {
            matches!(
                e,
                WsError::Protocol(ProtocolError::MissingConnectionUpgradeHeader)
            )
        }),
        (
            "fault/status/403",
            &[],
            |e| matches!(e, WsError::Http(r) if r.status() == 403),
        ),
    ];
    for (path, protocols, check) in cases {
        let s = server.create_session();
        let url = s.url("ws", path);
        let mut req = url.as_str().into_client_request().unwrap();
        if !protocols.is_empty() {
            req.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                protocols.join(", ").parse().unwrap(),
            );
        }
        let io = transport(&url, server.ca_pem()).await.unwrap();
        let Err(err) = tokio::time::timeout(T, tokio_tungstenite::client_async(req, io))
            .await
            .unwrap()
        else {
            panic!("{path}: the handshake must fail")
        };
        assert!(check(&err), "{path}: {err:?}");
    }
}

#[tokio::test]
async fn slow_headers_are_cut_off_at_the_deadline_and_recorded() {
    let server = start_with(Options {
        header_timeout: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let addr = server.addr("ws").unwrap().to_string();
    let mut tcp = TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(b"GET /s/x/echo HTTP/1.1\r\nHost: a\r\n")
        .await
        .unwrap();
    let rest = read_until_close(&mut tcp, T).await;
    assert!(rest.is_empty());
    let ev = server
        .wait_for_unrouted(|e| matches!(e.event, Event::Ended { .. }), T)
        .await
        .unwrap();
    assert!(
        matches!(
            ev.event,
            Event::Ended {
                how: EndReason::Timeout,
                ..
            }
        ),
        "{ev:?}"
    );
}

#[tokio::test]
async fn a_malformed_request_gets_400_and_an_oversize_head_431() {
    let server = start().await;
    let addr = server.addr("ws").unwrap().to_string();
    let raw = raw_exchange(&addr, b"\x16\x03\x01\x02\x00garbage\r\n\r\n", T).await;
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    assert!(text.contains("malformed HTTP request"), "{text}");
    let big = format!(
        "GET /s/x/echo HTTP/1.1\r\nX-Big: {}\r\n",
        "a".repeat(20_000)
    );
    let raw = raw_exchange(&addr, big.as_bytes(), T).await;
    assert!(String::from_utf8_lossy(&raw)
        .starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

#[tokio::test]
async fn a_plain_http_request_without_upgrade_gets_400_naming_what_is_missing() {
    let server = start().await;
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    let req = format!("GET /s/{}/echo HTTP/1.1\r\nHost: {addr}\r\n\r\n", s.id());
    let raw = raw_exchange(&addr, req.as_bytes(), T).await;
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    assert!(
        text.ends_with("not a WebSocket upgrade: no Upgrade: websocket header\n"),
        "{text}"
    );
}

#[tokio::test]
async fn abrupt_disconnects_at_every_stage_do_not_hurt_the_server() {
    let server = start().await;
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    // Connect and vanish; half a head and vanish; upgrade and reset.
    drop(TcpStream::connect(&addr).await.unwrap());
    let mut t = TcpStream::connect(&addr).await.unwrap();
    t.write_all(b"GET /s/").await.unwrap();
    drop(t);
    let mut t = TcpStream::connect(&addr).await.unwrap();
    t.write_all(&upgrade_request(&addr, &format!("/s/{}/echo", s.id()), ""))
        .await
        .unwrap();
    let _ = read_head(&mut t, T).await;
    t.set_zero_linger().unwrap();
    drop(t);
    let ev = ended(&s, 1).await;
    assert!(
        matches!(
            ev.event,
            Event::Ended {
                how: EndReason::Reset | EndReason::PeerEof,
                ..
            }
        ),
        "{ev:?}"
    );
    let mut ws = connect(&server, &s.url("ws", "echo"), &[]).await;
    use futures_util::{SinkExt, StreamExt};
    ws.send("alive".into()).await.unwrap();
    assert_eq!(
        tokio::time::timeout(T, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap(),
        "alive".into()
    );
}
