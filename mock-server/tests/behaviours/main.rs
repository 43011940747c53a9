//! Each behaviour of the path scheme, driven by a tokio-tungstenite client,
//! with the recording checked.
//!
//! The closing behaviours (close-on-open, close-after, close-answer,
//! drop, stop-reading) are in [`closing`].

mod closing;
#[path = "../common/mod.rs"]
mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use mock_server::{EndReason, Event, MessageKind};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

async fn next(ws: &mut Ws) -> Message {
    tokio::time::timeout(T, ws.next())
        .await
        .expect("a message in time")
        .expect("not the end")
        .expect("no error")
}

/// Reads until the stream ends; returns the close frame seen, if any, and the
/// error that ended it, if any.
async fn until_end(ws: &mut Ws) -> (Option<Option<CloseFrame>>, Option<WsError>) {
    let mut close = None;
    loop {
        match tokio::time::timeout(T, ws.next())
            .await
            .expect("the end in time")
        {
            None => return (close, None),
            Some(Ok(Message::Close(f))) => close = Some(f),
            Some(Ok(_)) => {}
            Some(Err(e)) => return (close, Some(e)),
        }
    }
}

#[tokio::test]
async fn echo_returns_text_and_binary_whole_and_records_both_directions() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo"), &[]).await;
    ws.send(Message::text("hello")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("hello"));
    ws.send(Message::binary(vec![0u8, 1, 2, 255]))
        .await
        .unwrap();
    assert_eq!(next(&mut ws).await, Message::binary(vec![0u8, 1, 2, 255]));
    ws.close(None).await.unwrap();
    let _ = until_end(&mut ws).await;
    let end = ended(&s, 1).await;
    assert_eq!(
        end.event,
        Event::Ended {
            how: EndReason::CloseHandshake,
            detail: None
        }
    );
    let evs = events(&s, 1);
    assert!(matches!(&evs[0], Event::Accepted { listener, .. } if listener == "ws"));
    assert!(matches!(&evs[1], Event::HandshakeRequest { method, .. } if method == "GET"));
    assert_eq!(
        evs[2],
        Event::HandshakeResponse {
            status: 101,
            protocol: None,
            fault: None,
            error: None
        }
    );
    assert_eq!(
        evs[3],
        Event::MessageIn {
            kind: MessageKind::Text,
            len: 5,
            payload: "hello".into(),
            truncated: false
        }
    );
    assert_eq!(
        evs[4],
        Event::MessageOut {
            kind: MessageKind::Text,
            len: 5,
            payload: "hello".into(),
            truncated: false,
            fragments: 1
        }
    );
    assert_eq!(
        evs[5],
        Event::MessageIn {
            kind: MessageKind::Binary,
            len: 4,
            payload: "AAEC/w==".into(),
            truncated: false
        }
    );
    assert_eq!(
        evs[7],
        Event::CloseIn {
            code: None,
            reason: String::new(),
            first: true
        }
    );
    assert_eq!(
        evs[8],
        Event::CloseOut {
            code: None,
            reason: String::new(),
            first: false
        }
    );
    let seqs: Vec<u64> = s.recording().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
}

#[tokio::test]
async fn echo_over_wss_valid_works_like_ws() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("wss.valid", "echo"), &[]).await;
    ws.send(Message::text("über")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("über"));
    let ev = wait(&s, 1, |e| matches!(e, Event::Accepted { .. })).await;
    assert!(matches!(ev.event, Event::Accepted { listener, .. } if listener == "wss.valid"));
}

#[tokio::test]
async fn the_query_and_headers_are_recorded_as_sent_and_not_interpreted() {
    let server = start().await;
    let s = server.create_session();
    let url = format!("{}?a=1&b=%20x", s.url("ws", "echo"));
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        url.as_str(),
    )
    .unwrap();
    req.headers_mut().insert("X-Custom", "v1".parse().unwrap());
    let io = transport(&url, server.ca_pem()).await.unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(req, io).await.unwrap();
    ws.send(Message::text("q")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("q"));
    let ev = wait(&s, 1, |e| matches!(e, Event::HandshakeRequest { .. })).await;
    let Event::HandshakeRequest {
        path,
        query,
        headers,
        protocols,
        ..
    } = ev.event
    else {
        unreachable!()
    };
    assert_eq!(path, format!("/s/{}/echo", s.id()));
    assert_eq!(query.as_deref(), Some("a=1&b=%20x"));
    assert!(protocols.is_empty());
    let names: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        names.contains(&"x-custom") || names.contains(&"X-Custom"),
        "{names:?}"
    );
    assert!(headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("sec-websocket-version") && v == "13"));
}

