//! Helpers for the integration tests: the mock server (one per test) and
//! what it recorded, expected events and how to await them, plus the little
//! the mock server does not offer, on raw TCP and TLS (see "local server").
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use mock_server::{EndReason, Event as Recorded, MessageKind};
use mock_server::{MockServer, Options, Session};
use reference_impl::{
    Behaviour, CallId, CallbackKind, Config, ConnectSocketOptions, ErrorCode, Event, EventType, My,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

// ---------------------------------------------------------------- events

/// The longest any test waits for one event.
pub const WAIT: Duration = Duration::from_secs(5);
/// How long "nothing more happens" is watched for.
pub const QUIET: Duration = Duration::from_millis(150);

/// The test configuration: short timeouts, 1 KiB messages.
pub fn config() -> Config {
    Config {
        connect_timeout_ms: 5_000,
        close_timeout_ms: 400,
        max_message_bytes: 1024,
        ..Config::default()
    }
}

pub fn my() -> My {
    my_with(config())
}

/// A conforming context with `config`.
pub fn my_with(config: Config) -> My {
    My::new(config, Behaviour::default()).expect("the test config is valid")
}

/// The options of a connect to `url`.
pub fn connect_options(url: &str) -> Option<ConnectSocketOptions> {
    Some(ConnectSocketOptions::url(url))
}

/// The next event, or a panic after [`WAIT`].
pub async fn next(my: &My) -> Event {
    tokio::time::timeout(WAIT, my.next_event())
        .await
        .expect("no event within 5 s")
}

/// Takes events one by one and checks each against `expected`.
pub async fn expect(my: &My, expected: Vec<Event>) {
    for (i, want) in expected.into_iter().enumerate() {
        let got = next(my).await;
        assert_eq!(got, want, "event #{i}");
    }
}

/// Every event until nothing happens for twice [`QUIET`].
pub async fn quiet_events(my: &My) -> Vec<Event> {
    testkit::until_quiet(QUIET * 2, || my.next_event()).await
}

/// Nothing happens for [`QUIET`].
pub async fn expect_quiet(my: &My) {
    if let Ok(event) = tokio::time::timeout(QUIET, my.next_event()).await {
        panic!("unexpected event: {event:?}");
    }
}

/// Everything that is already on the queue, taken without waiting.
pub fn drain(my: &My) -> Vec<Event> {
    std::iter::from_fn(|| my.try_next_event()).collect()
}

fn callback(call: CallId, kind: CallbackKind, res: Value) -> Event {
    Event::Callback {
        call,
        kind,
        res,
        sync: false,
    }
}

/// `success({})` then `complete({})`.
pub fn ok(call: CallId) -> Vec<Event> {
    vec![
        callback(call, CallbackKind::Success, json!({})),
        callback(call, CallbackKind::Complete, json!({})),
    ]
}

/// `fail({error, errorMessage})` then `complete` with the same object.
pub fn failed(call: CallId, code: ErrorCode) -> Vec<Event> {
    vec![
        callback(call, CallbackKind::Fail, code.payload()),
        callback(call, CallbackKind::Complete, code.payload()),
    ]
}

pub fn success(call: CallId) -> Event {
    callback(call, CallbackKind::Success, json!({}))
}

pub fn complete(call: CallId) -> Event {
    callback(call, CallbackKind::Complete, json!({}))
}

pub fn listener(target: &str, name: &str, event_type: EventType, res: Value) -> Event {
    Event::Listener {
        target: target.into(),
        listener: name.into(),
        event_type,
        res,
    }
}

pub fn opened(target: &str, name: &str) -> Event {
    listener(target, name, EventType::Open, json!({}))
}

pub fn text(target: &str, name: &str, data: &str) -> Event {
    listener(
        target,
        name,
        EventType::Message,
        json!({"data": data, "isBuffer": false}),
    )
}

pub fn binary(target: &str, name: &str, base64: &str) -> Event {
    listener(
        target,
        name,
        EventType::Message,
        json!({"data": base64, "isBuffer": true}),
    )
}

pub fn errored(target: &str, name: &str, code: ErrorCode) -> Event {
    listener(target, name, EventType::Error, code.payload())
}

pub fn closed(target: &str, name: &str, code: u16, reason: &str) -> Event {
    listener(
        target,
        name,
        EventType::Close,
        json!({"code": code, "reason": reason}),
    )
}

/// Registers `O`, `M`, `E`, `C` on `my` for the four event types.
pub fn listen_on_my(my: &My) {
    my.on_socket_open("O");
    my.on_socket_message("M");
    my.on_socket_error("E");
    my.on_socket_close("C");
}

/// Connects the global socket (call `call`) and awaits it open, with the
/// listeners of [`listen_on_my`].
pub async fn open_global(my: &My, url: &str, call: CallId) {
    listen_on_my(my);
    my.connect_socket(call, connect_options(url));
    let mut want = ok(call);
    want.push(opened("my", "O"));
    expect(my, want).await;
}

// ---------------------------------------------------------------- mock server

/// The suite's mock server, started for one test, with one session. Every
/// connection of the test goes to that session, numbered 1, 2, ... in the
/// order its request head arrived; its recording is what the server saw.
pub struct Mock {
    pub server: MockServer,
    pub session: Session,
}

/// Starts a mock server (ephemeral loopback ports, certificates made
/// in memory) and opens a session on it.
pub async fn mock() -> Mock {
    let server = MockServer::start(Options::default())
        .await
        .expect("the mock server starts");
    let session = server.create_session();
    Mock { server, session }
}

/// The upgrade request as the mock server recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub protocols: Vec<String>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }
}

