//! The HTTP control API, through hand-written HTTP/1.1 over loopback.

mod common;

use common::*;
use futures_util::StreamExt;
use mock_server::{Endpoints, Event, Options, RecordedEvent, SessionInfo};
use tokio_tungstenite::tungstenite::Message;

async fn control_server() -> (mock_server::MockServer, String) {
    let server = start_with(Options {
        control: true,
        ..Options::default()
    })
    .await;
    let addr = server
        .addr("control")
        .expect("a control listener")
        .to_string();
    (server, addr)
}

#[tokio::test]
async fn health_endpoints_and_ca_pem_answer() {
    let (server, addr) = control_server().await;
    assert_eq!(
        http(&addr, "GET", "/health", None).await,
        (200, r#"{"status":"ok"}"#.to_owned())
    );
    let (status, body) = http(&addr, "GET", "/endpoints", None).await;
    assert_eq!(status, 200);
    let eps: Endpoints = serde_json::from_str(&body).unwrap();
    assert_eq!(&eps, server.endpoints());
    assert_eq!(
        eps.control.as_deref(),
        Some(format!("http://{addr}").as_str())
    );
    for name in [
        "ws",
        "wss.valid",
        "wss.expired",
        "wss.not-yet-valid",
        "wss.wrong-host",
        "wss.self-signed",
        "wss.unknown-ca",
        "wss.hang",
        "tcp.closed",
    ] {
        assert!(eps.listeners.contains_key(name), "{name}");
    }
    assert_eq!(
        http(&addr, "GET", "/ca.pem", None).await,
        (200, server.ca_pem().to_owned())
    );
}

#[tokio::test]
async fn sessions_are_created_read_acted_on_and_deleted() {
    let (server, addr) = control_server().await;
    let (status, body) = http(&addr, "POST", "/sessions", None).await;
    assert_eq!(status, 201);
    let info: SessionInfo = serde_json::from_str(&body).unwrap();
    let ws_url = format!("{}/echo", info.urls["ws"]);
    assert_eq!(ws_url, server.session(&info.id).unwrap().url("ws", "echo"));

    let mut ws = connect(&server, &ws_url, &[]).await;
    let s = server.session(&info.id).unwrap();
    wait(&s, 1, |e| matches!(e, Event::HandshakeResponse { .. })).await;
    let action = r#"{"type":"send","to":{"conn":1},"message":{"text":"pushed"}}"#;
    let (status, body) = http(
        &addr,
        "POST",
        &format!("/sessions/{}/actions", info.id),
        Some(action),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, r#"{"reached":1}"#));
    assert_eq!(
        tokio::time::timeout(T, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap(),
        Message::text("pushed")
    );

    let (status, body) = http(
        &addr,
        "GET",
        &format!("/sessions/{}/recording", info.id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let rec: Vec<RecordedEvent> = serde_json::from_str(&body).unwrap();
    assert!(rec
        .iter()
        .any(|e| matches!(&e.event, Event::MessageOut { payload, .. } if payload == "pushed")));

    let (status, _) = http(
        &addr,
        "POST",
        &format!("/sessions/{}/actions", info.id),
        Some(r#"{"type":"explode"}"#),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        http(&addr, "DELETE", &format!("/sessions/{}", info.id), None)
            .await
            .0,
        204
    );
    assert_eq!(
        http(&addr, "DELETE", &format!("/sessions/{}", info.id), None)
            .await
            .0,
        404
    );
    assert_eq!(
        http(
            &addr,
            "GET",
            &format!("/sessions/{}/recording", info.id),
            None
        )
        .await
        .0,
        404
    );
    assert!(server.session(&info.id).is_none());
}

#[tokio::test]
async fn the_control_api_is_off_by_default() {
    let server = start().await;
    assert!(server.addr("control").is_none());
    assert!(server.endpoints().control.is_none());
}
