//! The behaviours that end a connection: the server's close (on open,
//! after n messages), its answer to the client's close, drops, a server
//! that stops reading, and messages that cross a close.

use super::common::*;
use super::{next, until_end};
use futures_util::{SinkExt, StreamExt};
use mock_server::{EndReason, Event};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

#[tokio::test]
async fn close_on_open_sends_the_code_and_reason_and_records_who_closed_first() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "close-on-open/4000/bye%20now"), &[]).await;
    let (close, err) = until_end(&mut ws).await;
    assert!(err.is_none(), "{err:?}");
    let frame = close.expect("a close frame").expect("with a body");
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (4000, "bye now")
    );
    let end = ended(&s, 1).await;
    assert_eq!(
        end.event,
        Event::Ended {
            how: EndReason::CloseHandshake,
            detail: None
        }
    );
    let evs = events(&s, 1);
    assert!(evs.contains(&Event::CloseOut {
        code: Some(4000),
        reason: "bye now".into(),
        first: true
    }));
    assert!(evs.contains(&Event::CloseIn {
        code: Some(4000),
        reason: "bye now".into(),
        first: false
    }));
}

#[tokio::test]
async fn close_after_n_messages_closes_with_the_given_code() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(
        &server,
        &s.url("ws", "echo/close-after=2/close-code=4002/close-reason=done"),
        &[],
    )
    .await;
    ws.send(Message::text("1")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("1"));
    ws.send(Message::text("2")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("2"));
    let (close, _) = until_end(&mut ws).await;
    let frame = close.unwrap().unwrap();
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (4002, "done")
    );
}

#[tokio::test]
async fn the_clients_close_is_answered_with_the_same_code_by_default() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo"), &[]).await;
    ws.close(Some(CloseFrame {
        code: CloseCode::from(4001),
        reason: "mine".into(),
    }))
    .await
    .unwrap();
    let (close, err) = until_end(&mut ws).await;
    assert!(err.is_none(), "{err:?}");
    let frame = close.unwrap().unwrap();
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (4001, "mine")
    );
    assert_ended(&s, 1, EndReason::CloseHandshake).await;
}

#[tokio::test]
async fn close_answer_can_be_another_code() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(
        &server,
        &s.url(
            "wss.valid",
            "echo/close-answer=4999/close-answer-reason=other",
        ),
        &[],
    )
    .await;
    ws.close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }))
    .await
    .unwrap();
    let (close, _) = until_end(&mut ws).await;
    let frame = close.unwrap().unwrap();
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (4999, "other")
    );
    let evs = events(&s, 1);
    assert!(evs.contains(&Event::CloseOut {
        code: Some(4999),
        reason: "other".into(),
        first: false
    }));
}

#[tokio::test]
async fn close_answer_never_leaves_the_client_waiting_until_it_drops() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo/close-answer=never"), &[]).await;
    ws.close(None).await.unwrap();
    wait(&s, 1, |e| matches!(e, Event::CloseIn { .. })).await;
    // No answer arrives within a while; then the client gives up.
    let got = tokio::time::timeout(std::time::Duration::from_millis(300), ws.next()).await;
    assert!(got.is_err(), "no close answer expected, got {got:?}");
    drop(ws);
    assert_ended(&s, 1, EndReason::PeerEof).await;
    assert!(!events(&s, 1)
        .iter()
        .any(|e| matches!(e, Event::CloseOut { .. })));
}

#[tokio::test]
async fn drop_on_open_with_fin_ends_the_stream_without_a_close_frame() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "drop-on-open/fin"), &[]).await;
    let (close, err) = until_end(&mut ws).await;
    assert!(close.is_none());
    assert!(
        matches!(
            err,
            Some(WsError::Protocol(
                tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake
            ))
        ),
        "{err:?}"
    );
    assert_ended(&s, 1, EndReason::DroppedFin).await;
}