impl Mock {
    /// The `ws://` URL of a behaviour path, e.g. `url("echo")`.
    pub fn url(&self, behaviour: &str) -> String {
        self.session.url("ws", behaviour)
    }

    /// The URL of a behaviour path on another listener (`wss.valid`, ...).
    pub fn url_on(&self, listener: &str, behaviour: &str) -> String {
        self.session.url(listener, behaviour)
    }

    /// The request path the server sees for a behaviour path.
    pub fn path(&self, behaviour: &str) -> String {
        format!("/s/{}/{behaviour}", self.session.id())
    }

    /// The address of the `ws` listener.
    pub fn ws_addr(&self) -> SocketAddr {
        self.server.addr("ws").expect("a ws listener")
    }

    /// A URL where the connection is refused (the `tcp.closed` listener).
    pub fn refused_url(&self) -> String {
        format!(
            "{}/",
            self.server
                .base_url("tcp.closed")
                .expect("a tcp.closed listener")
        )
    }

    /// A context that trusts the mock server's test CA.
    pub fn my_trusting_its_ca(&self) -> My {
        My::new(
            Config {
                ca_certificates_pem: self.server.ca_pem().to_owned(),
                ..config()
            },
            Behaviour::default(),
        )
        .expect("the CA parses")
    }

    /// The first event of connection `conn` that matches, already recorded
    /// or still to come; a panic (with the recording) after [`WAIT`].
    pub async fn wait(&self, conn: u32, what: &str, pred: impl Fn(&Recorded) -> bool) -> Recorded {
        match self
            .session
            .wait_for(|e| e.conn == conn && pred(&e.event), WAIT)
            .await
        {
            Ok(e) => e.event,
            Err(err) => panic!(
                "the mock server recorded no {what} on connection {conn} ({err}): {:#?}",
                self.session.recording()
            ),
        }
    }

    /// The upgrade request of connection `conn`.
    pub async fn request(&self, conn: u32) -> Request {
        match self
            .wait(conn, "request", |e| {
                matches!(e, Recorded::HandshakeRequest { .. })
            })
            .await
        {
            Recorded::HandshakeRequest {
                path,
                query,
                headers,
                protocols,
                ..
            } => Request {
                path,
                query,
                headers,
                protocols,
            },
            _ => unreachable!(),
        }
    }

    /// The response the server wrote to connection `conn`: status, selected
    /// subprotocol, fault.
    pub async fn response(&self, conn: u32) -> (u16, Option<String>, Option<String>) {
        match self
            .wait(conn, "response", |e| {
                matches!(e, Recorded::HandshakeResponse { .. })
            })
            .await
        {
            Recorded::HandshakeResponse {
                status,
                protocol,
                fault,
                ..
            } => (status, protocol, fault),
            _ => unreachable!(),
        }
    }

    /// The first close frame from the client on `conn`: code, reason, and
    /// whether the client closed first.
    pub async fn close_in(&self, conn: u32) -> (Option<u16>, String, bool) {
        match self
            .wait(conn, "close frame", |e| {
                matches!(e, Recorded::CloseIn { .. })
            })
            .await
        {
            Recorded::CloseIn {
                code,
                reason,
                first,
            } => (code, reason, first),
            _ => unreachable!(),
        }
    }

    /// The first close frame the server wrote on `conn`: code, reason, and
    /// whether the server closed first.
    pub async fn close_out(&self, conn: u32) -> (Option<u16>, String, bool) {
        match self
            .wait(conn, "close frame out", |e| {
                matches!(e, Recorded::CloseOut { .. })
            })
            .await
        {
            Recorded::CloseOut {
                code,
                reason,
                first,
            } => (code, reason, first),
            _ => unreachable!(),
        }
    }

    /// The first whole message from the client on `conn`: kind, length in
    /// bytes, payload (text, or base64).
    pub async fn message_in(&self, conn: u32) -> (MessageKind, usize, String) {
        match self
            .wait(conn, "message", |e| matches!(e, Recorded::MessageIn { .. }))
            .await
        {
            Recorded::MessageIn {
                kind, len, payload, ..
            } => (kind, len, payload),
            _ => unreachable!(),
        }
    }

