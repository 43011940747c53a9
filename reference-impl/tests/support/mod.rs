//! A small WebSocket server for the tests, written over raw TCP (and TLS)
//! so that it can also break the handshake and the protocol on purpose,
//! plus helpers to build and await expected events.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reference_impl::{
    CallId, CallbackKind, Config, ConnectSocketOptions, ErrorCode, Event, EventType, My,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

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
    My::new(config()).expect("the test config is valid")
}

pub fn url(addr: SocketAddr, path: &str) -> String {
    format!("ws://{addr}{path}")
}

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

// ---------------------------------------------------------------- server

/// What the server saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// The upgrade request.
    Request(RequestHead),
    /// A frame from the client (unmasked).
    Frame { opcode: u8, payload: Vec<u8> },
    /// The client ended the connection.
    Eof,
}

/// The request line's target and the headers of an upgrade request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestHead {
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
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

/// What a connection does after the TCP (and TLS) handshake.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Accepts, then echoes text and binary frames and answers a close.
    Echo,
    /// Accepts offering this subprotocol, then echoes.
    EchoWithProtocol(&'static str),
    /// Accepts, sends a close frame with this code and reason, then reads
    /// until the client answers.
    CloseWith(u16, &'static str),
    /// Accepts and echoes, but never answers a close frame.
    NoCloseAnswer,
    /// Accepts and echoes; answers a close frame with this payload.
    AnswerCloseWith(&'static [u8]),
    /// Accepts, then drops the TCP connection without a close frame.
    Drop,
    /// Accepts, sends a binary message of this many bytes, then echoes.
    SendBytes(usize),
    /// Accepts, sends "Hello" as three text fragments, then echoes.
    Fragmented,
    /// Accepts, sends one binary message in two fragments of these sizes,
    /// then echoes.
    FragmentedBytes(usize, usize),
    /// Accepts; every text or binary message goes to every other connection.
    Broadcast,
    /// Reads the request, writes this response head (`{accept}` is replaced
    /// by the right Sec-WebSocket-Accept), then reads until the client goes.
    Respond(&'static str),
    /// Reads the request and never answers.
    Silent,
    /// Reads the request and closes the connection without an answer.
    HangUp,
}

/// A transport the server can run over.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> Transport for T {}

type Writer = Arc<tokio::sync::Mutex<tokio::io::WriteHalf<Box<dyn Transport>>>>;

/// A test server on 127.0.0.1, ending when dropped.
pub struct Server {
    pub addr: SocketAddr,
    seen: mpsc::UnboundedReceiver<Seen>,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(behaviour: Behaviour) -> Server {
        Server::start_inner(behaviour, None).await
    }

    pub async fn start_tls(behaviour: Behaviour, tls: Arc<rustls::ServerConfig>) -> Server {
        Server::start_inner(behaviour, Some(tls)).await
    }

    async fn start_inner(behaviour: Behaviour, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (report, seen) = mpsc::unbounded_channel();
        let room: Room = Arc::default();
        let task = tokio::spawn(async move {
            let mut connections = Vec::new();
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    break;
                };
                let behaviour = behaviour.clone();
                let report = report.clone();
                let room = Arc::clone(&room);
                let tls = tls.clone();
                connections.push(AbortOnDrop(tokio::spawn(async move {
                    let stream: Box<dyn Transport> = match tls {
                        Some(tls) => match tokio_rustls::TlsAcceptor::from(tls).accept(tcp).await {
                            Ok(stream) => Box::new(stream),
                            Err(_) => return,
                        },
                        None => Box::new(tcp),
                    };
                    let (read, write) = tokio::io::split(stream);
                    let conn = Conn {
                        reader: BufReader::new(read),
                        writer: Arc::new(tokio::sync::Mutex::new(write)),
                        report,
                        key: String::new(),
                    };
                    conn.serve(behaviour, room).await;
                })));
            }
        });
        Server { addr, seen, task }
    }

    pub fn url(&self, path: &str) -> String {
        url(self.addr, path)
    }

    pub fn wss_url(&self, path: &str) -> String {
        format!("wss://{}{path}", self.addr)
    }

    /// The next thing the server saw.
    pub async fn seen(&mut self) -> Seen {
        tokio::time::timeout(WAIT, self.seen.recv())
            .await
            .expect("the server saw nothing within 5 s")
            .expect("the server ended")
    }

    /// The next upgrade request the server saw.
    pub async fn request(&mut self) -> RequestHead {
        loop {
            if let Seen::Request(head) = self.seen().await {
                return head;
            }
        }
    }

    /// The next close frame from a client: its code and reason.
    pub async fn close_frame(&mut self) -> (u16, String) {
        loop {
            if let Seen::Frame { opcode: 8, payload } = self.seen().await {
                let code = u16::from_be_bytes([payload[0], payload[1]]);
                return (code, String::from_utf8(payload[2..].to_vec()).unwrap());
            }
        }
    }

    /// What the server saw that is already reported, without waiting.
    pub fn seen_now(&mut self) -> Vec<Seen> {
        std::iter::from_fn(|| self.seen.try_recv().ok()).collect()
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Room = Arc<Mutex<Vec<(usize, mpsc::UnboundedSender<(u8, Vec<u8>)>)>>>;

struct Conn {
    reader: BufReader<tokio::io::ReadHalf<Box<dyn Transport>>>,
    writer: Writer,
    report: mpsc::UnboundedSender<Seen>,
    key: String,
}

/// A server frame (never masked).
pub fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(u8::from(fin) << 7) | opcode];
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= 0xffff => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out
}

pub fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    payload
}

