//! Bounded load: 1,000 concurrent echo connections on loopback.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use mock_server::Event;
use tokio_tungstenite::tungstenite::Message;

const CONNECTIONS: u32 = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_holds_a_thousand_concurrent_echo_connections_and_closes_them_all() {
    let server = start().await;
    let s = server.create_session();
    let url = s.url("ws", "echo");
    let mut clients = Vec::new();
    for _ in 0..CONNECTIONS {
        let io = transport(&url, server.ca_pem())
            .await
            .expect("connect (raise `ulimit -n` above 2100 if this fails)");
        let (ws, _) = tokio::time::timeout(T, tokio_tungstenite::client_async(url.as_str(), io))
            .await
            .unwrap()
            .unwrap();
        clients.push(ws);
    }
    // All are open at once: each echoes while the others stay connected.
    let mut tasks = Vec::new();
    for (i, mut ws) in clients.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let text = format!("client {i}");
            ws.send(Message::text(text.clone())).await.unwrap();
            let back = tokio::time::timeout(T, ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            assert_eq!(back, Message::text(text));
            ws
        }));
    }
    let mut open = Vec::new();
    for t in tasks {
        open.push(t.await.unwrap());
    }
    assert_eq!(open.len() as u32, CONNECTIONS);
    let mut closers = Vec::new();
    for mut ws in open {
        closers.push(tokio::spawn(async move {
            ws.close(None).await.unwrap();
            while let Some(Ok(_)) = tokio::time::timeout(T, ws.next()).await.unwrap() {}
        }));
    }
    for c in closers {
        c.await.unwrap();
    }
    for conn in 1..=CONNECTIONS {
        s.wait_for(
            |e| e.conn == conn && matches!(e.event, Event::Ended { .. }),
            T,
        )
        .await
        .unwrap();
    }
    let ends = s
        .recording()
        .iter()
        .filter(|e| matches!(e.event, Event::Ended { .. }))
        .count();
    assert_eq!(ends as u32, CONNECTIONS);
}
