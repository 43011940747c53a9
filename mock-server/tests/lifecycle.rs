//! Start-up and shutdown: nothing hangs, live connections are recorded as
//! ended by the shutdown, and the ports are released.

mod common;

use common::*;
use futures_util::StreamExt;
use mock_server::{EndReason, Event};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn shutdown_ends_live_and_held_connections_and_releases_the_ports() {
    let server = start().await;
    let s = server.create_session();
    let mut open = connect(&server, &s.url("ws", "echo"), &[]).await;
    let addr = server.addr("ws").unwrap();
    let mut held = TcpStream::connect(addr).await.unwrap();
    held.write_all(&upgrade_request(
        &addr.to_string(),
        &format!("/s/{}/fault/never-answer", s.id()),
        "",
    ))
    .await
    .unwrap();
    let _hang = TcpStream::connect(server.addr("wss.hang").unwrap())
        .await
        .unwrap();
    wait(&s, 2, |e| matches!(e, Event::NoResponse { .. })).await;

    tokio::time::timeout(T, server.shutdown())
        .await
        .expect("shutdown completes in time");

    for conn in [1, 2] {
        assert_ended(&s, conn, EndReason::Shutdown).await;
    }
    // The client gets a close frame 1001 (going away), then the end, and
    // nothing listens any more.
    match tokio::time::timeout(T, open.next()).await.expect("in time") {
        Some(Ok(Message::Close(Some(f)))) => {
            assert_eq!(
                (u16::from(f.code), f.reason.as_str()),
                (1001, "server shutting down")
            )
        }
        other => panic!("{other:?}"),
    }
    let end = tokio::time::timeout(T, open.next())
        .await
        .expect("the end in time");
    assert!(!matches!(end, Some(Ok(_))), "{end:?}");
    assert!(events(&s, 1).contains(&Event::CloseOut {
        code: Some(1001),
        reason: "server shutting down".into(),
        first: true
    }));
    let refused = TcpStream::connect(addr).await.unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    // Recordings outlive the server.
    assert!(s.recording().len() >= 6);
}

#[tokio::test]
async fn dropping_the_server_stops_it_too() {
    let server = start().await;
    let addr = server.addr("wss.valid").unwrap();
    drop(server);
    // Dropping aborts the listener tasks, which finish on the runtime; until
    // then a connect may still land in the backlog (and be reset).
    tokio::time::timeout(T, async {
        loop {
            match TcpStream::connect(addr).await {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
                _ => tokio::task::yield_now().await,
            }
        }
    })
    .await
    .expect("the listener goes away");
}

#[tokio::test]
async fn session_urls_name_every_listener_and_unknown_listeners_give_none() {
    let server = start().await;
    let s = server.create_session();
    assert_eq!(
        s.url("ws", "echo"),
        format!("{}/s/{}/echo", server.base_url("ws").unwrap(), s.id())
    );
    assert_eq!(
        s.url("wss.valid", "/echo"),
        format!(
            "{}/s/{}/echo",
            server.base_url("wss.valid").unwrap(),
            s.id()
        )
    );
    assert!(s.try_url("nope", "echo").is_none());
    assert!(server.base_url("nope").is_none());
    assert_eq!(server.session(s.id()).unwrap().id(), s.id());
    assert!(server.delete_session(s.id()));
    assert!(server.session(s.id()).is_none());
    assert_eq!(s.urls().len(), server.endpoints().listeners.len());
}
