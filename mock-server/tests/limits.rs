//! Limits the server states and enforces: generated message sizes, what an
//! action's `reached` counts, the number of live sessions, and what happens
//! to connections when their session or the server goes away.

mod common;

use common::*;
use mock_server::{Action, Options, Payload, Target, MAX_GENERATED_BYTES};

async fn control_server() -> (mock_server::MockServer, String) {
    let server = start_with(Options {
        control: true,
        ..Options::default()
    })
    .await;
    let addr = server.addr("control").unwrap().to_string();
    (server, addr)
}

#[tokio::test]
async fn a_generated_size_over_the_cap_is_refused_by_the_library_naming_field_value_and_limit() {
    let server = start().await;
    let s = server.create_session();
    let _ws = connect(&server, &s.url("ws", "silent"), &[]).await;
    let over = MAX_GENERATED_BYTES + 1;
    for (message, field) in [
        (Payload::BinaryBytes(over), "binaryBytes"),
        (Payload::TextBytes(over), "textBytes"),
    ] {
        let e = s
            .act(Action::Send {
                to: Target::All,
                message,
            })
            .await
            .expect_err("refused");
        let text = e.to_string();
        assert!(text.contains(field), "{text}");
        assert!(text.contains(&over.to_string()), "{text}");
        assert!(text.contains(&MAX_GENERATED_BYTES.to_string()), "{text}");
    }
    // At the cap itself it is still accepted.
    let out = s
        .act(Action::Send {
            to: Target::All,
            message: Payload::BinaryBytes(0),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 1);
}

#[tokio::test]
async fn a_generated_size_over_the_cap_is_a_422_from_the_control_api() {
    let (server, addr) = control_server().await;
    let s = server.create_session();
    let over = MAX_GENERATED_BYTES + 1;
    let body = format!(r#"{{"type":"send","to":"all","message":{{"binaryBytes":{over}}}}}"#);
    let (status, text) = http(
        &addr,
        "POST",
        &format!("/sessions/{}/actions", s.id()),
        Some(&body),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("binaryBytes"), "{text}");
    assert!(text.contains(&over.to_string()), "{text}");
    assert!(text.contains(&MAX_GENERATED_BYTES.to_string()), "{text}");
}

/// Opens a connection by hand and reads the 101, then never reads again.
async fn connect_never_reading(url: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = authority(url);
    let path = format!("/{}", url.splitn(4, '/').nth(3).unwrap());
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(&upgrade_request(&addr, &path, ""))
        .await
        .unwrap();
    let head = read_head(&mut tcp, T).await;
    assert!(head.starts_with(b"HTTP/1.1 101 "), "{head:?}");
    tcp
}

#[tokio::test]
async fn reached_counts_only_deliveries_written_before_the_action_timeout() {
    let server = start_with(Options {
        action_timeout: std::time::Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let s = server.create_session();
    let _stuck = connect_never_reading(&s.url("ws", "silent")).await;
    wait(&s, 1, |e| {
        matches!(e, mock_server::Event::HandshakeResponse { .. })
    })
    .await;
    // More than the socket buffers hold: the write blocks past the timeout.
    let out = s
        .act(Action::Send {
            to: Target::Conn(1),
            message: Payload::BinaryBytes(MAX_GENERATED_BYTES),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 0, "a delivery still blocked is not reached");
    // The queue still takes the next one, which is not written either.
    let out = s
        .act(Action::Send {
            to: Target::Conn(1),
            message: Payload::Text("behind".into()),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 0);
}

#[tokio::test]
async fn reached_does_not_count_a_send_to_a_connection_that_is_closing() {
    let server = start().await;
    let s = server.create_session();
    // The server's close frame goes out on open; a client that never
    // answers keeps the connection closing.
    let _c = connect_never_reading(&s.url("ws", "close-on-open/4000")).await;
    wait(&s, 1, |e| matches!(e, mock_server::Event::CloseOut { .. })).await;
    let out = s
        .act(Action::Send {
            to: Target::Conn(1),
            message: Payload::Text("after close".into()),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 0, "nothing is written after a close frame");
}

#[tokio::test]
async fn live_sessions_are_capped_and_a_dropped_or_deleted_session_frees_its_place() {
    let server = start_with(Options {
        max_sessions: 2,
        ..Options::default()
    })
    .await;
    let a = server.try_create_session().unwrap();
    let b = server.try_create_session().unwrap();
    let e = server.try_create_session().expect_err("over the cap");
    let text = e.to_string();
    assert!(text.contains("2 sessions"), "{text}");
    assert!(text.contains("max_sessions"), "{text}");
    // Dropping the last handle frees the place (and the id no longer routes).
    let a_url = a.url("ws", "echo");
    drop(a);
    let c = server.try_create_session().expect("a's place is free");
    let refused = raw_exchange(
        &authority(&a_url),
        &upgrade_request(&authority(&a_url), "/s/s1/echo", ""),
        T,
    )
    .await;
    assert!(refused.starts_with(b"HTTP/1.1 404 "), "{refused:?}");
    // Deleting frees it too, even while a handle is still held.
    assert!(server.delete_session(b.id()));
    let _d = server.try_create_session().expect("b's place is free");
    assert!(server.try_create_session().is_err());
    drop(c);
}

#[tokio::test]
async fn a_live_connection_keeps_its_session_while_it_lasts() {
    let server = start_with(Options {
        max_sessions: 1,
        ..Options::default()
    })
    .await;
    let s = server.try_create_session().unwrap();
    let mut ws = connect(&server, &s.url("ws", "echo"), &[]).await;
    drop(s);
    assert!(
        server.try_create_session().is_err(),
        "the connection holds it"
    );
    use futures_util::{SinkExt, StreamExt};
    ws.send(tokio_tungstenite::tungstenite::Message::text("still here"))
        .await
        .unwrap();
    let back = tokio::time::timeout(T, ws.next()).await.unwrap().unwrap();
    assert_eq!(
        back.unwrap(),
        tokio_tungstenite::tungstenite::Message::text("still here")
    );
}

#[tokio::test]
async fn the_control_api_answers_503_over_the_session_cap_until_one_is_deleted() {
    let server = start_with(Options {
        control: true,
        max_sessions: 1,
        ..Options::default()
    })
    .await;
    let addr = server.addr("control").unwrap().to_string();
    let (status, body) = http(&addr, "POST", "/sessions", None).await;
    assert_eq!(status, 201, "{body}");
    let info: mock_server::SessionInfo = serde_json::from_str(&body).unwrap();
    // The control API holds its sessions: nobody else has a handle.
    assert!(server.session(&info.id).is_some());
    let (status, body) = http(&addr, "POST", "/sessions", None).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("max_sessions"), "{body}");
    let (status, _) = http(&addr, "DELETE", &format!("/sessions/{}", info.id), None).await;
    assert_eq!(status, 204);
    let (status, body) = http(&addr, "POST", "/sessions", None).await;
    assert_eq!(status, 201, "{body}");
}

async fn next_message(ws: &mut Ws) -> tokio_tungstenite::tungstenite::Message {
    use futures_util::StreamExt;
    tokio::time::timeout(T, ws.next())
        .await
        .expect("a message in time")
        .expect("not the end")
        .expect("no error")
}

fn close_code(m: &tokio_tungstenite::tungstenite::Message) -> Option<(u16, String)> {
    match m {
        tokio_tungstenite::tungstenite::Message::Close(Some(f)) => {
            Some((u16::from(f.code), f.reason.to_string()))
        }
        _ => None,
    }
}

#[tokio::test]
async fn deleting_a_session_closes_its_live_connections_with_1001() {
    let (server, addr) = control_server().await;
    let s = server.create_session();
    let mut a = connect(&server, &s.url("ws", "echo"), &[]).await;
    let mut b = connect(&server, &s.url("wss.valid", "silent"), &[]).await;
    wait(&s, 2, |e| {
        matches!(e, mock_server::Event::HandshakeResponse { .. })
    })
    .await;
    let (status, _) = http(&addr, "DELETE", &format!("/sessions/{}", s.id()), None).await;
    assert_eq!(status, 204);
    for ws in [&mut a, &mut b] {
        let m = next_message(ws).await;
        assert_eq!(
            close_code(&m),
            Some((1001, "session deleted".into())),
            "{m:?}"
        );
    }
    // The clients answer; each connection ends with a close handshake.
    use futures_util::StreamExt;
    let end = tokio::time::timeout(T, a.next()).await.unwrap();
    assert!(end.is_none(), "{end:?}");
    // (Reading is what makes tungstenite send its answer. Over TLS the
    // server ends without close_notify, which the client reports.)
    let _ = tokio::time::timeout(T, b.next()).await.unwrap();
    for conn in [1, 2] {
        assert_eq!(
            ended(&s, conn).await.event,
            mock_server::Event::Ended {
                how: mock_server::EndReason::CloseHandshake,
                detail: None
            }
        );
    }
    // The library call does the same.
    let s2 = server.create_session();
    let mut c = connect(&server, &s2.url("ws", "echo"), &[]).await;
    wait(&s2, 1, |e| {
        matches!(e, mock_server::Event::HandshakeResponse { .. })
    })
    .await;
    assert!(server.delete_session(s2.id()));
    let m = next_message(&mut c).await;
    assert_eq!(close_code(&m), Some((1001, "session deleted".into())));
}

#[tokio::test]
async fn an_oversize_client_message_gets_a_1009_close_before_the_connection_ends() {
    use futures_util::SinkExt;
    let server = start_with(Options {
        max_message_size: 1024,
        max_frame_size: 1024,
        ..Options::default()
    })
    .await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo"), &[]).await;
    ws.send(tokio_tungstenite::tungstenite::Message::binary(vec![
        0u8;
        4096
    ]))
    .await
    .unwrap();
    let m = next_message(&mut ws).await;
    let (code, reason) = close_code(&m).unwrap_or_else(|| panic!("{m:?}"));
    assert_eq!(code, 1009);
    assert!(reason.contains("1024"), "{reason}");
    let end = ended(&s, 1).await;
    assert!(
        matches!(&end.event, mock_server::Event::Ended { how: mock_server::EndReason::Error, detail: Some(d) } if d.contains("Space limit")),
        "{end:?}"
    );
    assert!(events(&s, 1).iter().any(|e| matches!(
        e,
        mock_server::Event::CloseOut {
            code: Some(1009),
            first: true,
            ..
        }
    )));
}
