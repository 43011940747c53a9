//! Server actions through the library API.

mod common;

use common::*;
use futures_util::StreamExt;
use mock_server::{Action, DropMode, EndReason, Event, Payload, Target};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

async fn next(ws: &mut Ws) -> Message {
    tokio::time::timeout(T, ws.next())
        .await
        .expect("in time")
        .expect("not the end")
        .expect("no error")
}

#[tokio::test]
async fn send_to_one_connection_reaches_only_it() {
    let server = start().await;
    let s = server.create_session();
    let mut a = connect(&server, &s.url("ws", "silent"), &[]).await;
    let mut b = connect(&server, &s.url("ws", "silent"), &[]).await;
    wait(&s, 2, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    let out = s
        .act(Action::Send {
            to: Target::Conn(2),
            message: Payload::Text("to b".into()),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 1);
    assert_eq!(next(&mut b).await, Message::text("to b"));
    let out = s
        .act(Action::Send {
            to: Target::Conn(1),
            message: Payload::Binary(vec![1, 2]),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 1);
    assert_eq!(next(&mut a).await, Message::binary(vec![1u8, 2]));
    let out = s
        .act(Action::Send {
            to: Target::Conn(9),
            message: Payload::Text("nobody".into()),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 0);
    let rec = s.recording();
    let action_at = rec
        .iter()
        .position(|e| matches!(e.event, Event::Action { queued: 1, .. }))
        .unwrap();
    let out_at = rec
        .iter()
        .position(|e| e.conn == 2 && matches!(e.event, Event::MessageOut { .. }))
        .unwrap();
    assert!(
        action_at < out_at,
        "the action is recorded before what it did"
    );
}

#[tokio::test]
async fn send_to_a_room_and_to_all_count_the_connections_reached() {
    let server = start().await;
    let s = server.create_session();
    let mut a = connect(&server, &s.url("ws", "broadcast/r"), &[]).await;
    let mut b = connect(&server, &s.url("wss.valid", "broadcast/r"), &[]).await;
    let mut c = connect(&server, &s.url("ws", "echo"), &[]).await;
    wait(&s, 3, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    let out = s
        .act(Action::Send {
            to: Target::Room("r".into()),
            message: Payload::TextBytes(3),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 2);
    assert_eq!(next(&mut a).await, Message::text("abc"));
    assert_eq!(next(&mut b).await, Message::text("abc"));
    let out = s
        .act(Action::Send {
            to: Target::All,
            message: Payload::Fragmented {
                text: "whole".into(),
                fragments: 2,
            },
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 3);
    for ws in [&mut a, &mut b, &mut c] {
        assert_eq!(next(ws).await, Message::text("whole"));
    }
}

#[tokio::test]
async fn close_action_sends_a_close_frame_and_completes_the_handshake() {
    let server = start().await;
    let s = server.create_session();
    let mut a = connect(&server, &s.url("ws", "echo"), &[]).await;
    wait(&s, 1, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    let out = s
        .act(Action::Close {
            to: Target::Conn(1),
            code: Some(4100),
            reason: "act".into(),
        })
        .await
        .unwrap();
    assert_eq!(out.reached, 1);
    match next(&mut a).await {
        Message::Close(Some(f)) => {
            assert_eq!((u16::from(f.code), f.reason.as_str()), (4100, "act"))
        }
        other => panic!("{other:?}"),
    }
    assert!(tokio::time::timeout(T, a.next()).await.unwrap().is_none());
    assert_ended(&s, 1, EndReason::CloseHandshake).await;
}

#[tokio::test]
async fn drop_action_with_rst_resets_and_with_fin_ends_cleanly() {
    let server = start().await;
    let s = server.create_session();
    let mut a = connect(&server, &s.url("ws", "echo"), &[]).await;
    let mut b = connect(&server, &s.url("wss.valid", "echo"), &[]).await;
    wait(&s, 2, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    assert_eq!(
        s.act(Action::Drop {
            to: Target::Conn(1),
            mode: DropMode::Rst
        })
        .await
        .unwrap()
        .reached,
        1
    );
    match tokio::time::timeout(T, a.next()).await.unwrap() {
        Some(Err(WsError::Io(e))) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.act(Action::Drop {
            to: Target::Conn(2),
            mode: DropMode::Fin
        })
        .await
        .unwrap()
        .reached,
        1
    );
    match tokio::time::timeout(T, b.next()).await.unwrap() {
        Some(Err(WsError::Protocol(_))) | None => {}
        other => panic!("{other:?}"),
    }
    assert_ended(&s, 1, EndReason::DroppedRst).await;
    assert_ended(&s, 2, EndReason::DroppedFin).await;
    // Both are gone: an action reaches nobody.
    assert_eq!(
        s.act(Action::Send {
            to: Target::All,
            message: Payload::Text("x".into())
        })
        .await
        .unwrap()
        .reached,
        0
    );
}

#[tokio::test]
async fn actions_serialise_as_documented() {
    let a: Action =
        serde_json::from_str(r#"{"type":"send","to":{"conn":1},"message":{"text":"hi"}}"#).unwrap();
    assert_eq!(
        a,
        Action::Send {
            to: Target::Conn(1),
            message: Payload::Text("hi".into())
        }
    );
    let a: Action =
        serde_json::from_str(r#"{"type":"send","to":"all","message":{"binary":"AAEC"}}"#).unwrap();
    assert_eq!(
        a,
        Action::Send {
            to: Target::All,
            message: Payload::Binary(vec![0, 1, 2])
        }
    );
    let a: Action =
        serde_json::from_str(r#"{"type":"close","to":{"room":"r1"},"code":4000,"reason":"bye"}"#)
            .unwrap();
    assert_eq!(
        a,
        Action::Close {
            to: Target::Room("r1".into()),
            code: Some(4000),
            reason: "bye".into()
        }
    );
    let a: Action = serde_json::from_str(r#"{"type":"drop","to":"all","mode":"rst"}"#).unwrap();
    assert_eq!(
        a,
        Action::Drop {
            to: Target::All,
            mode: DropMode::Rst
        }
    );
    let a: Action = serde_json::from_str(
        r#"{"type":"send","to":"all","message":{"fragmented":{"text":"abc","fragments":2}}}"#,
    )
    .unwrap();
    assert_eq!(
        a,
        Action::Send {
            to: Target::All,
            message: Payload::Fragmented {
                text: "abc".into(),
                fragments: 2
            }
        }
    );
    assert!(serde_json::from_str::<Action>(
        r#"{"type":"send","to":"all","message":{"binary":"!!"}}"#
    )
    .unwrap_err()
    .to_string()
    .contains("invalid base64"));
}