impl Conn {
    async fn serve(mut self, behaviour: Behaviour, room: Room) {
        let Some(head) = self.read_request().await else {
            return;
        };
        let _ = self.report.send(Seen::Request(head));
        match behaviour {
            Behaviour::Echo => {
                self.accept(None).await;
                self.echo(true).await;
            }
            Behaviour::EchoWithProtocol(protocol) => {
                self.accept(Some(protocol)).await;
                self.echo(true).await;
            }
            Behaviour::CloseWith(code, reason) => {
                self.accept(None).await;
                self.write(&frame(true, 8, &close_payload(code, reason)))
                    .await;
                self.echo(false).await;
            }
            Behaviour::NoCloseAnswer => {
                self.accept(None).await;
                self.echo(false).await;
            }
            Behaviour::AnswerCloseWith(payload) => {
                self.accept(None).await;
                self.echo_answering(true, Some(payload)).await;
            }
            Behaviour::Drop => {
                self.accept(None).await;
                let _ = self.writer.lock().await.shutdown().await;
            }
            Behaviour::SendBytes(n) => {
                self.accept(None).await;
                self.write(&frame(true, 2, &vec![7u8; n])).await;
                self.echo(true).await;
            }
            Behaviour::Fragmented => {
                self.accept(None).await;
                let mut bytes = frame(false, 1, b"He");
                bytes.extend(frame(false, 0, b"ll"));
                bytes.extend(frame(true, 0, b"o"));
                self.write(&bytes).await;
                self.echo(true).await;
            }
            Behaviour::FragmentedBytes(first, second) => {
                self.accept(None).await;
                let mut bytes = frame(false, 2, &vec![1u8; first]);
                bytes.extend(frame(true, 0, &vec![2u8; second]));
                self.write(&bytes).await;
                self.echo(true).await;
            }
            Behaviour::Broadcast => {
                self.accept(None).await;
                self.broadcast(room).await;
            }
            Behaviour::Respond(head) => {
                let accept = derive_accept_key(self.key.as_bytes());
                self.write(head.replace("{accept}", &accept).as_bytes())
                    .await;
                self.read_until_eof().await;
            }
            Behaviour::Silent => self.read_until_eof().await,
            Behaviour::HangUp => {
                let _ = self.writer.lock().await.shutdown().await;
            }
        }
    }