#[tokio::test]
async fn drop_on_open_with_rst_resets_the_connection() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "drop-on-open/rst"), &[]).await;
    let (close, err) = until_end(&mut ws).await;
    assert!(close.is_none());
    match err {
        Some(WsError::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
        other => panic!("a reset expected, got {other:?}"),
    }
    assert_ended(&s, 1, EndReason::DroppedRst).await;
}

#[tokio::test]
async fn drop_after_n_messages_drops_after_echoing_the_nth() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo/drop-after=1/drop=rst"), &[]).await;
    ws.send(Message::text("last")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("last"));
    let (_, err) = until_end(&mut ws).await;
    assert!(matches!(err, Some(WsError::Io(_))), "{err:?}");
}

#[tokio::test]
async fn stop_reading_never_answers_a_close() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "stop-reading"), &[]).await;
    ws.send(Message::text("unread")).await.unwrap();
    ws.close(None).await.unwrap();
    let got = tokio::time::timeout(std::time::Duration::from_millis(300), ws.next()).await;
    assert!(got.is_err(), "nothing expected, got {got:?}");
    assert!(!events(&s, 1)
        .iter()
        .any(|e| matches!(e, Event::MessageIn { .. } | Event::CloseIn { .. })));
}

#[tokio::test]
async fn a_message_that_crosses_the_servers_close_is_recorded_but_not_answered() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(
        &server,
        &s.url("ws", "echo/close-after=1/close-code=4003"),
        &[],
    )
    .await;
    // Both messages leave before the client reads the server's close.
    ws.send(Message::text("first")).await.unwrap();
    ws.send(Message::text("crossing")).await.unwrap();
    let (close, err) = until_end(&mut ws).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(close.unwrap().map(|f| u16::from(f.code)), Some(4003));
    assert_ended(&s, 1, EndReason::CloseHandshake).await;
    let evs = events(&s, 1);
    let outs = evs
        .iter()
        .filter(|e| matches!(e, Event::MessageOut { .. }))
        .count();
    assert_eq!(outs, 1, "{evs:#?}");
    assert!(evs
        .iter()
        .any(|e| matches!(e, Event::MessageIn { payload, .. } if payload == "crossing")));
}

#[tokio::test]
async fn a_client_that_drops_instead_of_answering_the_servers_close_is_recorded_as_peer_eof() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start().await;
    let s = server.create_session();
    let addr = server.addr("ws").unwrap().to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(&upgrade_request(
        &addr,
        &format!("/s/{}/close-on-open/4000", s.id()),
        "",
    ))
    .await
    .unwrap();
    assert!(read_head(&mut tcp, T).await.starts_with(b"HTTP/1.1 101"));
    let mut frame = [0u8; 4];
    tokio::time::timeout(T, tcp.read_exact(&mut frame))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(frame, [0x88, 0x02, 0x0f, 0xa0]);
    drop(tcp);
    assert_ended(&s, 1, EndReason::PeerEof).await;
    assert!(!events(&s, 1)
        .iter()
        .any(|e| matches!(e, Event::CloseIn { .. })));
}

#[tokio::test]
async fn close_answer_none_answers_with_a_close_frame_without_a_body() {
    let server = start().await;
    let s = server.create_session();
    let mut ws = connect(&server, &s.url("ws", "echo/close-answer=none"), &[]).await;
    ws.close(Some(CloseFrame {
        code: CloseCode::from(3000),
        reason: "mine".into(),
    }))
    .await
    .unwrap();
    let (close, _) = until_end(&mut ws).await;
    assert_eq!(close, Some(None), "a close frame without a body");
    let evs = events(&s, 1);
    assert!(evs.contains(&Event::CloseIn {
        code: Some(3000),
        reason: "mine".into(),
        first: true
    }));
    assert!(evs.contains(&Event::CloseOut {
        code: None,
        reason: String::new(),
        first: false
    }));
}
