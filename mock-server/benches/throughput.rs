//! Throughput of the mock server beside a minimal tokio-tungstenite server,
//! measured in the same run: echo round trips per second and broadcast
//! fan-out messages per second. Bounded in time (about 10 s).
//!
//! Run with `cargo bench -p mock-server --bench throughput`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mock_server::{MockServer, Options};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

const ECHO_CLIENTS: usize = 16;
const ROOM_MEMBERS: usize = 16;
const BATCH: usize = 100;
const PHASE: Duration = Duration::from_secs(2);

type Client = WebSocketStream<TcpStream>;

async fn client(url: &str) -> Client {
    let addr = url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    tokio_tungstenite::client_async(url, tcp).await.unwrap().0
}

/// A minimal echo server: accept_async and send back what arrives.
async fn baseline_echo() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            tcp.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                while let Some(Ok(m)) = ws.next().await {
                    if (m.is_text() || m.is_binary()) && ws.send(m).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

/// A minimal broadcast server: every message goes to every connection.
async fn baseline_broadcast() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, _) = broadcast::channel::<Message>(4096);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            tcp.set_nodelay(true).unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let (mut sink, mut stream) = ws.split();
                let mut rx = tx.subscribe();
                let writer = tokio::spawn(async move {
                    while let Ok(m) = rx.recv().await {
                        if sink.send(m).await.is_err() {
                            break;
                        }
                    }
                });
                while let Some(Ok(m)) = stream.next().await {
                    if m.is_text() || m.is_binary() {
                        let _ = tx.send(m);
                    }
                }
                writer.abort();
            });
        }
    });
    addr
}

async fn echo_rate(url: &str) -> f64 {
    let mut tasks = Vec::new();
    let start = Instant::now();
    for _ in 0..ECHO_CLIENTS {
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut ws = client(&url).await;
            let mut n = 0u64;
            let payload = "x".repeat(32);
            let t0 = Instant::now();
            while t0.elapsed() < PHASE {
                ws.send(Message::text(payload.clone())).await.unwrap();
                ws.next().await.unwrap().unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

async fn fanout_rate(url: &str) -> f64 {
    let mut members = Vec::new();
    for _ in 0..ROOM_MEMBERS {
        members.push(client(url).await);
    }
    // Make sure every member has joined: one message must reach all.
    members[0].send(Message::text("join")).await.unwrap();
    for m in members.iter_mut() {
        m.next().await.unwrap().unwrap();
    }
    let mut sender = members.remove(0);
    let mut readers = Vec::new();
    let (go_tx, _) = broadcast::channel::<bool>(16);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<()>(ROOM_MEMBERS * 2);
    for mut m in members {
        let mut go = go_tx.subscribe();
        let done = done_tx.clone();
        readers.push(tokio::spawn(async move {
            let mut got = 0u64;
            while let Ok(true) = go.recv().await {
                for _ in 0..BATCH {
                    m.next().await.unwrap().unwrap();
                    got += 1;
                }
                done.send(()).await.unwrap();
            }
            got
        }));
    }
    let start = Instant::now();
    let mut batches = 0u64;
    while start.elapsed() < PHASE {
        go_tx.send(true).unwrap();
        for i in 0..BATCH {
            sender.feed(Message::text(format!("m{i}"))).await.unwrap();
        }
        sender.flush().await.unwrap();
        for _ in 0..BATCH {
            sender.next().await.unwrap().unwrap();
        }
        for _ in 0..ROOM_MEMBERS - 1 {
            done_rx.recv().await.unwrap();
        }
        batches += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    go_tx.send(false).unwrap();
    let mut delivered = batches * BATCH as u64; // the sender's own copies
    for r in readers {
        delivered += r.await.unwrap();
    }
    delivered as f64 / elapsed
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = MockServer::start(Options::default()).await.unwrap();
        let session = server.create_session();
        let base_echo = baseline_echo().await;
        let base_bcast = baseline_broadcast().await;

        let mock_echo = echo_rate(&session.url("ws", "echo")).await;
        let plain_echo = echo_rate(&format!("ws://{base_echo}/")).await;
        let mock_fan = fanout_rate(&session.url("ws", "broadcast/bench")).await;
        let plain_fan = fanout_rate(&format!("ws://{base_bcast}/")).await;

        println!("echo: {ECHO_CLIENTS} clients, 32-byte text, {PHASE:?} each");
        println!("  mock-server          {mock_echo:>10.0} round trips/s");
        println!("  minimal tungstenite  {plain_echo:>10.0} round trips/s");
        println!("  ratio                {:>10.2}", mock_echo / plain_echo);
        println!("broadcast: {ROOM_MEMBERS} members, batches of {BATCH}, {PHASE:?} each");
        println!("  mock-server          {mock_fan:>10.0} messages delivered/s");
        println!("  minimal tungstenite  {plain_fan:>10.0} messages delivered/s");
        println!("  ratio                {:>10.2}", mock_fan / plain_fan);
        server.shutdown().await;
    });
}
