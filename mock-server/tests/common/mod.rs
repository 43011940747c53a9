//! Helpers shared by the integration tests: real clients over loopback.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use mock_server::{EndReason, Event, MockServer, Options, RecordedEvent, Session};
use rustls_pki_types::{pem::PemObject, CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::WebSocketStream;

/// Every wait in the tests is bounded by this.
pub const T: Duration = Duration::from_secs(10);

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<S: AsyncRead + AsyncWrite + Unpin + Send> Io for S {}

pub type Ws = WebSocketStream<Box<dyn Io>>;

/// A server with short deadlines, so slow paths stay quick.
pub async fn start() -> MockServer {
    start_with(Options {
        header_timeout: Duration::from_secs(3),
        close_timeout: Duration::from_secs(3),
        hold_timeout: Duration::from_secs(15),
        ..Options::default()
    })
    .await
}

pub async fn start_with(options: Options) -> MockServer {
    MockServer::start(options)
        .await
        .expect("the mock server starts")
}

pub fn client_config(ca_pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots
            .add(cert.expect("CA PEM parses"))
            .expect("CA is added");
    }
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

/// `host:port` of a `ws://` or `wss://` URL.
pub fn authority(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap();
    rest.split('/').next().unwrap().to_owned()
}

/// Opens the transport for a URL: TCP, plus TLS trusting `ca_pem` for `wss`.
pub async fn transport(url: &str, ca_pem: &str) -> std::io::Result<Box<dyn Io>> {
    let tcp = TcpStream::connect(authority(url)).await?;
    if url.starts_with("wss://") {
        let host = authority(url).rsplit_once(':').unwrap().0.to_owned();
        let name = ServerName::try_from(host).unwrap();
        let tls = TlsConnector::from(client_config(ca_pem))
            .connect(name, tcp)
            .await?;
        Ok(Box::new(tls))
    } else {
        Ok(Box::new(tcp))
    }
}

/// Connects a tokio-tungstenite client, offering `protocols` if any.
pub async fn connect(server: &MockServer, url: &str, protocols: &[&str]) -> Ws {
    let io = tokio::time::timeout(T, transport(url, server.ca_pem()))
        .await
        .expect("transport in time")
        .expect("transport");
    let mut req = url.into_client_request().unwrap();
    if !protocols.is_empty() {
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(&protocols.join(", ")).unwrap(),
        );
    }
    let (ws, _resp) = tokio::time::timeout(T, tokio_tungstenite::client_async(req, io))
        .await
        .expect("handshake in time")
        .expect("handshake succeeds");
    ws
}

/// Waits for the first event of a connection matching `f`.
pub async fn wait(session: &Session, conn: u32, f: impl Fn(&Event) -> bool) -> RecordedEvent {
    session
        .wait_for(|e| e.conn == conn && f(&e.event), T)
        .await
        .unwrap_or_else(|e| panic!("{e}; recording: {:#?}", session.recording()))
}

/// Waits for a connection's `ended` event.
pub async fn ended(session: &Session, conn: u32) -> RecordedEvent {
    wait(session, conn, |e| matches!(e, Event::Ended { .. })).await
}

/// Waits for connection `conn`'s end and checks it ended `how`, with no
/// detail.
pub async fn assert_ended(session: &Session, conn: u32, how: EndReason) {
    assert_eq!(
        ended(session, conn).await.event,
        Event::Ended { how, detail: None },
        "connection {conn}"
    );
}

/// The events of one connection, without their sequence numbers.
pub fn events(session: &Session, conn: u32) -> Vec<Event> {
    session
        .recording()
        .into_iter()
        .filter(|e| e.conn == conn)
        .map(|e| e.event)
        .collect()
}

/// Writes a raw request and reads everything the server sends until it
/// closes or `limit` passes.
pub async fn raw_exchange(addr: &str, request: &[u8], limit: Duration) -> Vec<u8> {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request).await.unwrap();
    read_until_close(&mut tcp, limit).await
}

pub async fn read_until_close<S: AsyncRead + Unpin>(s: &mut S, limit: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    out
}

/// Reads until the end of an HTTP response head (or close, or `limit`).
pub async fn read_head<S: AsyncRead + Unpin>(s: &mut S, limit: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        let mut byte = [0u8; 1];
        while !out.ends_with(b"\r\n\r\n") {
            match s.read(&mut byte).await {
                Ok(0) | Err(_) => break,
                Ok(_) => out.push(byte[0]),
            }
        }
    })
    .await;
    out
}

pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// A well-formed upgrade request for `path`, with extra header lines.
pub fn upgrade_request(host: &str, path: &str, extra: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
    .into_bytes()
}

/// One HTTP/1.1 request over a fresh connection; returns status and body.
pub async fn http(addr: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let raw = raw_exchange(addr, req.as_bytes(), T).await;
    let text = String::from_utf8(raw).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}