    /// How connection `conn` ended.
    pub async fn ended(&self, conn: u32) -> EndReason {
        match self
            .wait(conn, "end", |e| matches!(e, Recorded::Ended { .. }))
            .await
        {
            Recorded::Ended { how, .. } => how,
            _ => unreachable!(),
        }
    }

    /// What is recorded on connection `conn` so far, without waiting.
    pub fn events(&self, conn: u32) -> Vec<Recorded> {
        self.session
            .recording()
            .into_iter()
            .filter(|e| e.conn == conn)
            .map(|e| e.event)
            .collect()
    }

    /// Every message and close frame the client sent so far, on any
    /// connection, without waiting.
    pub fn frames_in(&self) -> Vec<Recorded> {
        self.session
            .recording()
            .into_iter()
            .map(|e| e.event)
            .filter(|e| matches!(e, Recorded::MessageIn { .. } | Recorded::CloseIn { .. }))
            .collect()
    }

    /// The upgrade requests recorded so far, without waiting.
    pub fn requests_so_far(&self) -> usize {
        self.session
            .recording()
            .iter()
            .filter(|e| matches!(e.event, Recorded::HandshakeRequest { .. }))
            .count()
    }

    /// The TLS error of the first connection that failed its handshake
    /// (recorded in the server's unrouted log: it reached no session).
    pub async fn tls_failed(&self) -> String {
        match self
            .server
            .wait_for_unrouted(|e| matches!(e.event, Recorded::TlsFailed { .. }), WAIT)
            .await
            .map(|e| e.event)
        {
            Ok(Recorded::TlsFailed { error }) => error,
            other => panic!(
                "no TLS failure recorded ({other:?}): {:#?}",
                self.server.unrouted()
            ),
        }
    }
}

/// `n` bytes of 7, as hex for a `send-on-open/binary/{hex}` path.
pub fn sevens(n: usize) -> String {
    "07".repeat(n)
}

// ---------------------------------------------------------------- local server

// What the mock server does not offer stays here, as small as it can be:
//
// - a server that reads the upgrade request and closes the connection
//   without any response (error 1 during the handshake): every mock-server
//   fault answers something, holds the connection, or never reads;
// - certificates that are expired *and* wrong in another way (untrusted
//   issuer, another host), for the `expired-cert-accepted` mutant: the
//   mock server's catalogue has one fault per certificate.

/// A listener on 127.0.0.1 that reads each upgrade request head, reports
/// its request target, and closes the connection without answering.
pub struct HangUp {
    pub addr: SocketAddr,
    targets: mpsc::UnboundedReceiver<String>,
    task: JoinHandle<()>,
}

impl Drop for HangUp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HangUp {
    pub async fn start() -> HangUp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (report, targets) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let mut reader = BufReader::new(tcp);
                let mut line = String::new();
                if reader.read_line(&mut line).await.is_err() {
                    continue;
                }
                let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                // The rest of the head, up to the empty line.
                loop {
                    let mut header = String::new();
                    match reader.read_line(&mut header).await {
                        Ok(n) if n > 0 && header.trim_end().is_empty() => break,
                        Ok(n) if n > 0 => {}
                        _ => break,
                    }
                }
                let _ = report.send(target);
                // Dropping the stream closes the connection, unanswered.
            }
        });
        HangUp {
            addr,
            targets,
            task,
        }
    }

    /// The request target of the next upgrade request it hung up on.
    pub async fn request_target(&mut self) -> String {
        tokio::time::timeout(WAIT, self.targets.recv())
            .await
            .expect("no request within 5 s")
            .expect("the listener ended")
    }
}

/// A TLS listener on 127.0.0.1 serving `tls`'s certificate; what follows
/// the TLS handshake (which the tests expect the client to refuse) is
/// dropped unanswered.
pub struct TlsOnly {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for TlsOnly {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsOnly {
    pub async fn start(tls: Arc<rustls::ServerConfig>) -> TlsOnly {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = acceptor.accept(tcp).await;
            }
        });
        TlsOnly { addr, task }
    }

    pub fn wss_url(&self, path: &str) -> String {
        format!("wss://{}{path}", self.addr)
    }
}

pub fn make_ca(name: &str) -> (rcgen::Certificate, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert, rcgen::Issuer::new(params, key))
}

pub fn leaf(
    names: &[&str],
    issuer: &rcgen::Issuer<'static, rcgen::KeyPair>,
    issuer_cert: &rcgen::Certificate,
    expired: bool,
) -> Arc<rustls::ServerConfig> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "test server");
    let now = time::OffsetDateTime::now_utc();
    if expired {
        params.not_before = now - time::Duration::days(30);
        params.not_after = now - time::Duration::days(1);
    } else {
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(30);
    }
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    let chain = vec![
        CertificateDer::from(cert.der().to_vec()),
        CertificateDer::from(issuer_cert.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    Arc::new(config)
}