#[tokio::test]
async fn a_normal_upgrade_selects_the_first_offered_subprotocol() {
    let server = start().await;
    let s = server.create_session();
    let _ws = connect(&server, &s.url("ws", "echo"), &["chat", "superchat"]).await;
    let ev = wait(&s, 1, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    assert_eq!(
        ev.event,
        Event::HandshakeResponse {
            status: 101,
            protocol: Some("chat".into()),
            fault: None,
            error: None
        }
    );
    let req = wait(&s, 1, |e| matches!(e, Event::HandshakeRequest { .. })).await;
    assert!(
        matches!(req.event, Event::HandshakeRequest { protocols, .. } if protocols == ["chat", "superchat"])
    );
}

#[tokio::test]
async fn broadcast_reaches_every_member_including_the_sender() {
    let server = start().await;
    let s = server.create_session();
    let mut a = connect(&server, &s.url("ws", "broadcast/r1"), &[]).await;
    let mut b = connect(&server, &s.url("wss.valid", "broadcast/r1"), &[]).await;
    wait(&s, 2, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    a.send(Message::text("from a")).await.unwrap();
    assert_eq!(next(&mut a).await, Message::text("from a"));
    assert_eq!(next(&mut b).await, Message::text("from a"));
    b.send(Message::binary(vec![7u8])).await.unwrap();
    assert_eq!(next(&mut a).await, Message::binary(vec![7u8]));
    assert_eq!(next(&mut b).await, Message::binary(vec![7u8]));
}

#[tokio::test]
async fn broadcast_others_leaves_out_the_sender_and_rooms_are_separate() {
    let server = start().await;
    let s = server.create_session();
    let mut a = connect(&server, &s.url("ws", "broadcast-others/r1"), &[]).await;
    let mut b = connect(&server, &s.url("ws", "broadcast-others/r1"), &[]).await;
    let mut c = connect(&server, &s.url("ws", "broadcast-others/r2"), &[]).await;
    wait(&s, 3, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    a.send(Message::text("one")).await.unwrap();
    assert_eq!(next(&mut b).await, Message::text("one"));
    b.send(Message::text("two")).await.unwrap();
    assert_eq!(next(&mut a).await, Message::text("two"));
    c.send(Message::text("alone")).await.unwrap();
    wait(&s, 3, |e| matches!(e, Event::MessageIn { .. })).await;
    // a got exactly "two" (not its own "one"), and nothing from room r2:
    // prove it by a marker sent after, which must be the next message.
    b.send(Message::text("marker")).await.unwrap();
    assert_eq!(next(&mut a).await, Message::text("marker"));
    assert!(events(&s, 3)
        .iter()
        .all(|e| !matches!(e, Event::MessageOut { .. })));
}

#[tokio::test]
async fn send_on_open_sends_a_text_a_binary_and_sized_messages() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "send-on-open/text/hi%20there"), &[]).await;
    assert_eq!(next(&mut ws).await, Message::text("hi there"));
    let mut ws = connect(&server, &s.url("ws", "send-on-open/binary/00ff10"), &[]).await;
    assert_eq!(next(&mut ws).await, Message::binary(vec![0u8, 255, 16]));
    let mut ws = connect(
        &server,
        &s.url("ws", "send-on-open/binary-bytes/70000"),
        &[],
    )
    .await;
    let Message::Binary(b) = next(&mut ws).await else {
        panic!("binary expected")
    };
    assert_eq!(b.len(), 70000);
    assert_eq!(b[252], 1);
    let ev = wait(&s, 3, |e| matches!(e, Event::MessageOut { .. })).await;
    let Event::MessageOut {
        len,
        truncated,
        payload,
        ..
    } = ev.event
    else {
        unreachable!()
    };
    assert_eq!((len, truncated), (70000, true));
    assert!(payload.len() < 70000);
    let mut ws = connect(&server, &s.url("ws", "send-on-open/text-bytes/30"), &[]).await;
    assert_eq!(
        next(&mut ws).await,
        Message::text("abcdefghijklmnopqrstuvwxyzabcd")
    );
}

#[tokio::test]
async fn send_on_open_fragmented_sends_one_message_in_n_frames() {
    let server = start().await;
    let s = server.create_session();
    // A raw client, to see the frames themselves.
    let addr = server.addr("ws").unwrap().to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    use tokio::io::AsyncWriteExt;
    tcp.write_all(&upgrade_request(
        &addr,
        &format!("/s/{}/send-on-open/fragmented/3/abcdefg", s.id()),
        "",
    ))
    .await
    .unwrap();
    let head = read_head(&mut tcp, T).await;
    assert!(head.starts_with(b"HTTP/1.1 101"));
    let ev = wait(&s, 1, |e| matches!(e, Event::MessageOut { .. })).await;
    assert!(matches!(
        ev.event,
        Event::MessageOut {
            fragments: 3,
            len: 7,
            ..
        }
    ));
    let mut frames = vec![0u8; 3 * 2 + 7];
    use tokio::io::AsyncReadExt;
    tokio::time::timeout(T, tcp.read_exact(&mut frames))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(frames, b"\x01\x03abc\x00\x03def\x80\x01g");
    // And tungstenite reassembles it.
    let mut ws = connect(
        &server,
        &s.url("wss.valid", "send-on-open/fragmented/4/hello%20world"),
        &[],
    )
    .await;
    assert_eq!(next(&mut ws).await, Message::text("hello world"));
}