    async fn read_request(&mut self) -> Option<RequestHead> {
        let mut line = String::new();
        self.reader.read_line(&mut line).await.ok()?;
        let target = line.split_whitespace().nth(1)?.to_owned();
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line).await.ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':')?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let head = RequestHead { target, headers };
        self.key = head
            .header("Sec-WebSocket-Key")
            .unwrap_or_default()
            .to_owned();
        Some(head)
    }

    async fn accept(&mut self, protocol: Option<&str>) {
        let mut response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
            derive_accept_key(self.key.as_bytes())
        );
        if let Some(protocol) = protocol {
            response.push_str(&format!("Sec-WebSocket-Protocol: {protocol}\r\n"));
        }
        response.push_str("\r\n");
        self.write(response.as_bytes()).await;
    }

    async fn write(&self, bytes: &[u8]) {
        let mut writer = self.writer.lock().await;
        let _ = writer.write_all(bytes).await;
        let _ = writer.flush().await;
    }

    /// A client frame, unmasked; `None` at the end of the stream.
    async fn read_frame(&mut self) -> Option<(bool, u8, Vec<u8>)> {
        let mut head = [0u8; 2];
        self.reader.read_exact(&mut head).await.ok()?;
        let fin = head[0] & 0x80 != 0;
        let opcode = head[0] & 0x0f;
        let len = match head[1] & 0x7f {
            126 => u64::from(self.reader.read_u16().await.ok()?),
            127 => self.reader.read_u64().await.ok()?,
            n => u64::from(n),
        };
        let mut mask = [0u8; 4];
        if head[1] & 0x80 != 0 {
            self.reader.read_exact(&mut mask).await.ok()?;
        }
        let mut payload = vec![0u8; len as usize];
        self.reader.read_exact(&mut payload).await.ok()?;
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
        Some((fin, opcode, payload))
    }

    /// Reports every frame; echoes data, answers pings, and answers a close
    /// when `answer_close` (then ends the connection).
    async fn echo(&mut self, answer_close: bool) {
        self.echo_answering(answer_close, None).await;
    }

    /// As [`Conn::echo`], answering a close with `answer` instead of the
    /// client's own payload.
    async fn echo_answering(&mut self, answer_close: bool, answer: Option<&[u8]>) {
        loop {
            let Some((_, opcode, payload)) = self.read_frame().await else {
                let _ = self.report.send(Seen::Eof);
                return;
            };
            let _ = self.report.send(Seen::Frame {
                opcode,
                payload: payload.clone(),
            });
            match opcode {
                1 | 2 => self.write(&frame(true, opcode, &payload)).await,
                9 => self.write(&frame(true, 10, &payload)).await,
                8 if answer_close => {
                    self.write(&frame(true, 8, answer.unwrap_or(&payload)))
                        .await;
                    let _ = self.writer.lock().await.shutdown().await;
                    self.read_until_eof().await;
                    return;
                }
                _ => {}
            }
        }
    }

    async fn broadcast(&mut self, room: Room) {
        let (tx, mut rx) = mpsc::unbounded_channel::<(u8, Vec<u8>)>();
        let me = {
            let mut room = room.lock().unwrap();
            let me = room.len();
            room.push((me, tx));
            me
        };
        let writer = Arc::clone(&self.writer);
        let forward = AbortOnDrop(tokio::spawn(async move {
            while let Some((opcode, payload)) = rx.recv().await {
                let mut writer = writer.lock().await;
                let _ = writer.write_all(&frame(true, opcode, &payload)).await;
                let _ = writer.flush().await;
            }
        }));
        while let Some((_, opcode, payload)) = self.read_frame().await {
            let _ = self.report.send(Seen::Frame {
                opcode,
                payload: payload.clone(),
            });
            match opcode {
                1 | 2 => {
                    for (other, tx) in room.lock().unwrap().iter() {
                        if *other != me {
                            let _ = tx.send((opcode, payload.clone()));
                        }
                    }
                }
                8 => {
                    self.write(&frame(true, 8, &payload)).await;
                    break;
                }
                _ => {}
            }
        }
        drop(forward);
    }

    async fn read_until_eof(&mut self) {
        let mut buf = [0u8; 1024];
        while matches!(self.reader.read(&mut buf).await, Ok(n) if n > 0) {}
        let _ = self.report.send(Seen::Eof);
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub async fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

// ---------------------------------------------------------------- certificates

/// A test CA and leaf certificates made with rcgen.
pub struct Pki {
    /// The CA the client config trusts, as PEM.
    pub ca_pem: String,
    /// Valid for 127.0.0.1 and localhost.
    pub valid: Arc<rustls::ServerConfig>,
    /// Valid names, but expired yesterday.
    pub expired: Arc<rustls::ServerConfig>,
    /// Valid names and dates, issued by a CA nobody trusts.
    pub unknown_ca: Arc<rustls::ServerConfig>,
    /// Issued by the trusted CA for 127.0.0.2 only.
    pub wrong_host: Arc<rustls::ServerConfig>,
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

impl Pki {
    pub fn new() -> Pki {
        let (ca_cert, ca) = make_ca("reference-impl test CA");
        let (other_cert, other) = make_ca("an untrusted CA");
        let names = ["127.0.0.1", "localhost"];
        Pki {
            ca_pem: ca_cert.pem(),
            valid: leaf(&names, &ca, &ca_cert, false),
            expired: leaf(&names, &ca, &ca_cert, true),
            unknown_ca: leaf(&names, &other, &other_cert, false),
            wrong_host: leaf(&["127.0.0.2"], &ca, &ca_cert, false),
        }
    }

    /// A context that trusts this PKI's CA.
    pub fn my(&self) -> My {
        My::new(Config {
            ca_certificates_pem: self.ca_pem.clone(),
            ..config()
        })
        .unwrap()
    }
}
