//! `close-on-open-then-text` and the `closeThenText` action: a close frame
//! with a text frame right behind it, in one write, for the rule
//! `close.nothing-after` (RFC 6455 section 7.1.4).

mod common;

use common::*;
use mock_server::{Action, EndReason, Event, MessageKind, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The close frame (code 4000, reason `bye`) and the text frame `late`, as
/// an unmasked server writes them.
const CLOSE_THEN_LATE: &[u8] = &[
    0x88, 5, 0x0f, 0xa0, b'b', b'y', b'e', // close 4000 "bye"
    0x81, 4, b'l', b'a', b't', b'e', // text "late"
];

/// A masked client close frame with code 4000.
const CLIENT_CLOSE_4000: &[u8] = &[0x88, 0x82, 1, 2, 3, 4, 0x0f ^ 1, 0xa0 ^ 2];

async fn upgrade(url: &str) -> TcpStream {
    let addr = authority(url);
    let path = format!("/{}", url.splitn(4, '/').nth(3).unwrap());
    let mut tcp = TcpStream::connect(&addr).await.unwrap();
    tcp.write_all(&upgrade_request(&addr, &path, ""))
        .await
        .unwrap();
    let head = read_head(&mut tcp, T).await;
    assert!(head.starts_with(b"HTTP/1.1 101 "), "{head:?}");
    tcp
}

async fn read_exact_in_time(tcp: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(T, tcp.read_exact(&mut buf))
        .await
        .expect("in time")
        .expect("the bytes arrive");
    buf
}

/// Answers the close, then checks that the server sent nothing more and
/// closed TCP, and that it recorded close out, text out, close in, end.
async fn answer_and_check(mut tcp: TcpStream, s: &mock_server::Session, conn: u32) {
    tcp.write_all(CLIENT_CLOSE_4000).await.unwrap();
    let rest = read_until_close(&mut tcp, T).await;
    assert!(rest.is_empty(), "nothing after the text frame: {rest:?}");
    // The server closed TCP first; closing ours lets it record the end.
    drop(tcp);
    assert_ended(s, conn, EndReason::CloseHandshake).await;
    let sent: Vec<Event> = events(s, conn)
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                Event::CloseOut { .. } | Event::MessageOut { .. } | Event::CloseIn { .. }
            )
        })
        .collect();
    assert_eq!(
        sent,
        vec![
            Event::CloseOut {
                code: Some(4000),
                reason: "bye".into(),
                first: true
            },
            Event::MessageOut {
                kind: MessageKind::Text,
                len: 4,
                payload: "late".into(),
                truncated: false,
                fragments: 1
            },
            Event::CloseIn {
                code: Some(4000),
                reason: String::new(),
                first: false
            },
        ]
    );
}

#[tokio::test]
async fn close_on_open_then_text_writes_a_text_frame_right_behind_the_close_frame() {
    let server = start().await;
    let s = server.create_session();
    let mut tcp = upgrade(&s.url("ws", "close-on-open-then-text/4000/bye/late")).await;
    let got = read_exact_in_time(&mut tcp, CLOSE_THEN_LATE.len()).await;
    assert_eq!(got, CLOSE_THEN_LATE);
    answer_and_check(tcp, &s, 1).await;
}

#[tokio::test]
async fn close_on_open_then_text_has_a_default_text() {
    let server = start().await;
    let s = server.create_session();
    let mut tcp = upgrade(&s.url("ws", "close-on-open-then-text/1000")).await;
    let got = read_exact_in_time(&mut tcp, 4).await;
    assert_eq!(got, [0x88, 2, 0x03, 0xe8]);
    let text = b"after close";
    let got = read_exact_in_time(&mut tcp, 2 + text.len()).await;
    assert_eq!(got[..2], [0x81, text.len() as u8]);
    assert_eq!(&got[2..], text);
}

#[tokio::test]
async fn the_close_then_text_action_writes_the_same_bytes_on_a_live_connection() {
    let server = start().await;
    let s = server.create_session();
    let mut tcp = upgrade(&s.url("ws", "echo")).await;
    wait(&s, 1, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    let out = s
        .act(Action::CloseThenText {
            to: Target::Conn(1),
            code: Some(4000),
            reason: "bye".into(),
            text: "late".into(),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 1);
    let got = read_exact_in_time(&mut tcp, CLOSE_THEN_LATE.len()).await;
    assert_eq!(got, CLOSE_THEN_LATE);
    answer_and_check(tcp, &s, 1).await;
}

#[test]
fn the_action_serialises_with_its_type() {
    let a: Action = serde_json::from_str(
        r#"{"type":"closeThenText","to":"all","code":4000,"reason":"bye","text":"late"}"#,
    )
    .unwrap();
    assert_eq!(
        a,
        Action::CloseThenText {
            to: Target::All,
            code: Some(4000),
            reason: "bye".into(),
            text: "late".into()
        }
    );
}