#[tokio::test]
async fn a_bad_path_gets_400_saying_what_is_wrong_and_is_recorded() {
    let server = start().await;
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    let raw = raw_exchange(
        &addr,
        &upgrade_request(&addr, &format!("/s/{}/broadcast", s.id()), ""),
        T,
    )
    .await;
    let text = String::from_utf8(raw).unwrap();
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    assert!(
        text.ends_with("behaviour broadcast needs a room name\n"),
        "{text}"
    );
    let ev = wait(&s, 1, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    assert_eq!(
        ev.event,
        Event::HandshakeResponse {
            status: 400,
            protocol: None,
            fault: None,
            error: Some("behaviour broadcast needs a room name".into())
        }
    );
    assert_ended(&s, 1, EndReason::ServerClosed).await;
}

#[tokio::test]
async fn an_unknown_session_gets_404_and_lands_in_the_unrouted_log() {
    let server = start().await;
    let addr = server.addr("ws").unwrap().to_string();
    let raw = raw_exchange(&addr, &upgrade_request(&addr, "/s/nope/echo", ""), T).await;
    let text = String::from_utf8(raw).unwrap();
    assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
    assert!(text.ends_with("no session with id \"nope\"\n"), "{text}");
    let log = server.unrouted();
    assert!(log.iter().any(
        |e| matches!(&e.event, Event::HandshakeRequest { path, .. } if path == "/s/nope/echo")
    ));
    assert!(log
        .iter()
        .any(|e| matches!(&e.event, Event::HandshakeResponse { status: 404, .. })));
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_recorded_as_an_error_and_the_server_survives() {
    let server = start_with(mock_server::Options {
        max_message_size: 1024,
        max_frame_size: 1024,
        ..Default::default()
    })
    .await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo"), &[]).await;
    ws.send(Message::binary(vec![0u8; 4096])).await.unwrap();
    let end = ended(&s, 1).await;
    assert!(
        matches!(&end.event, Event::Ended { how: EndReason::Error, detail: Some(d) } if d.contains("too long") || d.contains("Space limit")),
        "{end:?}"
    );
    let mut ws2 = connect(&server, &s.url("ws", "echo"), &[]).await;
    ws2.send(Message::text("still here")).await.unwrap();
    assert_eq!(next(&mut ws2).await, Message::text("still here"));
}

#[tokio::test]
async fn connection_numbers_follow_connect_order_within_a_session() {
    let server = start().await;
    let s1 = server.create_session();
    let s2 = server.create_session();
    assert_ne!(s1.id(), s2.id());
    let _a = connect(&server, &s1.url("ws", "echo"), &[]).await;
    let _b = connect(&server, &s2.url("ws", "echo"), &[]).await;
    let _c = connect(&server, &s1.url("ws", "echo"), &[]).await;
    wait(&s1, 2, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    wait(&s2, 1, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    assert!(s2.recording().iter().all(|e| e.conn == 1));
}

#[tokio::test]
async fn the_recording_serialises_to_camel_case_json() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo"), &[]).await;
    ws.send(Message::text("x")).await.unwrap();
    next(&mut ws).await;
    let json = serde_json::to_value(s.recording()).unwrap();
    assert_eq!(json[0]["seq"], 1);
    assert_eq!(json[0]["conn"], 1);
    assert_eq!(json[0]["event"]["type"], "accepted");
    assert_eq!(json[1]["event"]["type"], "handshakeRequest");
    assert!(json[1]["event"]["headers"][0].is_array());
    assert_eq!(json[3]["event"]["type"], "messageIn");
    assert_eq!(json[3]["event"]["kind"], "text");
    let back: Vec<mock_server::RecordedEvent> = serde_json::from_value(json).unwrap();
    assert_eq!(back, s.recording()[..back.len()]);
}

#[tokio::test]
async fn the_protocol_option_selects_that_subprotocol_offered_or_not() {
    let server = start().await;
    let s = server.create_session();
    // Offered second: selected all the same.
    let mut ws = connect(
        &server,
        &s.url("ws", "echo/protocol=superchat"),
        &["chat", "superchat"],
    )
    .await;
    ws.send(Message::text("still echoed")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("still echoed"));
    // Not offered at all: written anyway, on a good 101 (no fault).
    let addr = server.addr("ws").unwrap().to_string();
    let path = format!("/s/{}/echo/protocol=x%20y", s.id());
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut tcp, &upgrade_request(&addr, &path, ""))
        .await
        .unwrap();
    let head = String::from_utf8(read_head(&mut tcp, T).await).unwrap();
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(
        head.contains("\r\nSec-WebSocket-Protocol: x y\r\n"),
        "{head}"
    );
    for (conn, protocol) in [(1, "superchat"), (2, "x y")] {
        let ev = wait(&s, conn, |e| matches!(e, Event::HandshakeResponse { .. })).await;
        assert_eq!(
            ev.event,
            Event::HandshakeResponse {
                status: 101,
                protocol: Some(protocol.into()),
                fault: None,
                error: None
            }
        );
    }
}
